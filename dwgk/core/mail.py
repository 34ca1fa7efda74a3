"""E-mail: off unless DWGK_SMTP_HOST is set.

Every message dwgk sends goes through the outbox (core.models.OutgoingMail): `owe()` writes
it in the same transaction as what calls for it, and `send_owed()` hands what is owed to the
SMTP server, marking each message sent only once the server accepted it. So the database,
not Redis, says what is still owed: the worker's job (`dwgk.jobs.send_owed_mail`, woken up
by `wake_worker()` after a commit) and every reminder sweep send it. A sender claims a
message for LEASE before it talks to the server; if it is killed mid-mail the claim lapses
and the next pass sends the message. The one window left: killed after the server accepted
a message but before the "sent" was committed — that message goes out twice.

Never log an address or a message body: they are personal data.
"""
from __future__ import annotations

import logging
import smtplib
import ssl
import time
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from sqlalchemy import and_, delete, func, or_, select, update

log = logging.getLogger(__name__)

SEND_TIMEOUT = 10  # seconds, for the worker and the sweep
INLINE_TIMEOUT = 5  # seconds, when a web request has to send the message itself
LEASE = timedelta(minutes=5)  # a claim; far longer than one message takes
SEND_BUDGET = 120  # seconds one pass may spend (rq's job timeout is 180 s)
KEEP_DONE = timedelta(days=30)  # sent or abandoned mail is deleted after this
JOB = "dwgk.jobs.send_owed_mail"  # takes no arguments: nothing personal goes to Redis


def _config(config=None):
    if config is not None:
        return config
    from flask import current_app

    return current_app.config


def is_configured(config=None) -> bool:
    return bool(_config(config).get("DWGK_SMTP_HOST"))


def build_message(to: str, subject: str, body_text: str, config=None) -> EmailMessage:
    """A plain-text UTF-8 message from DWGK_SMTP_FROM."""
    settings = _config(config)
    message = EmailMessage()
    message["From"] = settings["DWGK_SMTP_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=True)
    domain = settings["DWGK_SMTP_FROM"].rpartition("@")[2] or None
    message["Message-ID"] = make_msgid(domain=domain)
    message.set_content(body_text, charset="utf-8")
    return message


def connect(config=None, timeout: float = SEND_TIMEOUT) -> smtplib.SMTP:
    """An SMTP session, logged in when DWGK_SMTP_USER is set. Raises smtplib.SMTPException
    or OSError."""
    settings = _config(config)
    host, port = settings["DWGK_SMTP_HOST"], int(settings["DWGK_SMTP_PORT"])
    security = (settings.get("DWGK_SMTP_SECURITY") or "none").lower()
    if security == "ssl":
        server = smtplib.SMTP_SSL(host, port, timeout=timeout,
                                  context=ssl.create_default_context())
    else:
        server = smtplib.SMTP(host, port, timeout=timeout)
    try:
        if security == "starttls":
            server.starttls(context=ssl.create_default_context())
        if settings.get("DWGK_SMTP_USER"):
            server.login(settings["DWGK_SMTP_USER"], settings.get("DWGK_SMTP_PASSWORD") or "")
    except BaseException:
        server.close()
        raise
    return server


def send_now(message: EmailMessage, config=None, timeout: float = SEND_TIMEOUT) -> None:
    """Hand `message` to the SMTP server now. Raises smtplib.SMTPException or OSError."""
    with connect(config, timeout) as server:
        server.send_message(message)


def owe(to: str, subject: str, body: str, *, purpose: str, keep_trying: timedelta):
    """Record a message to send (flushes; the caller commits, with what calls for it).
    After the commit, `wake_worker()` gets it sent at once; otherwise the next sweep does.
    `keep_trying`: how long it is worth sending while the SMTP server is away."""
    from dwgk.core import clock
    from dwgk.core.models import OutgoingMail
    from dwgk.extensions import db

    row = OutgoingMail(purpose=purpose, to_address=to, subject=subject[:200], body=body,
                       send_before=clock.now() + keep_trying)
    db.session.add(row)
    db.session.flush()
    return row


def wake_worker() -> bool:
    """After a commit that owed mail: queue the job that sends what is owed. False when
    Redis cannot take it (the caller may send at once; the next sweep sends it anyway)."""
    import redis

    from dwgk.extensions import get_queue

    try:
        get_queue().enqueue(JOB, description=JOB, result_ttl=0, failure_ttl=7 * 24 * 3600)
        return True
    except redis.RedisError as exc:
        log.warning("mail: could not wake the worker (%s); the mail stays owed",
                    type(exc).__name__)
        return False


@dataclass
class SendPass:
    """What one pass of send_owed() did."""

    sent: int = 0  # accepted by the SMTP server
    refused: int = 0  # refused for good (5xx): not tried again
    deferred: bool = False  # the server could not be reached: the rest waits for the next pass


def _owed_clause(now):
    from dwgk.core.models import OutgoingMail as M

    return and_(M.sent_at.is_(None), M.failed_at.is_(None), M.send_before > now,
                or_(M.claimed_until.is_(None), M.claimed_until < now))


def owed_count() -> int:
    """Messages still owed (claimed ones included)."""
    from dwgk.core import clock
    from dwgk.core.models import OutgoingMail as M
    from dwgk.extensions import db

    return db.session.scalar(select(func.count()).select_from(M).where(
        M.sent_at.is_(None), M.failed_at.is_(None), M.send_before > clock.now()))


def send_owed(ids: list[int] | None = None, *, timeout: float = SEND_TIMEOUT,
              budget: float = SEND_BUDGET) -> SendPass:
    """Send what is owed (only `ids`, when given), oldest first, over one SMTP session, for
    at most `budget` seconds. Each message is claimed (committed) before it is handed over
    and marked sent (committed) once the server accepted it. Commits; never raises for a
    mail server's fault."""
    from dwgk.core import clock
    from dwgk.core.models import OutgoingMail as M
    from dwgk.extensions import db

    result = SendPass()
    if not is_configured():
        return result
    if ids is None:
        _purge_done()
    started, after, server = time.monotonic(), 0, None
    try:
        while time.monotonic() - started < budget:
            now = clock.now()
            query = select(M.id).where(_owed_clause(now), M.id > after).order_by(M.id).limit(1)
            if ids is not None:
                query = query.where(M.id.in_(ids))
            mail_id = db.session.scalar(query)
            if mail_id is None:
                break
            after = mail_id
            claimed = db.session.execute(update(M).where(M.id == mail_id, _owed_clause(now))
                                         .values(claimed_until=now + LEASE,
                                                 attempts=M.attempts + 1)).rowcount
            db.session.commit()
            if claimed != 1:  # another sender took it first
                continue
            row = db.session.get(M, mail_id)
            try:
                if server is None:  # a refusal here (auth, banner) is the server's, not the mail's
                    server = connect(timeout=timeout)
            except (smtplib.SMTPException, OSError) as exc:
                server = _defer(row, exc, result)
                break
            try:
                server.send_message(build_message(row.to_address, row.subject, row.body))
            except (smtplib.SMTPRecipientsRefused, smtplib.SMTPResponseException) as exc:
                if _is_permanent(exc):
                    log.warning("mail: the SMTP server refused a %s message for good (%s)",
                                row.purpose, type(exc).__name__)
                    row.failed_at, row.claimed_until = clock.now(), None
                    result.refused += 1
                else:
                    row.claimed_until = None
                db.session.commit()
            except (smtplib.SMTPException, OSError) as exc:
                server.close()
                server = _defer(row, exc, result)
                break
            else:
                row.sent_at, row.claimed_until = clock.now(), None
                db.session.commit()
                result.sent += 1
    finally:
        if server is not None:
            try:
                server.quit()
            except (smtplib.SMTPException, OSError):
                server.close()
    return result


def _defer(row, exc: Exception, result: SendPass) -> None:
    """The server cannot be reached: release the claim; the next pass sends the rest."""
    from dwgk.extensions import db

    log.warning("mail: the SMTP server cannot be reached (%s); what is owed is sent by the "
                "next pass", type(exc).__name__)
    row.claimed_until = None
    db.session.commit()
    result.deferred = True


def _is_permanent(exc: smtplib.SMTPException) -> bool:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _text in exc.recipients.values())
    return getattr(exc, "smtp_code", 0) >= 500


def _purge_done() -> None:
    """Sent, refused and abandoned mail leaves the database after KEEP_DONE."""
    from dwgk.core import clock
    from dwgk.core.models import OutgoingMail as M
    from dwgk.extensions import db

    cutoff = clock.now() - KEEP_DONE
    db.session.execute(delete(M).where(or_(M.sent_at < cutoff, M.failed_at < cutoff,
                                           M.send_before < cutoff)))
    db.session.commit()
