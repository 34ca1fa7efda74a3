"""The display's refresh: a strong ETag, 304 without a body when nothing changed, and a
304 path that costs the same two small queries however much is published."""
from __future__ import annotations

from datetime import datetime

from dwgk.core import settings as unit_settings
from dwgk.extensions import db
from dwgk.kiosk import services
from dwgk.kiosk.models import KioskScreen, Orientation
from tests.factories import make_category, make_disclosure, make_user
from tests.kiosk import make_screen
from tests.support import QueryCounter, text_of


def _get(client, url, etag=None):
    return client.get(url, headers={"If-None-Match": etag} if etag else {})


def test_the_content_carries_a_strong_etag_and_no_cache(app, client):
    with app.app_context():
        make_disclosure(title="事项")
        db.session.commit()
    response = _get(client, "/kiosk/default/content")
    assert response.status_code == 200
    etag = response.headers["ETag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    assert response.headers["Cache-Control"] == "no-cache"
    html = text_of(response)
    assert html.startswith('<div id="kiosk-content"')  # the fragment, not the page
    assert f'data-etag="{etag.strip(chr(34))}"' in html
    # The page carries the same ETag, so the display's first refresh is already a 304.
    assert f'data-etag="{etag.strip(chr(34))}"' in text_of(client.get("/kiosk"))


def test_nothing_changed_means_304_and_no_body(app, client):
    with app.app_context():
        make_disclosure(title="事项")
        db.session.commit()
    etag = _get(client, "/kiosk/default/content").headers["ETag"]
    again = _get(client, "/kiosk/default/content", etag)
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == etag
    assert again.headers["Cache-Control"] == "no-cache"
    # A list of tags, or the weak form of the same tag, matches too; another tag does not.
    assert _get(client, "/kiosk/default/content", f'"x", {etag}').status_code == 304
    assert _get(client, "/kiosk/default/content", "W/" + etag).status_code == 304
    assert _get(client, "/kiosk/default/content", '"stale"').status_code == 200


def _publish_many(app, count):
    with app.app_context():
        category = make_category()
        author, reviewer = make_user("office", "member"), make_user("reviewer")
        for number in range(count):
            make_disclosure(title=f"事项{number}", category=category, author=author, reviewer=reviewer)
        db.session.commit()


def test_the_304_path_costs_one_small_statement_however_much_is_published(app, client):
    with app.app_context():
        make_screen("hall", categories=[make_category("组织建设")])
        db.session.commit()
    counts = []
    for more in (1, 25):
        _publish_many(app, more)
        for url in ("/kiosk/default/content", "/kiosk/hall/content"):
            etag = _get(client, url).headers["ETag"]
            with QueryCounter(app) as counter:
                response = _get(client, url, etag)
            assert response.status_code == 304
            counts.append(counter.count)
            assert all(statement.lstrip().upper().startswith("SELECT")
                       for statement in counter.statements)
    assert counts == [1, 1, 1, 1], counts


def test_a_full_answer_costs_a_fixed_number_of_queries(app, client):
    counts = []
    for more in (1, 25):
        _publish_many(app, more)
        with QueryCounter(app) as counter:
            assert _get(client, "/kiosk/default/content", '"stale"').status_code == 200
        counts.append(counter.count)
    # (one of them looks up when the next item reaches the public board: the fingerprint
    # kept for the 304s that follow is good until then)
    assert counts[0] == counts[1] <= 7, counts


def test_publishing_changes_the_etag(app, client, frozen_clock):
    frozen_clock(datetime(2026, 5, 6, 10, 0))
    with app.app_context():
        make_disclosure(title="第一条")
        db.session.commit()
    first = _get(client, "/kiosk/default/content")
    frozen_clock(datetime(2026, 5, 6, 10, 5))
    with app.app_context():
        make_disclosure(title="第二条")
        db.session.commit()
    second = _get(client, "/kiosk/default/content", first.headers["ETag"])
    assert second.status_code == 200
    assert "第二条" in text_of(second)


def test_changing_the_screen_or_the_unit_name_changes_the_etag(app, client):
    with app.app_context():
        make_screen("hall")
        db.session.commit()
        screen_id = db.session.scalar(db.select(KioskScreen.id))
    etag = _get(client, "/kiosk/hall/content").headers["ETag"]

    with app.app_context():
        screen = db.session.get(KioskScreen, screen_id)
        services.update_screen(screen, services.ScreenInput(
            slug="hall", name=screen.name, orientation=Orientation.PORTRAIT, rotation_seconds=20,
            notice_line="新的通知"))
        db.session.commit()
    changed = _get(client, "/kiosk/hall/content", etag)
    assert changed.status_code == 200
    html = text_of(changed)
    assert 'data-orientation="portrait"' in html and 'data-rotation="20"' in html
    assert "新的通知" in html

    etag = changed.headers["ETag"]
    with app.app_context():
        unit_settings.update(unit_name="新名称党支部", members_first_days=1, review_due_workdays=3,
                             feedback_reply_workdays=15, supervision_reply_workdays=15,
                             actor=make_user())
        db.session.commit()
    renamed = _get(client, "/kiosk/hall/content", etag)
    assert renamed.status_code == 200
    assert "新名称党支部" in text_of(renamed)


def test_the_qr_codes_address_is_part_of_the_etag(make_app):
    etags = []
    for public_url in ("http://dwgk.school.lan", "http://192.168.1.10:8000"):
        client = make_app(DWGK_PUBLIC_URL=public_url).test_client()
        etags.append(_get(client, "/kiosk/default/content").headers["ETag"])
        assert _get(client, "/kiosk/default/content", etags[-1]).status_code == 304
    assert etags[0] != etags[1]
