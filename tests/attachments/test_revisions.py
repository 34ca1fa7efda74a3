"""Revisions share stored files; removing an attachment keeps what another revision needs."""
from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import select

from dwgk.core.audit import AuditEvent
from dwgk.catalog.models import Scope
from dwgk.disclosures import attachments, services
from dwgk.disclosures.models import Attachment, Disclosure, State
from dwgk.extensions import db
from tests.attachments import PDF, PNG, file_storage, make_item_with_attachment, upload
from tests.support import text_of


def _revised(app):
    """A published public item with one attachment, revised: (item id, old row id, new row id)."""
    with app.app_context():
        disclosure, old = make_item_with_attachment(scope=Scope.PUBLIC, members_first_days=0)
        new_revision = services.revise(disclosure, actor=disclosure.created_by)
        db.session.commit()
        return disclosure.id, old.id, new_revision.attachments[0].id


def _delete(client, disclosure_id, attachment_id, htmx=False):
    if client.csrf is None:
        client.refresh_csrf()
    return client.post(f"/office/items/{disclosure_id}/attachments/{attachment_id}/delete",
                       data={"csrf_token": client.csrf},
                       headers={"HX-Request": "true"} if htmx else {})


def _path(app, attachment_id) -> Path:
    with app.app_context():
        return attachments.stored_path(db.session.get(Attachment, attachment_id))


def _exists(app, attachment_id) -> bool:
    with app.app_context():
        return db.session.get(Attachment, attachment_id) is not None


def test_revise_shares_the_stored_file(app, users):
    _, old_id, new_id = _revised(app)
    assert old_id != new_id
    assert _path(app, old_id) == _path(app, new_id)
    files = [p for p in Path(app.config["DWGK_UPLOAD_DIR"]).rglob("*") if p.is_file()]
    assert len(files) == 1


def test_removing_it_from_the_new_revision_keeps_the_file_for_the_published_one(app, login_as, users):
    disclosure_id, old_id, new_id = _revised(app)
    path = _path(app, old_id)
    office = login_as("office")
    response = _delete(office, disclosure_id, new_id)
    assert response.status_code == 302
    assert not _exists(app, new_id) and _exists(app, old_id)
    assert path.is_file()
    # The public still downloads the published revision's file.
    response = app.test_client().get(f"/attachments/{old_id}/{quote('党费收缴情况.pdf')}", buffered=True)
    assert response.status_code == 200 and response.data == PDF


def test_removing_an_unshared_attachment_deletes_the_file(app, login_as, users):
    with app.app_context():
        disclosure, attachment = make_item_with_attachment(State.DRAFT)
        db.session.commit()
        disclosure_id, attachment_id = disclosure.id, attachment.id
    path = _path(app, attachment_id)
    assert path.is_file()
    response = _delete(login_as("office"), disclosure_id, attachment_id, htmx=True)
    assert response.status_code == 200
    html = text_of(response)
    assert html.lstrip().startswith('<section id="attachments"') and "无附件" in html
    assert "已删除附件“党费收缴情况.pdf”" in html
    assert not _exists(app, attachment_id)
    assert not path.exists()
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "attachment.remove"))
        assert event.summary == "党费收缴情况.pdf" and event.object_id == str(disclosure_id)
        assert event.actor_id == users["office"]
        # kept a day where a backup taken just before can find it, then deleted
        trashed = attachments.trash_path(path.name)
        assert trashed.read_bytes() == PDF
        day_old = trashed.stat().st_mtime - attachments.KEEP_REMOVED_SECONDS - 1
        os.utime(trashed, (day_old, day_old))
        other, second = make_item_with_attachment(State.DRAFT, title="另一事项")
        db.session.commit()
        removed = attachments.remove_attachment(second, actor=other.created_by)
        db.session.commit()
        attachments.delete_file_if_unused(removed)
        assert not trashed.exists() and attachments.trash_path(removed.name).is_file()


def test_a_new_file_on_the_revision_is_its_own(app, login_as, users):
    disclosure_id, old_id, _ = _revised(app)
    office = login_as("office")
    upload(office, disclosure_id, ("新照片.png", PNG))
    with app.app_context():
        disclosure = db.session.get(Disclosure, disclosure_id)
        assert [a.original_name for a in disclosure.live_revision.attachments] == ["党费收缴情况.pdf"]
        assert [a.original_name for a in disclosure.working_revision.attachments] == [
            "党费收缴情况.pdf", "新照片.png"]


def test_the_review_page_shows_what_changed(app, login_as, users):
    disclosure_id, _, new_id = _revised(app)
    office = login_as("office")
    upload(office, disclosure_id, ("新照片.png", PNG))
    _delete(office, disclosure_id, new_id)
    with app.app_context():
        disclosure = db.session.get(Disclosure, disclosure_id)
        services.update_draft(disclosure, services.DraftInput(
            title=disclosure.working_revision.title, body_source="修订后的正文。",
            category_id=disclosure.working_revision.category_id, scope=Scope.PUBLIC,
            cadence=disclosure.working_revision.cadence, members_first_days=0,
            members_first_reason="无需", change_note="更换附件"),
            actor=disclosure.created_by, expected_version=None)
        services.submit(disclosure, actor=disclosure.created_by)
        db.session.commit()
    page = text_of(login_as("reviewer").get(f"/review/{disclosure_id}", buffered=True))
    assert "新增：新照片.png" in page and "删除：党费收缴情况.pdf" in page
    assert '<section id="attachments"' in page and "新照片.png" in page
    assert 'name="files"' not in page  # reviewers do not upload


def test_old_revisions_attachment_cannot_be_deleted(app, login_as, users):
    disclosure_id, old_id, _ = _revised(app)
    office = login_as("office")
    response = _delete(office, disclosure_id, old_id)
    assert response.status_code == 302
    assert _exists(app, old_id)
    with office.session_transaction() as session:
        assert any("正在起草的版本" in text for _, text in session["_flashes"])


def test_delete_refused_on_a_published_item(app, login_as, users):
    with app.app_context():
        disclosure, attachment = make_item_with_attachment()
        db.session.commit()
        disclosure_id, attachment_id = disclosure.id, attachment.id
    office = login_as("office")
    assert _delete(office, disclosure_id, attachment_id).status_code == 302
    assert _exists(app, attachment_id) and _path(app, attachment_id).is_file()
    response = _delete(office, disclosure_id, attachment_id, htmx=True)
    assert response.status_code == 422 and "请先“修订”" in text_of(response)


def test_delete_through_another_items_url_is_404(app, login_as, users):
    with app.app_context():
        one, attachment = make_item_with_attachment(State.DRAFT)
        other, _ = make_item_with_attachment(State.DRAFT)
        db.session.commit()
        attachment_id, other_id = attachment.id, other.id
    assert _delete(login_as("office"), other_id, attachment_id).status_code == 404
    assert _delete(login_as("office"), other_id, 999999).status_code == 404
    assert _exists(app, attachment_id)


@pytest.mark.parametrize("role", ["reviewer", "member", "admin"])
def test_only_the_office_deletes(app, login_as, users, role):
    with app.app_context():
        disclosure, attachment = make_item_with_attachment(State.DRAFT)
        db.session.commit()
        disclosure_id, attachment_id = disclosure.id, attachment.id
    assert _delete(login_as(role), disclosure_id, attachment_id).status_code == 403
    assert _exists(app, attachment_id)


def test_a_failed_commit_keeps_the_file(app, login_as, users, monkeypatch):
    with app.app_context():
        disclosure, attachment = make_item_with_attachment(State.DRAFT)
        db.session.commit()
        disclosure_id, attachment_id = disclosure.id, attachment.id
    path = _path(app, attachment_id)
    office = login_as("office")
    office.refresh_csrf()

    def failing_commit():
        raise RuntimeError("disk full")

    monkeypatch.setattr(db.session, "commit", failing_commit)
    app.config["PROPAGATE_EXCEPTIONS"] = True
    with pytest.raises(RuntimeError):
        _delete(office, disclosure_id, attachment_id)
    monkeypatch.undo()
    assert _exists(app, attachment_id) and path.is_file()


def test_submit_accepts_an_item_with_only_attachments(app, users):
    """正文和附件不能都为空: an attachment alone is content."""
    from tests.factories import make_disclosure

    with app.app_context():
        disclosure = make_disclosure(State.DRAFT, body="")
        attachments.add_attachment(disclosure.working_revision, file_storage("通知.pdf", PDF),
                                   actor=disclosure.created_by)
        services.submit(disclosure, actor=disclosure.created_by)
        db.session.commit()
        assert disclosure.state == State.IN_REVIEW
