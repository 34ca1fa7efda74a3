"""Supervisors reach a note from every item and catalog page, pick an item on the note and
relay forms, and see whether each suggestion was adopted (issue 14, rule 8)."""
from __future__ import annotations

import re

from sqlalchemy import select

from dwgk.extensions import db
from dwgk.supervision.models import SupervisionNote
from tests.factories import make_catalog_entry
from tests.support import text_of
from tests.supervision import make_item, make_note, user


def test_every_item_and_catalog_page_offers_a_note_to_supervisors(app, users, login_as):
    item_id = make_item(app, title="党费收缴情况公示")
    with app.app_context():
        entry_id = make_catalog_entry(title="党费收缴").id
        db.session.commit()
    supervisor = login_as("supervisor")
    page = text_of(supervisor.get(f"/items/{item_id}"))
    assert f'href="/supervision/notes/new?item={item_id}"' in page and "提出监督意见" in page
    catalog = text_of(supervisor.get("/catalog"))
    assert f'href="/supervision/notes/new?entry={entry_id}"' in catalog
    form = text_of(supervisor.get(f"/supervision/notes/new?entry={entry_id}"))
    assert re.search(rf'<option selected value="{entry_id}">|<option value="{entry_id}" selected',
                     form)
    for who in ("anonymous", "member", "office"):
        assert "/supervision/notes/new" not in text_of(login_as(who).get(f"/items/{item_id}"))
        assert "/supervision/notes/new" not in text_of(login_as(who).get("/catalog"))


def test_the_note_and_relay_forms_pick_an_item(app, users, login_as):
    item_id = make_item(app, title="党员发展情况公示")
    supervisor = login_as("supervisor")
    for url in ("/supervision/notes/new", "/supervision/relay"):
        form = text_of(supervisor.get(url))
        assert 'name="item_pick"' in form and "党员发展情况公示" in form, url
    response = supervisor.form_post("/supervision/notes/new", {
        "item_pick": str(item_id), "topic": "content", "body": "建议补充发展对象名单。"})
    assert response.status_code == 302
    response = supervisor.form_post("/supervision/relay", {
        "item_pick": str(item_id), "kind": "opinion", "body": "群众建议公示时间延长。",
        "received_on": "2026-12-01"})
    assert response.status_code == 200
    with app.app_context():
        from dwgk.feedback.models import Feedback
        assert db.session.scalar(select(SupervisionNote.disclosure_id)) == item_id
        assert db.session.scalar(select(Feedback.disclosure_id)) == item_id


def test_the_office_says_whether_a_suggestion_was_adopted(app, users, login_as, frozen_clock):
    from datetime import datetime
    frozen_clock(datetime(2026, 12, 2, 10, 0))
    note_id = make_note(app, disclosure_id=make_item(app, title="公示期事项"))
    office = login_as("office")
    form = text_of(office.get(f"/office/supervision/{note_id}"))
    assert 'name="adoption"' in form
    version = re.search(r'name="version_id" type="hidden" value="(\d+)"', form).group(1)
    refused = office.form_post(f"/office/supervision/{note_id}",
                               {"version_id": version, "answer_text": "已答复。"})
    assert refused.status_code == 422 and "请选择采纳情况" in text_of(refused)
    response = office.form_post(f"/office/supervision/{note_id}", {
        "version_id": version, "answer_text": "已延长公示期。", "adoption": "partly"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(SupervisionNote, note_id).adoption.value == "partly"
        assert user("supervisor") is not None
    supervisor = login_as("supervisor")
    for path in ("/supervision", f"/supervision/notes/{note_id}", "/ledger/notes?period=2026Q4"):
        assert "部分采纳" in text_of(supervisor.get(path)), path
    csv = supervisor.get("/ledger/notes.csv?period=2026Q4").get_data().decode("utf-8-sig")
    assert "采纳情况" in csv and "部分采纳" in csv
