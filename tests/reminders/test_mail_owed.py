"""A reminder e-mail is owed until the SMTP server has accepted it: the database says what
is owed, and every sweep sends what still is. Drills with a real redis-server killed with -9
and restarted empty, a real worker process killed mid-mail, and aiosmtpd as the SMTP server."""
from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import redis
from aiosmtpd.controller import Controller
from rq import Queue, SimpleWorker

from dwgk.accounts.models import Role
from dwgk.core import mail
from dwgk.extensions import db
from dwgk.notifications.models import Notification
from tests.factories import make_user
from tests.feedback.conftest import Inbox
from tests.reminders.test_mail import _duties, _people, _smtp, _sweep
from tests.support import RedisServer, free_port

ROOT = Path(__file__).resolve().parents[2]

ADDRESSES = ["li@school.example.cn", "wang@school.example.cn"]


def _delivered(smtp_server) -> list[str]:
    return sorted(recipients[0] for _sender, recipients, _message in smtp_server.messages)


def test_redis_killed_after_the_sweep_loses_no_mail(make_app, smtp_env, frozen_clock, tmp_path,
                                                     monkeypatch):
    own = RedisServer(tmp_path)
    own.start()
    try:
        monkeypatch.setenv("DWGK_REDIS_URL", own.url)
        app = make_app(**_smtp(smtp_env, DWGK_REDIS_URL=own.url, RATELIMIT_STORAGE_URI=own.url))
        _people(app)
        _duties(app, frozen_clock)
        frozen_clock(datetime(2026, 11, 23, 9, 0))
        first = _sweep(app)  # `reminders sweep`, no worker running
        assert first.notices == 3

        own.kill()  # kill -9, then started again: empty
        own.start()
        queue = Queue("dwgk", connection=redis.Redis.from_url(own.url))
        SimpleWorker([queue], connection=queue.connection).work(burst=True)  # a worker starts
        frozen_clock(datetime(2026, 11, 23, 9, 10))
        _sweep(app)  # the next sweep
        SimpleWorker([queue], connection=queue.connection).work(burst=True)
        assert _delivered(smtp_env) == ADDRESSES

        for _ in range(3):  # and never twice
            _sweep(app)
        SimpleWorker([queue], connection=queue.connection).work(burst=True)
        assert _delivered(smtp_env) == ADDRESSES
    finally:
        own.stop()


class StallingInbox(Inbox):
    """An SMTP server that stalls on the `stall_at`th message until released; the message
    is then dropped ("before": the sender died before the server accepted it) or kept
    ("after": accepted, but the sender died before it heard so)."""

    def __init__(self, stall_at: int, kept: bool):
        super().__init__()
        self.stall_at, self.kept, self.seen = stall_at, kept, 0
        self.stalled, self.release = threading.Event(), threading.Event()

    async def handle_DATA(self, server, session, envelope):
        self.seen += 1
        if self.seen != self.stall_at:
            return await super().handle_DATA(server, session, envelope)
        if self.kept:
            await super().handle_DATA(server, session, envelope)
        self.stalled.set()
        await asyncio.get_running_loop().run_in_executor(None, self.release.wait, 30)
        return "451 4.3.0 the client went away"


PEOPLE = 10


@pytest.mark.parametrize("kept", [False, True], ids=["before-accepted", "after-accepted"])
def test_a_worker_killed_mid_mail_loses_no_mail(make_app, redis_server, monkeypatch, tmp_path,
                                                 frozen_clock, kept):
    inbox = StallingInbox(stall_at=3, kept=kept)
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    inbox.port = controller.port
    try:
        app = make_app(**_smtp(inbox))
        for key, value in {"DWGK_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
                           "DWGK_REDIS_URL": redis_server.url, "DWGK_SECRET_KEY": "worker-key",
                           "DWGK_INSTANCE_PATH": str(tmp_path / "worker-instance"),
                           "DWGK_SMTP_HOST": "127.0.0.1", "DWGK_SMTP_PORT": str(inbox.port),
                           "DWGK_SMTP_FROM": "dwgk@school.example.cn"}.items():
            monkeypatch.setenv(key, value)
        addresses = _duty_notices_due(app)  # made now, in the real clock the worker reads
        queue = Queue("dwgk", connection=redis.Redis.from_url(redis_server.url))
        queue.enqueue("dwgk.jobs.housekeeping")  # the scheduler's sweep

        worker = _start_worker(redis_server.url)
        try:
            assert inbox.stalled.wait(60), "the worker sent no third message"
        finally:
            _kill_worker(worker)
            inbox.release.set()

        _start_worker(redis_server.url).wait(timeout=60)  # started again: whatever is queued
        frozen_clock(datetime.now(timezone.utc) + mail.LEASE + timedelta(minutes=1))  # the next sweep
        _sweep(app)
        delivered = Counter(recipients[0] for _s, recipients, _m in inbox.messages)
        assert set(delivered) == set(addresses)  # nobody lost
        doubled = sorted(address for address, count in delivered.items() if count > 1)
        assert len(doubled) == (1 if kept else 0)  # accepted but not recorded: sent again
        assert max(delivered.values()) <= 2
    finally:
        controller.stop()


def _duty_notices_due(app) -> list[str]:
    """PEOPLE office users, each with one duty notice not yet e-mailed."""
    with app.app_context():
        addresses = []
        for number in range(PEOPLE):
            person = make_user(Role.OFFICE, username=f"office{number}",
                               email=f"office{number}@school.example.cn")
            db.session.flush()
            db.session.add(Notification(recipient_id=person.id, kind="duty.note",
                                        object_type="supervision_note", object_id=number,
                                        due_key="due:2026-12-02", message="监督意见待答复"))
            addresses.append(person.email)
        db.session.commit()
        return addresses


def _kill_worker(worker: subprocess.Popen) -> None:
    """kill -9 the worker and its work horse (a session of its own: rq calls setsid)."""
    horses = subprocess.run(["pgrep", "-P", str(worker.pid)], capture_output=True,
                            text=True).stdout.split()
    for pid in horses:
        os.kill(int(pid), signal.SIGKILL)
    os.killpg(worker.pid, signal.SIGKILL)
    worker.wait(timeout=10)
    assert horses, "no work horse was running"


def _start_worker(redis_url) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "rq.cli", "worker", "--burst", "--url",
                             redis_url, "dwgk"], cwd=ROOT, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
