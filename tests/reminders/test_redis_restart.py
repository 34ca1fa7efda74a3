"""Redis killed and restarted mid-run (a private redis-server: the session's stays up).
Redis keeps nothing on disk, so the queued sweep is lost with it; the scheduler (`rq cron`,
started again as it would be) enqueues the sweep at once, and the worker's sweep tells every
person about every duty exactly once."""
from __future__ import annotations

import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest
import redis
from rq import Queue, SimpleWorker

from dwgk.disclosures.models import State
from dwgk.extensions import db
from tests.factories import make_disclosure
from tests.reminders import duty_notices, full_duties_now, user
from tests.support import RedisServer

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def own_redis(tmp_path):
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


def _worker_env(monkeypatch, app, redis_url, tmp_path):
    """The worker builds its own app from the environment, as in production."""
    monkeypatch.setenv("DWGK_DATABASE_URL", app.config["SQLALCHEMY_DATABASE_URI"])
    monkeypatch.setenv("DWGK_REDIS_URL", redis_url)
    monkeypatch.setenv("DWGK_INSTANCE_PATH", str(tmp_path / "worker-instance"))
    monkeypatch.setenv("DWGK_SECRET_KEY", "test-worker-key")


def _work(queue):
    SimpleWorker([queue], connection=queue.connection).work(burst=True)
    assert queue.failed_job_registry.count == 0


def _scheduler_enqueues(redis_url, queue, timeout=20.0):
    """Start `rq cron dwgk.cron_config` as the scheduler service does; stop it once it has
    enqueued the housekeeping job (an interval job fires when rq cron starts)."""
    process = subprocess.Popen([sys.executable, "-m", "rq.cli", "cron", "--url", redis_url,
                                "dwgk.cron_config"], cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + timeout
        while queue.count == 0:
            assert process.poll() is None, "rq cron exited"
            assert time.monotonic() < deadline, "rq cron enqueued nothing"
            time.sleep(0.1)
    finally:
        process.terminate()
        process.wait(timeout=10)
    return [job.func_name for job in queue.jobs]


def _expected(app):
    """Every (person, kind, object, due key) the duties of the frozen day call for."""
    return sorted((recipient.username, duty.notice_kind, duty.object_id, duty.due_key)
                  for duty in full_duties_now(app) for recipient in duty.recipients)


def test_redis_killed_mid_run_then_every_duty_is_notified_exactly_once(
        app, users, frozen_clock, own_redis, monkeypatch, tmp_path):
    from tests.supervision import make_feedback, make_note

    _worker_env(monkeypatch, app, own_redis.url, tmp_path)
    queue = Queue("dwgk", connection=redis.Redis.from_url(own_redis.url))
    frozen_clock(datetime(2026, 11, 2, 10, 0))
    make_note(app)
    frozen_clock(datetime(2026, 11, 18, 10, 0))
    with app.app_context():
        make_disclosure(State.IN_REVIEW, author=user("office"))
        db.session.commit()

    frozen_clock(datetime(2026, 11, 23, 9, 0))  # both due today
    queue.enqueue("dwgk.jobs.housekeeping")
    _work(queue)
    monday = duty_notices(app)
    assert monday == _expected(app) and len(monday) == 2

    frozen_clock(datetime(2026, 11, 24, 9, 0))  # both overdue, and named feedback too
    make_feedback(app, named=True, received_on=datetime(2026, 11, 3).date())
    queue.enqueue("dwgk.jobs.housekeeping")
    own_redis.stop()  # killed before the worker took the job: Redis keeps nothing
    own_redis.start()
    assert queue.count == 0

    assert _scheduler_enqueues(own_redis.url, queue) == ["dwgk.jobs.housekeeping"]
    _work(queue)
    tuesday = _expected(app)
    assert {kind for _who, kind, _id, _key in tuesday} == {"duty.note", "duty.review",
                                                            "duty.feedback"}
    assert duty_notices(app) == sorted(monday + tuesday)  # each exactly once

    queue.enqueue("dwgk.jobs.housekeeping")  # and once more: nothing new
    _work(queue)
    assert duty_notices(app) == sorted(monday + tuesday)
