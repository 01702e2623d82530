"""The kinds of dispute the source reports describe, as templates a plan fills in per case.

Plain data: each story's text, and how such cases tend to go (parties, amounts, risk, referrals, channels).
"""

from dataclasses import dataclass


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
