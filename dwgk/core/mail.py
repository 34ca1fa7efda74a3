"""E-mail: off unless DWGK_SMTP_HOST is set. Mail goes out through the RQ worker (which
retries with backoff); when Redis cannot take the job, it is sent at once instead.

Call `deliver()` (or `enqueue()`) only after the database commit: a rolled-back change must
not have sent a message. Never log an address or a message body: they are personal data.
"""
from __future__ import annotations

import enum
import logging
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

log = logging.getLogger(__name__)

SEND_TIMEOUT = 10  # seconds, for the worker
INLINE_TIMEOUT = 5  # seconds, when a web request has to send the message itself
# Retries with backoff: 30 s, 2 min, 10 min, 30 min (only under `rq worker --with-scheduler`).
RETRY_INTERVALS = [30, 120, 600, 1800]
JOB_DESCRIPTION = "dwgk.jobs.send_mail"  # what the worker logs, instead of the address


class Outcome(str, enum.Enum):
    """What became of a message handed to deliver()."""

    NOT_CONFIGURED = "not_configured"
    QUEUED = "queued"
    SENT = "sent"  # Redis was unreachable: sent at once, from the request
    FAILED = "failed"  # neither queued nor sent: the caller must say so


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


def send_now(message: EmailMessage, config=None, timeout: float = SEND_TIMEOUT) -> None:
    """Hand `message` to the SMTP server now. Raises smtplib.SMTPException or OSError."""
    settings = _config(config)
    host, port = settings["DWGK_SMTP_HOST"], int(settings["DWGK_SMTP_PORT"])
    security = (settings.get("DWGK_SMTP_SECURITY") or "none").lower()
    if security == "ssl":
        server = smtplib.SMTP_SSL(host, port, timeout=timeout,
                                  context=ssl.create_default_context())
    else:
        server = smtplib.SMTP(host, port, timeout=timeout)
    with server:
        if security == "starttls":
            server.starttls(context=ssl.create_default_context())
        if settings.get("DWGK_SMTP_USER"):
            server.login(settings["DWGK_SMTP_USER"], settings.get("DWGK_SMTP_PASSWORD") or "")
        server.send_message(message)


def enqueue(to: str, subject: str, body: str):
    """Queue the message for the worker's `dwgk.jobs.send_mail`; returns the RQ job.
    Raises redis.RedisError when Redis cannot take it."""
    from rq import Retry

    from dwgk.extensions import get_queue

    return get_queue().enqueue(
        "dwgk.jobs.send_mail", to, subject, body,
        retry=Retry(max=len(RETRY_INTERVALS), interval=RETRY_INTERVALS),
        description=JOB_DESCRIPTION,
        # Personal data: gone from Redis once sent; a failed job is kept a week to look into.
        result_ttl=0, failure_ttl=7 * 24 * 3600)


def deliver(to: str, subject: str, body: str) -> Outcome:
    """Send a message the way dwgk does: queued for the worker; if Redis is down, at once
    with a short timeout. Never raises: the caller tells the user when it FAILED."""
    import redis

    if not is_configured():
        return Outcome.NOT_CONFIGURED
    try:
        enqueue(to, subject, body)
        return Outcome.QUEUED
    except redis.RedisError as exc:
        log.warning("mail: could not queue a message (%s); sending it now instead",
                    type(exc).__name__)
    try:
        send_now(build_message(to, subject, body), timeout=INLINE_TIMEOUT)
        return Outcome.SENT
    except (smtplib.SMTPException, OSError) as exc:
        log.warning("mail: a message could be neither queued nor sent (%s)", type(exc).__name__)
        return Outcome.FAILED
