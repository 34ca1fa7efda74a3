"""Duty notices and the review loop's notices by e-mail, where SMTP is configured (DWGK_SMTP_*).

Called after the sweep's commit (a rolled-back sweep mails nothing), and after the commit
of a request that told someone of a step of the review loop (`mail_notices_after_commit`:
submitted, returned, approved, published; see disclosures.notices). Each person gets one
message listing their duty notices that have not been e-mailed yet; `Notification.emailed_at`
is the sent-record, claimed row by row before the message is handed over, so a notice is
mailed once however often the sweep runs, and two sweeps at once never both mail it. The
message goes through the RQ worker (retried with backoff), or at once when Redis is down
(`core.mail.deliver`). When it can be neither queued nor sent, the claim is released and
the next sweep tries again, for a day; after that the in-app notice is what remains.
"""
from __future__ import annotations

import logging
from datetime import timedelta
from itertools import groupby

from flask import current_app, render_template
from sqlalchemy import and_, select, update

from dwgk.accounts.models import User
from dwgk.core import clock, mail
from dwgk.core import settings as unit_settings
from dwgk.extensions import db
from dwgk.notifications.models import Notification
from dwgk.disclosures.notices import KIND_LABELS as STEP_LABELS
from dwgk.reminders.duties import KIND_LABELS

log = logging.getLogger(__name__)

# A notice not mailed within a day (SMTP and Redis both down that long) is not mailed late.
MAIL_WINDOW = timedelta(days=1)
DUTY_KINDS = "duty.%"
STEP_KINDS = "disclosure.%"


def mail_notices_after_commit() -> int:
    """After a request's commit: e-mail the notices of the review loop not yet e-mailed
    (where SMTP is configured; otherwise nothing, not even a query)."""
    if not mail.is_configured():
        return 0
    return mail_duty_notices()


def mail_duty_notices() -> int:
    """E-mail the duty notices and the review loop's notices not yet e-mailed, one message
    per person. Commits (the claims); call it after the caller's own commit. Returns the
    messages handed over."""
    if not mail.is_configured():
        return 0
    since = clock.now() - MAIL_WINDOW
    rows = db.session.execute(
        select(Notification.id, Notification.recipient_id, Notification.kind,
               Notification.due_key, Notification.message, Notification.link,
               User.email, User.display_name)
        .join(User, User.id == Notification.recipient_id)
        .where(Notification.kind.like(DUTY_KINDS) | Notification.kind.like(STEP_KINDS),
               Notification.emailed_at.is_(None),
               Notification.created_at >= since, User.active.is_(True),
               User.email.is_not(None), User.email != "")
        .order_by(Notification.recipient_id, Notification.id)).all()
    db.session.rollback()  # end the read: each claim below is its own short transaction
    messages = 0
    for _recipient_id, group in groupby(rows, key=lambda row: row.recipient_id):
        notices = [row for row in group if _claim(row.id)]
        if not notices:
            continue
        to, subject, body = _message(notices)
        outcome = mail.deliver(to, subject, body)
        if outcome in (mail.Outcome.QUEUED, mail.Outcome.SENT):
            messages += 1
        else:  # FAILED: the next sweep tries again (the address stays out of the log)
            log.warning("reminders: a duty e-mail could be neither queued nor sent; "
                        "the next sweep tries again")
            _release([row.id for row in notices])
    return messages


def _claim(notice_id: int) -> bool:
    """Mark one notice as e-mailed unless someone else did: True when it is ours to send."""
    claimed = db.session.execute(
        update(Notification)
        .where(and_(Notification.id == notice_id, Notification.emailed_at.is_(None)))
        .values(emailed_at=clock.now())).rowcount
    db.session.commit()
    return claimed == 1


def _release(notice_ids: list[int]) -> None:
    db.session.execute(update(Notification).where(Notification.id.in_(notice_ids))
                       .values(emailed_at=None))
    db.session.commit()


def _message(notices) -> tuple[str, str, str]:
    unit = unit_settings.get().unit_name
    first = notices[0]
    if len(notices) == 1:
        label = (STEP_LABELS.get(first.kind)
                 or KIND_LABELS.get(first.kind.removeprefix("duty."), "待办"))
        late = "（已逾期）" if first.due_key.startswith("overdue:") else ""
        subject = f"{unit}党务公开提醒：{label}{late}"
    else:
        subject = f"{unit}党务公开提醒：{len(notices)} 项待办"
    base_url = (current_app.config.get("DWGK_PUBLIC_URL") or "").rstrip("/")
    body = render_template("emails/duty_reminder.txt", unit_name=unit, name=first.display_name,
                           notices=notices, base_url=base_url)
    return first.email, subject, body
