"""预览: the office and the reviewers see an item's unpublished text exactly as its page on
the boards will show it: the same article partial (boards/_article.html), framed by a banner."""
from __future__ import annotations

import re

from dwgk.accounts.models import Role, User
from dwgk.catalog.models import Scope
from dwgk.disclosures import attachments, services
from dwgk.disclosures.models import Decision, Disclosure, State
from dwgk.extensions import db
from tests.attachments import PNG, file_storage
from tests.disclosures.test_office_pages import FORM
from tests.factories import make_disclosure, make_user
from tests.support import text_of

APPROVE = services.ReviewInput(Decision.APPROVE, check_content=True, check_form=True,
                               check_scope=True, check_timing=True, check_duration=True,
                               check_secrecy=True)
ARTICLE = re.compile(r'<article class="item-article".*?</article>', re.S)


def article(response) -> str:
    found = ARTICLE.findall(text_of(response))
    assert len(found) == 1, found
    return found[0]


def _draft(app, users, **fields) -> int:
    with app.app_context():
        office = db.session.get(User, users["office"])
        item = make_disclosure(State.DRAFT, author=office, **fields)
        db.session.commit()
        return item.id


def _form(app, item_id: int, **changes) -> dict:
    """The edit form as the office sends it, holding the item's saved version."""
    with app.app_context():
        item = db.session.get(Disclosure, item_id)
        return dict(FORM, category_id=str(item.working_revision.category_id),
                    version_id=str(item.version_id), members_first_days="0",
                    members_first_reason="测试", **changes)


def _publish(app, users, item_id: int) -> None:
    with app.app_context():
        item = db.session.get(Disclosure, item_id)
        office, reviewer = (db.session.get(User, users[name]) for name in ("office", "reviewer"))
        services.submit(item, actor=office)
        services.review(item, APPROVE, reviewer=reviewer)
        services.publish(item, actor=office)
        db.session.commit()


def test_save_and_preview_then_the_published_article_is_the_same_html(app, users, login_as):
    item_id = _draft(app, users, title="草稿标题")
    with app.app_context():
        item = db.session.get(Disclosure, item_id)
        photo = attachments.add_attachment(item.working_revision, file_storage("合影.png", PNG),
                                           actor=db.session.get(User, users["office"]))
        db.session.commit()
        photo_src = f"/attachments/{photo.id}/合影.png"
    office = login_as("office")
    body = (f'<p>本季度党费<strong>已收齐</strong>。</p><table><tbody><tr><td>张三</td>'
            f'<td>100 元</td></tr></tbody></table><p><img src="{photo_src}" alt="合影"></p>')
    saved = office.form_post(f"/office/items/{item_id}/edit",
                             _form(app, item_id, title="第三季度党费收缴情况", body_source=body,
                                   then="preview"))
    assert saved.status_code == 302
    assert saved.headers["Location"] == f"/items/{item_id}/preview"

    preview = office.get(f"/items/{item_id}/preview")
    assert preview.status_code == 200
    assert preview.headers["Cache-Control"] == "no-store"
    page = text_of(preview)
    assert "预览：此事项尚未发布" in page and "已保存。" in page
    before = article(preview)
    assert "<h1>第三季度党费收缴情况</h1>" in before
    assert "<strong>已收齐</strong>" in before and "<td>100 元</td>" in before
    assert f'<img src="{photo_src}"' in before and "合影.png" in before
    assert "<dd>社会公开</dd>" in before or "社会公开" in before
    # The reviewer previews the same text once it is submitted to them.
    with app.app_context():
        item = db.session.get(Disclosure, item_id)
        services.submit(item, actor=db.session.get(User, users["office"]))
        db.session.commit()
    assert article(login_as("reviewer").get(f"/items/{item_id}/preview")) == before

    with app.app_context():
        item = db.session.get(Disclosure, item_id)
        services.review(item, APPROVE, reviewer=db.session.get(User, users["reviewer"]))
        services.publish(item, actor=db.session.get(User, users["office"]))
        db.session.commit()
    assert article(login_as("anonymous").get(f"/items/{item_id}")) == before
    assert article(login_as("member").get(f"/items/{item_id}")) == before


def test_a_revision_of_a_published_item_is_previewed_beside_the_live_text(app, users, login_as):
    item_id = _draft(app, users, title="党费收缴", body="<p>应缴 100 元</p>")
    _publish(app, users, item_id)
    office = login_as("office")
    # Nothing unpublished: the preview is the item's page itself.
    response = office.get(f"/items/{item_id}/preview")
    assert response.status_code == 302 and response.headers["Location"] == f"/items/{item_id}"

    with app.app_context():
        item = db.session.get(Disclosure, item_id)
        services.revise(item, actor=db.session.get(User, users["office"]))
        db.session.commit()
    saved = office.form_post(f"/office/items/{item_id}/edit", _form(
        app, item_id, title="党费收缴（更正）", body_source="<p>应缴 120 元</p>",
        change_note="金额更正", then="preview"))
    assert saved.headers["Location"] == f"/items/{item_id}/preview"
    preview = office.get(f"/items/{item_id}/preview")
    assert "预览：修改后的版本尚未发布" in text_of(preview)
    assert "应缴 120 元" in article(preview) and "应缴 100 元" not in article(preview)
    first = article(login_as("anonymous").get(f"/items/{item_id}"))
    assert "应缴 100 元" in first

    _publish(app, users, item_id)
    assert article(login_as("anonymous").get(f"/items/{item_id}")) == article(preview)
    # The earlier version keeps its article, on the page of earlier revisions.
    assert article(login_as("anonymous").get(f"/items/{item_id}/revisions/1")) == first


def test_preview_follows_each_save_and_is_never_kept(app, users, login_as):
    """The preview is not a cached page: each save shows at once, for every reader."""
    item_id = _draft(app, users, title="第一稿")
    office, reviewer = login_as("office"), login_as("reviewer")
    assert "<h1>第一稿</h1>" in article(office.get(f"/items/{item_id}/preview"))
    assert "<h1>第一稿</h1>" in article(reviewer.get(f"/items/{item_id}/preview"))
    office.form_post(f"/office/items/{item_id}/edit", _form(app, item_id, title="第二稿"))
    for client in (office, reviewer):
        response = client.get(f"/items/{item_id}/preview")
        assert "<h1>第二稿</h1>" in article(response)
        assert response.headers["Cache-Control"] == "no-store"


def test_save_and_preview_a_new_item(app, users, login_as):
    _draft(app, users)  # a category to choose
    with app.app_context():
        category_id = db.session.scalar(db.select(Disclosure)).working_revision.category_id
    office = login_as("office")
    response = office.form_post("/office/items/new", dict(
        FORM, category_id=str(category_id), title="新事项", then="preview"))
    assert response.status_code == 302
    assert re.fullmatch(r"/items/\d+/preview", response.headers["Location"])
    assert "<h1>新事项</h1>" in article(office.get(response.headers["Location"]))


def test_who_may_preview(app, users, login_as):
    item_id = _draft(app, users, title="内部草稿", scope=Scope.MEMBERS)
    for who in ("office", "reviewer"):
        assert login_as(who).get(f"/items/{item_id}/preview").status_code == 200, who
    for who in ("member", "supervisor", "admin", "nobody"):
        assert login_as(who).get(f"/items/{item_id}/preview").status_code == 403, who
    # The public is not told that an unpublished item exists.
    anonymous = login_as("anonymous")
    assert anonymous.get(f"/items/{item_id}/preview").status_code == 404
    assert anonymous.get("/items/999999/preview").status_code == 404
    assert login_as("office").get("/items/999999/preview").status_code == 404


def test_the_pages_that_lead_to_the_preview(app, users, login_as):
    item_id = _draft(app, users, title="待审事项")
    office = login_as("office")
    link = f'href="/items/{item_id}/preview"'
    edit = text_of(office.get(f"/office/items/{item_id}/edit"))
    assert re.search(r'<button type="submit" name="then" value="preview"[^>]*>保存并预览</button>', edit)
    assert 'name="then" value="preview"' in text_of(office.get("/office/items/new"))
    assert link in text_of(office.get(f"/office/items/{item_id}"))
    with app.app_context():
        item = db.session.get(Disclosure, item_id)
        services.submit(item, actor=db.session.get(User, users["office"]))
        db.session.commit()
    reviewer = login_as("reviewer")
    assert link in text_of(reviewer.get(f"/review/{item_id}"))
    page = text_of(reviewer.get(f"/items/{item_id}/preview"))
    assert f'href="/review/{item_id}"' in page  # back to deciding


def test_a_withdrawn_item_says_so(app, users, login_as):
    with app.app_context():
        item = make_disclosure(State.WITHDRAWN, author=make_user(Role.OFFICE), title="撤回的")
        db.session.commit()
        item_id = item.id
    page = text_of(login_as("office").get(f"/items/{item_id}/preview"))
    assert "预览：此事项已撤回" in page and "<h1>撤回的</h1>" in page
