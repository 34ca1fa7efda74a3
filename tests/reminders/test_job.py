"""The scheduled job through a real redis-server and an RQ worker: enqueue → the worker runs
the sweep → people are notified; flushing Redis loses nothing (the next run finds the same
duties and tells nobody twice)."""
from __future__ import annotations

from datetime import datetime

import redis
from rq import Queue, SimpleWorker
from sqlalchemy import func, select

from dwgk.extensions import db
from dwgk.notifications.models import Notification
from tests.factories import make_disclosure
from tests.reminders import user


def _run_job(redis_server):
    connection = redis.Redis.from_url(redis_server.url)
    queue = Queue("dwgk", connection=connection)
    job = queue.enqueue("dwgk.jobs.housekeeping")
    SimpleWorker([queue], connection=connection).work(burst=True)
    job.refresh()
    assert job.is_finished, job.latest_result()
    return job


def _notices(app):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Notification)
                                 .where(Notification.kind.like("duty.%")))


def test_the_worker_runs_the_sweep_and_a_flushed_redis_loses_nothing(
        app, users, frozen_clock, redis_server, monkeypatch, tmp_path):
    # The job builds its own app from the environment, as the worker does in production.
    monkeypatch.setenv("DWGK_DATABASE_URL", app.config["SQLALCHEMY_DATABASE_URI"])
    monkeypatch.setenv("DWGK_REDIS_URL", redis_server.url)
    monkeypatch.setenv("DWGK_INSTANCE_PATH", str(tmp_path / "worker-instance"))
    monkeypatch.setenv("DWGK_SECRET_KEY", "test-worker-key")
    frozen_clock(datetime(2026, 9, 29, 15, 0))
    with app.app_context():
        make_disclosure(author=user("office"), publicity_workdays=5)  # last day Oct 12
        db.session.commit()

    frozen_clock(datetime(2026, 10, 12, 9, 0))
    _run_job(redis_server)
    told = _notices(app)
    assert told >= 1  # the office: "公示期今日届满，请公布结果"

    redis_server.flush()  # Redis keeps nothing: a restart or a flush
    _run_job(redis_server)
    assert _notices(app) == told
