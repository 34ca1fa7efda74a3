"""CSRF on every write, security headers on every answer, upload size limit."""
from __future__ import annotations

import pytest

from tests.factories import DEFAULT_PASSWORD
from tests.support import text_of


def test_a_post_without_the_csrf_token_is_refused_in_chinese(client, users):
    response = client.post("/login", data={"username": "member", "password": DEFAULT_PASSWORD})
    assert response.status_code == 400
    assert "CSRF" in text_of(response) and "刷新页面" in text_of(response)


def test_a_post_with_a_forged_token_is_refused(client, users):
    client.refresh_csrf()
    response = client.post("/login", data={"username": "member", "password": DEFAULT_PASSWORD,
                                           "csrf_token": client.csrf[:-2] + "xx"})
    assert response.status_code == 400


def test_htmx_requests_send_the_token_in_a_header(login_as):
    admin = login_as("admin")
    admin.refresh_csrf()
    refused = admin.post("/logout", headers={"HX-Request": "true"})
    assert refused.status_code == 400
    accepted = admin.post("/logout", headers={"HX-Request": "true", "X-CSRFToken": admin.csrf})
    assert accepted.status_code == 302


def test_logout_of_another_site_cannot_be_forced(login_as):
    member = login_as("member")
    assert member.post("/logout").status_code == 400
    assert member.get("/members").status_code == 200


@pytest.mark.parametrize("path", ["/", "/login", "/healthz", "/no-such-page"])
def test_security_headers_on_every_answer(client, path):
    headers = client.get(path).headers
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Frame-Options"] == "DENY"


def test_pages_of_a_signed_in_user_are_not_stored(login_as, client):
    assert login_as("member").get("/members").headers["Cache-Control"] == "no-store"
    assert client.get("/").headers.get("Cache-Control") != "no-store"


def test_no_inline_script_in_pages(login_as):
    html = text_of(login_as("admin").get("/admin/users"))
    assert "<script>" not in html and "onclick" not in html
    assert "cdn" not in html.lower() and "http://" not in html and "https://" not in html


def test_large_bodies_are_refused(make_app):
    app = make_app(MAX_CONTENT_LENGTH=1024)
    client = app.test_client()
    response = client.post("/login", data={"username": "x" * 4096})
    assert response.status_code == 413
    assert "文件过大" in text_of(response)


def test_hsts_only_when_https_is_configured(make_app, client):
    assert "Strict-Transport-Security" not in client.get("/").headers
    app = make_app(DWGK_HTTPS=True)
    assert "Strict-Transport-Security" in app.test_client().get("/").headers


def test_huge_ids_are_404_not_errors(login_as, users):
    office = login_as("office")
    for path in ["/items/99999999999999999999", "/office/items/99999999999999999999",
                 "/items/2147483648/print"]:
        assert office.get(path).status_code == 404, path
    assert login_as("anonymous").get("/items/99999999999999999999").status_code == 404
