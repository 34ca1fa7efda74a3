"""The two catalog templates (目录模板) `catalog load-template` offers, as plain data.

`school`: a primary-school Party branch, the seven contents of its implementation plan.
`bureau`: a bureau's Party group, the six contents of its implementation plan.

Each category is a dict with `name`, `description` and `entries`; each entry a dict with
`title`, `content`, `scope` ("members" 党内公开 / "public" 社会公开), `cadence` ("standing",
"periodic", "staged", "immediate"), `period_months` (periodic only: 1, 3, 6 or 12) and
`basis` (依据) and `disclosure_forms` (公开形式, comma-joined FormOfDisclosure values; by
default 党内会议 and 公开栏 for members-only lines, 公开栏 and 网站 for public ones). Loading matches categories by name and entries by title within their
category, so the wording here is also the identity: renaming a title here makes a new line.
"""
from __future__ import annotations

REGULATION = "《中国共产党党务公开条例（试行）》"
SCHOOL_PLAN = "本校党支部党务公开实施方案"
BUREAU_PLAN = "本局党组党务公开实施方案"


DEFAULT_FORMS = {"members": "party_meeting,board", "public": "board,website"}


def _entry(title: str, content: str, scope: str, cadence: str, period_months: int | None = None,
           basis: str = "", forms: str | None = None) -> dict:
    return {"title": title, "content": content, "scope": scope, "cadence": cadence,
            "period_months": period_months, "basis": basis,
            "disclosure_forms": DEFAULT_FORMS[scope] if forms is None else forms}


SCHOOL = [
    {
        "name": "上级决议执行",
        "description": "贯彻落实党的路线方针政策和上级党组织决议、决定、工作部署的情况。",
        "entries": [
            _entry("上级决议执行情况",
                   "上级党组织决议、决定和工作部署在本校的贯彻落实措施、进度和成效。",
                   "public", "periodic", 6, f"{REGULATION}；{SCHOOL_PLAN}"),
            _entry("上级交办任务完成情况",
                   "上级党组织交办的专项任务、督查整改事项的办理过程和结果。",
                   "members", "staged", None, f"{REGULATION}；{SCHOOL_PLAN}"),
            _entry("学习贯彻党的创新理论情况",
                   "支部理论学习计划、专题学习安排和学习开展情况。",
                   "members", "periodic", 3, f"{REGULATION}；《中国共产党支部工作条例（试行）》"),
        ],
    },
    {
        "name": "任期/年度目标",
        "description": "支部任期工作目标、年度工作计划及其完成情况。",
        "entries": [
            _entry("支部任期工作目标",
                   "本届支部委员会任期内党建工作和立德树人工作的目标、主要举措。",
                   "public", "standing", None, f"{REGULATION}；{SCHOOL_PLAN}"),
            _entry("年度党建工作计划",
                   "本学年（年度）党建工作要点、重点任务及责任分工。",
                   "public", "periodic", 12, f"{REGULATION}；{SCHOOL_PLAN}"),
            _entry("年度工作目标完成情况",
                   "年度计划各项任务的推进情况，半年小结和年终总结。",
                   "public", "periodic", 6, f"{REGULATION}；{SCHOOL_PLAN}"),
        ],
    },
    {
        "name": "履职与廉洁自律",
        "description": "支部委员履行职责、党员领导干部廉洁自律的情况。",
        "entries": [
            _entry("支部委员分工及履职情况",
                   "支部委员的职责分工，及其落实“一岗双责”、开展工作的情况。",
                   "members", "periodic", 12, f"{REGULATION}；《中国共产党支部工作条例（试行）》"),
            _entry("支部书记抓党建工作述职",
                   "支部书记年度抓基层党建工作述职报告及评议结果。",
                   "members", "periodic", 12, f"{REGULATION}；{SCHOOL_PLAN}"),
            _entry("党员领导干部廉洁自律情况",
                   "落实中央八项规定精神、廉洁从教情况，个人有关事项报告及操办婚丧喜庆事宜报告情况。",
                   "members", "periodic", 12, f"{REGULATION}；《中国共产党廉洁自律准则》"),
        ],
    },
    {
        "name": "选举/发展党员/民主评议/评比表彰",
        "description": "支部换届选举、发展党员、民主评议党员和评先评优的程序和结果。",
        "entries": [
            _entry("发展党员公示",
                   "确定发展对象、接收预备党员、预备党员转正的人选公示（公示期不少于 5 个工作日），"
                   "公示期满后公开结果。",
                   "public", "immediate", None,
                   f"{REGULATION}；《中国共产党发展党员工作细则》"),
            _entry("支部换届选举",
                   "换届选举的请示及批复、候选人预备人选、选举结果；分阶段公开，结果产生后 7 日内公开。",
                   "members", "staged", None,
                   f"{REGULATION}；《中国共产党基层组织选举工作条例》"),
            _entry("民主评议党员结果",
                   "年度民主评议党员的安排、评议等次结果及不合格党员的处置情况。",
                   "members", "periodic", 12, f"{REGULATION}；{SCHOOL_PLAN}"),
            _entry("评先评优推荐人选公示",
                   "优秀共产党员、优秀党务工作者等推荐人选及表彰结果。",
                   "public", "immediate", None, f"{REGULATION}；{SCHOOL_PLAN}"),
        ],
    },
    {
        "name": "三会一课/结对帮扶/设岗定责/党费",
        "description": "组织生活、党员结对帮扶、党员设岗定责和党费收缴使用管理的情况。",
        "entries": [
            _entry("党费收缴、使用和管理情况",
                   "党员按月交纳党费情况，党费使用的项目、金额和审批情况。",
                   "members", "periodic", 3,
                   f"{REGULATION}；《关于中国共产党党费收缴、使用和管理的规定》"),
            _entry("“三会一课”开展情况",
                   "支部党员大会、支委会、党小组会和党课的时间、主题和出席情况。",
                   "members", "periodic", 3,
                   f"{REGULATION}；《中国共产党支部工作条例（试行）》"),
            _entry("党员结对帮扶情况",
                   "党员教师结对帮扶学困生、困难学生家庭的安排和成效。",
                   "public", "periodic", 6, f"{REGULATION}；{SCHOOL_PLAN}"),
            _entry("党员设岗定责及履职情况",
                   "党员示范岗、责任区的设置、责任人和履职情况。",
                   "public", "standing", None, f"{REGULATION}；{SCHOOL_PLAN}"),
        ],
    },
    {
        "name": "群众反映问题解决",
        "description": "教职工、学生家长和群众反映问题的收集、办理和反馈情况。",
        "entries": [
            _entry("意见建议办理情况",
                   "通过意见箱、公开栏、家长会等渠道收集的意见建议及其办理、答复情况。",
                   "public", "periodic", 3, f"{REGULATION}；{SCHOOL_PLAN}"),
            _entry("群众反映突出问题整改情况",
                   "群众反映集中的问题的整改措施、进度和结果；整改结果产生后 7 日内公开。",
                   "public", "staged", None, f"{REGULATION}；{SCHOOL_PLAN}"),
        ],
    },
    {
        "name": "其他",
        "description": "上级要求和本支部认为需要公开的其他事项。",
        "entries": [
            _entry("主题党日活动开展情况",
                   "每月主题党日的主题、内容和参加情况。",
                   "members", "periodic", 1, SCHOOL_PLAN),
            _entry("党建工作动态",
                   "支部重要活动、志愿服务、师德师风建设等工作动态。",
                   "public", "immediate", None, SCHOOL_PLAN),
        ],
    },
]


BUREAU = [
    {
        "name": "目标任务",
        "description": "党组的年度党建工作目标任务及其分解、推进和完成情况。",
        "entries": [
            _entry("年度党建工作目标任务",
                   "年度党建工作要点、目标任务分解及责任分工。",
                   "public", "periodic", 12, f"{REGULATION}；{BUREAU_PLAN}"),
            _entry("目标任务推进及完成情况",
                   "各项目标任务的推进情况、半年小结和年度总结。",
                   "public", "periodic", 6, f"{REGULATION}；{BUREAU_PLAN}"),
            _entry("贯彻落实上级重大决策部署情况",
                   "贯彻落实党中央和上级党组织重大决策部署的措施和成效。",
                   "members", "periodic", 6, f"{REGULATION}；{BUREAU_PLAN}"),
        ],
    },
    {
        "name": "思想建设",
        "description": "理论学习、党员教育培训和意识形态工作的情况。",
        "entries": [
            _entry("党组理论学习中心组学习情况",
                   "中心组年度学习计划、专题学习的时间、主题和参加人员。",
                   "members", "periodic", 3, f"{REGULATION}；{BUREAU_PLAN}"),
            _entry("党员教育培训情况",
                   "党员教育培训计划及其执行情况。",
                   "members", "periodic", 6, f"{REGULATION}；《中国共产党党员教育管理工作条例》"),
            _entry("意识形态工作责任制落实情况",
                   "意识形态工作责任制的分工、落实和检查情况。",
                   "members", "periodic", 6, f"{REGULATION}；{BUREAU_PLAN}"),
        ],
    },
    {
        "name": "组织建设",
        "description": "基层组织设置、换届选举、发展党员、党费和民主评议等情况。",
        "entries": [
            _entry("基层党组织设置及换届选举",
                   "所属党组织的设置调整、换届选举的过程和结果；结果产生后 7 日内公开。",
                   "members", "staged", None,
                   f"{REGULATION}；《中国共产党基层组织选举工作条例》"),
            _entry("发展党员公示",
                   "发展对象、拟接收预备党员和预备党员转正人选公示（公示期不少于 5 个工作日）及结果。",
                   "public", "immediate", None, f"{REGULATION}；《中国共产党发展党员工作细则》"),
            _entry("党费收缴、使用和管理情况",
                   "党费收缴、使用和管理情况。",
                   "members", "periodic", 3,
                   f"{REGULATION}；《关于中国共产党党费收缴、使用和管理的规定》"),
            _entry("民主评议党员和评先评优情况",
                   "民主评议党员结果，先进基层党组织、优秀共产党员推荐人选及表彰结果。",
                   "members", "periodic", 12, f"{REGULATION}；{BUREAU_PLAN}"),
        ],
    },
    {
        "name": "作风建设",
        "description": "落实中央八项规定精神、党风廉政建设和联系服务群众的情况。",
        "entries": [
            _entry("落实中央八项规定精神情况",
                   "公务接待、公务用车、会议培训等方面落实中央八项规定及其实施细则精神的情况。",
                   "public", "periodic", 6, f"{REGULATION}；{BUREAU_PLAN}"),
            _entry("党风廉政建设责任制落实情况",
                   "党风廉政建设主体责任清单、落实情况和检查考核结果。",
                   "members", "periodic", 12, f"{REGULATION}；{BUREAU_PLAN}"),
            _entry("群众反映问题办理情况",
                   "服务对象和群众反映问题的受理、办理和反馈情况。",
                   "public", "periodic", 3, f"{REGULATION}；{BUREAU_PLAN}"),
        ],
    },
    {
        "name": "制度建设",
        "description": "党组工作规则、议事决策和党务公开等制度及其执行情况。",
        "entries": [
            _entry("党组工作规则和议事决策制度",
                   "党组工作规则、“三重一大”集体决策制度等现行制度文本。",
                   "members", "standing", None, f"{REGULATION}；《中国共产党党组工作条例》"),
            _entry("党务公开制度和公开目录",
                   "本单位党务公开工作制度、公开目录及其调整情况。",
                   "public", "standing", None, f"{REGULATION}；{BUREAU_PLAN}"),
            _entry("“三重一大”事项集体决策情况",
                   "重大决策、重要干部任免、重大项目安排和大额资金使用事项的集体决策情况。",
                   "members", "periodic", 6, f"{REGULATION}；{BUREAU_PLAN}"),
        ],
    },
    {
        "name": "工作动态",
        "description": "党建工作的重要活动和动态信息。",
        "entries": [
            _entry("党建工作动态",
                   "党组和所属党组织重要会议、重要活动的动态信息。",
                   "public", "immediate", None, BUREAU_PLAN),
            _entry("主题党日和志愿服务活动",
                   "每月主题党日、党员志愿服务活动的开展情况。",
                   "public", "periodic", 1, BUREAU_PLAN),
        ],
    },
]


TEMPLATES = {"school": SCHOOL, "bureau": BUREAU}

TEMPLATE_LABELS = {"school": "学校党支部", "bureau": "机关局党组"}
