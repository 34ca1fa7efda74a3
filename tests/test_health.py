"""/healthz reports the database and Redis; Redis down is reported, not an error."""
from __future__ import annotations


def test_healthz_reports_both_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok", "redis": "ok"}


def test_healthz_reports_redis_down_without_failing(make_app):
    app = make_app(DWGK_REDIS_URL="redis://127.0.0.1:1/0")
    response = app.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.json["database"] == "ok"
    assert response.json["redis"].startswith("down")


def test_pages_answer_when_redis_is_stopped(make_app, users, redis_server):
    app = make_app()
    redis_server.stop()
    try:
        client = app.test_client()
        assert client.get("/").status_code == 200
        assert client.login("member", "correct-horse-42").status_code == 302
        assert client.get("/members").status_code == 200
        assert client.get("/healthz").json["redis"].startswith("down")
    finally:
        redis_server.start()
