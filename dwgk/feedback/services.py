"""Handling feedback. Every function checks the rules on the server, writes its audit event
(never with the filer's personal details) and flushes; the caller commits, then sends what
`reply()` says should be mailed."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from dwgk.core.errors import Refusal
from dwgk.accounts.models import Role, User
from dwgk.core.audit import record
from dwgk.core import clock
from dwgk.disclosures.models import Disclosure
from dwgk.extensions import db
from dwgk.feedback import codes
from dwgk.feedback.models import Channel, Feedback, FeedbackKind, FeedbackStatus, ReplyMethod
from dwgk.notifications.services import notify, users_with_role

BODY_MAX = 5000
SELF_FILED = (Channel.WEB, Channel.KIOSK)
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE = re.compile(r"^[0-9+\-() ]{5,30}$")
# The feedback form refused by its rate limit (per address; only accepted filings count).
TOO_MANY_FILINGS = ("操作过于频繁：本机提交的意见已达上限，这一条没有提交。您填写的内容都还在，"
                    "请过一段时间再点“提交”。")


class FeedbackError(Refusal):
    """A refused filing or action; the message is shown next to `field`."""


@dataclass
class FeedbackInput:
    body: str
    kind: FeedbackKind = FeedbackKind.OPINION
    disclosure_id: int | None = None
    is_named: bool = False
    filer_name: str = ""
    filer_phone: str = ""
    filer_email: str = ""
    channel: Channel = Channel.WEB
    received_on: date | None = None


def _check(data: FeedbackInput, user) -> None:
    from dwgk import policy

    body = data.body.strip()
    if not body:
        raise FeedbackError("请填写意见内容。", "body")
    if len(body) > BODY_MAX:
        raise FeedbackError(f"内容不能超过 {BODY_MAX} 字。", "body")
    if data.disclosure_id is not None:
        item = db.session.get(Disclosure, data.disclosure_id)
        if item is None or not policy.can_read_item(user, item):
            raise FeedbackError("所针对的公开事项不存在或已撤回。", "disclosure_id")
        # The filer's own channels (the web form and the notice-board screen's QR code)
        # close at the decision date; the office may still log what came in on time.
        if (item.live_revision.is_predisclosure and data.channel in SELF_FILED
                and not policy.can_give_opinion_on(user, item)):
            raise FeedbackError("该预公开事项的意见征集已于决策日截止。", "disclosure_id")
    if data.is_named:
        if not data.filer_name.strip():
            raise FeedbackError("实名反映须填写姓名。", "filer_name")
        if len(data.filer_name.strip()) > 50:
            raise FeedbackError("姓名不能超过 50 字。", "filer_name")
        if not data.filer_phone.strip() and not data.filer_email.strip():
            raise FeedbackError("实名反映须留下电话或电子邮箱，以便答复。", "filer_phone")
        if data.filer_phone.strip() and not PHONE.match(data.filer_phone.strip()):
            raise FeedbackError("电话号码格式不正确。", "filer_phone")
        if data.filer_email.strip() and (len(data.filer_email.strip()) > 254
                                         or not EMAIL.match(data.filer_email.strip())):
            raise FeedbackError("电子邮箱格式不正确。", "filer_email")
    if data.received_on is not None and data.received_on > clock.today():
        raise FeedbackError("收到日期不能晚于今天。", "received_on")


def file_feedback(data: FeedbackInput, *, user=None, logged_by: User | None = None,
                  relayed_by: User | None = None) -> tuple[Feedback, str]:
    """Record a filing and return it with its lookup code (shown once, never stored).

    `user`: a signed-in member filing as themselves (named with their account's name).
    `logged_by`: the office entering something received in person, by phone, letter or box.
    `relayed_by`: a supervisor relaying an opinion collected in person.
    """
    from flask_login import AnonymousUserMixin

    reader = user or logged_by or relayed_by or AnonymousUserMixin()
    if user is not None and data.is_named and not data.filer_name.strip():
        data.filer_name = user.display_name
    _check(data, reader)
    code = codes.new_code()
    feedback = Feedback(
        disclosure_id=data.disclosure_id, kind=data.kind, channel=data.channel,
        body=data.body.strip(), is_named=data.is_named,
        filer_name=data.filer_name.strip() if data.is_named else "",
        filer_phone=data.filer_phone.strip() if data.is_named else "",
        filer_email=data.filer_email.strip() if data.is_named else "",
        filer_user_id=user.id if user is not None else None,
        logged_by_id=logged_by.id if logged_by else None,
        relayed_by_id=relayed_by.id if relayed_by else None,
        received_on=data.received_on or clock.today(),
        lookup_hash=codes.digest(code))
    db.session.add(feedback)
    db.session.flush()
    how = "实名" if data.is_named else "匿名"
    record("feedback.file", feedback, actor=logged_by or relayed_by or user,
           summary=f"{data.kind.label}（{how}，{data.channel.label}）")
    notify(users_with_role(Role.OFFICE), "feedback.new",
           f"收到新的{data.kind.label}（{how}，{data.channel.label}）", obj=feedback,
           link=f"/office/feedback/{feedback.id}")
    return feedback, code


def find_by_code(typed: str) -> Feedback | None:
    """The filing a lookup code belongs to, or None (the same answer for a malformed code)."""
    normal = codes.normalise(typed)
    if normal is None:
        return None
    feedback = db.session.scalar(select(Feedback).where(Feedback.lookup_hash == codes.digest(normal)))
    if feedback is None or not codes.matches(feedback.lookup_hash, normal):
        return None
    return feedback


class StaleFeedbackError(FeedbackError):
    """The form was drawn from an older version: someone else acted on the filing since."""


def _check_version(feedback: Feedback, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != feedback.version_id:
        raise StaleFeedbackError("该意见已被他人处理，请刷新页面查看最新情况后再操作。")


def assign(feedback: Feedback, assignee: User, *, actor: User,
           expected_version: int | None = None) -> None:
    _check_version(feedback, expected_version)
    if feedback.status == FeedbackStatus.CLOSED:
        raise FeedbackError("已办结的意见不能再分派。")
    if not assignee.active:
        raise FeedbackError("只能分派给在用的账号。", "assignee_id")
    feedback.assigned_to_id = assignee.id
    if feedback.status == FeedbackStatus.NEW:
        feedback.status = FeedbackStatus.ASSIGNED
    db.session.flush()
    record("feedback.assign", feedback, actor=actor, summary=f"分派给 {assignee.display_name}")
    if assignee.id != actor.id:
        link = (f"/office/feedback/{feedback.id}" if assignee.has_role(Role.OFFICE)
                else f"/feedback/assigned/{feedback.id}")
        notify([assignee], "feedback.assigned", f"{actor.display_name} 将一条{feedback.kind.label}分派给您办理",
               obj=feedback, link=link, due_key=str(feedback.version_id))


def submit_handler_reply(feedback: Feedback, text: str, *, actor: User) -> None:
    """The handler's proposed answer (承办人意见), sent to the office, which answers the filer
    (the office approves and records the reply). A later call replaces it."""
    if feedback.assigned_to_id != actor.id:
        raise FeedbackError("这条意见没有分派给您办理。")
    if feedback.status == FeedbackStatus.CLOSED:
        raise FeedbackError("已办结的意见不能再提交办理意见。")
    text = (text or "").strip()
    if not text:
        raise FeedbackError("请填写办理意见。", "handler_reply")
    if len(text) > BODY_MAX:
        raise FeedbackError(f"办理意见不能超过 {BODY_MAX} 字。", "handler_reply")
    feedback.handler_reply = text
    feedback.handler_replied_at = clock.now()
    db.session.flush()
    record("feedback.handler_reply", feedback, actor=actor)
    office = [user for user in users_with_role(Role.OFFICE) if user.id != actor.id]
    notify(office, "feedback.handler_reply",
           f"承办人{actor.display_name}提交了{feedback.kind.label}的办理意见，请审核后答复",
           obj=feedback, link=f"/office/feedback/{feedback.id}",
           due_key=f"{feedback.id}:{feedback.version_id}")


def reply(feedback: Feedback, text: str, method: ReplyMethod, replied_on: date, *, actor: User,
          expected_version: int | None = None) -> bool:
    """Record the office's reply. True when it should be mailed to the filer (an e-mail was
    given and the method is e-mail); the caller sends it after the commit."""
    _check_version(feedback, expected_version)
    text = (text or "").strip()
    if not text:
        raise FeedbackError("请填写答复内容。", "reply_text")
    if len(text) > BODY_MAX:
        raise FeedbackError(f"答复不能超过 {BODY_MAX} 字。", "reply_text")
    if replied_on is None:
        raise FeedbackError("请填写答复日期。", "reply_date")
    if replied_on > clock.today():
        raise FeedbackError("答复日期不能晚于今天。", "reply_date")
    if method == ReplyMethod.EMAIL and not feedback.filer_email:
        raise FeedbackError("反映人未留电子邮箱，不能以电子邮件答复。", "reply_method")
    if feedback.status == FeedbackStatus.CLOSED:
        raise FeedbackError("已办结的意见不能再答复。")
    feedback.reply_text = text
    feedback.reply_method = method
    feedback.reply_date = replied_on
    feedback.replied_by_id = actor.id
    feedback.replied_at = clock.now()
    feedback.status = FeedbackStatus.ANSWERED
    db.session.flush()
    record("feedback.reply", feedback, actor=actor, summary=f"答复方式：{method.label}")
    return method == ReplyMethod.EMAIL and bool(feedback.filer_email)


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def _mentions_filer(feedback: Feedback, text: str) -> bool:
    """Does `text` contain the filer's name, e-mail (in any case) or phone number (however
    it is spaced or dashed)?"""
    folded = text.casefold()
    for detail in (feedback.filer_name, feedback.filer_email):
        if detail.strip() and detail.strip().casefold() in folded:
            return True
    phone = _digits(feedback.filer_phone)
    if len(phone) >= 5:
        compact = "".join(ch for ch in text if ch not in " -()+")
        return phone in compact
    return False


def publish_result(feedback: Feedback, text: str, *, actor: User,
                   expected_version: int | None = None) -> None:
    """Publish the handling result (处理结果), without the filer's identity: on the item's page,
    or for a general opinion on the public results page (/feedback/results)."""
    _check_version(feedback, expected_version)
    text = (text or "").strip()
    if not text:
        raise FeedbackError("请填写要公开的处理结果。", "result_text")
    if len(text) > BODY_MAX:
        raise FeedbackError(f"处理结果不能超过 {BODY_MAX} 字。", "result_text")
    if feedback.status not in (FeedbackStatus.ANSWERED, FeedbackStatus.CLOSED):
        raise FeedbackError("答复后才能公开处理结果。")
    if _mentions_filer(feedback, text):
        raise FeedbackError("公开的处理结果不能包含反映人的姓名、电话或邮箱。", "result_text")
    feedback.result_text = text
    feedback.result_published_at = clock.now()
    db.session.flush()
    record("feedback.publish_result", feedback, actor=actor)


def close(feedback: Feedback, *, actor: User, expected_version: int | None = None) -> None:
    _check_version(feedback, expected_version)
    if feedback.status == FeedbackStatus.CLOSED:
        raise FeedbackError("该意见已办结。")
    if feedback.kind == FeedbackKind.REPORT and feedback.is_named and feedback.replied_at is None:
        raise FeedbackError("实名举报须先记录答复（方式、日期、答复人）才能办结。")
    feedback.status = FeedbackStatus.CLOSED
    feedback.closed_at = clock.now()
    db.session.flush()
    record("feedback.close", feedback, actor=actor)


def reply_due(feedback: Feedback, calendar=None, settings=None):
    """When a named filing must be answered: N working days (unit setting) after it came
    in, as a Deadline; None for anonymous filings."""
    from dwgk.core import settings as unit_settings
    from dwgk.core.workdays import Calendar

    if not feedback.is_named:
        return None
    days = (settings or unit_settings.get()).feedback_reply_workdays
    start = feedback.received_on or feedback.created_at.astimezone(clock.LOCAL_TZ).date()
    return (calendar or Calendar.load()).add_workdays(start, days)


def is_overdue(feedback: Feedback, calendar=None, settings=None) -> bool:
    due = reply_due(feedback, calendar, settings)
    return (due is not None and feedback.replied_at is None
            and feedback.status != FeedbackStatus.CLOSED and clock.today() > due.due)
