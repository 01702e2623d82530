"""Demo data for trying the product: ``flask --app mediation mediation seed-demo``.

Stations, agencies and accounts come from the source reports (Xigu district in Lanzhou, Zhengyang community
in Hengyang, Wanghailou in Tianjin, Donghai street in Lufeng, Yangqu county near Taiyuan); the disputes are
built from templates of the disputes those reports describe (the water leak between two households in one
lane, delivery riders, unpaid wages, property fees, noise, parking, traffic, family maintenance, …).

Every case goes through the real services, back-dated with ``now=``: ``register_case`` registers it,
``apply_step`` fires each step with the data the step requires (nothing assigns a state), and
``record_session`` records its sittings; so each case's events replay to its state. The same seed gives
the same data relative to the day it runs.

``seed`` only flushes: the caller commits once. One transaction means an interrupted run leaves nothing
behind, so ``seed-demo --if-empty`` (which ``make run`` calls) never mistakes half-seeded data for a seed.
"""

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zlib import crc32

from flask import current_app
from sqlalchemy import func, select
from werkzeug.security import generate_password_hash

from mediation import taxonomy
from mediation.clock import LOCAL_ZONE, local_date, utcnow
from mediation.extensions import db
from mediation.models import (
    Agency,
    Case,
    CaseParty,
    DutyShift,
    Event,
    FollowUpVisit,
    MediationSession,
    Party,
    Referral,
    Station,
    User,
)
from mediation.services.cases import CaseInput, register_case
from mediation.services.parties import PartyInput
from mediation.services.sessions import record_session
from mediation.services.station_log import VisitInput, record_visit
from mediation.services.transitions import apply_step, record_event

#: The one password of every demo account (printed by the command; never use the demo in production).
DEMO_PASSWORD = "demo-pass-2026"
DEFAULT_CASES = 300
DEFAULT_SEED = 2026


# --- Stations, agencies, accounts ---------------------------------------------------------------------


@dataclass(frozen=True)
class StationSpec:
    code: str
    name: str
    address: str
    district: str
    #: For organisation names (兰州某某物业…) and the short district name for delivery stations.
    city: str
    short: str
    area_code: str
    #: The first six digits of ID numbers issued there, and the local court's code in court case numbers.
    region: str
    court_code: str
    places: tuple[str, ...]
    villages: tuple[str, ...] = ()
    markets: tuple[str, ...] = ()
    weight: int = 10


STATIONS = (
    StationSpec(
        "XLG", "西柳沟街道解纷驿站", "甘肃省兰州市西固区西柳沟街道综治中心一楼", "兰州市西固区",
        "兰州", "西固", "0931", "620104", "甘0104",
        ("西柳沟社区", "福利西路小区", "合水北路家属院", "钟家河小区", "西固巷", "玉门街14号院"),
        villages=("柳泉镇西坪村", "西柳沟村", "柳泉镇上坪村"),
        markets=("陈官营陶瓷城", "鸿安石材市场"), weight=25,
    ),
    StationSpec(
        "XGJ", "中街社区解纷驿站", "甘肃省兰州市西固区临洮街街道中街社区党群服务中心", "兰州市西固区",
        "兰州", "西固", "0931", "620104", "甘0104",
        ("中街社区快递一条街", "临洮街", "山丹街小区", "西固中路", "环形东路", "福利东路小区"),
        markets=("陈官营陶瓷城", "环形东路建材市场"), weight=20,
    ),
    StationSpec(
        "ZYS", "蒸阳社区解纷驿站", "湖南省衡阳市石鼓区人民街道蒸阳社区红色驿站（钱局巷口）", "衡阳市石鼓区",
        "衡阳", "石鼓", "0734", "430407", "湘0407",
        ("钱局巷小区", "太平巷", "蒸阳北路小区", "人民路老街", "中山北路", "潇湘街"),
        markets=("蒸阳农贸市场",), weight=15,
    ),
    StationSpec(
        "WHL", "望海楼社区解纷驿站", "天津市河北区望海楼街道望海楼社区爱心驿站", "天津市河北区",
        "天津", "河北区", "022", "120105", "津0105",
        ("望海楼小区", "建国道", "狮子林大街", "富贾花园", "汇园里", "进步道"),
        markets=("狮子林大街商业街",), weight=15,
    ),
    StationSpec(
        "DHJ", "东海街道解纷驿站", "广东省陆丰市东海街道市民广场旁红色驿站", "陆丰市",
        "陆丰", "东海", "0660", "441581", "粤1581",
        ("市民广场", "东海大道", "人民路", "新河东路", "金厢路", "龙山路"),
        villages=("东海街道上英村", "东海街道新寮村", "东海街道高美村"),
        markets=("东海农贸市场",), weight=12,
    ),
    StationSpec(
        "YQN", "新阳东街社区暖蜂驿站", "山西省太原市阳曲县黄寨镇新阳东街社区党群服务中心", "太原市阳曲县",
        "阳曲", "阳曲", "0351", "140122", "晋0122",
        ("新阳东街", "城南街社区", "首邑路停车场", "首邑西路小区", "阳兴大街", "黄寨镇南街"),
        villages=("黄寨镇北村", "黄寨镇南郑村", "大盂镇大盂村"),
        markets=("阳曲县综合市场",), weight=13,
    ),
)  # fmt: skip


@dataclass(frozen=True)
class AgencySpec:
    code: str
    name: str
    kind: str
    address: str
    #: The stations it takes referrals from and sends disputes to; the first is its home station.
    stations: tuple[str, ...]
    #: How the agency is called in running text and in its own reference numbers.
    short: str


AGENCIES = (
    AgencySpec("XLGPS", "兰州市公安局西固分局西柳沟派出所", "police", "兰州市西固区西柳沟街",
               ("XLG",), "西柳沟派出所"),
    AgencySpec("LTJPS", "兰州市公安局西固分局临洮街派出所", "police", "兰州市西固区临洮街",
               ("XGJ",), "临洮街派出所"),
    AgencySpec("XGFY", "兰州市西固区人民法院", "court", "兰州市西固区玉门街",
               ("XLG", "XGJ"), "西固区人民法院"),
    AgencySpec("XLGSFS", "兰州市西固区司法局西柳沟司法所", "judicial_office",
               "兰州市西固区西柳沟街道办事处院内", ("XLG", "XGJ"), "西柳沟司法所"),
    AgencySpec("XGLDZC", "兰州市西固区劳动人事争议仲裁委员会", "labour_arbitration", "兰州市西固区福利东路",
               ("XGJ", "XLG"), "西固区劳动人事争议仲裁委"),
    AgencySpec("RMJPS", "衡阳市公安局石鼓分局人民街派出所", "police", "衡阳市石鼓区人民路",
               ("ZYS",), "人民街派出所"),
    AgencySpec("SGFY", "衡阳市石鼓区人民法院", "court", "衡阳市石鼓区", ("ZYS",), "石鼓区人民法院"),
    AgencySpec("WHLPS", "天津市公安局河北分局望海楼派出所", "police", "天津市河北区建国道",
               ("WHL",), "望海楼派出所"),
    AgencySpec("HBFY", "天津市河北区人民法院", "court", "天津市河北区", ("WHL",), "河北区人民法院"),
    AgencySpec("HBLDZC", "天津市河北区劳动人事争议仲裁委员会", "labour_arbitration", "天津市河北区",
               ("WHL",), "河北区劳动人事争议仲裁委"),
    AgencySpec("DHPS", "陆丰市公安局东海派出所", "police", "陆丰市东海大道", ("DHJ",), "东海派出所"),
    AgencySpec("LFFY", "陆丰市人民法院", "court", "陆丰市东海街道", ("DHJ",), "陆丰市人民法院"),
    AgencySpec("HZPS", "阳曲县公安局黄寨派出所", "police", "阳曲县黄寨镇", ("YQN",), "黄寨派出所"),
    AgencySpec("YQFY", "阳曲县人民法院", "court", "阳曲县黄寨镇", ("YQN",), "阳曲县人民法院"),
)  # fmt: skip


@dataclass(frozen=True)
class UserSpec:
    username: str
    display_name: str
    role: str
    stations: tuple[str, ...] = ()
    agency: str | None = None


USERS = (
    UserSpec("admin", "系统管理员", "admin"),
    UserSpec("sup_xigu", "马建国", "supervisor", ("XLG", "XGJ")),
    UserSpec("sup_shigu", "谭志红", "supervisor", ("ZYS",)),
    UserSpec("sup_hebei", "高玉梅", "supervisor", ("WHL",)),
    UserSpec("sup_lufeng", "郑少华", "supervisor", ("DHJ",)),
    UserSpec("sup_yangqu", "韩卫东", "supervisor", ("YQN",)),
    UserSpec("wangfang", "王芳", "mediator", ("XLG",)),
    UserSpec("zhangwei", "张伟", "mediator", ("XLG",)),
    UserSpec("lijing", "李静", "mediator", ("XLG", "XGJ")),
    UserSpec("liuyang", "刘洋", "mediator", ("XGJ",)),
    UserSpec("chenlei", "陈磊", "mediator", ("XGJ", "XLG")),
    UserSpec("zhouming", "周明", "mediator", ("ZYS",)),
    UserSpec("huangli", "黄丽", "mediator", ("ZYS",)),
    UserSpec("zhaomin", "赵敏", "mediator", ("WHL",)),
    UserSpec("sunhao", "孙浩", "mediator", ("WHL",)),
    UserSpec("linxiaoyan", "林晓燕", "mediator", ("DHJ",)),
    UserSpec("caizhiqiang", "蔡志强", "mediator", ("DHJ",)),
    UserSpec("yangjun", "杨军", "mediator", ("YQN",)),
    UserSpec("guoli", "郭丽", "mediator", ("YQN",)),
    UserSpec("police_xlg", "马涛", "police_liaison", agency="XLGPS"),
    UserSpec("police_ltj", "何鹏", "police_liaison", agency="LTJPS"),
    UserSpec("court_xg", "田静", "court_liaison", agency="XGFY"),
    UserSpec("sfs_xlg", "罗晓东", "court_liaison", agency="XLGSFS"),
    UserSpec("ldzc_xg", "魏娜", "court_liaison", agency="XGLDZC"),
    UserSpec("police_rmj", "曾勇", "police_liaison", agency="RMJPS"),
    UserSpec("court_sg", "廖敏", "court_liaison", agency="SGFY"),
    UserSpec("police_whl", "冯磊", "police_liaison", agency="WHLPS"),
    UserSpec("court_hb", "董丽华", "court_liaison", agency="HBFY"),
    UserSpec("ldzc_hb", "邵杰", "court_liaison", agency="HBLDZC"),
    UserSpec("police_dh", "陈文辉", "police_liaison", agency="DHPS"),
    UserSpec("court_lf", "黄秀英", "court_liaison", agency="LFFY"),
    UserSpec("police_hz", "薛刚", "police_liaison", agency="HZPS"),
    UserSpec("court_yq", "武晓燕", "court_liaison", agency="YQFY"),
)


# --- Dispute templates ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Story:
    """A kind of dispute: its text (``str.format`` fields filled per case) and how such cases tend to go.

    Party slots name a person profile (``resident``, ``rider``, …; ``/F`` or ``/M`` fixes the sex) or an
    organisation kind (``org:property``, …). ``refer`` lists the agency kinds a mediator would refer to.
    """

    key: str
    category: str
    weight: int
    titles: tuple[str, ...]
    facts: str
    terms: str
    applicant: str
    respondent: str
    third: str | None = None
    more_applicants: tuple[int, int] = (0, 0)
    amount: tuple[int, int] | None = None
    risk: tuple[int, int, int] = (6, 3, 1)
    refer: tuple[str, ...] = ("court",)
    #: ``urban``, ``village`` (only at stations with villages) or ``market``.
    setting: str = "urban"
    #: What the mediator found on site at the first session, if the dispute needs a look.
    onsite: str = ""
    fail: str = "双方对赔偿金额分歧过大"
    channels: tuple[tuple[str, int], ...] = (
        ("walk_in", 10), ("phone", 4), ("grid", 4), ("online", 2), ("police", 3), ("court", 2)
    )  # fmt: skip


POLICE_HEAVY = (("walk_in", 4), ("phone", 2), ("grid", 2), ("online", 1), ("police", 8), ("court", 1))
GRID_HEAVY = (("walk_in", 5), ("phone", 3), ("grid", 8), ("online", 3), ("police", 2), ("court", 1))

STORIES = (
    # 邻里纠纷 -------------------------------------------------------------------------------------------
    Story(
        "water_leak", "neighbour", 9,
        ("{place}两户居民房屋漏水纠纷", "{ax}与{bx}楼上漏水致房屋受损纠纷",
         "{place}{bldg}号楼卫生间渗漏邻里纠纷"),
        "申请人{a}住{place}{bldg}号楼{unit_low}。自{month}月起，其家卫生间和厨房顶棚持续渗水，"
        "吊顶发霉、墙皮脱落。{a}认为系楼上住户{b}（{unit_high}）卫生间防水层老化所致，多次上门协商未果，"
        "双方在楼道发生争吵。{a}要求{b}修复防水并赔偿损失{amount}元；{b}认为漏水可能来自公共管道，"
        "只同意承担部分费用。",
        "一、{b}于{deadline}前请专业人员重做卫生间防水，{a}配合入户查看；"
        "二、{b}一次性补偿{a}顶棚及墙面修复费用{agreed}元，于{deadline}前付清；"
        "三、双方今后互谅互让，不再因此事发生争执。",
        "resident", "resident", amount=(800, 6000), refer=("judicial_office", "court"),
        onsite="调解员与网格员到现场查看渗水点，请物业维修人员做闭水试验，确认渗漏点位于{b}家卫生间地漏周边。",
        fail="{b}不认可闭水试验结果，拒绝承担维修费用",
    ),
    Story(
        "noise", "neighbour", 5,
        ("{ax}与{bx}噪音扰民纠纷", "{place}楼上夜间噪音引发邻里矛盾"),
        "{a}反映楼上住户{b}家中经常在夜间十一点后拖动桌椅、孩子跑跳，{a}家中有高龄老人和备考学生，"
        "休息受到严重影响。双方多次在楼道争吵，{a}一度用木棍敲击暖气管道“回敬”，矛盾有激化趋势。",
        "一、{b}在卧室及客厅铺设地垫，晚十点后不在室内拖动家具、不跳绳健身；"
        "二、{a}不再敲击管道，有问题通过网格员或驿站沟通；三、双方互留电话，互相谅解。",
        "resident", "resident", risk=(5, 4, 1), refer=("police",),
        onsite="调解员晚间到{a}家实地听取噪音情况，并上楼与{b}一家沟通。",
        fail="双方互不相让，{b}认为属于正常生活不构成扰民", channels=GRID_HEAVY,
    ),
    Story(
        "parking", "neighbour", 4,
        ("{place}车辆乱停堵塞通道引发邻里纠纷", "{ax}与{bx}挪车争执纠纷"),
        "{b}长期将私家车停放在{place}{bldg}号楼单元门口的消防通道上，{a}家老人行动不便、出入受阻。"
        "{month}月{day}日双方因挪车发生口角并相互推搡，{a}车辆后视镜被损坏，要求{b}赔偿{amount}元并道歉。",
        "一、{b}今后将车辆停放在小区划定车位，不再占用单元门口及消防通道；"
        "二、{b}赔偿{a}后视镜修理费{agreed}元，于{deadline}前付清；三、双方就推搡一事互相致歉。",
        "resident", "resident", amount=(300, 1500), risk=(4, 4, 2), refer=("police",),
        onsite="调解员会同网格员、物业人员查看现场，调取监控确认推搡经过。",
        fail="{b}否认损坏后视镜，拒绝赔偿", channels=GRID_HEAVY,
    ),
    # 婚姻家庭纠纷 ---------------------------------------------------------------------------------------
    Story(
        "maintenance", "marriage_family", 4,
        ("{ax}老人与子女赡养纠纷", "{ax}与{bx}等子女赡养费分担纠纷"),
        "申请人{a}今年{age}岁，老伴去世后独居，患有高血压、糖尿病，每月医药费约{monthly}元。"
        "{a}的长子{b}认为自己已出资为老人装修房屋，不愿再承担赡养费，次子{third}也以收入低为由推诿。"
        "{a}向驿站求助，要求子女按月支付赡养费并轮流照料。",
        "一、{b}、{third}自次月起每月5日前各支付{a}赡养费{monthly}元；"
        "二、{a}住院期间的医疗费用自付部分由子女平均分担；三、子女每周轮流探望照料，节假日共同陪伴。",
        "elder", "resident/M", third="resident/M", amount=(6000, 24000), risk=(7, 3, 0), refer=("court",),
        onsite="调解员上门看望{a}，了解其身体和生活状况，并电话联系在外地工作的{third}。",
        fail="{b}坚持不承担赡养费，双方分歧较大",
    ),
    Story(
        "child_support", "marriage_family", 2,
        ("{ax}与{bx}离婚后子女抚养费纠纷",),
        "{a}与{b}于{year_past}年协议离婚，约定婚生女由{a}抚养，{b}每月支付抚养费{monthly}元。"
        "自{month}月起{b}以收入下降为由停止支付，已累计拖欠{amount}元。{a}多次催要未果，双方在电话中争吵激烈。",
        "一、{b}于{deadline}前补付拖欠的抚养费{agreed}元；二、自下月起{b}每月10日前通过银行转账支付抚养费；"
        "三、{b}每月可探望孩子两次，{a}予以配合。",
        "resident/F", "resident/M", amount=(3000, 15000), refer=("court",),
        fail="{b}坚称无力支付，不同意调解方案",
    ),
    Story(
        "in_laws", "marriage_family", 2,
        ("{ax}与儿媳{bx}家庭矛盾纠纷", "{place}一户家庭婆媳矛盾纠纷"),
        "{a}与儿媳{b}因照看孙子、家务分担等琐事长期不和。{month}月{day}日双方再次激烈争吵，"
        "{b}带孩子回了娘家，{a}之子夹在中间左右为难，家庭矛盾有激化风险。",
        "一、{b}带孩子回家居住；二、{a}与儿子一家分开做饭，周末共同就餐；"
        "三、孙子上下学由{a}接送，其余时间由{b}照看；四、家庭成员遇事平和沟通，不再恶语相向。",
        "elder/F", "resident/F", risk=(4, 5, 1), refer=("judicial_office", "police"),
        fail="{b}坚持分家另住，不同意回家",
    ),
    # 房屋宅基地纠纷 -------------------------------------------------------------------------------------
    Story(
        "homestead", "housing_land", 3,
        ("{ax}与{bx}宅基地边界纠纷", "{village}两户村民院墙越界纠纷"),
        "{a}与{b}系{village}前后院邻居。{b}翻建院墙时将墙基向{a}家一侧外移约{cm}厘米，"
        "并堵住了{a}家的排水沟，雨天院内积水。{a}多次要求拆除未果，双方家人发生推搡。",
        "一、{b}于{deadline}前将越界院墙拆除，按原宅基地界线重砌，费用自理；"
        "二、{b}疏通并恢复{a}家排水沟；三、村委会派人现场见证划定界线，双方签字确认。",
        "villager", "villager", risk=(4, 4, 2), refer=("judicial_office", "court"), setting="village",
        onsite="调解员会同村委会干部到现场丈量，对照宅基地使用证核实界线。",
        fail="{b}不认可丈量结果，坚持院墙在自家宅基地内",
    ),
    Story(
        "elevator", "housing_land", 2,
        ("{place}{bldg}号楼加装电梯低层住户补偿纠纷",),
        "{place}{bldg}号楼高层住户{a}等人牵头申请加装电梯，一楼住户{b}以采光、噪音受影响为由反对施工。"
        "双方就补偿问题分歧较大，施工队已停工两周，部分老人上下楼困难。",
        "一、高层住户一次性补偿{b}{agreed}元，于{deadline}前付清；二、电梯井道外墙采用透光材料；"
        "三、施工时间限定为每日8时至18时；四、{b}同意施工并在意见书上签字。",
        "elder", "resident", more_applicants=(1, 3), amount=(5000, 30000),
        refer=("judicial_office", "court"), fail="{b}坚持反对加装电梯",
    ),
    # 合同纠纷 -------------------------------------------------------------------------------------------
    Story(
        "deposit", "contract", 3,
        ("{ax}与房东{bx}租房押金退还纠纷",),
        "{a}租住{b}位于{place}的房屋，租期届满退租时，{b}以墙面污损、家具损坏为由扣留押金{amount}元。"
        "{a}认为属于正常使用损耗，双方多次协商无果。",
        "一、{b}于{deadline}前退还{a}押金{agreed}元；二、其余押金作为墙面粉刷费用，双方再无其他争议。",
        "rider", "resident", amount=(1000, 5000), risk=(8, 2, 0), refer=("court",),
        fail="{b}坚持扣除全部押金",
    ),
    Story(
        "renovation", "contract", 3,
        ("{ax}与装修工头{bx}装修质量及尾款纠纷", "{place}住户与装修队工程款纠纷"),
        "{a}将{place}的住房交由{b}带领的装修队装修，约定总价{total}元，已付{paid}元。"
        "完工后{a}发现卫生间返水、瓷砖空鼓，拒付尾款{amount}元；{b}称系{a}自购材料的质量问题，"
        "并多次带工人上门催讨。",
        "一、{b}于{deadline}前对卫生间防水和空鼓瓷砖返工；二、返工验收合格后三日内{a}支付尾款{agreed}元；"
        "三、返工期间工人不得上门催讨。",
        "resident", "worker", amount=(5000, 30000), risk=(5, 4, 1), refer=("court",),
        onsite="调解员邀请社区法律顾问和一名有经验的装修师傅到现场查看，确认空鼓瓷砖约二十块。",
        fail="双方对返工范围和尾款金额分歧较大",
    ),
    Story(
        "loan", "contract", 2,
        ("{ax}与{bx}民间借贷纠纷",),
        "{b}于{year_past}年向{a}借款{amount}元，约定一年内归还，有借条为证。到期后{b}以生意亏损为由迟迟未还，"
        "{a}多次上门催讨，双方关系紧张。",
        "一、{b}确认尚欠{a}借款{amount}元；二、{b}于{deadline}前偿还{agreed}元，余款自次月起每月偿还；"
        "三、{a}放弃利息主张。",
        "resident", "owner", amount=(10000, 80000), risk=(5, 4, 1), refer=("court",),
        fail="{b}表示暂无还款能力，无法提出还款计划",
    ),
    # 生产经营纠纷 ---------------------------------------------------------------------------------------
    Story(
        "partnership", "business", 2,
        ("{ax}与{bx}合伙经营餐馆散伙分账纠纷",),
        "{a}与{b}合伙在{place}经营一家面馆，各出资{half}元。因经营理念不合决定散伙，"
        "双方对店内设备折价和最后两个月的营业款分配争执不下。",
        "一、店铺由{b}继续经营，{b}向{a}支付设备及装修折价款{agreed}元，于{deadline}前付清；"
        "二、最后两个月营业款按出资比例分配；三、双方合伙关系自本协议签订之日起终止。",
        "owner", "owner", amount=(20000, 90000), refer=("court",), fail="双方对设备折价金额各执一词",
    ),
    Story(
        "stall", "business", 2,
        ("{market}商户{ax}与{bx}摊位转让费纠纷",),
        "{a}从{b}处转租{market}一处摊位，支付转让费{amount}元。经营不到两个月，市场管理方以不允许私自转租为由"
        "收回摊位，{a}要求{b}退还转让费，{b}称已将钱用于进货，无力退还。",
        "一、{b}于{deadline}前退还{a}转让费{agreed}元；二、摊位内{a}留下的货架归{b}所有，折抵部分转让费。",
        "owner", "owner", amount=(5000, 30000), refer=("court",), setting="market",
        fail="{b}拒绝退还转让费",
    ),
    # 损害赔偿纠纷 ---------------------------------------------------------------------------------------
    Story(
        "dog_bite", "damages", 3,
        ("外卖骑手{ax}被犬只咬伤赔偿纠纷", "{ax}与{bx}饲养犬只伤人赔偿纠纷"),
        "{month}月{day}日，外卖骑手{a}在{place}送餐时，被{b}饲养的未拴绳犬只咬伤小腿，"
        "注射狂犬疫苗、清创共花费{cost}元，误工五天。{a}要求赔偿医药费、误工费共{amount}元；"
        "{b}认为{a}踢狗在先，只愿承担医药费。",
        "一、{b}赔偿{a}医药费、误工费共计{agreed}元，于{deadline}前付清；"
        "二、{b}今后外出遛狗必须拴绳，并为犬只办理登记。",
        "rider", "resident", amount=(1500, 6000), risk=(5, 4, 1), refer=("police",),
        fail="{b}坚持只承担医药费", channels=POLICE_HEAVY,
    ),
    Story(
        "falling_pot", "damages", 2,
        ("{place}高空坠物砸损车辆赔偿纠纷",),
        "{month}月{day}日大风天，{place}{bldg}号楼{b}家阳台花盆坠落，砸坏停在楼下的{a}的轿车前挡风玻璃和引擎盖，"
        "维修报价{amount}元。{b}承认花盆系其家所有，但认为大风属于不可抗力，不应全额赔偿。",
        "一、{b}承担车辆维修费用{agreed}元，于{deadline}前付清；二、{b}清理阳台外沿摆放的花盆等物品；"
        "三、物业在楼下张贴高空坠物警示。",
        "resident", "resident", amount=(2000, 12000), refer=("court",),
        onsite="调解员调取小区监控，并请物业确认花盆坠落位置。",
        fail="{b}坚持大风属不可抗力，拒绝赔偿",
    ),
    # 劳动争议纠纷 ---------------------------------------------------------------------------------------
    Story(
        "unpaid_wages", "labour", 7,
        ("{ax}等{n}名务工人员追讨工资纠纷", "{ax}等农民工与{org}拖欠工资纠纷"),
        "{a}等{n}人经{market}附近的零工驿站介绍，自{month}月起在{org}承接的装修工地从事瓷砖铺贴、"
        "水电安装等工作，约定日工资{daily}元。工程完工后，{org}以甲方未结算工程款为由拖欠{n}人工资"
        "共计{amount}元。临近结算期，工人情绪激动，扬言到工地讨说法。",
        "一、{org}确认拖欠{a}等{n}人工资共计{amount}元；"
        "二、{org}于{deadline}前分两次付清，首期{half}元于签订协议当日支付；"
        "三、逾期未付，工人可直接申请劳动仲裁或向人民法院起诉。",
        "worker", "org:employer", more_applicants=(1, 4), amount=(8000, 60000), risk=(3, 5, 2),
        refer=("labour_arbitration", "police"), setting="market",
        fail="{org}称无力支付，拒绝提出付款计划",
    ),
    Story(
        "rider_pay", "labour", 4,
        ("外卖骑手{ax}与{org}工资扣罚纠纷", "骑手{ax}离职工资结算纠纷"),
        "{a}在{org}从事外卖配送工作{months}个月，离职时配送站以“超时、差评罚款”和电动车租金为由，"
        "扣发其最后一个月工资{amount}元。{a}认为罚款标准从未告知本人，向驿站求助。",
        "一、{org}于{deadline}前向{a}支付工资{agreed}元；二、电动车租金按实际使用天数结算；"
        "三、{org}今后将奖惩规则书面告知骑手。",
        "rider", "org:delivery", amount=(2000, 8000), risk=(7, 3, 0), refer=("labour_arbitration",),
        fail="{org}坚持按内部规定扣款",
    ),
    Story(
        "work_injury", "labour", 2,
        ("{ax}务工受伤与{org}赔偿纠纷",),
        "{a}在{org}仓库搬运货物时从梯子上摔下，右腕骨折，住院花费{cost}元。{org}未为其缴纳工伤保险，"
        "仅垫付部分医药费，双方对误工费、护理费和伤残赔偿分歧较大。",
        "一、{org}一次性赔偿{a}医疗费、误工费、护理费等共计{agreed}元；二、于{deadline}前付清；"
        "三、{a}收到款项后不再就本次受伤另行主张。",
        "worker", "org:warehouse", amount=(20000, 80000), risk=(5, 4, 1),
        refer=("labour_arbitration", "court"), fail="双方对伤残赔偿金额分歧过大",
    ),
    # 物业纠纷 -------------------------------------------------------------------------------------------
    Story(
        "property_fees", "property_management", 4,
        ("{org}与业主{bx}物业费纠纷", "{place}业主拖欠物业费纠纷"),
        "{org}反映，业主{b}（{place}{bldg}号楼{unit}）已连续{years}年未交物业费，共计{amount}元。"
        "{b}称小区电梯经常故障、楼道灯长期不亮、绿化无人管理，物业服务不到位，因此拒交。",
        "一、{org}于{deadline}前维修{bldg}号楼电梯并更换楼道灯；"
        "二、{b}于{deadline}前补交物业费{agreed}元，物业公司减免滞纳金；三、双方建立问题反馈渠道，由网格员定期跟进。",
        "org:property", "resident", amount=(1200, 7000), risk=(8, 2, 0), refer=("court",),
        fail="{b}坚持物业整改到位前不交费",
    ),
    Story(
        "garage_flood", "property_management", 2,
        ("{place}地下车库水管爆裂积水致车辆受损纠纷",),
        "{place}地下车库一段供水管爆裂，车库积水深达三十厘米，业主{a}停放的轿车被淹，维修花费{amount}元。"
        "社区已协调自来水公司抢修、物业抽排积水。{a}认为物业巡查不力、排水泵失灵，要求{org}赔偿；"
        "物业公司称水管由自来水公司埋设，不应由其负责。",
        "一、{org}承担车辆维修费用{agreed}元，于{deadline}前付清；二、{org}检修地库排水泵，每月巡查一次；"
        "三、{a}不再就此事另行主张。",
        "resident", "org:property", amount=(3000, 20000), refer=("court",),
        onsite="调解员会同社区网格员、物业和自来水公司人员查看地库，确认排水泵当晚未能启动。",
        fail="{org}坚持不承担责任", channels=GRID_HEAVY,
    ),
    # 山林土地纠纷 ---------------------------------------------------------------------------------------
    Story(
        "field_boundary", "land_forest", 2,
        ("{ax}与{bx}承包地地界纠纷",),
        "{a}与{b}在{village}的承包地相邻。{b}春耕时将地界石向{a}家地里挪动约半米，并在地头栽种杨树，"
        "树荫影响{a}家玉米生长。双方在地头争吵，{b}之子扬言动手。",
        "一、在村委会见证下按土地确权登记图恢复地界石；二、{b}于{deadline}前移除地界附近的杨树苗；"
        "三、双方不得再擅自移动界石。",
        "villager", "villager", risk=(4, 4, 2), refer=("judicial_office", "police"), setting="village",
        onsite="调解员与村委会干部到地头，对照土地确权登记图现场放线。",
        fail="{b}不认可确权图，拒绝恢复地界",
    ),
    Story(
        "trees", "land_forest", 1,
        ("{village}林地林木砍伐权属纠纷",),
        "{b}在{village}后山砍伐杨树二十余棵出售，{a}称该片林地系其家承包经营，林木归其所有，要求{b}赔偿{amount}元；"
        "{b}称林木系其父亲当年栽种。",
        "一、经查验林权证，确认该片林地由{a}家承包经营；二、{b}补偿{a}林木款{agreed}元，于{deadline}前付清；"
        "三、{b}在原地补植树苗。",
        "villager", "villager", amount=(3000, 15000), refer=("judicial_office", "court"), setting="village",
        fail="双方对林木归属各执一词",
    ),
    # 征地拆迁纠纷 ---------------------------------------------------------------------------------------
    Story(
        "relocation", "expropriation", 2,
        ("{place}棚户区改造搬迁补偿纠纷", "{ax}与{org}房屋征收补偿纠纷"),
        "{a}在{place}有一处自建房，被纳入棚户区改造范围。{a}认为评估时未将{year_past}年加盖的厨房和院内附属物"
        "计入补偿，与{org}就补偿金额相差{amount}元，拒绝签约搬迁。",
        "一、{org}委托评估机构对附属物重新评估，并补偿{a}{agreed}元；二、{a}于{deadline}前签订搬迁协议并腾空房屋。",
        "resident", "org:relocation", amount=(20000, 120000), risk=(4, 4, 2),
        refer=("judicial_office", "court"), fail="双方对附属物补偿标准分歧较大",
    ),
    Story(
        "land_compensation", "expropriation", 1,
        ("{village}村民{ax}与村民小组征地补偿款分配纠纷",),
        "{village}部分土地被征收用于道路建设，村民小组按户分配青苗补偿款。{a}婚后户口迁入本村，"
        "村民小组认为其不应享受分配，双方差额{amount}元。",
        "一、{org}按本组分配方案向{a}补发补偿款{agreed}元；二、于{deadline}前支付。",
        "villager/F", "org:villagers", amount=(5000, 30000), refer=("judicial_office", "court"),
        setting="village", fail="村民小组坚持原分配方案",
    ),
    # 环境污染纠纷 ---------------------------------------------------------------------------------------
    Story(
        "fumes", "environment", 2,
        ("{place}居民与{org}油烟噪音扰民纠纷",),
        "{place}临街一楼的{org}排烟管道直接对着居民楼，夏季经营至凌晨，油烟和噪音严重影响楼上住户。"
        "{a}等住户多次向网格员反映，并与店主发生争执。",
        "一、{org}于{deadline}前安装油烟净化设备，并将排烟口改至楼顶；二、室外桌椅晚十一点前收摊；"
        "三、社区网格员每周回访一次。",
        "resident", "org:restaurant", more_applicants=(1, 2), risk=(5, 4, 1), refer=("court",),
        fail="{org}称改造费用过高，拒绝整改", channels=GRID_HEAVY,
    ),
    Story(
        "site_noise", "environment", 1,
        ("{place}附近工地夜间施工噪音扰民纠纷",),
        "{org}在{place}附近施工，连续多日在夜间十点后浇筑混凝土，{a}等居民无法入睡，多次拨打热线投诉。"
        "部分居民堵住工地大门，双方情绪对立。",
        "一、{org}夜间施工须依法办理审批并提前公示；二、未经审批晚十点后停止高噪音作业；"
        "三、{org}为受影响较大的住户安装隔音窗帘，费用合计{agreed}元，于{deadline}前完成。",
        "resident", "org:construction", more_applicants=(1, 3), amount=(3000, 10000), risk=(3, 5, 2),
        refer=("police",), fail="{org}坚持工期紧张无法停工", channels=GRID_HEAVY,
    ),
    # 医疗纠纷 -------------------------------------------------------------------------------------------
    Story(
        "infusion", "medical", 2,
        ("{ax}在{org}输液后过敏引发医疗纠纷",),
        "{a}因感冒到{org}输液，输液半小时后出现皮疹、胸闷，被送往医院急诊，花费{cost}元。"
        "{a}家属认为诊所未询问过敏史，要求赔偿{amount}元；诊所称已口头询问过敏史，只同意承担急诊费用。",
        "一、{org}一次性补偿{a}医疗费、误工费等共计{agreed}元，于{deadline}前付清；二、{a}及家属不再到诊所聚集。",
        "resident", "org:clinic", amount=(3000, 20000), risk=(4, 4, 2), refer=("court", "judicial_office"),
        fail="双方对责任认定分歧较大，需进行医疗损害鉴定",
    ),
    Story(
        "implant", "medical", 1,
        ("{ax}与{org}种植牙退费纠纷",),
        "{a}在{org}种植两颗牙，花费{amount}元。术后三个月种植体松动，{a}要求退费并赔偿，"
        "诊所认为系{a}术后护理不当。",
        "一、{org}免费为{a}重新种植；二、退还{a}部分费用{agreed}元，于{deadline}前支付。",
        "resident", "org:dental", amount=(8000, 25000), refer=("court",), fail="{org}拒绝退费",
    ),
    # 道路交通事故纠纷 -----------------------------------------------------------------------------------
    Story(
        "rider_pedestrian", "traffic", 4,
        ("外卖骑手{bx}电动车与行人{ax}碰撞致伤纠纷",),
        "{month}月{day}日傍晚，外卖骑手{b}驾驶电动自行车在{place}人行道上逆行送餐，与散步的{a}相撞，"
        "{a}摔倒致左手腕骨裂，医药费{cost}元。交警认定{b}负主要责任。{b}收入有限，双方对赔偿金额分歧较大，"
        "{b}所属的{third}也被要求承担责任。",
        "一、{b}赔偿{a}医疗费、护理费、误工费共计{agreed}元；二、{third}先行垫付其中一半，于{deadline}前支付；"
        "三、其余部分由{b}于{deadline}前付清。",
        "elder", "rider", third="org:delivery", amount=(3000, 20000), risk=(5, 4, 1),
        refer=("police", "court"), fail="双方对护理费、误工费计算分歧较大", channels=POLICE_HEAVY,
    ),
    Story(
        "scratch", "traffic", 2,
        ("{ax}与{bx}小区内车辆剐蹭赔偿纠纷",),
        "{b}在{place}小区倒车时剐蹭{a}停放的轿车，双方未报保险，{a}的维修报价为{amount}元，"
        "{b}认为报价过高，只愿赔偿一半。",
        "一、{b}赔偿{a}车辆维修费{agreed}元，于{deadline}前付清；二、双方不再通过保险理赔。",
        "resident", "resident", amount=(800, 5000), refer=("police",), fail="{b}不认可维修报价",
    ),
    Story(
        "two_riders", "traffic", 2,
        ("快递员{ax}与外卖骑手{bx}电动车相撞纠纷",),
        "{month}月{day}日中午，快递员{a}与外卖骑手{b}在{place}路口相撞，{a}的快递车侧翻、包裹受损，{b}手臂擦伤。"
        "双方均认为对方闯红灯，在路口争执引来围观，交警到场后建议双方到驿站调解。",
        "一、双方各自承担自身医疗费用；二、{b}赔偿{a}受损包裹及车辆维修费用{agreed}元，于{deadline}前付清。",
        "rider", "rider", amount=(500, 3000), refer=("police",), fail="双方均认为对方负全责",
        channels=POLICE_HEAVY,
    ),
    # 消费纠纷 -------------------------------------------------------------------------------------------
    Story(
        "gym_card", "consumer", 2,
        ("{ax}等会员与{org}预付卡退费纠纷",),
        "{a}在{org}办理年卡{amount}元，使用{months}个月后健身房以装修为由停业，至今未恢复营业。"
        "{a}等十余名会员多次联系店主无果，要求退还剩余费用。",
        "一、{org}按剩余月份退还{a}会员费{agreed}元；二、于{deadline}前分两次退清。",
        "resident", "org:gym", more_applicants=(1, 3), amount=(2000, 6000), refer=("court",),
        fail="{org}称资金困难无法退费",
    ),
    Story(
        "tiles", "consumer", 2,
        ("{ax}与{org}瓷砖质量纠纷",),
        "{a}在{market}的{org}购买瓷砖{boxes}箱，共{amount}元。铺贴后发现色差明显、部分开裂，"
        "要求退货并赔偿铺贴人工费；商家认为是铺贴不当所致。",
        "一、{org}为{a}免费更换开裂瓷砖；二、补偿{a}铺贴人工费{agreed}元，于{deadline}前支付。",
        "resident", "org:tiles", amount=(3000, 15000), refer=("court",), setting="market",
        fail="商家拒绝退换",
    ),
    Story(
        "battery", "consumer", 2,
        ("外卖骑手{ax}与{org}电动车电池质量纠纷",),
        "外卖骑手{a}在{org}购买电动车电池一组，价格{amount}元，使用两个月即续航减半、无法充满。"
        "商家以“人为过充”为由拒绝更换，{a}认为商家以次充好。",
        "一、{org}为{a}免费更换同型号新电池；二、于{deadline}前完成更换。",
        "rider", "org:ebike", amount=(800, 2500), risk=(8, 2, 0), refer=("court",),
        fail="商家坚持拒绝更换",
    ),
    # 其他纠纷 -------------------------------------------------------------------------------------------
    Story(
        "gatekeeper", "other", 3,
        ("外卖骑手{ax}与{place}门岗保安{bx}口角冲突纠纷",),
        "外卖骑手{a}送餐时被{place}门岗保安{b}拦在门外，要求步行进入小区。双方发生口角并相互推搡，"
        "{a}的手机屏幕摔碎，订单超时被罚款。事后{a}要求{b}道歉并赔偿手机维修费{amount}元。",
        "一、双方互相赔礼道歉；二、{third}补偿{a}手机维修费{agreed}元，于{deadline}前支付；"
        "三、物业为外卖骑手设置临时停放点和进出登记通道。",
        "rider", "guard", third="org:property", amount=(500, 2000), risk=(4, 4, 2), refer=("police",),
        fail="{b}坚持按规定执勤，拒绝道歉赔偿", channels=POLICE_HEAVY,
    ),
    Story(
        "charging", "other", 2,
        ("{place}楼道私拉电线为电动车充电引发纠纷",),
        "{b}长期从{place}{bldg}号楼自家窗户私拉电线到楼道为电动车充电，{a}等邻居担心引发火灾，多次劝阻无效，"
        "双方发生争执。网格员巡查时也发现了该隐患。",
        "一、{b}于{deadline}前拆除私拉电线，今后到小区集中充电桩充电；二、物业在楼下增设充电桩；"
        "三、双方互相谅解。",
        "resident", "resident", refer=("judicial_office", "police"), fail="{b}称集中充电桩太远，拒绝拆线",
        channels=GRID_HEAVY,
    ),
)  # fmt: skip

#: Person profiles: age range and occupations.
PROFILES = {
    "resident": (
        (25, 66),
        ("公司职员", "个体经营者", "退休职工", "教师", "出租车司机", "工厂工人", "超市店员"),
    ),
    "rider": ((20, 45), ("外卖骑手", "快递员")),
    "elder": ((68, 88), ("退休职工", "退休教师", "农民")),
    "worker": ((24, 58), ("装修工", "瓦工", "水电工", "搬运工", "油漆工")),
    "villager": ((30, 72), ("农民", "养殖户", "果农")),
    "owner": ((28, 60), ("个体经营者", "餐馆经营者", "小商户")),
    "guard": ((30, 60), ("保安",)),
}

ORG_NAMES = {
    "property": "{city}{brand}物业服务有限公司",
    "employer": "{city}{brand}装饰工程有限公司",
    "delivery": "{short}{brand}同城配送站",
    "warehouse": "{city}{brand}商贸物流有限公司",
    "clinic": "{brand}社区诊所",
    "dental": "{brand}口腔诊所",
    "gym": "{brand}健身会所",
    "restaurant": "{brand}烧烤店",
    "tiles": "{brand}瓷砖经营部",
    "ebike": "{brand}电动车行",
    "relocation": "{city}{brand}房屋征收服务有限公司",
    "construction": "{city}{brand}建设工程有限公司",
    "villagers": "{village}第{n}村民小组",
}
BRANDS = (
    "金城", "恒泰", "安居", "祥和", "瑞丰", "鑫源", "华信",
    "康达", "顺达", "百福", "嘉禾", "万家", "宏远",
)  # fmt: skip

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严武戴莫孔汤"
)
GIVEN = {
    "M": "伟强磊军勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊帆建国志文东海亮成林峰德永福贵生",
    "F": "芳娜敏静丽艳娟霞秀英华玲婷雪慧莉萍红燕琴云洁梅兰凤珍琳颖倩莹晶淑桂",
}

#: A step's text by the kind of agency it concerns.
REFER_REASONS = {
    "police": "双方情绪激动，已发生推搡，存在民转刑风险，移交派出所依法处置。",
    "court": "争议金额较大，当事人希望通过司法程序解决，移交法院开展诉前调解。",
    "labour_arbitration": "涉及劳动关系认定和工资支付，移交劳动人事争议仲裁委员会处理。",
    "judicial_office": "案情复杂、涉及面广，提请司法所组织联合调解。",
}
AGENCY_RESULTS = {
    "police": "派出所民警组织双方调解，{b}当场赔礼道歉并作出书面承诺，双方签订治安调解协议。",
    "court": "法院特邀调解员组织诉前调解成功，双方签订调解协议并申请司法确认。",
    "labour_arbitration": "仲裁委组织仲裁调解，{b}同意按期支付款项，已出具仲裁调解书。",
    "judicial_office": "司法所联合社区、律师组织调解，双方达成书面协议。",
}
AGENCY_RETURNS = {
    "police": "经查不构成治安案件，已对双方进行法治教育，退回驿站继续调解。",
    "court": "当事人未在期限内补充材料，诉前调解未能启动，退回驿站继续做双方工作。",
    "labour_arbitration": "经审查双方不存在劳动关系，建议由驿站按一般民事纠纷继续调解。",
    "judicial_office": "司法所提供了法律意见，建议由驿站继续就赔偿金额组织调解。",
}
AGENCY_DECLINES = {
    "police": "属一般民事纠纷，不涉及治安违法，请驿站继续调解。",
    "court": "当事人尚未提交起诉材料，暂不符合诉前调解条件。",
    "labour_arbitration": "不属于劳动人事争议仲裁受理范围，请驿站继续调解。",
    "judicial_office": "驿站已掌握基本情况，建议继续由驿站调解，司法所提供法律支持。",
}
DECLINES = (
    ("court_accepted", "申请人已就同一事项向人民法院起诉，法院已立案受理。"),
    ("party_refused", "被申请人明确表示拒绝调解。"),
    ("crime_or_public_order", "涉嫌故意伤害，已由公安机关立案处理。"),
    ("government", "该事项已由街道（镇）人民政府受理处理。"),
    ("other_body", "属劳动仲裁前置事项，已告知当事人向劳动人事争议仲裁委员会申请。"),
    ("other", "申请人无法提供对方当事人身份信息，经多方核实仍无法联系。"),
)
WITHDRAWALS = (
    "双方已自行协商解决，申请人撤回调解申请。",
    "{b}已主动赔偿，申请人撤回申请。",
    "申请人决定直接向人民法院起诉，撤回调解申请。",
)
RECALLS = ("双方当事人表示愿意回驿站继续协商，撤回移交。", "申请人撤回报案，希望由驿站继续调解。")
REOPENS = (
    "案件质量抽查发现结案依据不足，当事人反映仍有争议，重新启动调解。",
    "当事人申请再次调解，经主管审核重新启动。",
)
EXTENSIONS = (
    "需等待维修报价和损失核定结果，双方同意延长调解期限。",
    "一方当事人在外地务工，双方同意延长调解期限待其返回。",
)
REASSIGNS = (
    "当事人申请调解员回避（与一方系远亲），改由{new}调解。",
    "原调解员外出参加培训，案件交由{new}继续调解。",
)
SESSION_NOTES = (
    "背对背分别做双方工作，释明相关法律规定，{b}表示愿意考虑适当补偿。",
    "邀请社区法律顾问参加调解，就责任划分进行释法说理。",
    "面对面协商，双方就履行方式和期限逐项确认。",
    "邀请双方亲属和楼栋长参加，从邻里情分入手做思想工作。",
)
#: The visit log (服务记录本): what visitors came about when it did not become a case.
LOG_MATTERS = (
    ("外卖骑手借用充电器，咨询电动车集中充电点位置", "提供充电服务，告知附近集中充电桩位置"),
    ("居民反映{place}车辆乱停乱放导致道路不畅，存在安全隐患", "转网格员现场劝导，联系物业施划停车线"),
    ("环卫工人反映{place}垃圾清运不及时", "联系街道环卫所，次日完成清运"),
    ("咨询劳动仲裁申请材料和流程", "发放劳动仲裁申请指引，告知可申请法律援助"),
    ("老人咨询退休手续办理流程", "告知所需材料，预约社区工作人员上门协助"),
    ("居民反映楼道堆放杂物占用消防通道", "网格员上门劝导清理，隐患已消除"),
    ("快递员反映小区门禁不允许电动车进入，投递困难", "与物业沟通，设置快递临时停放点"),
    ("咨询离婚财产分割相关法律问题", "社区法律顾问现场解答"),
    ("居民反映{place}井盖松动", "联系市政部门更换井盖"),
    ("租户咨询退租押金被扣问题", "讲解相关法律规定，建议先与房东协商，必要时申请调解"),
    ("外卖骑手反映{place}路口信号灯故障", "报交警部门维修"),
    ("居民反映邻居家犬只夜间吠叫", "网格员上门沟通，邻居承诺加强管理"),
    ("户外劳动者进站休息，测量血压", "提供饮水和血压测量，血压正常"),
    ("居民送来锦旗，感谢驿站调解房屋漏水纠纷", "登记存档"),
)

#: The case's final state; ``closed`` is split by outcome so that every outcome occurs.
TARGETS = (
    ("registered", 6),
    ("mediating", 14),
    ("referred", 4),
    ("with_agency", 6),
    ("following_up", 12),
    ("resolved", 40),
    ("unresolved", 8),
    ("withdrawn", 5),
    ("declined", 5),
)
#: Share of open cases left past their deadline.
OVERDUE_SHARE = 0.25


# --- Planning -----------------------------------------------------------------------------------------


@dataclass(eq=False)  # compared by identity: two sessions with the same gap are still two sessions
class _Action:
    kind: str
    #: Days after the previous action (0: the same day).
    gap: int = 0
    data: dict = field(default_factory=dict)


@dataclass
class _Plan:
    index: int
    station: StationSpec
    story: Story
    target: str
    channel: str
    risk: str
    vars: dict
    title: str
    facts: str
    place: str
    amount: int | None
    parties: list
    registrar: str
    mediator: str
    #: The agency kind a referral in this case goes to.
    refer_kind: str
    actions: list
    times: list = field(default_factory=list)
    external_ref: str = ""
    #: Left past its deadline on purpose (open cases only).
    overdue: bool = False


class _Planner:
    """Draws every case's story, parties and timeline from one seeded ``random.Random``."""

    def __init__(self, rng: random.Random, now: datetime, deadline_days: dict):
        self.rng = rng
        self.now = now
        #: ``DEADLINE_DAYS``: open cases are placed in time to be overdue, or not, by the configured rules.
        self.days = deadline_days
        self.today = local_date(now)
        self.phones: set[str] = set()
        self.id_numbers: set[str] = set()
        #: People on file per station and profile, for "one file per person": (kwargs, times used).
        self.people: dict[tuple[str, str], list[list]] = {}
        #: Organisations per city and kind (two stations in one city share their property companies).
        self.orgs: dict[tuple[str, str], list[dict]] = {}
        self.mediators = {
            s.code: [u.username for u in USERS if u.role == "mediator" and s.code in u.stations]
            for s in STATIONS
        }

    # names, phones, ID numbers ------------------------------------------------------------------------

    def name(self, sex: str) -> str:
        given = GIVEN[sex]
        length = 1 if self.rng.random() < 0.35 else 2
        return self.rng.choice(SURNAMES) + "".join(self.rng.choice(given) for _ in range(length))

    def mobile(self) -> str:
        while True:
            prefix = self.rng.choice(("138", "139", "135", "136", "137", "150", "151", "158", "187", "186"))
            phone = prefix + f"{self.rng.randrange(10**8):08d}"
            if phone not in self.phones:
                self.phones.add(phone)
                return phone

    def id_number(self, region: str, age: int, sex: str) -> str:
        while True:
            born = date(self.today.year - age, 1, 1) + timedelta(days=self.rng.randrange(365))
            seq = self.rng.randrange(100) * 10 + self.rng.choice(
                (1, 3, 5, 7, 9) if sex == "M" else (0, 2, 4, 6, 8)
            )
            body = f"{region}{born:%Y%m%d}{seq:03d}"
            weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
            check = "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]
            number = body + check
            if number not in self.id_numbers:
                self.id_numbers.add(number)
                return number

    # parties ---------------------------------------------------------------------------------------------

    def person(self, station: StationSpec, slot: str, role: str, avoid: set[str]) -> PartyInput:
        """A person for ``slot``: now and then someone already on file at the station (一人一档)."""
        profile, _, sex = slot.partition("/")
        pool = self.people.setdefault((station.code, profile), [])
        reusable = [
            p
            for p in pool
            if p[1] < 3 and p[0]["name"] not in avoid and (not sex or p[0]["extra"]["sex"] == _SEX[sex])
        ]
        if reusable and self.rng.random() < 0.22:
            entry = self.rng.choice(reusable)
            entry[1] += 1
            return PartyInput(role=role, **_copy(entry[0]))
        sex = sex or self.rng.choice("MF")
        (low, high), jobs = PROFILES[profile]
        age = self.rng.randint(low, high)
        name = self.name(sex)
        while name in avoid:
            name = self.name(sex)
        if profile == "villager":
            village = self.rng.choice(station.villages or station.places)
            address = f"{station.district}{village}{self.rng.randint(1, 160)}号"
        else:
            address = (
                f"{station.district}{self.rng.choice(station.places)}{self.rng.randint(1, 28)}号楼"
                f"{self.rng.randint(1, 4)}单元{self.rng.randint(1, 7)}0{self.rng.randint(1, 4)}室"
            )
        details = {
            "name": name,
            "phone": self.mobile(),
            "id_number": self.id_number(station.region, age, sex) if self.rng.random() < 0.7 else "",
            "address": address,
            "extra": {
                "sex": _SEX[sex],
                "birth_year": self.today.year - age,
                "ethnicity": "汉族"
                if self.rng.random() < 0.93
                else self.rng.choice(("回族", "满族", "蒙古族")),
                "occupation": self.rng.choice(jobs),
            },
        }
        pool.append([details, 1])
        return PartyInput(role=role, **_copy(details))

    def organisation(self, station: StationSpec, kind: str, role: str, village: str) -> PartyInput:
        """An organisation; each station has a few of each kind, so the same ones recur across cases."""
        pool = self.orgs.setdefault((station.city, kind), [])
        if len(pool) < 3 and (not pool or self.rng.random() < 0.5):
            name = ORG_NAMES[kind].format(
                city=station.city, short=station.short, brand=self.rng.choice(BRANDS),
                village=village, n="一二三四五"[self.rng.randrange(5)],
            )  # fmt: skip
            if any(o["name"] == name for o in pool):
                return PartyInput(
                    role=role, kind="organisation", **_copy(next(o for o in pool if o["name"] == name))
                )
            pool.append(
                {
                    "name": name,
                    "phone": f"{station.area_code}-{self.rng.randint(2, 8)}{self.rng.randrange(10**6):06d}",
                    "address": f"{station.district}{village or self.rng.choice(station.places)}",
                }
            )
            return PartyInput(role=role, kind="organisation", **_copy(pool[-1]))
        return PartyInput(role=role, kind="organisation", **_copy(self.rng.choice(pool)))

    def slot(self, station, slot, role, avoid, village) -> PartyInput:
        if slot.startswith("org:"):
            return self.organisation(station, slot[4:], role, village)
        return self.person(station, slot, role, avoid)

    # cases -------------------------------------------------------------------------------------------------

    def plans(self, count: int) -> list[_Plan]:
        """``count`` case plans; the first ones cover every category, channel and final state."""
        rng = self.rng
        categories = list(taxonomy.CATEGORIES)
        channels = list(taxonomy.CHANNELS)
        targets = [t for t, _ in TARGETS]
        for items in (categories, channels, targets):
            rng.shuffle(items)
        cover = max(len(categories), len(channels), len(targets))
        plans = []
        for i in range(count):
            if i < cover:
                category = categories[i % len(categories)]
                story = _weighted(rng, [(s, s.weight) for s in STORIES if s.category == category])
                channel = channels[i % len(channels)]
                target = targets[i % len(targets)]
            else:
                story = _weighted(rng, [(s, s.weight) for s in STORIES])
                channel = _weighted(rng, list(story.channels))
                target = _weighted(rng, list(TARGETS))
            plans.append(self.plan(i, story, channel, target))
        plans.sort(key=lambda p: (p.times[0], p.index))
        return plans

    def plan(self, index: int, story: Story, channel: str, target: str) -> _Plan:
        rng = self.rng
        stations = [s for s in STATIONS if story.setting != "village" or s.villages]
        station = _weighted(rng, [(s, s.weight) for s in stations])
        risk = _weighted(rng, list(zip(("low", "medium", "high"), story.risk, strict=True)))
        if risk == "high" or (risk == "medium" and rng.random() < 0.3):
            refer_kind = "police"  # a dispute that may turn violent goes to the police (民转刑)
        else:
            refer_kind = rng.choice(story.refer)
        refer_kind = _agency_for(station.code, refer_kind).kind
        actions = self.path(target, refer_kind)
        mediators = self.mediators[station.code]
        plan = _Plan(
            index=index, station=station, story=story, target=target, channel=channel, risk=risk,
            vars={}, title="", facts="", place="", amount=None, parties=[],
            registrar=rng.choice(mediators), mediator=rng.choice(mediators),
            refer_kind=refer_kind, actions=actions,
        )  # fmt: skip
        self.schedule(plan)
        self.tell(plan)
        return plan

    def path(self, target: str, refer_kind: str) -> list[_Action]:
        """The actions that lead to ``target``, with the gaps in days between them."""
        rng, A = self.rng, _Action
        police = refer_kind == "police"

        def days(low, high):
            return rng.randint(low, high)

        def accept():
            return [A("accept", days(0, 2))]

        def refer():
            return [A("refer", days(0, 4))]

        def sessions(low=1, high=3):
            return [A("session", days(1, 3) if i == 0 else days(2, 7)) for i in range(days(low, high))]

        def agency(*triggers):
            """The agency's answer within a day or two, then (for a second trigger) its work."""
            answer = [A(triggers[0], days(0, 1) if police else days(0, 2))]
            work = [A(t, days(1, 4) if police else days(3, 20)) for t in triggers[1:]]
            return answer + work

        def agreement():
            return [A("reach_agreement", days(0, 1))]

        def breach():
            return [A("visit", data={"performed": False}), A("report_breach", days(0, 2))]

        def close():
            return [A("visit", data={"performed": True}), A("close", days(0, 3))]

        def failed():
            return [A("fail_mediation", days(0, 3))]

        def extend():
            return [A("extend", days(3, 8))]

        def reopen():
            return [A("reopen", days(3, 20))]

        # (weight, how to get there)
        options = {
            "registered": [(1, lambda: [])],
            "declined": [(1, lambda: [A("decline", days(0, 2))])],
            "withdrawn": [
                (1, lambda: [A("withdraw", days(1, 6))]),
                (1, lambda: accept() + sessions(1, 1) + [A("withdraw", days(1, 6))]),
            ],
            "mediating": [
                (5, lambda: accept() + sessions(0, 2)),
                (1, lambda: accept() + [A("reassign", days(1, 4))] + sessions(0, 1)),
                (1, lambda: refer() + agency("decline_referral") + sessions(0, 1)),
                (1, lambda: accept() + refer() + [A("recall_referral", days(1, 3))]),
                (1, lambda: accept() + sessions(1, 2) + extend() + sessions(0, 1)),
                (1, lambda: accept() + sessions(1, 2) + failed() + reopen() + sessions(0, 1)),
                (1, lambda: accept() + sessions(1, 2) + agreement() + breach() + sessions(0, 1)),
            ],
            "referred": [(1, refer), (1, lambda: accept() + sessions(1, 1) + refer())],
            "with_agency": [
                (1, lambda: refer() + agency("accept_referral")),
                (1, lambda: accept() + refer() + agency("accept_referral")),
            ],
            "following_up": [
                (4, lambda: accept() + sessions() + agreement() + [A("schedule_visit")]),
                (1, lambda: accept() + refer() + agency("accept_referral", "resolve_by_agency")),
                (1, lambda: refer() + agency("accept_referral", "return_to_station") + sessions(1, 1)
                 + agreement() + [A("schedule_visit")]),
            ],
            "resolved": [
                (6, lambda: accept() + sessions() + agreement() + [A("judicial_confirmation")] + close()),
                (1, lambda: accept() + refer() + agency("accept_referral", "resolve_by_agency") + close()),
                (1, lambda: accept() + sessions(1, 2) + agreement() + breach() + sessions(1, 1) + agreement()
                 + close()),
                (1, lambda: accept() + sessions(1, 2) + extend() + sessions(1, 1) + agreement() + close()),
                (1, lambda: accept() + refer() + agency("accept_referral", "return_to_station")
                 + sessions(1, 1) + agreement() + close()),
                (1, lambda: accept() + sessions(1, 1) + failed() + reopen() + sessions(1, 1) + agreement()
                 + close()),
            ],
            "unresolved": [
                (4, lambda: accept() + sessions() + failed()),
                (1, lambda: accept() + sessions() + failed() + [A("visit_after_failure")]),
                (1, lambda: accept() + refer() + agency("decline_referral") + sessions(1, 2) + failed()),
            ],
        }  # fmt: skip
        build = _weighted(rng, [(how, weight) for weight, how in options[target]])
        return [A("register")] + build()

    def schedule(self, plan: _Plan) -> None:
        """Day offsets for every action, then the start day, then times of day; all before ``now``."""
        rng = self.rng
        actions = plan.actions
        days = [0]
        agreement_day, deadline_days = None, None
        for action in actions[1:]:
            day = days[-1] + action.gap
            if action.kind == "reach_agreement":
                agreement_day = day
                deadline_days = rng.randint(5, 30)
                action.data["deadline_days"] = deadline_days
            elif action.kind == "visit" and agreement_day is not None:
                # Visit around the performance deadline, and never before what came last.
                day = max(days[-1] + 1, agreement_day + max(1, deadline_days + rng.randint(-2, 4)))
            elif action.kind == "visit":
                day = days[-1] + rng.randint(3, 10)
            elif action.kind == "judicial_confirmation":
                day = days[-1] + rng.randint(2, 6)
            elif action.kind == "visit_after_failure":
                day = days[-1] + rng.randint(7, 30)
            days.append(day)

        last = days[-1]
        if plan.target in ("resolved", "unresolved", "withdrawn", "declined"):
            earliest = max(last + 1, 1)
            start = self.today - timedelta(days=rng.randint(earliest, max(earliest, 360)))
        else:
            entered = max(i for i, a in enumerate(actions) if a.kind not in _NOT_ENTERING)
            trailing = last - days[entered]
            deadline = self.deadline_days(plan, entered)
            overdue = plan.overdue = rng.random() < OVERDUE_SHARE
            if plan.target == "following_up" and actions[entered].kind == "reach_agreement":
                # The follow-up deadline is the agreement's performance deadline: choose it to fit.
                age = rng.randint(max(trailing, 3), 30) if overdue else rng.randint(trailing, 20)
                actions[entered].data["deadline_days"] = (
                    rng.randint(1, age - 1) if overdue else age + rng.randint(1, 30)
                )
            elif overdue:
                age = max(trailing, deadline + rng.randint(1, 20))
            else:
                age = rng.randint(trailing, max(trailing, deadline - 1))
            start = self.today - timedelta(days=age + days[entered])

        moments, previous = [], None
        for offset in days:
            day = start + timedelta(days=offset)
            if previous is not None and previous.date() == day:
                moment = previous + timedelta(minutes=rng.randint(40, 150))
            else:
                moment = datetime.combine(day, time(8, 30), tzinfo=LOCAL_ZONE) + timedelta(
                    minutes=rng.randint(0, 9 * 60)
                )
            moments.append(moment)
            previous = moment
        latest = self.now - timedelta(minutes=2)
        if moments[-1].astimezone(UTC) > latest:
            shift = moments[-1].astimezone(UTC) - latest + timedelta(minutes=rng.randint(5, 90))
            moments = [m - shift for m in moments]
        plan.times = [m.astimezone(UTC) for m in moments]

    def deadline_days(self, plan: _Plan, entered: int) -> int:
        """The deadline (in whole days) of the state the case is left in, as ``DEADLINE_DAYS`` sets it."""
        days, target = self.days, plan.target
        if target in ("referred", "with_agency"):
            table = days[target]
            return table.get(plan.refer_kind, table["default"])
        if target == "mediating" and any(a.kind == "extend" for a in plan.actions[entered:]):
            return days["mediating"] + days["mediating_extension"]
        return days[target]  # registered, mediating, following up after an agency resolved it

    def tell(self, plan: _Plan) -> None:
        """The case's parties, title and facts, in the words of its story."""
        rng, story, station = self.rng, plan.story, plan.station
        village = rng.choice(station.villages) if station.villages else ""
        place = village if story.setting == "village" else rng.choice(station.places)
        market = rng.choice(station.markets or station.places)
        avoid: set[str] = set()
        parties = []
        for role, slot in (("applicant", story.applicant), ("respondent", story.respondent)):
            party = self.slot(station, slot, role, avoid, village)
            avoid.add(party.name)
            parties.append(party)
        more = [
            self.slot(station, story.applicant, "applicant", avoid, village)
            for _ in range(rng.randint(*story.more_applicants))
        ]
        for party in more:
            avoid.add(party.name)
        third = self.slot(station, story.third, "third_party", avoid, village) if story.third else None
        plan.parties = [parties[0], *more, parties[1]] + ([third] if third else [])

        applicant, respondent = parties
        amount = None
        if story.amount:
            amount = rng.randint(*story.amount) // 100 * 100
        registered = local_date(plan.times[0])
        earlier = registered - timedelta(days=rng.randint(5, 80))
        agreed = (amount * rng.randint(55, 100) // 100 // 100 * 100) if amount else 0
        low_floor = rng.randint(1, 5)
        unit = rng.randint(1, 4)
        org = next((p for p in plan.parties if p.kind == "organisation"), None)
        plan.vars = {
            "a": applicant.name,
            "b": respondent.name,
            "ax": _short(applicant),
            "bx": _short(respondent),
            "org": org.name if org else respondent.name,
            "third": third.name if third else "",
            "n": 1 + len(more),
            "place": place,
            "village": village or place,
            "market": market,
            "bldg": rng.randint(1, 28),
            "unit": f"{unit}单元{rng.randint(1, 7)}0{rng.randint(1, 4)}室",
            "unit_low": f"{unit}单元{low_floor}01室",
            "unit_high": f"{unit}单元{low_floor + 1}01室",
            "month": earlier.month,
            "day": earlier.day,
            "year_past": registered.year - rng.randint(1, 6),
            "age": self.today.year - applicant.extra["birth_year"] if applicant.extra else 70,
            "amount": amount or 0,
            "agreed": agreed or (amount or 0),
            "half": (amount or 0) // 2 // 100 * 100,
            "cost": (amount or 0) * rng.randint(40, 80) // 100 // 10 * 10,
            "total": (amount or 0) * rng.randint(3, 6),
            "paid": (amount or 0) * rng.randint(2, 5),
            "monthly": rng.randint(5, 15) * 100,
            "daily": rng.choice((200, 220, 250, 280, 300, 350)),
            "months": rng.randint(2, 14),
            "years": rng.randint(2, 4),
            "cm": rng.randint(20, 60),
            "boxes": rng.randint(30, 120),
            "deadline": "",
        }
        plan.place = f"{station.district}{place}"
        plan.amount = amount
        plan.title = rng.choice(story.titles).format_map(plan.vars)
        plan.facts = self.intake_note(plan) + story.facts.format_map(plan.vars)

    def intake_note(self, plan: _Plan) -> str:
        """How the dispute reached the station, as the facts begin; agencies' references for referrals."""
        rng, vars = self.rng, plan.vars
        year = local_date(plan.times[0]).year
        if plan.channel == "police":
            agency = _agency_for(plan.station.code, "police")
            plan.external_ref = f"{agency.short}警调〔{year}〕{rng.randint(1, 400)}号"
            return f"{agency.short}接警后认为属民事纠纷，依警调对接机制移交驿站调解（{plan.external_ref}）。"
        if plan.channel == "court":
            agency = _agency_for(plan.station.code, "court")
            plan.external_ref = f"（{year}）{plan.station.court_code}民诉前调{rng.randint(100, 3999)}号"
            return f"{agency.short}立案前委派驿站调解，案号{plan.external_ref}。"
        if plan.channel == "grid":
            if rng.random() < 0.5:
                return f"网格员{self.name(rng.choice('MF'))}巡查走访时发现并上报。"
            return f"外卖骑手信息员{self.name('M')}在送餐途中发现并向驿站反映。"
        if plan.channel == "phone":
            return f"{vars['a']}拨打驿站值班电话求助。"
        if plan.channel == "online":
            return f"{vars['a']}通过驿站“排忧解难”二维码在线提交求助。"
        return f"{vars['a']}到驿站来访反映。"


#: Actions after which the case is not in a newly entered state (steps that keep it, and records).
_NOT_ENTERING = frozenset(
    {"session", "visit", "schedule_visit", "judicial_confirmation", "visit_after_failure",
     "extend", "reassign"}
)  # fmt: skip
_SEX = {"M": "男", "F": "女"}


def _weighted(rng: random.Random, options):
    """One of ``options``, ``(value, weight)`` pairs."""
    values = [value for value, _ in options]
    weights = [weight for _, weight in options]
    return rng.choices(values, weights=weights, k=1)[0]


def _copy(details: dict) -> dict:
    return {**details, "extra": dict(details["extra"])} if "extra" in details else dict(details)


def _short(party: PartyInput) -> str:
    """How a title names a party: 王某 for a person (titles are read by many), the full name of a body."""
    return party.name if party.kind == "organisation" else party.name[0] + "某"


def _agency_for(station_code: str, kind: str) -> AgencySpec:
    """The agency of ``kind`` that works with the station; a court stands in for missing other bodies."""
    for spec in AGENCIES:
        if spec.kind == kind and station_code in spec.stations:
            return spec
    return _agency_for(station_code, "court")


# --- Writing --------------------------------------------------------------------------------------------


@dataclass
class Summary:
    stations: int = 0
    agencies: int = 0
    users: int = 0
    cases: int = 0
    by_state: dict = field(default_factory=dict)
    overdue: int = 0
    parties: int = 0
    returning_parties: int = 0
    events: int = 0
    sessions: int = 0
    visits: int = 0
    shifts: int = 0
    log_entries: int = 0


class _Writer:
    """Writes the plans through the services, as the people in them would have, at the planned times."""

    def __init__(self, rng: random.Random, now: datetime, planner: _Planner):
        self.rng = rng
        self.now = now
        self.planner = planner
        self.stations: dict[str, Station] = {}
        self.agencies: dict[str, Agency] = {}
        self.users: dict[str, User] = {}
        #: Walk-in cases per station, in the order registered, for the visit log: (case, plan).
        self.walk_ins: dict[str, list] = {}

    def reference_data(self) -> None:
        for spec in STATIONS:
            station = Station(code=spec.code, name=spec.name, address=spec.address, district=spec.district)
            db.session.add(station)
            self.stations[spec.code] = station
        db.session.flush()
        for spec in AGENCIES:
            agency = Agency(
                code=spec.code, name=spec.name, kind=spec.kind, address=spec.address,
                station_id=self.stations[spec.stations[0]].id,
            )  # fmt: skip
            db.session.add(agency)
            self.agencies[spec.code] = agency
        db.session.flush()
        password_hash = generate_password_hash(DEMO_PASSWORD)  # hashing is slow by design: do it once
        for spec in USERS:
            user = User(
                username=spec.username,
                display_name=spec.display_name,
                role=spec.role,
                password_hash=password_hash,
                phone="13" + f"{crc32(spec.username.encode()) % 10**9:09d}",
                stations=[self.stations[code] for code in spec.stations],
                agency=self.agencies[spec.agency] if spec.agency else None,
                created_at=self.now - timedelta(days=380),
            )
            db.session.add(user)
            self.users[spec.username] = user
        db.session.flush()

    def roster(self) -> int:
        """This week's duty roster: one mediator a day at each station, taking turns (值班表)."""
        today = local_date(self.now)
        monday = today - timedelta(days=today.weekday())
        taken = set()  # (day, username): someone serving two stations is on duty at one at a time
        count = 0
        for spec in STATIONS:
            mediators = list(self.planner.mediators[spec.code])
            self.rng.shuffle(mediators)
            for offset in range(7):
                day = monday + timedelta(days=offset)
                turn = [mediators[(offset + i) % len(mediators)] for i in range(len(mediators))]
                username = next((u for u in turn if (day, u) not in taken), turn[0])
                taken.add((day, username))
                count += 1
                db.session.add(
                    DutyShift(
                        station_id=self.stations[spec.code].id, day=day, user_id=self.users[username].id
                    )
                )
        db.session.flush()
        return count

    def case(self, plan: _Plan) -> Case:
        station = self.stations[plan.station.code]
        registered_at = plan.times[0]
        this_week = (local_date(self.now) - local_date(registered_at)).days <= local_date(self.now).weekday()
        case = register_case(
            self.users[plan.registrar],
            station,
            CaseInput(
                title=plan.title,
                category=plan.story.category,
                channel=plan.channel,
                facts=plan.facts,
                place=plan.place,
                amount=plan.amount,
                risk_level=plan.risk,
                external_ref=plan.external_ref,
            ),
            plan.parties,
            # This week's new cases go to whoever the roster has on duty, as intake does.
            mediator=None if this_week else self.users[plan.mediator],
            now=registered_at,
        )
        inbound = self.inbound_referral(case, plan) if plan.channel in ("police", "court") else None
        if plan.channel == "walk_in":
            self.walk_ins.setdefault(plan.station.code, []).append((case, plan))
        for action, at in zip(plan.actions[1:], plan.times[1:], strict=True):
            getattr(self, "_" + action.kind)(case, plan, action, at, inbound)
        return case

    def inbound_referral(self, case: Case, plan: _Plan) -> Referral:
        """The referral an agency sent in (警调对接 / 诉调对接), which the station answers by accepting."""
        spec = _agency_for(plan.station.code, plan.channel)
        liaison = next(u for u in USERS if u.agency == spec.code)
        referral = Referral(
            direction="in",
            agency=self.agencies[spec.code],
            kind="police" if spec.kind == "police" else "court_delegated",
            agency_case_number=plan.external_ref,
            reason="属民事纠纷，建议驿站调解。" if spec.kind == "police" else "立案前委派调解。",
            status="pending",
            created_by_id=self.users[liaison.username].id,
            created_at=plan.times[0] - timedelta(hours=self.rng.randint(1, 20)),
        )
        case.referrals.append(referral)
        db.session.flush()
        return referral

    # the actions -------------------------------------------------------------------------------------------

    def _step(self, case: Case, trigger: str, actor: User, at: datetime, **data) -> None:
        apply_step(case, trigger, actor, version=case.version, now=at, **data)

    def _liaison(self, case: Case) -> User:
        agency = case.active_referral.agency
        return self.users[next(u.username for u in USERS if u.agency == agency.code)]

    def _agency(self, plan: _Plan) -> Agency:
        return self.agencies[_agency_for(plan.station.code, plan.refer_kind).code]

    def _accept(self, case, plan, action, at, inbound):
        self._step(case, "accept", case.mediator, at)
        if inbound is not None:
            inbound.status, inbound.answered_by_id, inbound.answered_at = "accepted", case.mediator.id, at

    def _decline(self, case, plan, action, at, inbound):
        reason, note = self.rng.choice(DECLINES)
        self._step(case, "decline", case.mediator, at, reason=reason, note=note)
        if inbound is not None:
            inbound.status, inbound.response = "declined", note
            inbound.answered_by_id, inbound.answered_at, inbound.closed_at = case.mediator.id, at, at

    def _withdraw(self, case, plan, action, at, inbound):
        reason = self.rng.choice(WITHDRAWALS).format_map(plan.vars)
        self._step(case, "withdraw", case.mediator, at, reason=reason)

    def _refer(self, case, plan, action, at, inbound):
        self._step(
            case, "refer", case.mediator, at, agency=self._agency(plan), reason=REFER_REASONS[plan.refer_kind]
        )

    def _accept_referral(self, case, plan, action, at, inbound):
        self._step(case, "accept_referral", self._liaison(case), at)

    def _decline_referral(self, case, plan, action, at, inbound):
        self._step(case, "decline_referral", self._liaison(case), at, reason=AGENCY_DECLINES[plan.refer_kind])

    def _recall_referral(self, case, plan, action, at, inbound):
        self._step(case, "recall_referral", case.mediator, at, reason=self.rng.choice(RECALLS))

    def _return_to_station(self, case, plan, action, at, inbound):
        self._step(case, "return_to_station", self._liaison(case), at, result=AGENCY_RETURNS[plan.refer_kind])

    def _resolve_by_agency(self, case, plan, action, at, inbound):
        result = AGENCY_RESULTS[plan.refer_kind].format_map(plan.vars)
        self._step(case, "resolve_by_agency", self._liaison(case), at, result=result)

    def _reassign(self, case, plan, action, at, inbound):
        others = [u for u in self.planner.mediators[plan.station.code] if u != case.mediator.username]
        new = self.users[self.rng.choice(others)]
        reason = self.rng.choice(REASSIGNS).format(new=new.display_name)
        self._step(case, "reassign", case.mediator, at, mediator=new, reason=reason)

    def _extend(self, case, plan, action, at, inbound):
        self._step(
            case, "extend", case.mediator, at, consent_recorded=True, reason=self.rng.choice(EXTENSIONS)
        )

    def _session(self, case, plan, action, at, inbound):
        rng, vars = self.rng, plan.vars
        mediator = case.mediator
        first = case.rights_notified_at is None
        notes = (
            "调解员告知双方人民调解的性质、原则及当事人的权利义务，分别听取双方陈述，核实相关证据。"
            if first
            else rng.choice(SESSION_NOTES).format_map(vars)
        )
        place = f"{plan.station.name}调解室"
        if first and plan.story.onsite:
            notes += plan.story.onsite.format_map(vars)
            place = f"{vars['village'] if plan.story.setting == 'village' else vars['place']}现场"
        position = next(i for i, a in enumerate(plan.actions) if a is action)
        upcoming = plan.actions[position + 1].kind if position + 1 < len(plan.actions) else ""
        if upcoming == "reach_agreement":
            result = "双方达成一致意见，同意签订调解协议。"
        elif upcoming == "fail_mediation":
            result = f"{plan.story.fail.format_map(vars)}，未能达成一致。"
        else:
            result = "双方分歧有所缩小，约定下次继续调解。"
        attendees = "；".join(
            [f"{_ROLE_WORDS[link.role]}{link.party.name}" for link in case.party_links]
            + [f"调解员{mediator.display_name}"]
        )
        # Recorded as the sitting ends; it began half an hour or so earlier.
        record_session(
            case, mediator, held_at=at - timedelta(minutes=rng.randint(20, 35)), place=place,
            attendees=attendees, notes=notes, result=result, rights_notified=True, now=at,
        )  # fmt: skip

    def _reach_agreement(self, case, plan, action, at, inbound):
        deadline = local_date(at) + timedelta(days=action.data["deadline_days"])
        vars = {**plan.vars, "deadline": f"{deadline.year}年{deadline.month}月{deadline.day}日"}
        terms = plan.story.terms.format_map(vars)
        if case.agreements:
            terms = "（补充协议）" + terms
        self._step(
            case, "reach_agreement", case.mediator, at,
            terms=terms,
            facts_and_responsibility=plan.story.facts.format_map(vars)[:500],
            performance_method="银行转账或现金支付" if plan.amount else "按协议约定自行履行",
            performance_place=plan.station.name,
            performance_deadline=deadline,
            signatures_recorded=True,
        )  # fmt: skip

    def _judicial_confirmation(self, case, plan, action, at, inbound):
        """Some parties jointly ask the court to confirm a larger agreement (司法确认), and it does."""
        agreement = case.current_agreement
        if not plan.amount or plan.amount < 5000 or self.rng.random() < 0.6:
            return
        court = self.agencies[_agency_for(plan.station.code, "court").code]
        agreement.jc_applied_on = local_date(at)
        agreement.jc_court_id = court.id
        agreement.jc_court_case_number = (
            f"（{local_date(at).year}）{plan.station.court_code}民特{self.rng.randint(10, 900)}号"
        )
        agreement.jc_decision = "valid"
        agreement.jc_decided_on = min(
            local_date(at) + timedelta(days=self.rng.randint(1, 3)), local_date(self.now)
        )
        record_event(
            case, case.mediator, "agreement", "judicial_confirmation",
            {"court": court.code, "court_case_number": agreement.jc_court_case_number, "decision": "valid"},
            now=at,
        )  # fmt: skip

    def _visit(self, case, plan, action, at, inbound):
        rng, vars = self.rng, plan.vars
        performed = action.data["performed"]
        applicant = case.parties_in("applicant")[0]
        agreement = case.current_agreement
        if performed:
            notes = f"回访{applicant.name}，{vars['b']}已按协议履行，双方关系缓和，未发现矛盾反复迹象。"
        else:
            notes = f"回访{applicant.name}，{vars['b']}至今未按协议履行，{vars['a']}情绪不满，要求再次调解。"
        visit = FollowUpVisit(
            scheduled_for=agreement.performance_deadline if agreement else None,
            done_on=local_date(at),
            visitor_id=case.mediator.id,
            method=rng.choice(("in_person", "in_person", "phone")),
            party_reached=applicant.name,
            agreement_performed=performed,
            satisfaction=rng.choice((4, 5, 5, 5, 3)) if performed else rng.choice((1, 2, 2)),
            renewed_conflict=not performed and rng.random() < 0.5,
            notes=notes,
            created_at=at,
        )
        case.visits.append(visit)
        record_event(
            case, case.mediator, "visit", "record_visit",
            {"done_on": visit.done_on, "method": visit.method, "agreement_performed": performed},
            now=at,
        )  # fmt: skip

    def _visit_after_failure(self, case, plan, action, at, inbound):
        applicant = case.parties_in("applicant")[0]
        visit = FollowUpVisit(
            done_on=local_date(at),
            visitor_id=case.mediator.id,
            method="phone",
            party_reached=applicant.name,
            satisfaction=self.rng.choice((3, 4)),
            notes=f"电话回访{applicant.name}，其已按建议向人民法院起诉，案件正在审理中，未发现矛盾激化迹象。",
            created_at=at,
        )
        case.visits.append(visit)
        record_event(case, case.mediator, "visit", "record_visit", {"done_on": visit.done_on}, now=at)

    def _schedule_visit(self, case, plan, action, at, inbound):
        agreement = case.current_agreement
        visit = FollowUpVisit(
            scheduled_for=agreement.performance_deadline if agreement else local_date(at) + timedelta(days=7),
            visitor_id=case.mediator.id,
            method="in_person",
            created_at=at,
        )
        case.visits.append(visit)
        record_event(
            case, case.mediator, "visit", "schedule_visit", {"scheduled_for": visit.scheduled_for}, now=at
        )

    def _report_breach(self, case, plan, action, at, inbound):
        reason = f"回访发现{plan.vars['b']}未按期履行协议，{plan.vars['a']}申请再次调解。"
        self._step(case, "report_breach", case.mediator, at, reason=reason)

    def _fail_mediation(self, case, plan, action, at, inbound):
        body = _agency_for(
            plan.station.code, "labour_arbitration" if plan.story.category == "labour" else "court"
        )
        if plan.story.category == "expropriation":
            advice = "告知当事人可依法申请行政复议或提起行政诉讼。"
        elif body.kind == "labour_arbitration":
            advice = f"告知申请人可在仲裁时效内向{body.name}申请劳动仲裁，并可申请法律援助。"
        else:
            advice = f"告知双方可向{body.name}提起诉讼，驿站可协助申请法律援助。"
        reason = plan.story.fail.format_map(plan.vars) + "，经多次调解未能达成协议。"
        self._step(case, "fail_mediation", case.mediator, at, reason=reason, advice=advice)

    def _reopen(self, case, plan, action, at, inbound):
        supervisor = next(u for u in USERS if u.role == "supervisor" and plan.station.code in u.stations)
        self._step(case, "reopen", self.users[supervisor.username], at, reason=self.rng.choice(REOPENS))

    def _close(self, case, plan, action, at, inbound):
        self._step(case, "close", case.mediator, at, note="回访确认协议已履行完毕，双方无异议，予以结案。")

    # the station's books -----------------------------------------------------------------------------------

    def visit_log(self) -> int:
        """The visit log of the last two months: everyday callers, and walk-ins that became cases."""
        rng, count = self.rng, 0
        today = local_date(self.now)
        for spec in STATIONS:
            station = self.stations[spec.code]
            mediators = [self.users[u] for u in self.planner.mediators[spec.code]]
            entries = []
            for _ in range(rng.randint(8, 14)):
                matter, done = rng.choice(LOG_MATTERS)
                place = rng.choice(spec.places)
                day = today - timedelta(days=rng.randint(1, 60))
                at = datetime.combine(day, time(8, 30), tzinfo=LOCAL_ZONE) + timedelta(
                    minutes=rng.randint(0, 540)
                )
                visitor = self.planner.name(rng.choice("MF"))
                phone = self.planner.mobile() if rng.random() < 0.6 else ""
                entries.append((at, None, matter.format(place=place), done, visitor, phone))
            recent = [
                (c, p)
                for c, p in self.walk_ins.get(spec.code, [])
                if (today - local_date(p.times[0])).days <= 60
            ]
            for case, plan in recent[-4:]:
                applicant = plan.parties[0]
                at = plan.times[0] - timedelta(minutes=rng.randint(10, 40))
                done = f"登记为调解案件{case.number}"
                entries.append((at, case, plan.title, done, applicant.name, applicant.phone))
            for at, case, matter, done, name, phone in sorted(entries, key=lambda e: e[0]):
                entry = record_visit(
                    rng.choice(mediators),
                    station,
                    VisitInput(
                        visitor_name=name,
                        matter=matter,
                        visitor_phone=phone,
                        action_taken=done,
                        visited_at=at,
                    ),
                    now=self.now,
                )
                if case is not None:
                    # ``link_case`` would date its event today; the visit and the case are months old.
                    entry.case_id = case.id
                count += 1
        db.session.flush()
        return count


_ROLE_WORDS = {"applicant": "申请人", "respondent": "被申请人", "third_party": "第三人"}


# --- The entry points -----------------------------------------------------------------------------------


def clash() -> str | None:
    """What in the database would collide with the demo data (a station, agency or username), if anything."""
    station = db.session.scalar(
        select(Station.code).where(Station.code.in_([s.code for s in STATIONS])).limit(1)
    )
    if station:
        return f"station {station}"
    agency = db.session.scalar(
        select(Agency.code).where(Agency.code.in_([a.code for a in AGENCIES])).limit(1)
    )
    if agency:
        return f"agency {agency}"
    user = db.session.scalar(
        select(User.username).where(User.username.in_([u.username for u in USERS])).limit(1)
    )
    if user:
        return f"user {user}"
    return None


def has_stations() -> bool:
    return db.session.scalar(select(Station.id).limit(1)) is not None


def seed(cases: int = DEFAULT_CASES, seed: int = DEFAULT_SEED, now: datetime | None = None) -> Summary:
    """Write the demo stations, agencies, accounts, ``cases`` cases, roster and visit log; return counts.

    Call on a database without the demo's stations, agencies and usernames (see ``clash``). Flushes; the
    caller commits once (an interrupted seed then leaves nothing behind).
    """
    now = now or utcnow()
    rng = random.Random(seed)
    planner = _Planner(rng, now, current_app.config["DEADLINE_DAYS"])
    writer = _Writer(rng, now, planner)
    writer.reference_data()
    shifts = writer.roster()
    plans = planner.plans(cases)
    for plan in plans:
        writer.case(plan)
    log_entries = writer.visit_log()
    return _summary(now, shifts, log_entries)


def _summary(now: datetime, shifts: int, log_entries: int) -> Summary:
    count = db.session.scalar
    by_party = select(CaseParty.party_id).group_by(CaseParty.party_id).having(func.count() > 1).subquery()
    return Summary(
        stations=count(select(func.count()).select_from(Station)),
        agencies=count(select(func.count()).select_from(Agency)),
        users=count(select(func.count()).select_from(User)),
        cases=count(select(func.count()).select_from(Case)),
        by_state=dict(db.session.execute(select(Case.state, func.count()).group_by(Case.state)).all()),
        overdue=count(select(func.count()).select_from(Case).where(Case.due_at < now)),
        parties=count(select(func.count()).select_from(Party)),
        returning_parties=count(select(func.count()).select_from(by_party)),
        events=count(select(func.count()).select_from(Event)),
        sessions=count(select(func.count()).select_from(MediationSession)),
        visits=count(select(func.count()).select_from(FollowUpVisit)),
        shifts=shifts,
        log_entries=log_entries,
    )


def accounts() -> list[dict]:
    """The demo accounts present in the database, in the order they are declared, for printing."""
    present = {
        u.username: u
        for u in db.session.scalars(select(User).where(User.username.in_([s.username for s in USERS])))
    }
    rows = []
    for spec in USERS:
        user = present.get(spec.username)
        if user is None:
            continue
        if user.agency is not None:
            where = f"{user.agency.code} {user.agency.name}"
        elif user.stations:
            where = ", ".join(f"{s.code} {s.name}" for s in user.stations)
        else:
            where = "全部驿站 all stations"
        rows.append({"username": user.username, "role": user.role, "name": user.display_name, "where": where})
    return rows


def format_accounts(rows: list[dict]) -> str:
    """The demo accounts as a table for the terminal (Chinese last, where its width cannot misalign)."""
    if not rows:
        return "No demo accounts in this database."
    width = max(len(r["username"]) for r in rows) + 2
    lines = [
        f"Demo accounts (password for all: {DEMO_PASSWORD}):",
        f"  {'username'.ljust(width)}{'role'.ljust(16)}{'password'.ljust(16)}name / station or agency",
    ]
    for r in rows:
        columns = r["username"].ljust(width) + r["role"].ljust(16) + DEMO_PASSWORD.ljust(16)
        lines.append(f"  {columns}{r['name']} — {r['where']}")
    return "\n".join(lines)
