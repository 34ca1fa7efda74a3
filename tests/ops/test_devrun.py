"""`make run`'s supervisor (dwgk.ops.devrun) with real processes: gunicorn, rq worker, rq cron
and redis-server. When Redis dies the web keeps answering (/healthz says Redis is down), the
worker and the scheduler wait for it and start again, and a redis-server devrun started is
started again; when the web server dies, everything stops."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import redis
from rq import Queue, Worker

from tests.support import RedisServer, free_port

ROOT = Path(__file__).resolve().parents[2]


class Devrun:
    def __init__(self, app, tmp_path, redis_port: int):
        self.port, self.redis_port = free_port(), redis_port
        self.log = tmp_path / "devrun.log"
        env = {key: value for key, value in os.environ.items() if not key.startswith("DWGK_")}
        env.update(DWGK_PORT=str(self.port), DWGK_WEB_WORKERS="1",
                   DWGK_REDIS_URL=f"redis://127.0.0.1:{redis_port}/0",
                   DWGK_INSTANCE_PATH=str(tmp_path / "instance"),
                   DWGK_DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"])
        with open(self.log, "wb") as out:
            self.process = subprocess.Popen([sys.executable, "-m", "dwgk.ops.devrun"], cwd=ROOT,
                                            env=env, stdout=out, stderr=subprocess.STDOUT,
                                            start_new_session=True)
        self.redis = redis.Redis.from_url(f"redis://127.0.0.1:{redis_port}/0",
                                          socket_connect_timeout=0.5, socket_timeout=0.5)
        self.wait_for(lambda: self.health() is not None, "the web server", 60)

    @property
    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def health(self) -> dict | None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=2) as r:
                return json.load(r)
        except OSError:
            return None

    def workers(self) -> int:
        try:
            return len(Worker.all(connection=self.redis))
        except redis.RedisError:
            return 0

    def housekeeping_ran(self) -> bool:
        """The scheduler enqueued the sweep (it does so as it starts) and the worker ran it."""
        try:
            return Queue("dwgk", connection=self.redis).finished_job_registry.count > 0
        except redis.RedisError:
            return False

    def redis_pid(self) -> int | None:
        try:
            return int(self.redis.info("server")["process_id"])
        except redis.RedisError:
            return None

    def wait_for(self, ready, what: str, timeout: float = 40) -> None:
        deadline = time.monotonic() + timeout
        while not ready():
            assert self.process.poll() is None, f"devrun exited:\n{self.output}"
            assert time.monotonic() < deadline, f"no {what} after {timeout} s:\n{self.output}"
            time.sleep(0.2)

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        return self.process.returncode


@pytest.fixture
def devrun(app, tmp_path):
    started = []

    def start(redis_port: int) -> Devrun:
        started.append(Devrun(app, tmp_path, redis_port))
        return started[-1]

    yield start
    for run in started:
        run.stop()


def _steady(run: Devrun) -> None:
    run.wait_for(lambda: run.workers() == 1, "RQ worker registered in Redis")
    run.wait_for(run.housekeeping_ran, "housekeeping run by the scheduler and the worker")


def test_its_own_redis_killed_is_started_again_and_the_web_keeps_answering(devrun):
    run = devrun(free_port())  # nothing answers there: devrun starts its own redis-server
    _steady(run)
    first_pid = run.redis_pid()
    os.kill(first_pid, signal.SIGKILL)

    answers = [run.health() for _ in range(10)]  # meanwhile the web answers every time
    assert all(answer is not None and answer["database"] == "ok" for answer in answers)
    run.wait_for(lambda: run.redis_pid() not in (None, first_pid), "a new redis-server")
    _steady(run)  # empty again, then worker and scheduler are back: the sweep ran again
    assert run.health()["redis"] == "ok"
    assert "redis-server was killed by SIGKILL; starting it again" in run.output
    assert run.stop() == 0


def test_an_outside_redis_away_for_a_while_stops_nothing(devrun, tmp_path):
    outside = RedisServer(tmp_path / "redis")
    (tmp_path / "redis").mkdir()
    outside.start()
    try:
        run = devrun(outside.port)
        _steady(run)
        outside.kill()
        down_since = time.monotonic()
        while time.monotonic() - down_since < 15:  # a while: rq worker and rq cron give up
            answer = run.health()
            assert answer is not None and answer["redis"].startswith("down"), answer
            time.sleep(0.5)
        assert run.process.poll() is None

        outside.start()  # back, empty
        _steady(run)
        assert run.health()["redis"] == "ok"
        assert run.stop() == 0
    finally:
        outside.stop()


def test_the_web_server_dying_stops_everything(devrun):
    run = devrun(free_port())
    _steady(run)
    gunicorn = subprocess.run(["pgrep", "-s", str(run.process.pid), "-f", "gunicorn"],
                              capture_output=True, text=True).stdout.split()
    assert gunicorn
    for pid in gunicorn:
        os.kill(int(pid), signal.SIGKILL)
    assert run.process.wait(timeout=30) == 1
    assert "web server (gunicorn)" in run.output and "stopping the others" in run.output
