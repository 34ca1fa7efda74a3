"""gunicorn as dwgk starts it: no control socket shared between instances, and the request
log line, with the client's address behind the proxy, in gunicorn's stderr."""
from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LAUNCHERS = ["dwgk/ops/devrun.py", "dwgk/ops/bench.py", "deploy/systemd/dwgk-web.service"]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _gunicorn(tmp_path: Path, app: str, port: int, env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", "1", "--bind", f"127.0.0.1:{port}",
         "--no-control-socket", app],
        cwd=ROOT, env={**os.environ, "HOME": str(tmp_path), **(env or {})},
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def _get(port: int, path: str, headers: dict | None = None, timeout: float = 30) -> int:
    deadline = time.monotonic() + timeout
    while True:
        try:
            request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=headers or {})
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status
        except urllib.error.HTTPError as exc:
            return exc.code
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def _stop(process: subprocess.Popen) -> str:
    process.terminate()
    _, err = process.communicate(timeout=30)
    return err


def test_every_launcher_disables_the_control_socket():
    # gunicorn 27 listens on ~/.gunicorn/gunicorn.ctl by default: one path for every instance
    # of the user, taken over by the last one started and deleted by the first one stopped.
    for launcher in LAUNCHERS:
        text = (ROOT / launcher).read_text()
        assert re.search(r"gunicorn", text), launcher
        assert "--no-control-socket" in text, f"{launcher} starts gunicorn with a control socket"


def test_two_instances_leave_no_shared_control_socket(tmp_path):
    (tmp_path / "hello.py").write_text(
        "def app(environ, start_response):\n"
        "    start_response('200 OK', [])\n"
        "    return [b'ok']\n")
    ports = [_free_port(), _free_port()]
    env = {"PYTHONPATH": str(tmp_path)}
    servers = [_gunicorn(tmp_path, "hello:app", port, env) for port in ports]
    try:
        assert [_get(port, "/") for port in ports] == [200, 200]
        assert not (tmp_path / ".gunicorn").exists()
    finally:
        logs = [_stop(server) for server in servers]
    assert not any("Control socket listening" in log for log in logs), logs


def test_gunicorn_writes_one_json_line_per_request_with_the_real_address(tmp_path):
    port = _free_port()
    server = _gunicorn(tmp_path, "app:app", port, {
        "DWGK_INSTANCE_PATH": str(tmp_path / "instance"), "DWGK_SECRET_KEY": "x" * 32,
        "DWGK_DATABASE_URL": f"sqlite:///{tmp_path}/dwgk.sqlite3", "DWGK_PROXY_COUNT": "1"})
    try:
        _get(port, "/healthz")  # up
        status = _get(port, "/healthz?probe=1", {"X-Forwarded-For": "203.0.113.7"})
    finally:
        err = _stop(server)
    lines = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    assert lines[-1]["path"] == "/healthz" and lines[-1]["status"] == status
    assert lines[-1]["addr"] == "203.0.113.7"
    assert lines[-1]["user"] is None
