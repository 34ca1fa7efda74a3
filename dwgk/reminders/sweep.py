"""The sweep: archive ended publicity periods, compute the duties, notify each recipient
once. Everything comes from the database, so a flushed or restarted Redis loses nothing:
the next sweep finds the same duties, and the notification's unique key (recipient, kind,
object, due key) keeps anyone from being told twice. `run_sweep` flushes and the caller
commits; `sweep_commit_and_mail` is what the CLI and the RQ job run: the sweep and its
e-mails owed (reminders.mailing, in the outbox), one commit, then every e-mail the outbox
still owes is sent — this sweep's, and any an earlier one or a reply could not send."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from dwgk.core import clock
from dwgk.core import settings as unit_settings
from dwgk.core.workdays import Calendar
from dwgk.extensions import db
from dwgk.notifications.models import Notification
from dwgk.notifications.services import notify
from dwgk.reminders.duties import Duty, compute_duties


@dataclass
class SweepResult:
    archived: int = 0  # items whose publicity period ended, archived now
    duties: int = 0  # duties due today or overdue
    overdue: int = 0  # of which overdue
    notices: int = 0  # notices created now (0 when every duty was already notified)
    mailed: int | None = None  # e-mails the SMTP server accepted in this pass; None: no SMTP
    mail_owed: int = 0  # e-mails still owed after it (the next sweep sends them)
    created: list[Notification] = field(default_factory=list, repr=False)

    @property
    def summary(self) -> str:
        return (f"提醒检查完成：自动归档公示期满事项 {self.archived} 项；"
                f"今日到期或逾期的待办 {self.duties} 项（其中逾期 {self.overdue} 项）；"
                f"新发送提醒 {self.notices} 条。"
                + ("" if self.mailed is None else f"邮件已发出 {self.mailed} 封。")
                + (f"尚有 {self.mail_owed} 封邮件未能发出（邮件服务器暂不可用），下次检查时再发。"
                   if self.mail_owed else ""))


def run_sweep(now: datetime | None = None) -> SweepResult:
    """One sweep. `now` (naive = Asia/Shanghai) stands in for the clock, for tests and
    for catching up; by default the current time."""
    from dwgk.disclosures.services import archive_ended_publicity_periods

    if now is not None:
        with clock.freeze(now):
            return run_sweep()
    result = SweepResult()
    result.archived = len(archive_ended_publicity_periods())
    duties = compute_duties(clock.today(), Calendar.load(), unit_settings.get())
    result.duties = len(duties)
    result.overdue = sum(duty.overdue for duty in duties)
    sent = _already_sent(duties)
    for duty in duties:
        missing = [user for user in duty.recipients
                   if (user.id, duty.notice_kind, duty.object_type, duty.object_id,
                       duty.due_key) not in sent]
        if missing:  # notify() checks again, per recipient: the unique key is the guarantee
            result.created += notify(missing, duty.notice_kind, duty.message,
                                     object_type=duty.object_type, object_id=duty.object_id,
                                     due_key=duty.due_key, link=duty.link)
    result.notices = len(result.created)
    return result


def sweep_commit_and_mail(now: datetime | None = None) -> SweepResult:
    """The sweep and, where SMTP is configured, each person's new duty notices as one
    e-mail owed, committed together; then every e-mail still owed is sent (after the
    commit: a rolled-back sweep mails nothing)."""
    from dwgk.core import mail
    from dwgk.reminders.mailing import owe_duty_mail

    if now is not None:
        with clock.freeze(now):
            return sweep_commit_and_mail()
    result = run_sweep()
    owe_duty_mail()
    db.session.commit()
    if mail.is_configured():
        result.mailed = mail.send_owed().sent
        result.mail_owed = mail.owed_count()
    return result


def _already_sent(duties: list[Duty]) -> set[tuple]:
    """The keys of the notices that exist for these duties, in one query: a sweep that
    finds nothing new runs no query per duty."""
    if not duties:
        return set()
    rows = db.session.execute(
        select(Notification.recipient_id, Notification.kind, Notification.object_type,
               Notification.object_id, Notification.due_key)
        .where(Notification.kind.in_({duty.notice_kind for duty in duties}),
               Notification.due_key.in_({duty.due_key for duty in duties})))
    return {tuple(row) for row in rows}
