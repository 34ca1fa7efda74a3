"""The display's 304 answered before Flask runs (dwgk/kiosk/fast.py): the same headers as
Flask's 304, and never a 304 when what the display shows has changed."""
from __future__ import annotations

import pytest

from dwgk.disclosures import services
from dwgk.disclosures.models import Disclosure
from dwgk.extensions import db
from tests.factories import make_disclosure, make_user
from tests.kiosk import make_screen

URL = "/kiosk/default/content"


def _published(app, title="事项"):
    with app.app_context():
        item = make_disclosure(title=title)
        db.session.commit()
        return item.id


def _headers(response) -> dict:
    return {name.lower(): value for name, value in response.headers.items()}


@pytest.mark.parametrize("with_session", [False, True])
def test_the_fast_304_has_the_headers_of_flasks_304(app, client, flask_calls, with_session):
    _published(app)
    if with_session:
        client.get("/login")  # an anonymous session cookie (the CSRF token), as a display has
    etag = client.get(URL).headers["ETag"]
    app.config["DWGK_KIOSK_FAST_304"] = False
    slow = client.get(URL, headers={"If-None-Match": etag})
    app.config["DWGK_KIOSK_FAST_304"] = True
    del flask_calls[:]
    fast = client.get(URL, headers={"If-None-Match": etag})
    assert flask_calls == []  # answered by the fast layer
    assert (slow.status_code, fast.status_code) == (304, 304)
    assert _headers(fast) == _headers(slow)
    assert fast.data == slow.data == b""


def test_a_change_gets_the_new_content_through_the_fast_layer(app, client, flask_calls):
    item_id = _published(app, "第一条")
    etag = client.get(URL).headers["ETag"]
    assert client.get(URL, headers={"If-None-Match": etag}).status_code == 304

    with app.app_context():  # withdrawn: gone from the screen at once
        services.withdraw(db.session.get(Disclosure, item_id), "撤回", actor=make_user())
        db.session.commit()
    withdrawn = client.get(URL, headers={"If-None-Match": etag})
    assert withdrawn.status_code == 200 and "第一条" not in withdrawn.get_data(as_text=True)

    etag = withdrawn.headers["ETag"]
    with app.app_context():  # a screen's settings
        make_screen("default", notice_line="新的通知")
        db.session.commit()
    changed = client.get(URL, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and "新的通知" in changed.get_data(as_text=True)
    assert URL in flask_calls


def test_the_qr_codes_address_is_part_of_the_etag_behind_a_proxy(make_app):
    app = make_app(DWGK_PROXY_COUNT=1)
    _published(app)
    client = app.test_client()
    school = {"X-Forwarded-Host": "dwgk.school.lan", "X-Forwarded-Proto": "https"}
    etag = client.get(URL, headers=school).headers["ETag"]
    assert client.get(URL, headers={**school, "If-None-Match": etag}).status_code == 304
    # Another address shows another QR code: the display must get it.
    other = client.get(URL, headers={"X-Forwarded-Host": "10.0.0.5", "If-None-Match": etag})
    assert other.status_code == 200
    assert "10.0.0.5/feedback/new" in other.get_data(as_text=True)


def test_a_signed_in_reader_gets_flasks_answer(app, login_as, flask_calls):
    _published(app)
    client = login_as("admin")
    etag = client.get(URL).headers["ETag"]
    del flask_calls[:]
    response = client.get(URL, headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert response.headers["Cache-Control"] == "no-store"  # signed in: never stored
    assert flask_calls == [URL]
