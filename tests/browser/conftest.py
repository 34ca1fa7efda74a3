"""A live dwgk server in a thread and Debian's Chromium driven by Playwright.

Never `playwright install`: it downloads a browser, which fails here. Playwright drives
/usr/bin/chromium (Debian package `chromium`)."""
from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.support import free_port

CHROMIUM = os.environ.get("DWGK_TEST_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]


@pytest.fixture(scope="session")
def playwright_browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium fonts-wqy-microhei")
    vendor = Path(__file__).resolve().parents[2] / "static" / "vendor" / "htmx.min.js"
    if not vendor.exists():
        pytest.fail("static/vendor/htmx.min.js is missing: run `make setup` (npm ci)")
    from playwright.sync_api import sync_playwright

    manager = sync_playwright().start()
    browser = manager.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()
    manager.stop()


class LiveServer:
    def __init__(self, app):
        self.app = app
        self.port = free_port()
        self.server = make_server("127.0.0.1", self.port, app, threaded=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self):
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.thread.join(timeout=10)


class Server:
    """The app on a fixed port that can be stopped — new connections are refused, as when
    the server is down — and started again on the same port. Every answer closes its
    connection, so no kept-alive connection outlives a stop."""

    def __init__(self, app):
        self.app = app
        self.port = free_port()
        self.server = None
        self.thread = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _closing(self, environ, start_response):
        def start(status, headers, exc_info=None):
            return start_response(status, [*headers, ("Connection", "close")], exc_info)

        return self.app(environ, start)

    def start(self):
        self.server = make_server("127.0.0.1", self.port, self._closing, threaded=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.thread.join(timeout=10)
            self.server = None


@pytest.fixture
def server(app):
    running = Server(app)
    running.start()
    yield running
    running.stop()


@pytest.fixture
def live_server(app):
    server = LiveServer(app)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def page(playwright_browser, request):
    context = playwright_browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    # A form answered 422 is how invalid input is shown, not a fault. A test that expects
    # another error status appends its text to page.dwgk_expected_errors.
    page.dwgk_expected_errors = ["status of 422"]

    def on_console(message):
        if message.type == "error" and not any(text in message.text
                                               for text in page.dwgk_expected_errors):
            errors.append(message.text)

    page.on("console", on_console)
    yield page
    if getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()
    assert not errors, f"the browser reported errors: {errors}"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        item.rep_call = report


def sign_in(page, base: str, username: str) -> None:
    """Sign in through the login form, as a person would, and land where the role's work
    is: 我的待办 (office, reviewers), the supervision inbox, or the member board."""
    import re

    from tests.factories import DEFAULT_PASSWORD

    page.goto(base + "/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r".*/(members|duties|supervision)$"))


@pytest.fixture
def people(app):
    """An office user and a reviewer (usernames office, reviewer) and the category 组织建设."""
    from dwgk.accounts.models import Role
    from dwgk.extensions import db
    from tests.factories import make_category, make_user

    with app.app_context():
        office = make_user(Role.OFFICE, Role.MEMBER, username="office")
        reviewer = make_user(Role.REVIEWER, username="reviewer")
        make_category("组织建设")
        db.session.commit()
        return {"office": office.id, "reviewer": reviewer.id}
