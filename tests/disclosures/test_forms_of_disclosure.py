"""公开形式 (issue 14, rule 7): each item and catalog entry names its forms (党内会议, 文件,
公开栏, 电子屏, 网站, 其他); the reviewer's 形式 check shows them, and so do the item page, the
printable notice, the catalog, the ledger and its exports."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from dwgk.accounts.models import Role
from dwgk.catalog.models import CatalogEntry, Scope
from dwgk.disclosures import services
from dwgk.disclosures.models import Disclosure, State
from dwgk.extensions import db
from tests.boards.test_board_lists import APPROVE
from tests.disclosures.test_office_pages import FORM
from tests.factories import make_category, make_user
from tests.support import text_of


def test_an_entry_and_an_item_carry_their_forms_everywhere(app, users, login_as, frozen_clock):
    frozen_clock(datetime(2026, 12, 2, 10, 0))
    with app.app_context():
        category_id = make_category("组织建设").id
        db.session.commit()
    office = login_as("office")
    assert 'name="disclosure_forms"' in text_of(office.get("/catalog/entries/new"))
    response = office.form_post("/catalog/entries/new", {
        "category_id": str(category_id), "title": "党员发展情况", "content": "", "scope": "public",
        "cadence": "immediate", "period_months": "", "responsible_id": "", "basis": "",
        "position": "0", "active": "y", "disclosure_forms": ["board", "website"]})
    assert response.status_code == 302
    with app.app_context():
        entry = db.session.scalar(select(CatalogEntry))
        assert entry.disclosure_forms == "board,website"
        entry_id = entry.id
    assert "公开形式：公开栏、网站" in text_of(login_as("anonymous").get("/catalog"))

    # an item with its own forms
    assert 'name="disclosure_forms"' in text_of(office.get("/office/items/new"))
    response = office.form_post("/office/items/new", dict(
        FORM, category_id=str(category_id), disclosure_forms=["party_meeting", "screen"]))
    assert response.status_code == 302
    # an item of the entry without forms chosen takes the entry's
    response = office.form_post("/office/items/new", dict(
        FORM, title="党员发展对象公示", category_id=str(category_id), catalog_entry_id=str(entry_id)))
    assert response.status_code == 302
    with app.app_context():
        own, inherited = db.session.scalars(select(Disclosure).order_by(Disclosure.id)).all()
        assert own.working_revision.disclosure_forms == "party_meeting,screen"
        assert inherited.working_revision.disclosure_forms == "board,website"
        own_id = own.id
        services.submit(own, actor=own.created_by)
        db.session.commit()
    edit = text_of(office.get(f"/office/items/{own_id}"))
    assert "党内会议、电子屏" in edit

    review = text_of(login_as("reviewer").get(f"/review/{own_id}"))
    assert "本事项的公开形式：党内会议、电子屏" in review

    with app.app_context():
        item = db.session.get(Disclosure, own_id)
        services.review(item, services.ReviewInput(**APPROVE),
                        reviewer=make_user(Role.REVIEWER, Role.MEMBER))
        services.publish(item, actor=item.created_by)
        db.session.commit()
    public = login_as("member")  # members first: the public sees it a day later
    assert "党内会议、电子屏" in text_of(public.get(f"/items/{own_id}"))
    assert "公开形式：党内会议、电子屏" in text_of(public.get(f"/items/{own_id}/print"))
    ledger = text_of(office.get("/ledger/items?period=2026Q4"))
    assert "党内会议、电子屏" in ledger
    csv = office.get("/ledger/items.csv?period=2026Q4").get_data().decode("utf-8-sig")
    assert "公开形式" in csv and "党内会议、电子屏" in csv


def test_a_revision_keeps_the_forms(app, users, frozen_clock):
    from tests.factories import make_disclosure
    with app.app_context():
        item = make_disclosure(State.PUBLISHED, scope=Scope.PUBLIC, disclosure_forms="document")
        revision = services.revise(item, actor=item.created_by)
        assert revision.disclosure_forms == "document"


def test_the_demo_fills_the_forms(app, runner):
    assert runner.invoke(args=["demo", "seed"]).exit_code == 0
    with app.app_context():
        from dwgk.disclosures.models import Revision
        assert db.session.scalar(select(CatalogEntry).where(CatalogEntry.disclosure_forms == "")) is None
        assert db.session.scalar(select(Revision).where(Revision.disclosure_forms == "")) is None
