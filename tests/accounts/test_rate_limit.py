"""Login attempts are limited per address and per account, in Redis; a Redis outage
falls back to memory instead of turning logins into errors."""
from __future__ import annotations

from tests.factories import DEFAULT_PASSWORD


def _attempt(client, username, password="wrong-password", address="10.0.0.1"):
    return client.post("/login", data={"username": username, "password": password,
                                       "csrf_token": client.csrf},
                       environ_base={"REMOTE_ADDR": address})


def test_an_account_is_locked_after_five_failures_from_anywhere(make_app, redis_server):
    app = make_app()
    with app.app_context():
        from tests.factories import make_user
        from dwgk.extensions import db

        make_user(username="target")
        db.session.commit()
    client = app.test_client()
    client.refresh_csrf()
    statuses = [_attempt(client, "target", address=f"10.0.0.{i}").status_code for i in range(7)]
    assert statuses == [422] * 5 + [429] * 2
    # Even the right password waits now; the answer says so in Chinese.
    locked = _attempt(client, "target", password=DEFAULT_PASSWORD, address="10.0.0.99")
    assert locked.status_code == 429
    assert "尝试次数过多" in locked.get_data(as_text=True)
    # The counter lives in Redis, shared by every web worker.
    import redis

    keys = redis.Redis.from_url(redis_server.url).keys("*dwgk-limit*")
    assert any(b"target" in key for key in keys), keys


def test_an_address_is_limited_across_accounts(make_app):
    app = make_app(DWGK_LOGIN_LIMIT_ADDRESS="3 per minute")
    client = app.test_client()
    client.refresh_csrf()
    statuses = [_attempt(client, f"name{i}").status_code for i in range(5)]
    assert statuses == [422, 422, 422, 429, 429]
    # Another address is not affected.
    assert _attempt(client, "other", address="10.9.9.9").status_code == 422


def test_successful_logins_do_not_count(make_app, users):
    app = make_app(DWGK_LOGIN_LIMIT_ACCOUNT="2 per minute")
    for _ in range(4):
        client = app.test_client()
        assert client.login("member", DEFAULT_PASSWORD).status_code == 302


def test_login_still_works_and_is_still_limited_when_redis_is_down(make_app, users, redis_server):
    app = make_app(RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0",
                   DWGK_REDIS_URL="redis://127.0.0.1:1/0")
    client = app.test_client()
    assert client.login("member", DEFAULT_PASSWORD).status_code == 302
    other = app.test_client()
    other.refresh_csrf()
    statuses = [_attempt(other, "admin").status_code for _ in range(6)]
    assert statuses == [422] * 5 + [429]
