"""Helpers for tests that are not fixtures: a test client that knows its CSRF token,
a real redis-server on a free port, HTML scraping."""
from __future__ import annotations

import re
import shutil
import socket
import subprocess
import time
from html import unescape

import redis
from flask.testing import FlaskClient

CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
CSRF_FIELD = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|'
                        r'type="hidden" name="csrf_token" value="([^"]+)"|'
                        r'name="csrf_token" value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class DwgkClient(FlaskClient):
    """A test client that sends the CSRF token with every form, as a browser would."""

    csrf: str | None = None

    def refresh_csrf(self) -> str:
        """The token a browser would send: a signed-in page's (its head), or for a visitor
        the sign-in form's (anonymous pages carry none)."""
        match = CSRF_META.search(self.get("/", follow_redirects=True).get_data(as_text=True))
        if match is None:
            match = CSRF_FIELD.search(self.get("/login").get_data(as_text=True))
        assert match, "no CSRF token on the page"
        self.csrf = unescape(next(group for group in match.groups() if group))
        return self.csrf

    def form_post(self, url: str, data: dict | None = None, **kwargs):
        if self.csrf is None:
            self.refresh_csrf()
        payload = dict(data or {})
        payload.setdefault("csrf_token", self.csrf)
        return self.post(url, data=payload, **kwargs)

    def login(self, username: str, password: str):
        self.refresh_csrf()
        response = self.form_post("/login", {"username": username, "password": password})
        self.csrf = None
        return response


class RedisServer:
    """A private redis-server for the test session; it can be stopped and started again."""

    def __init__(self, workdir):
        if shutil.which("redis-server") is None:
            raise RuntimeError("redis-server is missing: apt-get install redis-server")
        self.port = free_port()
        self.workdir = workdir
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.workdir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url, socket_connect_timeout=0.2)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                return
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise RuntimeError("redis-server did not start") from None
                time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def kill(self) -> None:
        """kill -9: Redis keeps nothing on disk here, so whatever it held is gone."""
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None

    def flush(self) -> None:
        redis.Redis.from_url(self.url).flushall()


def text_of(response) -> str:
    return response.get_data(as_text=True)


def field_errors(response) -> list[str]:
    """The error messages shown next to form fields and at the top of the form."""
    html = text_of(response)
    found = re.findall(r'<p class="error"[^>]*>(.*?)</p>', html, re.S)
    # The error summary's own messages (its list repeats the field errors as links).
    for summary in re.findall(r'<div class="form-errors[^"]*"[^>]*>(.*?)</div>', html, re.S):
        found += re.findall(r"<p>(.*?)</p>", summary, re.S)
    return [unescape(re.sub(r"<[^>]+>", " ", item)).strip() for item in found]


class QueryCounter:
    """Counts the SQL statements an app sends while the `with` block runs."""

    def __init__(self, app):
        self.app = app
        self.statements: list[str] = []

    def _record(self, conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(("BEGIN", "PRAGMA", "SAVEPOINT", "RELEASE")):
            self.statements.append(statement)

    def __enter__(self):
        from sqlalchemy import event

        from dwgk.extensions import db

        with self.app.app_context():
            self.engine = db.engine
        event.listen(self.engine, "before_cursor_execute", self._record)
        return self

    def __exit__(self, *exc):
        from sqlalchemy import event

        event.remove(self.engine, "before_cursor_execute", self._record)

    @property
    def count(self) -> int:
        return len(self.statements)


def reuse_url_builders() -> None:
    """Share werkzeug's compiled URL builders between the apps of a test session.

    werkzeug compiles a Python function per rule (`Rule._compile_builder`) from the rule's
    parsed parts and its defaults alone; the function takes the rule as its first argument.
    Two rules with the same parts and defaults get the same function, so it is kept by that
    key. Tests only: a production process builds its app once."""
    from werkzeug.routing.rules import Rule

    compile_builder = Rule._compile_builder
    builders: dict = {}

    def cached(self, append_unknown: bool = True):
        defaults = self.defaults or {}
        key = (tuple(self._trace), append_unknown,
               tuple(sorted((name, repr(value), type(self._converters.get(name)).__name__)
                            for name, value in defaults.items())))
        builder = builders.get(key)
        if builder is None:
            builder = builders[key] = compile_builder(self, append_unknown)
        return builder

    Rule._compile_builder = cached


def readable_text(response) -> str:
    """What a person could read in a response: the text of a page or CSV, the cells of an
    XLSX workbook (the XML inside the zip), the text layer of a PDF."""
    content_type = response.mimetype or ""
    data = response.get_data()
    if content_type == "application/pdf":
        import pypdfium2

        document = pypdfium2.PdfDocument(data)
        try:
            return "\n".join(page.get_textpage().get_text_range() for page in document)
        finally:
            document.close()
    if content_type.endswith("spreadsheetml.sheet"):
        import io
        import zipfile

        with zipfile.ZipFile(io.BytesIO(data)) as workbook:
            return "\n".join(workbook.read(name).decode("utf-8") for name in workbook.namelist()
                             if name.endswith(".xml"))
    return data.decode("utf-8")
