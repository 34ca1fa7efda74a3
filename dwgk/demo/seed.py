"""The demo unit, built from the same services (through the same factories) the app uses:
a school branch with its catalog, and items in every state of the workflow, published on
realistic past dates so that their members-first windows are over."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from dwgk.accounts import services as accounts
from dwgk.accounts.models import Role
from dwgk.catalog.models import Cadence, CatalogEntry, Category, Scope
from dwgk.catalog.services import load_template
from dwgk.catalog.templates_data import DEFAULT_FORMS
from dwgk.core import clock
from dwgk.core.richtext import render_markdown
from dwgk.disclosures import services as disclosures
from dwgk.disclosures.models import Decision, Disclosure, Revision, State
from dwgk.extensions import db

DEMO_PASSWORD = "dwgk-demo-2026"

DEMO_USERS = [
    ("admin", "系统管理员", [Role.ADMIN]),
    ("office", "王秀英（党务公开办公室）", [Role.OFFICE, Role.MEMBER]),
    ("office2", "陈志强（党务公开办公室）", [Role.OFFICE, Role.MEMBER]),
    ("reviewer", "李建国（支部书记）", [Role.REVIEWER, Role.MEMBER]),
    ("reviewer2", "赵丽（组织委员）", [Role.REVIEWER, Role.MEMBER]),
    ("reviewer3", "孙伟（纪检委员）", [Role.REVIEWER, Role.MEMBER]),
    ("supervisor", "周敏（党务公开监督员）", [Role.SUPERVISOR, Role.MEMBER]),
    ("member", "刘洋（党员教师）", [Role.MEMBER]),
]

APPROVE = dict(decision=Decision.APPROVE, check_content=True, check_form=True,
               check_scope=True, check_timing=True, check_duration=True, check_secrecy=True)

# (title, category, entry title or None, scope, state, days ago, extra fields, body)
DEMO_ITEMS = [
    ("2026年度支部党建工作计划", "任期/年度目标", "年度党建工作计划", Scope.PUBLIC, State.PUBLISHED, 300, {},
     "## 总体目标\n\n以党建引领学校发展，落实“三会一课”制度。\n\n## 重点任务\n\n- 加强党员政治理论学习\n- 开展“党员示范岗”活动\n- 做好发展党员工作"),
    ("2026年第三季度党费收缴、使用和管理情况", "三会一课/结对帮扶/设岗定责/党费", "党费收缴、使用和管理情况",
     Scope.MEMBERS, State.PUBLISHED, 50, {},
     "| 项目 | 金额（元） |\n|---|---|\n| 上季度结余 | 1,250.00 |\n| 本季度收缴 | 2,316.00 |\n| 上缴上级党委 | 2,316.00 |\n| 本季度结余 | 1,250.00 |\n\n本季度应交党费党员 23 名，实交 23 名。"),
    ("2026年第三季度“三会一课”开展情况", "三会一课/结对帮扶/设岗定责/党费", "“三会一课”开展情况",
     Scope.MEMBERS, State.PUBLISHED, 45, {},
     "本季度召开支部党员大会 1 次、支委会 3 次、党小组会 6 次，书记讲党课 1 次。"),
    ("关于确定李明同志为发展对象的公示", "选举/发展党员/民主评议/评比表彰", "发展党员公示", Scope.PUBLIC,
     State.PUBLISHED, 2, {"publicity_workdays": 5},
     "经支部委员会研究，拟确定李明同志为发展对象，现予公示。公示期内如有意见，请通过意见建议栏或来信反映。"),
    ("2025年度民主评议党员结果", "选举/发展党员/民主评议/评比表彰", "民主评议党员结果", Scope.MEMBERS,
     State.ARCHIVED, 200, {"publicity_workdays": 5},
     "经民主评议，评定优秀党员 5 名、合格党员 18 名。"),
    ("群众反映食堂就餐问题整改情况", "群众反映问题解决", "群众反映突出问题整改情况", Scope.PUBLIC,
     State.PUBLISHED, 30, {"_republish": "更正整改完成时间"},
     "针对家长反映的食堂饭菜温度问题，学校已增加保温设备，整改已于10月完成。"),
    ("群众反映食堂就餐问题整改情况（第二阶段：长效机制）", "群众反映问题解决", "群众反映突出问题整改情况",
     Scope.PUBLIC, State.PUBLISHED, 6, {"_stage_of": "群众反映食堂就餐问题整改情况"},
     "建立家长陪餐制度，每周两名家长代表参与陪餐并填写评价表；食堂温度每日抽检并公示。"),
    ("关于调整课后服务收费标准的预公开（征求意见稿）", "上级决议执行", None, Scope.PUBLIC,
     State.PUBLISHED, 3, {"is_predisclosure": True, "_decision_in_days": 20},
     "拟调整课后服务收费标准，现征求教职工和家长意见。意见征集截止至决策日前。"),
    ("校园安全隐患排查通报（有误，已撤回）", "其他", None, Scope.PUBLIC, State.WITHDRAWN, 20, {},
     "本通报数据有误，已撤回。"),
    ("支部委员分工调整", "履职与廉洁自律", "支部委员分工及履职情况", Scope.MEMBERS, State.APPROVED, 1, {},
     "支部书记：李建国；组织委员：赵丽；纪检委员：孙伟。"),
    ("关于推荐优秀教师党员评先评优人选的公示", "选举/发展党员/民主评议/评比表彰", "评先评优推荐人选公示",
     Scope.PUBLIC, State.IN_REVIEW, 1, {"publicity_workdays": 5}, "拟推荐王老师为县级优秀共产党员候选人。"),
    ("学校食堂承包合同续签（重大事项）", "上级决议执行", None, Scope.PUBLIC, State.IN_REVIEW, 1,
     {"is_major": True}, "拟与现承包方续签三年，年承包费 12 万元。"),
    ("2026年第四季度主题党日活动安排", "其他", "主题党日活动开展情况", Scope.MEMBERS, State.DRAFT, 0, {},
     "10月：参观县革命纪念馆；11月：志愿服务进社区；12月：专题组织生活会。"),
]


def _user(username):
    return accounts.find_user(username)


def _category(name):
    return db.session.scalar(select(Category).where(Category.name == name))


def _entry(category, title):
    if title is None:
        return None
    return db.session.scalar(select(CatalogEntry).where(CatalogEntry.category_id == category.id,
                                                        CatalogEntry.title == title))


def _published(title):
    return db.session.scalar(select(Disclosure).join(Disclosure.live_revision)
                             .where(Revision.title == title))


def _make_item(title, category_name, entry_title, scope, state, days_ago, extra, body):
    office, reviewer = _user("office"), _user("reviewer")
    extra = dict(extra)
    republish = extra.pop("_republish", None)
    decision_in_days = extra.pop("_decision_in_days", None)
    stage_of = extra.pop("_stage_of", None)  # 分期: the title of the work's first stage
    category = _category(category_name)
    entry = _entry(category, entry_title)
    when = (clock.local_now() - timedelta(days=days_ago)).replace(hour=9, minute=30, second=0,
                                                                  microsecond=0)
    if decision_in_days:
        extra["decision_date"] = when.date() + timedelta(days=decision_in_days)
    cadence = entry.cadence if entry else Cadence.IMMEDIATE
    if entry is None:  # an item of an entry takes the entry's 公开形式
        extra.setdefault("disclosure_forms", DEFAULT_FORMS[scope.value])
    if cadence == Cadence.STAGED:
        extra.setdefault("result_date", when.date() - timedelta(days=2))
    with clock.freeze(when):
        item = disclosures.create_disclosure(disclosures.DraftInput(
            title=title, body_source=render_markdown(body), category_id=category.id,
            catalog_entry_id=entry.id if entry else None, scope=scope,
            cadence=cadence, responsible_id=office.id,
            members_first_days=1, **extra), author=office,
            stage_of_id=_published(stage_of).id if stage_of else None)
        if state == State.DRAFT:
            return item
        disclosures.submit(item, actor=office)
        if state == State.IN_REVIEW:
            return item
        disclosures.review(item, disclosures.ReviewInput(**APPROVE), reviewer=reviewer)
        if state == State.APPROVED:
            return item
        disclosures.publish(item, actor=office)
    if state == State.ARCHIVED:
        with clock.freeze(when + timedelta(days=10)):
            disclosures.archive(item, actor=office, summary="公示期满")
    elif state == State.WITHDRAWN:
        with clock.freeze(when + timedelta(hours=3)):
            disclosures.withdraw(item, "数据有误，核实后重新发布", actor=office)
    if republish:
        with clock.freeze(when + timedelta(days=5)):
            disclosures.revise(item, actor=office)
            live = item.live_revision
            disclosures.update_draft(item, disclosures.draft_input_from(
                live, body_source=live.body_source.replace("10月", "10月20日"),
                change_note=republish),
                actor=office, expected_version=None)
            disclosures.submit(item, actor=office)
            disclosures.review(item, disclosures.ReviewInput(**APPROVE), reviewer=_user("reviewer2"))
            disclosures.publish(item, actor=office)
    return item


def seed_demo() -> bool:
    """Create the demo unit unless it exists. True when something was created."""
    created = False
    for username, name, roles in DEMO_USERS:
        if accounts.find_user(username) is None:
            accounts.create_user(username, DEMO_PASSWORD, roles, display_name=name,
                                 must_change_password=False)
            created = True
    categories, entries = load_template("school", responsible=_user("office"))
    created |= bool(categories or entries)
    if db.session.scalar(select(Disclosure.id).limit(1)) is None:
        for spec in DEMO_ITEMS:
            _make_item(*spec)
        _make_feedback()
        created = True
    return created


def _make_feedback() -> None:
    """Opinions in every state of handling, and a supervision note with its answer."""
    from dwgk.feedback import services as feedback
    from dwgk.feedback.models import Channel, FeedbackKind, ReplyMethod
    from dwgk.supervision.services import NoteInput, answer_note, file_note

    office, supervisor = _user("office"), _user("supervisor")
    items = {d.live_revision.title: d for d in db.session.scalars(
        select(Disclosure).where(Disclosure.live_revision_id.is_not(None),
                                 Disclosure.withdrawn_at.is_(None)))}
    canteen = items["群众反映食堂就餐问题整改情况"]
    fees = items.get("关于调整课后服务收费标准的预公开（征求意见稿）")
    ago = clock.local_now() - timedelta(days=12)
    with clock.freeze(ago):
        answered, _ = feedback.file_feedback(feedback.FeedbackInput(
            body="食堂保温设备已安装，但早餐仍偏凉，建议延长保温时间。", disclosure_id=canteen.id,
            is_named=True, filer_name="张女士", filer_phone="13800138000"))
        feedback.assign(answered, office, actor=office)
    with clock.freeze(ago + timedelta(days=3)):
        feedback.reply(answered, "已调整早餐出餐时间，保温柜提前 30 分钟开启。感谢您的监督。",
                       ReplyMethod.PHONE, (ago + timedelta(days=3)).date(), actor=office)
        feedback.publish_result(answered, "经核实，已调整早餐出餐时间并提前开启保温柜。", actor=office)
    with clock.freeze(clock.local_now() - timedelta(hours=20)):
        feedback.file_feedback(feedback.FeedbackInput(
            body="建议课后服务收费按实际参加天数计算。", disclosure_id=fees.id if fees else None))
    with clock.freeze(ago + timedelta(days=5)):
        feedback.file_feedback(feedback.FeedbackInput(
            body="反映校门口早晚接送时段交通拥堵，希望协调交警。", kind=FeedbackKind.OPINION,
            channel=Channel.BOX, is_named=False), logged_by=office)
        note = file_note(NoteInput(topic="timing", body="第三季度党费情况公开时间较季末晚了 20 多天，请注意时限。"),
                         author=supervisor)
    with clock.freeze(ago + timedelta(days=7)):
        answer_note(note, "已改进：今后定期公开事项在季末后 10 个工作日内完成。", actor=office)
