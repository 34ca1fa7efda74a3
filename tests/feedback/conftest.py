"""Fixtures of the feedback tests."""
from __future__ import annotations

import email
import email.policy
import logging
import threading

import pytest
from aiosmtpd.controller import Controller

from tests.support import free_port

# The test's own SMTP server (aiosmtpd) logs what it receives: that is not dwgk's log.
NOT_OURS = ("mail.log", "mail.debug")


class AppLogs:
    def __init__(self, caplog):
        self.caplog = caplog

    @property
    def text(self) -> str:
        """Every record dwgk's process logged (its libraries included), formatted with its
        arguments, one a line."""
        lines = []
        for record in self.caplog.records:
            if record.name.startswith(NOT_OURS):
                continue
            lines.append(f"{record.name} {record.levelname} {record.getMessage()}")
            if record.exc_text:
                lines.append(record.exc_text)
        return "\n".join(lines)


@pytest.fixture
def app_logs(caplog):
    """Every log record at DEBUG, including those of loggers the migrations' fileConfig()
    disabled when the test schema was built (alembic's env.py disables existing loggers:
    without this, "nothing personal in the log" would pass for want of a log)."""
    loggers = [logger for logger in logging.root.manager.loggerDict.values()
               if isinstance(logger, logging.Logger) and logger.disabled]
    for logger in loggers:
        logger.disabled = False
    with caplog.at_level(logging.DEBUG):
        yield AppLogs(caplog)
    for logger in loggers:
        logger.disabled = True


class Inbox:
    """An aiosmtpd handler that keeps what it receives."""

    def __init__(self):
        self.messages: list[tuple[str, list[str], email.message.EmailMessage]] = []
        self.arrived = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), message))
        self.arrived.set()
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    inbox.port = controller.port
    yield inbox
    controller.stop()


@pytest.fixture
def smtp_env(monkeypatch, smtp_server, tmp_path, database_url):
    """The worker's environment: the job builds its app, SMTP settings and database
    included, from there."""
    monkeypatch.setenv("DWGK_DATABASE_URL", database_url)
    monkeypatch.setenv("DWGK_INSTANCE_PATH", str(tmp_path / "worker-instance"))
    monkeypatch.setenv("DWGK_SECRET_KEY", "worker-secret")
    monkeypatch.setenv("DWGK_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("DWGK_SMTP_PORT", str(smtp_server.port))
    monkeypatch.setenv("DWGK_SMTP_FROM", "dwgk@school.example.cn")
    return smtp_server
