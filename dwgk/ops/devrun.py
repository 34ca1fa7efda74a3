"""`python -m dwgk.ops.devrun`: run dwgk for development, the last step of `make run`.

Starts the web server (gunicorn), the RQ worker and the scheduler (rq cron), plus a throwaway
local redis-server when none answers at a loopback DWGK_REDIS_URL, and supervises them:
Ctrl-C or SIGTERM stops them all and exits 0. Redis going away stops nothing: the web keeps
answering (/healthz says Redis is down), a worker or scheduler that exits waits until Redis
answers and is started again, and a redis-server devrun started is started again at once
(empty: the next sweep finds what is due, and the outbox what is owed). Only the web server
dying, or a worker or scheduler that keeps failing with Redis up, stops the others and
exits 1.

Settings, from the environment:
    DWGK_HOST         address to listen on              127.0.0.1
    DWGK_PORT         port to listen on                 5000
    DWGK_REDIS_URL    Redis for RQ and rate limits      redis://127.0.0.1:6379/0
    DWGK_WEB_WORKERS  gunicorn worker processes         2
    DWGK_INSTANCE_PATH  instance folder (the Redis started here works in it)   instance/
"""
from __future__ import annotations

import ctypes
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import redis

from dwgk.config import instance_path
from dwgk.demo.seed import DEMO_PASSWORD, DEMO_USERS

ROOT = Path(__file__).resolve().parents[2]
QUEUE = "dwgk"
GRACE_SECONDS = 10  # how long a child may take to stop before it is killed
LOOPBACK = {"localhost", "127.0.0.1", "::1"}
REDIS = "redis-server"
WEB = "web server (gunicorn)"
REDIS_CLIENTS = ("rq worker", "rq cron (scheduler)")  # they wait for Redis and start again
QUICK_SECONDS = 10  # a Redis client that exits sooner than this with Redis up failed to start
QUICK_LIMIT = 3  # failed starts in a row before devrun gives up


class Exit(Exception):
    """Stop everything and leave with this status after saying why."""

    def __init__(self, message: str, status: int = 1):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Settings:
    host: str
    port: int
    redis_url: str
    web_workers: int
    instance: Path

    @classmethod
    def from_env(cls) -> Settings:
        def env(name: str, default: str) -> str:
            return os.environ.get(name) or default

        def env_int(name: str, default: int) -> int:
            value = env(name, str(default))
            if not value.isdigit() or int(value) < 1:
                raise Exit(f"{name} must be a positive whole number, not {value!r}")
            return int(value)

        return cls(
            host=env("DWGK_HOST", "127.0.0.1"),
            port=env_int("DWGK_PORT", 5000),
            redis_url=env("DWGK_REDIS_URL", "redis://127.0.0.1:6379/0"),
            web_workers=env_int("DWGK_WEB_WORKERS", 2),
            instance=instance_path(),
        )

    @property
    def bind(self) -> str:
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"

    @property
    def url(self) -> str:
        return f"http://{self.bind}/"


def say(message: str) -> None:
    print(f"devrun: {message}", flush=True)


# --------------------------------------------------------------------------- children

if sys.platform == "linux":
    _libc = ctypes.CDLL(None, use_errno=True)

    def _die_with_parent() -> None:
        # PR_SET_PDEATHSIG (1): should devrun itself be killed (kill -9), the kernel sends
        # each child SIGTERM, so no server is left holding its port.
        _libc.prctl(1, signal.SIGTERM)
else:  # pragma: no cover
    _die_with_parent = None


class Children:
    """The processes devrun started, by name, in start order."""

    def __init__(self) -> None:
        self.procs: dict[str, subprocess.Popen] = {}
        self.specs: dict[str, tuple[list[str], dict[str, str] | None]] = {}
        self.started_at: dict[str, float] = {}

    def start(self, name: str, argv: list[str], env: dict[str, str] | None = None) -> None:
        # Each child gets its own process group: Ctrl-C reaches devrun only, and devrun stops
        # the children one by one; killpg() then also reaches their own children.
        self.specs[name] = (argv, env)
        self.started_at[name] = time.monotonic()
        self.procs[name] = subprocess.Popen(
            argv, cwd=ROOT, env=env, process_group=0, preexec_fn=_die_with_parent)

    def restart(self, name: str) -> None:
        """Start `name` again as it was started (its old process has exited); it keeps its
        place in the stop order."""
        self.reap(name)
        self.start(name, *self.specs[name])

    def stop(self, name: str) -> None:
        """Stop one child: SIGTERM (rq finishes its job first), then SIGKILL."""
        proc = self.procs[name]
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=GRACE_SECONDS)
            except subprocess.TimeoutExpired:
                say(f"{name} did not stop within {GRACE_SECONDS} s; killing it")
        self.reap(name)
        proc.wait()

    def reap(self, name: str) -> None:
        """Whatever is left of an exited child's process group (rq's work horse, say)."""
        try:
            os.killpg(self.procs[name].pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass

    def first_dead(self) -> tuple[str, int] | None:
        for name, proc in self.procs.items():
            if proc.poll() is not None:
                return name, proc.returncode
        return None

    def stop_all(self) -> None:
        """Stop the children in reverse start order (Redis last): SIGTERM, then SIGKILL."""
        for name in reversed(self.procs):
            self.stop(name)


def describe(returncode: int) -> str:
    if returncode < 0:
        return f"was killed by {signal.Signals(-returncode).name}"
    return f"exited with status {returncode}"


# --------------------------------------------------------------------------- steps

_stop_signal: int | None = None


def _on_signal(signum, frame) -> None:
    global _stop_signal
    _stop_signal = signum


def wait_until(ready, what: str, children: Children, timeout: float = 20) -> None:
    """Poll ready() until it is true; give up on a signal, a dead child or the timeout."""
    deadline = time.monotonic() + timeout
    while not ready():
        if _stop_signal is not None:
            raise Exit("stopped before startup finished", status=0)
        dead = children.first_dead()
        if dead:
            raise Exit(f"{dead[0]} {describe(dead[1])} while waiting for {what}")
        if time.monotonic() > deadline:
            raise Exit(f"gave up waiting for {what} after {timeout:.0f} s")
        time.sleep(0.2)


def redis_answers(url: str) -> bool:
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=0.5)
        return bool(client.ping())
    except (redis.RedisError, OSError):
        return False


def ensure_redis(settings: Settings, children: Children) -> str:
    """Make sure Redis answers at DWGK_REDIS_URL; start a local one if it is ours to start."""
    url = settings.redis_url
    if redis_answers(url):
        return "already running"
    parts = urlsplit(url)
    if parts.scheme != "redis" or parts.hostname not in LOOPBACK:
        raise Exit(f"Redis at {url} does not answer PING. Start it, or set DWGK_REDIS_URL to "
                   "one that runs (a loopback address lets devrun start its own).")
    server = shutil.which("redis-server")
    if server is None:
        raise Exit(f"Redis at {url} does not answer and redis-server is not installed: "
                   "apt-get install redis-server")
    port = parts.port or 6379
    settings.instance.mkdir(parents=True, exist_ok=True)
    say(f"no Redis answers at {url}; starting redis-server on 127.0.0.1:{port}")
    children.start(REDIS, [
        server, "--port", str(port), "--bind", "127.0.0.1", "-::1",
        "--save", "", "--appendonly", "no", "--daemonize", "no",
        "--dir", str(settings.instance), "--loglevel", "warning",
    ])
    wait_until(lambda: redis_answers(url), f"redis-server on port {port}", children)
    return "started by devrun; it keeps nothing on disk"


def check_port_free(settings: Settings) -> None:
    family = socket.AF_INET6 if ":" in settings.host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as gunicorn does
        try:
            probe.bind((settings.host, settings.port))
        except OSError as exc:
            raise Exit(f"cannot listen on {settings.bind}: {exc.strerror}. Is dwgk already "
                       f"running? Stop it, or pick another port: DWGK_PORT={settings.port + 1} "
                       "make run") from None


def web_answers(settings: Settings) -> bool:
    host = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(settings.host, settings.host)
    try:
        with socket.create_connection((host, settings.port), timeout=0.5):
            return True
    except OSError:
        return False


def banner(settings: Settings, redis_state: str) -> str:
    lines = [
        f"dwgk is running at {settings.url}",
        f"Redis: {settings.redis_url} ({redis_state}); RQ worker on queue '{QUEUE}'",
        f"Demo accounts (after `flask --app app demo seed`), password {DEMO_PASSWORD}:",
    ]
    for username, name, roles in DEMO_USERS:
        lines.append(f"  {username:<11} {name}（{'、'.join(role.label for role in roles)}）")
    lines.append("Press Ctrl-C to stop.")
    return "\n".join(lines)


class Supervisor:
    """One look at the children, every tick of main()'s loop: what to start again, when.

    Redis is pinged once a second. While it does not answer, nothing is stopped for it; when
    it answers again the worker and the scheduler are started again (a new process each:
    registered afresh in a Redis that may have come back empty, and rq cron's start runs the
    sweep at once, so what the lost queue held is found again)."""

    def __init__(self, settings: Settings, children: Children) -> None:
        self.url = settings.redis_url
        self.children = children
        self.redis_up = True
        self.waiting: set[str] = set()  # exited Redis clients, started again when it answers
        self.failed_starts = dict.fromkeys(REDIS_CLIENTS, 0)
        self.next_ping = 0.0

    def tick(self) -> None:
        for name, proc in list(self.children.procs.items()):
            if name in self.waiting or proc.poll() is None:
                continue
            how = describe(proc.returncode)
            if name == REDIS:
                say(f"redis-server {how}; starting it again (empty: the queue is lost; the "
                    "next sweep finds what is due and sends the mail still owed)")
                self.children.restart(name)
                self._redis_away()
            elif name in REDIS_CLIENTS:
                self._client_exited(name, how)
            else:
                raise Exit(f"{name} {how}; stopping the others")
        if time.monotonic() >= self.next_ping:
            self.next_ping = time.monotonic() + 1
            if not redis_answers(self.url):
                self._redis_away()
            elif not self.redis_up:
                self.redis_up = True
                say(f"Redis answers again at {self.url}: starting the worker and the "
                    "scheduler again")
                for name in REDIS_CLIENTS:
                    self.children.stop(name)
                    self.children.restart(name)
                self.waiting.clear()
            elif self.waiting:
                for name in sorted(self.waiting):
                    self.children.restart(name)
                self.waiting.clear()

    def _redis_away(self) -> None:
        if self.redis_up:
            self.redis_up = False
            say(f"Redis at {self.url} does not answer; the web keeps running, the worker "
                "and the scheduler start again once it answers")

    def _client_exited(self, name: str, how: str) -> None:
        ran = time.monotonic() - self.children.started_at[name]
        self.children.reap(name)
        self.waiting.add(name)
        if not self.redis_up or not redis_answers(self.url):
            self._redis_away()
            return
        if ran < QUICK_SECONDS:
            self.failed_starts[name] += 1
            if self.failed_starts[name] >= QUICK_LIMIT:
                raise Exit(f"{name} {how} {QUICK_LIMIT} times in a row within {QUICK_SECONDS} s "
                           "of starting, with Redis up; stopping the others")
        else:
            self.failed_starts[name] = 0
        say(f"{name} {how}; starting it again")


def main() -> int:
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _on_signal)
    children = Children()
    try:
        settings = Settings.from_env()
        check_port_free(settings)
        redis_state = ensure_redis(settings, children)
        env = dict(os.environ, DWGK_REDIS_URL=settings.redis_url)
        # rq 3 reads cron strings in the process's local time: the worker runs in China's.
        children.start(REDIS_CLIENTS[0], [
            sys.executable, "-m", "rq.cli", "worker", "--url", settings.redis_url,
            "--with-scheduler", QUEUE,
        ], env=dict(env, TZ="Asia/Shanghai"))
        # Exactly one scheduler: rq 3's cron has no lock of its own.
        children.start(REDIS_CLIENTS[1], [
            sys.executable, "-m", "rq.cli", "cron", "--url", settings.redis_url,
            "dwgk.cron_config",
        ], env=dict(env, TZ="Asia/Shanghai"))
        children.start(WEB, [
            sys.executable, "-m", "gunicorn", "--bind", settings.bind,
            "--workers", str(settings.web_workers), "--no-control-socket", "app:app",
        ], env=env)
        wait_until(lambda: web_answers(settings), f"the web server on {settings.bind}", children)
        print(banner(settings, redis_state), flush=True)

        supervisor = Supervisor(settings, children)
        while _stop_signal is None:
            supervisor.tick()
            time.sleep(0.2)
        say(f"got {signal.Signals(_stop_signal).name}; stopping")
        return 0
    except Exit as exc:
        print(f"devrun: {exc}", file=sys.stderr if exc.status else sys.stdout, flush=True)
        return exc.status
    finally:
        children.stop_all()


if __name__ == "__main__":
    sys.exit(main())
