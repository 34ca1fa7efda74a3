"""Duty notices and the review loop's notices by e-mail, where SMTP is configured (DWGK_SMTP_*).

In the sweep's own transaction, each person's duty notices not yet e-mailed become one
message in the outbox (core.mail.owe), and the notices are marked (`Notification.emailed_at`:
"its e-mail is in the outbox"), in one commit with the notices themselves: a notice is never
committed without the mail it is owed, nor put in two messages (the mark is taken with a
conditional UPDATE, so two sweeps at once cannot both take it). The sweep then sends what
the outbox owes (core.mail.send_owed); a message not sent now is sent by the next sweep,
for a day; after that the in-app notice is what remains.

The review loop's notices (submitted, returned, approved, published; disclosures.notices) are
put in the outbox the same way right after the request's commit (mail_notices_after_commit),
and sent by the worker, or at once when Redis is down; a crash between the two commits
leaves them to the next sweep, which owes every notice not yet e-mailed.
"""
from __future__ import annotations

from datetime import timedelta
from itertools import groupby

from flask import current_app, render_template
from sqlalchemy import select, update

from dwgk.accounts.models import User
from dwgk.core import clock, mail
from dwgk.core import settings as unit_settings
from dwgk.extensions import db
from dwgk.notifications.models import Notification
from dwgk.disclosures.notices import KIND_LABELS as STEP_LABELS
from dwgk.reminders.duties import KIND_LABELS

# A notice not mailed within a day (the SMTP server away that long) is not mailed late.
MAIL_WINDOW = timedelta(days=1)
DUTY_KINDS = "duty.%"
STEP_KINDS = "disclosure.%"
PURPOSE = "reminders.duty"


def mail_notices_after_commit() -> int:
    """After a request's commit: owe the notices not yet e-mailed (the review loop's, and any
    duty's), commit, and have them sent (where SMTP is configured; otherwise nothing, not
    even a query). Returns the messages owed."""
    if not mail.is_configured():
        return 0
    messages = owe_duty_mail()
    db.session.commit()
    if messages and not mail.wake_worker():
        mail.send_owed(timeout=mail.INLINE_TIMEOUT, budget=2 * mail.INLINE_TIMEOUT)
    return messages


def owe_duty_mail() -> int:
    """Put each person's duty and review-loop notices not yet e-mailed into one outbox
    message. Flushes; the caller commits. Returns the messages added."""
    if not mail.is_configured():
        return 0
    rows = db.session.execute(
        select(Notification.id, Notification.recipient_id, Notification.kind,
               Notification.due_key, Notification.message, Notification.link,
               User.email, User.display_name)
        .join(User, User.id == Notification.recipient_id)
        .where(Notification.kind.like(DUTY_KINDS) | Notification.kind.like(STEP_KINDS),
               Notification.emailed_at.is_(None),
               Notification.created_at >= clock.now() - MAIL_WINDOW, User.active.is_(True),
               User.email.is_not(None), User.email != "")
        .order_by(Notification.recipient_id, Notification.id)).all()
    messages = 0
    for _recipient_id, group in groupby(rows, key=lambda row: row.recipient_id):
        group = list(group)
        taken = set(db.session.scalars(
            update(Notification)
            .where(Notification.id.in_([row.id for row in group]),
                   Notification.emailed_at.is_(None))
            .values(emailed_at=clock.now())
            .returning(Notification.id)))
        notices = [row for row in group if row.id in taken]
        if notices:
            mail.owe(*_message(notices), purpose=PURPOSE, keep_trying=MAIL_WINDOW)
            messages += 1
    return messages


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
