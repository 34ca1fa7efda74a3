"""/kiosk and its content fragment: what a display shows (the public board's current items,
never anything members-only), how it is narrowed, and the QR code."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta

import segno

from dwgk.catalog.models import Scope
from dwgk.core import settings as unit_settings
from dwgk.disclosures.models import State
from dwgk.extensions import db
from dwgk.kiosk.models import Orientation
from tests.attachments import PDF, make_item_with_attachment, png_bytes
from tests.factories import make_category, make_disclosure, make_user
from tests.kiosk import make_screen
from tests.support import text_of

CANARY_MEMBERS = "金丝雀-党内事项-7f3a"
CANARY_WINDOW = "金丝雀-党内先行期-9c1e"
CANARY_WITHDRAWN = "金丝雀-已撤回-4b2d"


def _slides(html: str) -> list[str]:
    return re.findall(r'<h2 class="kiosk-slide-title">([^<]*)</h2>', html)


def _content(client, slug="default", **headers):
    return client.get(f"/kiosk/{slug}/content", headers=headers)


def test_the_kiosk_needs_no_login_and_shows_public_items_newest_first(app, client, frozen_clock):
    frozen_clock(datetime(2026, 11, 23, 9, 0))
    with app.app_context():
        make_disclosure(title="十月党费收缴情况", body="<p>本支部十月应缴党费 <strong>1200</strong> 元，实缴 1200 元。</p>",
                        category=make_category("组织建设"))
        db.session.commit()
    frozen_clock(datetime(2026, 11, 24, 9, 0))
    with app.app_context():
        make_disclosure(title="关于推荐优秀共产党员的公示")
        db.session.commit()
    response = client.get("/kiosk")
    assert response.status_code == 200
    html = text_of(response)
    assert _slides(html) == ["关于推荐优秀共产党员的公示", "十月党费收缴情况"]
    assert "示例学校党支部" in html  # the unit's name
    assert '<span class="kiosk-category">组织建设</span>' in html
    assert "2026年11月23日" in html
    # The body's words, without the markup (and without spaces where the markup was).
    assert "本支部十月应缴党费 1200 元，实缴 1200 元。" in html
    assert 'id="kiosk-date">2026年11月24日星期二</span>' in html
    assert response.headers["Cache-Control"] == "no-cache"


def test_plain_kiosk_uses_the_default_screen_once_configured(app, client, frozen_clock):
    frozen_clock(datetime(2026, 11, 23, 9, 0))
    with app.app_context():
        unit_settings.update(unit_name="城关镇机关党委", members_first_days=1, review_due_workdays=3,
                             feedback_reply_workdays=15, supervision_reply_workdays=15,
                             actor=make_user())
        make_screen("default", orientation=Orientation.PORTRAIT, rotation_seconds=40,
                    notice_line="本周五下午召开支部党员大会")
        db.session.commit()
    html = text_of(client.get("/kiosk"))
    assert '<body class="kiosk kiosk-portrait"' in html
    assert 'data-rotation="40"' in html
    assert 'data-refresh="30"' in html  # never slower than every 30 s
    assert "本周五下午召开支部党员大会" in html
    assert '<h1 class="kiosk-unit">城关镇机关党委</h1>' in html
    assert text_of(client.get("/kiosk/default")) == html


def test_built_in_defaults_until_a_screen_is_configured(client):
    html = text_of(client.get("/kiosk"))
    assert '<body class="kiosk kiosk-landscape"' in html
    assert 'data-rotation="15"' in html and 'data-refresh="15"' in html
    assert 'data-content-url="/kiosk/default/content"' in html
    assert "暂无公开内容" in html
    assert "kiosk-notice" not in html


def test_unknown_and_inactive_screens_are_404(app, client):
    with app.app_context():
        make_screen("hall")
        make_screen("old-hall", active=False)
        db.session.commit()
    assert client.get("/kiosk/hall").status_code == 200
    assert client.get("/kiosk/hall/content").status_code == 200
    for url in ("/kiosk/nowhere", "/kiosk/nowhere/content", "/kiosk/old-hall",
                "/kiosk/old-hall/content"):
        assert client.get(url).status_code == 404, url


def test_an_inactive_default_screen_turns_plain_kiosk_off(app, client):
    with app.app_context():
        make_screen("default", active=False)
        db.session.commit()
    assert client.get("/kiosk").status_code == 404
    assert client.get("/kiosk/default/content").status_code == 404


def _canaries(app):
    """A members-only item and a public one still in its members-first window, each with an
    image; and a public item shown at once. Returns the canaries' attachment ids."""
    with app.app_context():
        _, members_image = make_item_with_attachment(
            title=CANARY_MEMBERS, body=CANARY_MEMBERS + "的正文", scope=Scope.MEMBERS,
            name="党内.png", data=png_bytes(4, 4))
        _, window_image = make_item_with_attachment(
            title=CANARY_WINDOW, body=CANARY_WINDOW + "的正文", members_first_days=2,
            name="先行.png", data=png_bytes(4, 4))
        make_disclosure(title="已社会公开的事项")
        db.session.commit()
        return members_image.id, window_image.id


def test_nothing_members_only_ever_reaches_the_screen(app, client, login_as, frozen_clock):
    frozen_clock(datetime(2026, 11, 23, 9, 0))
    attachment_ids = _canaries(app)
    with app.app_context():
        make_screen("hall")
        db.session.commit()
    # Whoever is signed in at the display: the screen shows the public's view.
    for who in ("anonymous", "member", "office", "admin"):
        reader = login_as(who)
        for url in ("/kiosk", "/kiosk/default", "/kiosk/hall", "/kiosk/default/content",
                    "/kiosk/hall/content"):
            html = text_of(reader.get(url))
            assert "已社会公开的事项" in html, (who, url)
            for secret in (CANARY_MEMBERS, CANARY_WINDOW, "金丝雀"):
                assert secret not in html, (who, url)
            for attachment_id in attachment_ids:
                assert f"/attachments/{attachment_id}/" not in html, (who, url)


def test_an_item_appears_when_its_members_first_window_ends_without_any_write(app, client, frozen_clock):
    start = datetime(2026, 11, 23, 9, 0)
    frozen_clock(start)
    _, window_image_id = _canaries(app)
    before = _content(client)
    assert CANARY_WINDOW not in text_of(before)
    # The display asks again two days later; nothing was written in between.
    frozen_clock(start + timedelta(days=2, minutes=1))
    after = _content(client, **{"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    assert after.headers["ETag"] != before.headers["ETag"]
    html = text_of(after)
    assert sorted(_slides(html)) == sorted([CANARY_WINDOW, "已社会公开的事项"])
    assert f"/attachments/{window_image_id}/" in html  # now public: its image too
    assert CANARY_MEMBERS not in html


def test_a_withdrawn_item_disappears_and_the_etag_changes(app, client):
    with app.app_context():
        author = make_user("office", "member")
        item = make_disclosure(title=CANARY_WITHDRAWN, author=author)
        make_disclosure(title="留在屏幕上的事项")
        db.session.commit()
        item_id, author_id = item.id, author.id
    before = _content(client)
    assert CANARY_WITHDRAWN in text_of(before)
    with app.app_context():
        from dwgk.disclosures import services
        from dwgk.accounts.models import User
        from dwgk.disclosures.models import Disclosure

        services.withdraw(db.session.get(Disclosure, item_id), "内容有误",
                          actor=db.session.get(User, author_id))
        db.session.commit()
    after = _content(client, **{"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    assert after.headers["ETag"] != before.headers["ETag"]
    assert CANARY_WITHDRAWN not in text_of(after)
    assert _slides(text_of(after)) == ["留在屏幕上的事项"]


def test_archived_items_and_work_in_progress_are_not_shown(app, client):
    with app.app_context():
        for state in (State.DRAFT, State.IN_REVIEW, State.APPROVED, State.ARCHIVED, State.WITHDRAWN):
            make_disclosure(state, title=f"金丝雀-{state.value}")
        make_disclosure(title="公开中的事项")
        db.session.commit()
    html = text_of(client.get("/kiosk"))
    assert _slides(html) == ["公开中的事项"]
    assert "金丝雀" not in html


def test_a_screen_shows_only_its_categories(app, client):
    with app.app_context():
        school, party = make_category("学校工作"), make_category("组织建设")
        make_disclosure(title="学校工作事项", category=school)
        make_disclosure(title="组织建设事项", category=party)
        make_screen("hall", categories=[party])
        make_screen("gate")  # none chosen: every category
        db.session.commit()
    assert _slides(text_of(client.get("/kiosk/hall"))) == ["组织建设事项"]
    assert _slides(text_of(_content(client, "hall"))) == ["组织建设事项"]
    assert sorted(_slides(text_of(client.get("/kiosk/gate")))) == ["学校工作事项", "组织建设事项"]


def test_only_the_newest_items_rotate(app, client, frozen_clock):
    with app.app_context():
        category = make_category()
        for day in range(1, 13):
            frozen_clock(datetime(2026, 3, day, 9, 0))
            make_disclosure(title=f"三月{day}日事项", category=category)
        db.session.commit()
    titles = _slides(text_of(client.get("/kiosk")))
    assert titles == [f"三月{day}日事项" for day in range(12, 2, -1)]


def test_a_slide_shows_the_first_public_image_and_long_texts_are_cut(app, client):
    with app.app_context():
        make_item_with_attachment(title="有附件但不是图片", name="名单.pdf", data=PDF)
        _, image = make_item_with_attachment(title="有图片的事项", name="现场照片.png",
                                             data=png_bytes(8, 6), body="长" * 600)
        db.session.commit()
        image_id = image.id
    html = text_of(client.get("/kiosk"))
    assert re.search(rf'<img class="kiosk-slide-image" src="/attachments/{image_id}/[^"]+"', html)
    assert html.count("<img") == 1
    assert "长" * 400 + "…" in html and "长" * 401 not in html
    response = client.get(f"/attachments/{image_id}/x.png", buffered=True)
    assert response.status_code == 200 and response.mimetype == "image/png"
    response.close()


def test_nothing_on_the_screen_leads_anywhere_and_nothing_is_inline(app, client):
    with app.app_context():
        make_item_with_attachment(title="带图片的事项", name="照片.png", data=png_bytes(4, 4),
                                  body="详见[学校网站](http://example.com/)。")
        make_screen("hall", notice_line="欢迎提出意见建议")
        db.session.commit()
    for url in ("/kiosk", "/kiosk/hall", "/kiosk/hall/content"):
        html = text_of(client.get(url))
        assert "<a " not in html and "href=\"http" not in html, url
        assert not re.search(r"<(a|area|form|button|input|select|textarea|iframe)\b", html), url
        assert " style=" not in html and "<style" not in html, url
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), url
        assert "htmx" not in html, url
    # The page's own links are its stylesheet, script and icon, all from this server.
    page = text_of(client.get("/kiosk"))
    assert re.findall(r'(?:href|src)="([^"]+)"', page)[:3] == [
        "/static/favicon.svg", "/static/css/kiosk.css", "/static/js/kiosk.js"]


def _qr(html: str) -> tuple[str, str]:
    match = re.search(r'<figure class="kiosk-qr" data-url="([^"]+)">\s*(<svg.*?</svg>)', html, re.S)
    assert match, "no QR code"
    return match.group(1), match.group(2)


def _qr_modules(url: str) -> str:
    """The drawing of `url`'s QR code, as segno makes it: what the page must contain."""
    code = segno.make(url, error="m", micro=False)
    return re.search(r' d="(M[^"]+)"', code.svg_inline(scale=1, border=2, lineclass=None)).group(1)


def test_the_qr_code_points_to_the_feedback_form_on_the_public_address(make_app):
    app = make_app(DWGK_PUBLIC_URL="http://dwgk.school.lan/")
    url, svg = _qr(text_of(app.test_client().get("/kiosk")))
    assert url == "http://dwgk.school.lan/feedback/new?channel=kiosk"
    root = ET.fromstring(svg)  # well-formed
    assert root.tag.endswith("svg") and root.get("viewBox")
    assert root.find("{*}title").text == "扫码提意见建议"
    assert _qr_modules(url) in svg  # the modules drawn are those of exactly this URL
    assert _qr_modules("http://localhost/feedback/new?channel=kiosk") not in svg


def test_without_a_public_address_the_qr_code_uses_the_one_the_screen_came_to(client):
    url, svg = _qr(text_of(client.get("/kiosk", base_url="http://10.0.0.5:8000")))
    assert url == "http://10.0.0.5:8000/feedback/new?channel=kiosk"
    assert _qr_modules(url) in svg


def test_the_notice_line_scrolls_at_a_pace_for_its_length(app, client):
    with app.app_context():
        make_screen("a", notice_line="短通知")
        make_screen("b", notice_line="中" * 80)
        make_screen("c", notice_line="长" * 200)
        db.session.commit()
    assert 'class="kiosk-notice kiosk-notice-short"' in text_of(client.get("/kiosk/a"))
    assert 'class="kiosk-notice kiosk-notice-medium"' in text_of(client.get("/kiosk/b"))
    assert 'class="kiosk-notice kiosk-notice-long"' in text_of(client.get("/kiosk/c"))


def test_the_refresh_pace_can_be_sped_up_only_in_tests(app, make_app, client):
    assert 'data-refresh="0.5"' in text_of(client.get("/kiosk?refresh=0.5"))
    production = make_app(TESTING=False)
    assert 'data-refresh="15"' in text_of(production.test_client().get("/kiosk?refresh=0.5"))
