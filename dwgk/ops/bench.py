"""`make bench` (python -m dwgk.ops.bench): dwgk under load, against a bare Flask app.

1. Databases of a large unit (100,000 items and 20,000 opinions through `demo seed`), and of
   1,000 and 100 items. SQLite files are kept in BENCH_CACHE (default `.bench/`) under a name
   made of the migration head, the seed's version and the sizes, so a second run does not
   seed again; each run works on a copy in a throwaway instance folder. With
   DWGK_BENCH_DATABASE_URL (PostgreSQL) the large unit is seeded there, and the smaller ones
   into databases `<name>_small` and `<name>_tiny` beside it, created when missing (once:
   each is reused while it holds its items and is at the migration head).
2. gunicorn, 2 sync workers, serves dwgk and, in the same way, dwgk.ops.bench_hello; a private
   redis-server serves the rate limits.
3. wrk drives each page with 8 connections on loopback. The three servers (hello, dwgk on
   100,000 items, dwgk on 1,000) run side by side, idle but for the one being driven, and
   are driven in turn, page by page, in BENCH_ROUNDS rounds of BENCH_DURATION seconds
   each: every page's ratio to hello is taken against the hello run just before it, and
   its p50 growth against the 1,000-item run just after it, so that a slow moment of this
   shared 2-core machine moves both sides of a ratio. The figures printed are the medians
   over the rounds (p99: the worst round), with the issue's targets.
   A fourth server, dwgk on 100,000 items with the page cache off (DWGK_PAGE_CACHE_ENTRIES=0),
   is driven in the same rounds: what every page costs when it must be rendered (after each
   change, and for every signed-in page).
4. The SQL statements of each page at 100 and at 100,000 items (the app's test client and
   an engine listener), and p50 at 1,000 items against 100,000.
"""
from __future__ import annotations

import argparse
import http.cookiejar
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "dwgk-demo-2026"
SEARCH_TERM = "张晓燕"  # a person's name: in about 6% of the large unit's items

# (label, target ratio to hello or None)
TARGETS = {"/": 0.35, "/kiosk 304": 0.55, "/items/<id>": 0.35, "/members": 0.20, "search": 0.35}
P99_LIMIT_MS = 50.0
P50_GROWTH_LIMIT = 1.3


def say(message: str) -> None:
    print(message, flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def migration_head() -> str:
    versions = sorted(p.name.split("_", 1)[0] for p in (ROOT / "migrations" / "versions").glob("*.py"))
    return versions[-1]


# --- databases -----------------------------------------------------------------------------

def flask(env: dict, *args: str) -> None:
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "app", *args], cwd=ROOT,
                          env=env, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"flask {' '.join(args)} failed:\n{done.stdout}{done.stderr}")


def seed_sqlite(cache_dir: Path, items: int, feedback: int) -> Path:
    """The cached database file of a unit with `items` items, seeded when missing."""
    from dwgk.demo import bulk

    name = f"dwgk-{migration_head()}-seed{bulk.VERSION}-{items}-{feedback}.sqlite3"
    target = cache_dir / name
    if target.exists():
        say(f"   {items:>7} items: cached {target}")
        return target
    cache_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="dwgk-seed-") as work:
        env = {**os.environ, "DWGK_INSTANCE_PATH": work,
               "DWGK_DATABASE_URL": f"sqlite:///{work}/dwgk.sqlite3"}
        started = time.monotonic()
        flask(env, "db", "upgrade")
        flask(env, "demo", "seed", "--items", str(items), "--feedback", str(feedback))
        import sqlite3

        connection = sqlite3.connect(f"{work}/dwgk.sqlite3")
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # everything in the main file
        connection.close()
        shutil.move(f"{work}/dwgk.sqlite3", target.with_suffix(".tmp"))
        target.with_suffix(".tmp").rename(target)
        say(f"   {items:>7} items: seeded in {time.monotonic() - started:.0f} s → {target}")
    return target


def sibling_database(url: str, suffix: str) -> str:
    """The URL of database `<name>_<suffix>` on the same PostgreSQL server, created when
    missing (the 1,000- and 100-item units: compared on the same kind of database)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    name = f"{parsed.database}_{suffix}"
    engine = create_engine(parsed, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                  {"name": name}).scalar()
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()
    return parsed.set(database=name).render_as_string(hide_password=False)


def prepare_postgres(url: str, items: int, feedback: int) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            head = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
            count = conn.execute(text("SELECT count(*) FROM disclosure")).scalar()
        if head == migration_head() and count >= items:
            say(f"   PostgreSQL: reusing {count} items at {url.split('@')[-1]}")
            return
    except Exception:  # noqa: BLE001 - an empty or foreign database: start again
        pass
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    env = {**os.environ, "DWGK_DATABASE_URL": url}
    started = time.monotonic()
    flask(env, "db", "upgrade")
    flask(env, "demo", "seed", "--items", str(items), "--feedback", str(feedback))
    say(f"   PostgreSQL: seeded {items} items in {time.monotonic() - started:.0f} s")


# --- servers -------------------------------------------------------------------------------

class Servers:
    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.processes: list[subprocess.Popen] = []

    def start(self, argv: list[str], env: dict | None = None) -> subprocess.Popen:
        process = subprocess.Popen(argv, cwd=ROOT, env=env or os.environ.copy(),
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                   start_new_session=True)
        self.processes.append(process)
        return process

    def stop(self, process: subprocess.Popen) -> None:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        self.processes.remove(process)

    def stop_all(self) -> None:
        for process in list(self.processes):
            self.stop(process)


def gunicorn(servers: Servers, app: str, port: int, env: dict) -> subprocess.Popen:
    # The same settings for dwgk and hello: 2 sync workers, no access log.
    argv = [sys.executable, "-m", "gunicorn", "--workers", "2", "--worker-class", "sync",
            "--bind", f"127.0.0.1:{port}", "--log-level", "warning", "--no-control-socket", app]
    process = servers.start(argv, env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn for {app} exited: {process.stderr.read().decode()[-2000:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=30):
                return process
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"gunicorn for {app} did not answer on port {port}")


def redis_server(servers: Servers, port: int) -> None:
    servers.start(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                   "--appendonly", "no", "--dir", str(servers.workdir)])
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise SystemExit("redis-server did not start")


# --- requests ------------------------------------------------------------------------------

class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def login_cookie(base: str, username: str) -> str:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
    html = opener.open(f"{base}/login").read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    data = urllib.parse.urlencode({"csrf_token": token.group(1), "username": username,
                                   "password": PASSWORD}).encode()
    try:
        opener.open(f"{base}/login", data=data)
    except urllib.error.HTTPError as exc:
        if exc.code != 302:
            raise SystemExit(f"logging in as {username} failed: HTTP {exc.code}") from None
    # Signing in starts a new session (without a CSRF token): a browser stores the cookie the
    # first page sends back, with the page's CSRF token, and sends that one from then on.
    opener.open(f"{base}/members").read()
    cookie = next((c for c in jar if c.name == "dwgk_session"), None)
    if cookie is None:
        raise SystemExit(f"logging in as {username} gave no session cookie")
    return f"{cookie.name}={cookie.value}"


def status_of(url: str, headers: dict) -> tuple[int, dict]:
    request = urllib.request.Request(url, headers=headers)
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, dict(response.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers)


@dataclass
class Page:
    label: str
    path: str
    headers: dict = field(default_factory=dict)
    expect: int = 200
    # Headers asked for afresh before each run (a new sign-in: a browser takes the session
    # cookie the app re-sends each minute; wrk would keep sending the first one).
    fresh_headers: Callable[[], dict] | None = None

    def current_headers(self) -> dict:
        return self.fresh_headers() if self.fresh_headers is not None else self.headers


def pages_of(base: str) -> list[Page]:
    with urllib.request.urlopen(f"{base}/") as response:
        html = response.read().decode()
    item = re.search(r'href="/items/(\d+)"', html).group(1)
    _, headers = status_of(f"{base}/kiosk/default/content", {})
    return [
        Page("/", "/"),
        Page("/kiosk 304", "/kiosk/default/content", {"If-None-Match": headers["ETag"]}, 304),
        Page("/items/<id>", f"/items/{item}"),
        Page("/members", "/members",
             fresh_headers=lambda: {"Cookie": login_cookie(base, "member")}),
        Page("search", "/?q=" + urllib.parse.quote(SEARCH_TERM)),
    ]


@dataclass
class Result:
    rps: float
    p50: float
    p99: float
    errors: int


def _ms(value: str) -> float:
    number, unit = re.match(r"([\d.]+)(\w+)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def _seconds(value: float) -> str:
    return f"{max(1, round(value))}s"  # wrk takes whole seconds


def median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def wrk(url: str, headers: dict, duration: float, warmup: float) -> Result:
    head = [arg for name, value in headers.items() for arg in ("-H", f"{name}: {value}")]
    if warmup:
        subprocess.run(["wrk", "-t2", "-c8", f"-d{_seconds(warmup)}", *head, url], check=True,
                       stdout=subprocess.DEVNULL)
    out = subprocess.run(["wrk", "-t2", "-c8", f"-d{_seconds(duration)}", "--latency", *head, url],
                         check=True, capture_output=True, text=True).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return Result(rps=float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
                  p50=_ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1)),
                  p99=_ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1)),
                  errors=(int(errors.group(1)) if errors else 0)
                  + (sum(map(int, socket_errors.groups())) if socket_errors else 0))


# --- query counts --------------------------------------------------------------------------

def query_counts(database_url: str, instance: Path) -> dict[str, tuple[int, int]]:
    """Statements per page: (first request after start, the same request again)."""
    from sqlalchemy import event

    from dwgk import create_app
    from dwgk.extensions import db

    app = create_app({"DWGK_INSTANCE_PATH": str(instance), "SQLALCHEMY_DATABASE_URI": database_url,
                      "SECRET_KEY": "bench", "DWGK_REDIS_URL": os.environ["DWGK_REDIS_URL"],
                      "RATELIMIT_STORAGE_URI": os.environ["DWGK_REDIS_URL"]})
    with app.app_context():
        engine = db.engine
    statements: list[str] = []

    def record(conn, cursor, statement, *args):
        if not statement.lstrip().upper().startswith(("BEGIN", "PRAGMA", "SAVEPOINT", "RELEASE")):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    anonymous, member = app.test_client(), app.test_client()
    member.get("/login")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                      member.get("/login").get_data(as_text=True)).group(1)
    member.post("/login", data={"csrf_token": token, "username": "member", "password": PASSWORD})
    item = re.search(r'href="/items/(\d+)"', anonymous.get("/").get_data(as_text=True)).group(1)
    etag = anonymous.get("/kiosk/default/content").headers["ETag"]
    pages = [("/", anonymous, "/", {}), ("/kiosk 304", anonymous, "/kiosk/default/content",
                                         {"If-None-Match": etag}),
             ("/items/<id>", anonymous, f"/items/{item}", {}), ("/members", member, "/members", {}),
             ("search", anonymous, "/?q=" + urllib.parse.quote(SEARCH_TERM), {})]
    counts = {}
    for label, client, url, headers in pages:
        found = []
        for _ in range(2):
            statements.clear()
            client.get(url, headers=headers)
            found.append(len(statements))
        counts[label] = tuple(found)
    event.remove(engine, "before_cursor_execute", record)
    with app.app_context():
        db.engine.dispose()
    return counts


# --- the run -------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=int(os.environ.get("BENCH_ITEMS", 100_000)))
    parser.add_argument("--feedback", type=int, default=int(os.environ.get("BENCH_FEEDBACK", 20_000)))
    parser.add_argument("--duration", type=float, default=float(os.environ.get("BENCH_DURATION", 4)))
    parser.add_argument("--rounds", type=int, default=int(os.environ.get("BENCH_ROUNDS", 3)))
    parser.add_argument("--warmup", type=float, default=float(os.environ.get("BENCH_WARMUP", 2)))
    parser.add_argument("--cache", default=os.environ.get("BENCH_CACHE", str(ROOT / ".bench")))
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: sudo apt-get install -y wrk")
    postgres = os.environ.get("DWGK_BENCH_DATABASE_URL", "")
    small_items, tiny_items = 1000, 100
    cache_dir = Path(args.cache)
    started = time.monotonic()

    say("== databases")
    large_file = None if postgres else seed_sqlite(cache_dir, args.items, args.feedback)
    small_file = tiny_file = None
    if postgres:
        prepare_postgres(postgres, args.items, args.feedback)
        small_postgres = sibling_database(postgres, "small")
        tiny_postgres = sibling_database(postgres, "tiny")
        prepare_postgres(small_postgres, small_items, small_items // 5)
        prepare_postgres(tiny_postgres, tiny_items, tiny_items // 5)
    else:
        small_file = seed_sqlite(cache_dir, small_items, small_items // 5)
        tiny_file = seed_sqlite(cache_dir, tiny_items, tiny_items // 5)

    workdir = Path(tempfile.mkdtemp(prefix="dwgk-bench-"))
    servers = Servers(workdir)
    try:
        redis_port = free_port()
        redis_server(servers, redis_port)
        redis_url = f"redis://127.0.0.1:{redis_port}/0"
        os.environ["DWGK_REDIS_URL"] = redis_url

        def instance(name: str, source: Path | None, database: str = "") -> tuple[dict, str]:
            folder = workdir / name
            folder.mkdir()
            if source is not None:
                shutil.copy(source, folder / "dwgk.sqlite3")
                url = f"sqlite:///{folder}/dwgk.sqlite3"
            else:
                url = database
            env = {**os.environ, "DWGK_INSTANCE_PATH": str(folder), "DWGK_DATABASE_URL": url,
                   "DWGK_REDIS_URL": redis_url, "DWGK_SECRET_KEY": "bench-secret",
                   # like hello: no access log (and gunicorn's stderr is a pipe read only
                   # when it fails: a line per request would fill it and stall the server)
                   "DWGK_REQUEST_LOG": "0", "PYTHONPATH": str(ROOT)}
            return env, url

        large_env, large_url = instance("large", large_file, postgres)
        uncached_env, _ = instance("uncached", large_file, postgres)
        uncached_env["DWGK_PAGE_CACHE_ENTRIES"] = "0"
        small_env, small_url = instance("small", small_file, postgres and small_postgres)
        tiny_env, tiny_url = instance("tiny", tiny_file, postgres and tiny_postgres)

        say(f"== load: wrk, 8 connections, {args.rounds} rounds of {args.duration:g} s per page "
            f"and server ({args.warmup:g} s warm-up first)")
        hello_port, large_port, small_port, uncached_port = (free_port() for _ in range(4))
        hello_base = f"http://127.0.0.1:{hello_port}"
        web = [gunicorn(servers, "dwgk.ops.bench_hello:app", hello_port,
                        {**os.environ, "PYTHONPATH": str(ROOT)}),
               gunicorn(servers, "app:app", large_port, large_env),
               gunicorn(servers, "app:app", small_port, small_env),
               gunicorn(servers, "app:app", uncached_port, uncached_env)]
        large_base, small_base = f"http://127.0.0.1:{large_port}", f"http://127.0.0.1:{small_port}"
        uncached_base = f"http://127.0.0.1:{uncached_port}"
        uncached_pages = {page.label: page for page in pages_of(uncached_base)}
        pairs = list(zip(pages_of(large_base), pages_of(small_base)))
        wrk(hello_base + "/", {}, args.warmup, 0)
        for large, small in pairs:
            for base, page in ((large_base, large), (small_base, small),
                               (uncached_base, uncached_pages[large.label])):
                headers = page.current_headers()
                status, _ = status_of(base + page.path, headers)
                if status != page.expect:
                    raise SystemExit(f"{page.label}: HTTP {status}, expected {page.expect}")
                wrk(base + page.path, headers, args.warmup, 0)
        hello_runs: dict[str, list[Result]] = {large.label: [] for large, _ in pairs}
        large_runs: dict[str, list[Result]] = {large.label: [] for large, _ in pairs}
        small_runs: dict[str, list[Result]] = {large.label: [] for large, _ in pairs}
        uncached_runs: dict[str, list[Result]] = {large.label: [] for large, _ in pairs}
        for _ in range(args.rounds):
            for large, small in pairs:
                hello_runs[large.label].append(wrk(hello_base + "/", {}, args.duration, 0))
                large_runs[large.label].append(
                    wrk(large_base + large.path, large.current_headers(), args.duration, 0))
                small_runs[large.label].append(
                    wrk(small_base + small.path, small.current_headers(), args.duration, 0))
                uncached = uncached_pages[large.label]
                uncached_runs[large.label].append(
                    wrk(uncached_base + uncached.path, uncached.current_headers(), args.duration, 0))
        for process in web:
            servers.stop(process)

        say("== query counts (first request / the same again)")
        counts_large = query_counts(large_url, workdir / "large")
        counts_tiny = query_counts(tiny_url, workdir / "tiny")
    finally:
        servers.stop_all()
        shutil.rmtree(workdir, ignore_errors=True)

    ok = True
    every_hello = [run for runs in hello_runs.values() for run in runs]
    say("")
    say(f"hello: {median([r.rps for r in every_hello]):8.0f} req/s   "
        f"p50 {median([r.p50 for r in every_hello]):6.2f} ms   "
        f"p99 {max(r.p99 for r in every_hello):6.2f} ms   (median of {len(every_hello)} runs)")
    say(f"{'page':<13}{'req/s':>8}{'p50 ms':>9}{'p99 ms':>9}{'× hello':>9}{'target':>8}  result"
        f"   (ratio in each round)")
    ratios = {}
    for label, runs in large_runs.items():
        each = [run.rps / hello.rps for run, hello in zip(runs, hello_runs[label])]
        ratio = ratios[label] = median(each)
        p99 = max(run.p99 for run in runs)
        errors = sum(run.errors for run in runs)
        passed = ratio >= TARGETS[label] and p99 < P99_LIMIT_MS and not errors
        ok &= passed
        note = "" if not errors else f"  ({errors} errors)"
        say(f"{label:<13}{median([r.rps for r in runs]):8.0f}{median([r.p50 for r in runs]):9.2f}"
            f"{p99:9.2f}{ratio:9.2f}{TARGETS[label]:>8.2f}  {'PASS' if passed else 'MISS'}"
            f"   ({' '.join(f'{value:.2f}' for value in each)}){note}")
    say(f"(p99 target: under {P99_LIMIT_MS:g} ms for every page; the worst round is shown)")
    say("")
    say("page cache off (DWGK_PAGE_CACHE_ENTRIES=0), 100,000 items: every answer rendered")
    say(f"{'page':<13}{'req/s':>8}{'p50 ms':>9}{'p99 ms':>9}{'× hello':>9}")
    for label, runs in uncached_runs.items():
        each = [run.rps / hello.rps for run, hello in zip(runs, hello_runs[label])]
        say(f"{label:<13}{median([r.rps for r in runs]):8.0f}{median([r.p50 for r in runs]):9.2f}"
            f"{max(r.p99 for r in runs):9.2f}{median(each):9.2f}")
    say("")
    say(f"{'page':<13}{'statements at ' + str(tiny_items):>22}{'at ' + format(args.items, ','):>18}"
        f"{'p50 at ' + format(small_items, ','):>14}{'at ' + format(args.items, ','):>12}{'growth':>8}  result")
    for label, runs in large_runs.items():
        same = counts_tiny[label] == counts_large[label]
        growth = median([run.p50 / small.p50 for run, small in zip(runs, small_runs[label])])
        passed = same and growth <= P50_GROWTH_LIMIT
        ok &= passed
        say(f"{label:<13}{'%d / %d' % counts_tiny[label]:>22}{'%d / %d' % counts_large[label]:>18}"
            f"{median([r.p50 for r in small_runs[label]]):12.2f}ms"
            f"{median([r.p50 for r in runs]):10.2f}ms{growth:8.2f}"
            f"  {'PASS' if passed else 'MISS'}")
    say(f"(statements: first request after start / the same request again; "
        f"p50 growth target ≤ {P50_GROWTH_LIMIT})")
    say(f"database: {'PostgreSQL' if postgres else 'SQLite'}; seeded files kept in {cache_dir}; "
        f"took {time.monotonic() - started:.0f} s; "
        f"{'every target met' if ok else 'some targets missed'} (figures, not a test: exit 0)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
