"""Supervision notes: filed by supervisors on an item, a catalog entry or in general; answered
by the office; each step audited and notified once."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select, text

from dwgk.core.audit import AuditEvent
from dwgk.catalog.models import Scope
from dwgk.disclosures.models import State
from dwgk.extensions import db
from dwgk.notifications.models import Notification
from dwgk.supervision.models import NoteTopic, SupervisionNote
from tests.support import field_errors, text_of
from tests.supervision import answer, make_item, make_note, user


def _id(app, username) -> int:
    with app.app_context():
        return user(username).id


def _count(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _notices(app, kind):
    with app.app_context():
        return [(n.recipient_id, n.object_id, n.link) for n in db.session.scalars(
            select(Notification).where(Notification.kind == kind))]


def _office_ids(app) -> set[int]:
    from dwgk.accounts.models import Role
    from dwgk.notifications.services import users_with_role

    with app.app_context():
        return {office.id for office in users_with_role(Role.OFFICE)}


def test_a_note_on_a_members_only_item(app, users, login_as):
    item_id = make_item(app, title="党员发展对象公示", scope=Scope.MEMBERS)
    client = login_as("supervisor")
    page = text_of(client.get(f"/supervision/notes/new?item={item_id}"))
    assert "《党员发展对象公示》" in page
    response = client.form_post("/supervision/notes/new", {
        "disclosure_id": str(item_id), "topic": "content", "body": "  名单未注明入党时间。  "})
    assert response.status_code == 302
    note_id = int(response.headers["Location"].rsplit("/", 1)[1])
    with app.app_context():
        note = db.session.get(SupervisionNote, note_id)
        assert (note.topic, note.body, note.disclosure_id, note.author_id) == (
            NoteTopic.CONTENT, "名单未注明入党时间。", item_id, users["supervisor"])
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "supervision.note"))
        assert event.object_id == str(note_id) and event.actor_id == users["supervisor"]
    # The office (every office user, and nobody else) is told, with a link to the answer page.
    notices = _notices(app, "supervision.note")
    assert {recipient for recipient, *_ in notices} == _office_ids(app)
    assert len(_office_ids(app)) == 2  # the test user, and the item's author
    assert {(object_id, link) for _, object_id, link in notices} == {
        (note_id, f"/office/supervision/{note_id}")}
    page = text_of(client.get(response.headers["Location"]))
    assert "名单未注明入党时间。" in page and "待答复" in page


def test_a_note_on_a_catalog_entry_and_a_general_one(app, users, login_as):
    from tests.factories import make_catalog_entry

    with app.app_context():
        entry = make_catalog_entry(title="党费收缴使用管理情况")
        db.session.commit()
        entry_id = entry.id
    client = login_as("supervisor")
    page = text_of(client.get(f"/supervision/notes/new?entry={entry_id}"))
    assert re.search(rf'<option selected value="{entry_id}">|<option value="{entry_id}" selected', page)
    response = client.form_post("/supervision/notes/new", {
        "catalog_entry_id": str(entry_id), "topic": "timing", "body": "第三季度尚未公开。"})
    assert response.status_code == 302
    assert "目录条目“党费收缴使用管理情况”" in text_of(client.get(response.headers["Location"]))
    response = client.form_post("/supervision/notes/new", {
        "catalog_entry_id": "", "topic": "other", "body": "建议公开栏增加夜间照明。"})
    assert response.status_code == 302
    assert "一般意见" in text_of(client.get(response.headers["Location"]))
    assert _count(app, SupervisionNote) == 2


@pytest.mark.parametrize("data, field, message", [
    ({"topic": "content", "body": ""}, "body", "请填写监督意见。"),
    ({"topic": "content", "body": "字" * 5001}, "body", "监督意见不能超过 5000 字。"),
    ({"body": "内容"}, "topic", "请选择意见类别。"),
    ({"topic": "secrecy", "body": "内容"}, "topic", "不是有效的选择。"),
    ({"topic": "form", "body": "内容", "catalog_entry_id": "999"}, "catalog_entry_id",
     "所针对的目录条目不存在或已停用。"),
])
def test_invalid_notes_are_refused_next_to_the_field(app, users, login_as, data, field, message):
    response = login_as("supervisor").form_post("/supervision/notes/new", data)
    assert response.status_code == 422
    assert message in field_errors(response)
    assert f'id="{field}-error"' in text_of(response) or field == "topic"
    assert _count(app, SupervisionNote) == 0
    assert _count(app, AuditEvent, AuditEvent.action == "supervision.note") == 0
    assert _count(app, Notification) == 0


def test_a_body_of_exactly_5000_characters_is_accepted(app, users, login_as):
    response = login_as("supervisor").form_post("/supervision/notes/new",
                                                {"topic": "form", "body": "字" * 5000})
    assert response.status_code == 302


@pytest.mark.parametrize("state", [State.DRAFT, State.IN_REVIEW, State.WITHDRAWN])
def test_only_live_items_take_notes(app, users, login_as, state):
    item_id = make_item(app, state=state)
    client = login_as("supervisor")
    assert client.get(f"/supervision/notes/new?item={item_id}").status_code == 404
    response = client.form_post("/supervision/notes/new", {
        "disclosure_id": str(item_id), "topic": "content", "body": "内容"})
    assert response.status_code == 422
    assert "所针对的公开事项不存在或已撤回。" in field_errors(response)
    assert _count(app, SupervisionNote) == 0


def test_an_archived_item_still_takes_notes(app, users, login_as):
    item_id = make_item(app, state=State.ARCHIVED)
    response = login_as("supervisor").form_post("/supervision/notes/new", {
        "disclosure_id": str(item_id), "topic": "timing", "body": "归档过早。"})
    assert response.status_code == 302


def test_the_office_answers_and_the_supervisor_sees_it(app, users, login_as):
    note_id = make_note(app, disclosure_id=make_item(app, title="2026年第三季度党费收缴情况"))
    office = login_as("office")
    page = text_of(office.get("/office/supervision"))
    assert f"#{note_id}" in page and "待答复" in page
    form = text_of(office.get(f"/office/supervision/{note_id}"))
    version = re.search(r'name="version_id" type="hidden" value="(\d+)"', form).group(1)
    response = office.form_post(f"/office/supervision/{note_id}",
                                {"version_id": version, "answer_text": "已补充公开明细表。",
                                 "adoption": "adopted"})
    assert response.status_code == 302 and response.headers["Location"] == "/office/supervision"
    with app.app_context():
        note = db.session.get(SupervisionNote, note_id)
        assert note.answer_text == "已补充公开明细表。" and note.answered_by_id == users["office"]
        assert note.answered_at is not None
        assert db.session.scalar(select(AuditEvent.summary).where(
            AuditEvent.action == "supervision.answer")).startswith("答复")
    assert _notices(app, "supervision.answered") == [
        (users["supervisor"], note_id, f"/supervision/notes/{note_id}")]
    supervisor = login_as("supervisor")
    for path in ("/supervision", f"/supervision/notes/{note_id}"):
        page = text_of(supervisor.get(path))
        assert "已补充公开明细表。" in page and "办公室答复" in page


def test_an_empty_answer_is_refused(app, users, login_as):
    note_id = make_note(app)
    response = login_as("office").form_post(f"/office/supervision/{note_id}",
                                            {"version_id": "1", "answer_text": "  "})
    assert response.status_code == 422
    assert "请填写答复内容。" in field_errors(response)
    assert _count(app, SupervisionNote, SupervisionNote.answered_at.is_not(None)) == 0


def test_a_stale_answer_form_is_refused(app, users, login_as):
    from dwgk.accounts.models import Role
    from tests.factories import make_user

    with app.app_context():
        make_user(Role.OFFICE, username="office2")
        db.session.commit()
    note_id = make_note(app)
    office = login_as("office")
    form = text_of(office.get(f"/office/supervision/{note_id}"))
    version = re.search(r'name="version_id" type="hidden" value="(\d+)"', form).group(1)
    answer(app, note_id, "同事的答复。", by="office2")  # meanwhile, a colleague answers
    response = office.form_post(f"/office/supervision/{note_id}",
                                {"version_id": version, "answer_text": "我的答复。", "adoption": "adopted"})
    assert response.status_code == 409
    page = text_of(response)
    assert "已被他人答复或修改" in page and "同事的答复。" in page
    with app.app_context():
        assert db.session.get(SupervisionNote, note_id).answer_text == "同事的答复。"
    # The refused form now carries the current version: sending it again amends knowingly.
    version = re.search(r'name="version_id" type="hidden" value="(\d+)"', page).group(1)
    response = office.form_post(f"/office/supervision/{note_id}",
                                {"version_id": version, "answer_text": "我的答复。", "adoption": "adopted"})
    assert response.status_code == 302


def test_a_concurrent_change_is_caught_by_the_version_column(app, users):
    from sqlalchemy.orm.exc import StaleDataError

    from dwgk.supervision.services import answer_note

    note_id = make_note(app)
    with app.app_context():
        note = db.session.get(SupervisionNote, note_id)
        # Someone else's update lands behind the ORM's back (the loaded object still says
        # version 1): the flush's "WHERE version_id = 1" matches nothing.
        db.session.execute(text("UPDATE supervision_note SET version_id = version_id + 1, "
                                "answer_text = 'x' WHERE id = :id"), {"id": note_id})
        with pytest.raises(StaleDataError):
            answer_note(note, "我的答复。", actor=user("office"), expected_version=1)
        db.session.rollback()


def test_answering_twice_amends_and_notifies_once(app, users, login_as):
    note_id = make_note(app)
    answer(app, note_id, "第一次答复。")
    with app.app_context():
        first_answered_at = db.session.get(SupervisionNote, note_id).answered_at
    answer(app, note_id, "更正后的答复。")
    answer(app, note_id, "更正后的答复。")  # unchanged: nothing happens
    with app.app_context():
        note = db.session.get(SupervisionNote, note_id)
        assert note.answer_text == "更正后的答复。" and note.answered_at == first_answered_at
        assert note.version_id == 3
        summaries = db.session.scalars(select(AuditEvent.summary).where(
            AuditEvent.action == "supervision.answer").order_by(AuditEvent.id)).all()
    assert summaries[0].startswith("答复（时间") and summaries[1].startswith("修改答复（时间")
    assert len(_notices(app, "supervision.answered")) == 1


def test_notify_twice_creates_one_notice(app, users):
    from dwgk.notifications.services import notify

    note_id = make_note(app)
    with app.app_context():
        note = db.session.get(SupervisionNote, note_id)
        for _ in range(2):
            notify([note.author], "supervision.answered", "已答复", obj=note, link="/x")
        db.session.commit()
    assert len(_notices(app, "supervision.answered")) == 1


def test_the_office_list_puts_waiting_notes_first(app, users, login_as):
    answered = make_note(app, body="已答复的意见")
    answer(app, answered)
    waiting = make_note(app, body="等待答复的意见")
    page = text_of(login_as("office").get("/office/supervision"))
    assert page.index("等待答复的意见") < page.index("已答复的意见")
    assert f'href="/office/supervision/{waiting}"' in page


def test_a_supervisor_who_is_also_office_is_not_told_of_their_own_note(app, users):
    from dwgk.accounts.models import Role
    from tests.factories import make_user

    with app.app_context():
        make_user(Role.OFFICE, Role.SUPERVISOR, username="both")
        db.session.commit()
    make_note(app, author="both")
    recipients = {recipient for recipient, *_ in _notices(app, "supervision.note")}
    assert recipients == _office_ids(app) - {users["supervisor"]} - {_id(app, "both")}
    assert users["office"] in recipients


def test_one_target_at_most(app, users, login_as):
    from tests.factories import make_catalog_entry

    item_id = make_item(app)
    with app.app_context():
        entry_id = make_catalog_entry().id
        db.session.commit()
    response = login_as("supervisor").form_post("/supervision/notes/new", {
        "disclosure_id": str(item_id), "catalog_entry_id": str(entry_id),
        "topic": "content", "body": "内容"})
    assert response.status_code == 422
    assert "一条监督意见只能针对一个公开事项或一个目录条目。" in field_errors(response)
    assert _count(app, SupervisionNote) == 0


def test_the_services_check_the_roles_too(app, users):
    from dwgk.supervision.services import NoteInput, SupervisionError, answer_note, file_note

    note_id = make_note(app)
    with app.app_context():
        with pytest.raises(SupervisionError, match="只有监督员"):
            file_note(NoteInput(topic="content", body="内容"), author=user("member"))
        with pytest.raises(SupervisionError, match="只有党务公开办公室"):
            answer_note(db.session.get(SupervisionNote, note_id), "答复", actor=user("supervisor"))
