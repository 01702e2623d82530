"""The stations, agencies and accounts of the source reports, and who works where.

Plain data, shared by the planner (which station a case is at, which agency it goes to) and the writer (who
answers a referral, who reopens a case).
"""

from dataclasses import dataclass

#: The one password of every demo account (printed by the command; never use the demo in production).
DEMO_PASSWORD = "demo-pass-2026"


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
    #: The stations it serves: it takes their referrals and sends them disputes.
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
    # The street offices (and a town government) that assign disputes to their stations (交办).
    AgencySpec("XLGJD", "兰州市西固区西柳沟街道办事处", "government", "兰州市西固区西柳沟街", ("XLG",),
               "西柳沟街道办"),
    AgencySpec("LTJJD", "兰州市西固区临洮街街道办事处", "government", "兰州市西固区临洮街", ("XGJ",),
               "临洮街街道办"),
    AgencySpec("RMJD", "衡阳市石鼓区人民街道办事处", "government", "衡阳市石鼓区人民路", ("ZYS",),
               "人民街道办"),
    AgencySpec("WHLJD", "天津市河北区望海楼街道办事处", "government", "天津市河北区建国道", ("WHL",),
               "望海楼街道办"),
    AgencySpec("DHJD", "陆丰市东海街道办事处", "government", "陆丰市东海大道", ("DHJ",), "东海街道办"),
    AgencySpec("HZZF", "阳曲县黄寨镇人民政府", "government", "阳曲县黄寨镇", ("YQN",), "黄寨镇政府"),
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
    UserSpec("police_xlg", "马涛", "liaison", agency="XLGPS"),
    UserSpec("police_ltj", "何鹏", "liaison", agency="LTJPS"),
    UserSpec("court_xg", "田静", "liaison", agency="XGFY"),
    UserSpec("sfs_xlg", "罗晓东", "liaison", agency="XLGSFS"),
    UserSpec("ldzc_xg", "魏娜", "liaison", agency="XGLDZC"),
    UserSpec("police_rmj", "曾勇", "liaison", agency="RMJPS"),
    UserSpec("court_sg", "廖敏", "liaison", agency="SGFY"),
    UserSpec("police_whl", "冯磊", "liaison", agency="WHLPS"),
    UserSpec("court_hb", "董丽华", "liaison", agency="HBFY"),
    UserSpec("ldzc_hb", "邵杰", "liaison", agency="HBLDZC"),
    UserSpec("police_dh", "陈文辉", "liaison", agency="DHPS"),
    UserSpec("court_lf", "黄秀英", "liaison", agency="LFFY"),
    UserSpec("police_hz", "薛刚", "liaison", agency="HZPS"),
    UserSpec("court_yq", "武晓燕", "liaison", agency="YQFY"),
    UserSpec("jd_xlg", "宋佳", "liaison", agency="XLGJD"),
    UserSpec("jd_ltj", "范志明", "liaison", agency="LTJJD"),
    UserSpec("jd_rmj", "谢红", "liaison", agency="RMJD"),
    UserSpec("jd_whl", "袁博", "liaison", agency="WHLJD"),
    UserSpec("jd_dh", "许冬梅", "liaison", agency="DHJD"),
    UserSpec("zf_hz", "秦建军", "liaison", agency="HZZF"),
)


#: The mediators of each station, in the order the accounts are declared.
MEDIATORS = {
    s.code: [u.username for u in USERS if u.role == "mediator" and s.code in u.stations] for s in STATIONS
}


#: The agency kind that sends the disputes of each inbound channel.
SENDERS = {"police": "police", "court": "court", "government": "government"}


def agency_for(station_code: str, kind: str) -> AgencySpec:
    """The agency of ``kind`` that works with the station; a court stands in for missing other bodies."""
    for spec in AGENCIES:
        if spec.kind == kind and station_code in spec.stations:
            return spec
    return agency_for(station_code, "court")


def liaison_of(agency_code: str) -> str:
    """The username of the agency's liaison (every demo agency has one)."""
    return next(u.username for u in USERS if u.agency == agency_code)


def supervisor_of(station_code: str) -> str:
    """The username of the station's supervisor."""
    return next(u.username for u in USERS if u.role == "supervisor" and station_code in u.stations)
