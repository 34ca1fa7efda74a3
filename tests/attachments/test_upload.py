"""Uploading attachments to a draft: what is accepted, where it goes, what is refused."""
from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from dwgk.core.audit import AuditEvent
from dwgk.catalog.models import Scope
from dwgk.disclosures import attachments
from dwgk.disclosures.models import Attachment, State
from dwgk.disclosures.services import DisclosureError
from dwgk.extensions import db
from tests.attachments import (
    DOCX,
    HTML,
    PDF,
    PNG,
    exe_bytes,
    file_storage,
    ole2_bytes,
    plain_zip_bytes,
    upload,
)
from tests.factories import make_disclosure
from tests.support import text_of

STORED = re.compile(r"[0-9a-f]{2}/[0-9a-f]{32}")


@pytest.fixture
def draft_id(app, users):
    with app.app_context():
        disclosure = make_disclosure(State.DRAFT, scope=Scope.PUBLIC)
        db.session.commit()
        return disclosure.id


def _rows(app, disclosure_id=None):
    with app.app_context():
        rows = db.session.scalars(select(Attachment).order_by(Attachment.id)).all()
        return [(a.original_name, a.content_type, a.size, a.sha256, a.stored_name,
                 a.revision.disclosure_id) for a in rows]


def _files(app) -> list[Path]:
    """Every file in the upload dir (temporary ones included)."""
    root = Path(app.config["DWGK_UPLOAD_DIR"])
    return sorted(p for p in root.rglob("*") if p.is_file())


def _flashes(client) -> list[tuple[str, str]]:
    with client.session_transaction() as session:
        return list(session.get("_flashes", []))


def test_office_uploads_several_files_to_a_draft(app, login_as, draft_id):
    office = login_as("office")
    response = upload(office, draft_id, ("党费收缴情况.pdf", PDF), ("现场照片.png", PNG),
                      ("会议纪要.docx", DOCX), ("旧版通知.doc", ole2_bytes()))
    assert response.status_code == 302
    assert response.headers["Location"].startswith(f"/office/items/{draft_id}")
    rows = _rows(app)
    assert [(name, kind, size) for name, kind, size, *_ in rows] == [
        ("党费收缴情况.pdf", "application/pdf", len(PDF)),
        ("现场照片.png", "image/png", len(PNG)),
        ("会议纪要.docx",
         "application/vnd.openxmlformats-officedocument.wordprocessingml.document", len(DOCX)),
        ("旧版通知.doc", "application/msword", len(ole2_bytes())),
    ]
    assert rows[0][3] == hashlib.sha256(PDF).hexdigest()
    # Stored under random names inside the upload dir: no trace of what the user typed.
    root = Path(app.config["DWGK_UPLOAD_DIR"])
    files = _files(app)
    assert len(files) == 4
    for (name, _, size, sha256, stored_name, _), path in zip(rows, sorted(
            files, key=lambda p: [r[4] for r in rows].index(p.name))):
        assert STORED.fullmatch(path.relative_to(root).as_posix())
        assert path.name == stored_name and stored_name[:2] == path.parent.name
        assert path.read_bytes() and hashlib.sha256(path.read_bytes()).hexdigest() == sha256
        assert name not in str(path)
    assert ("success", "已上传 4 个附件：党费收缴情况.pdf、现场照片.png、会议纪要.docx、旧版通知.doc") in _flashes(office)


def test_item_page_lists_the_attachments_with_upload_and_delete_forms(app, login_as, draft_id):
    office = login_as("office")
    upload(office, draft_id, ("党费收缴情况.pdf", PDF))
    page = text_of(office.get(f"/office/items/{draft_id}"))
    assert '<section id="attachments"' in page
    assert "党费收缴情况.pdf" in page and f"（PDF，{len(PDF)} 字节）" in page
    assert 'hx-encoding="multipart/form-data"' in page
    assert 'enctype="multipart/form-data"' in page
    assert 'name="files" multiple' in page
    assert f'action="/office/items/{draft_id}/attachments/' in page  # a delete form
    with app.app_context():
        attachment_id = db.session.scalar(select(Attachment.id))
    assert f'href="/attachments/{attachment_id}/' in page


def test_htmx_upload_answers_the_fragment(app, login_as, draft_id):
    office = login_as("office")
    response = upload(office, draft_id, ("照片.png", PNG), ("病毒.exe", exe_bytes()), htmx=True)
    assert response.status_code == 200
    html = text_of(response)
    assert html.lstrip().startswith('<section id="attachments"')
    assert "<html" not in html
    assert "照片.png" in html
    assert "“病毒.exe”未上传" in html and "只能上传 PDF、图片（PNG/JPEG/GIF/WebP）或 Office 文档" in html
    assert "HX-Request" in response.headers["Vary"]
    assert "attachments-changed" in response.headers["HX-Trigger"]
    response.headers["HX-Trigger"].encode("latin-1")  # a real server must be able to send it


def test_htmx_upload_with_only_refusals_is_422(app, login_as, draft_id):
    response = upload(login_as("office"), draft_id, ("通知.pdf", HTML), htmx=True)
    assert response.status_code == 422
    assert "“通知.pdf”未上传" in text_of(response)
    assert "HX-Trigger" not in response.headers
    assert _rows(app) == []


@pytest.mark.parametrize("name, data, message", [
    ("setup.exe", exe_bytes(), "只能上传 PDF、图片（PNG/JPEG/GIF/WebP）或 Office 文档（Word/Excel/PowerPoint）"),
    ("通知.pdf", HTML, "不支持此文件类型"),
    ("名单.zip", plain_zip_bytes(), "压缩包不能上传"),
    ("空白.pdf", b"", "文件是空的"),
])
def test_refused_files_leave_nothing_behind(app, login_as, draft_id, name, data, message):
    office = login_as("office")
    response = upload(office, draft_id, (name, data))
    assert response.status_code == 302
    errors = [text for kind, text in _flashes(office) if kind == "error"]
    assert len(errors) == 1 and errors[0].startswith(f"“{name}”未上传：") and message in errors[0]
    assert _rows(app) == []
    assert _files(app) == []  # not even a temporary file


def test_each_refused_file_gets_its_own_message_and_the_good_ones_are_kept(app, login_as, draft_id):
    office = login_as("office")
    upload(office, draft_id, ("a.exe", exe_bytes()), ("b.pdf", PDF), ("c.zip", plain_zip_bytes()))
    flashes = _flashes(office)
    assert [kind for kind, _ in flashes] == ["error", "error", "success"]
    assert "“a.exe”" in flashes[0][1] and "“c.zip”" in flashes[1][1]
    assert [row[0] for row in _rows(app)] == ["b.pdf"]
    assert len(_files(app)) == 1


def test_a_pdf_with_the_wrong_extension_is_stored_as_pdf_and_named_so(app, login_as, draft_id):
    upload(login_as("office"), draft_id, ("通知.txt", PDF))
    assert [(row[0], row[1]) for row in _rows(app)] == [("通知.txt.pdf", "application/pdf")]


def test_file_over_the_attachment_limit_is_refused(make_app):
    from dwgk.accounts.models import Role
    from tests.factories import DEFAULT_PASSWORD, make_user

    app = make_app(DWGK_ATTACHMENT_MAX_MB=1)
    with app.app_context():
        make_user(Role.OFFICE, username="office")
        draft = make_disclosure(State.DRAFT)
        db.session.commit()
        draft_id = draft.id
    office = app.test_client()
    assert office.login("office", DEFAULT_PASSWORD).status_code == 302
    big = PDF + b"\0" * (1024 * 1024)
    upload(office, draft_id, ("大文件.pdf", big), ("小文件.pdf", PDF))
    errors = [text for kind, text in _flashes(office) if kind == "error"]
    assert errors == ["“大文件.pdf”未上传：文件超过 1 MB 的大小限制。"]
    assert [row[0] for row in _rows(app)] == ["小文件.pdf"]
    assert len(_files(app)) == 1


def test_request_over_max_content_length_is_413(make_app):
    from dwgk.accounts.models import Role
    from tests.factories import DEFAULT_PASSWORD, make_user

    app = make_app(MAX_CONTENT_LENGTH=64 * 1024)
    with app.app_context():
        make_user(Role.OFFICE, username="office")
        draft = make_disclosure(State.DRAFT)
        db.session.commit()
        draft_id = draft.id
    office = app.test_client()
    assert office.login("office", DEFAULT_PASSWORD).status_code == 302
    response = upload(office, draft_id, ("大文件.pdf", PDF + b"\0" * (128 * 1024)))
    assert response.status_code == 413
    assert "文件过大" in text_of(response)
    assert _rows(app) == [] and _files(app) == []


def test_same_file_twice_is_refused(app, login_as, draft_id):
    office = login_as("office")
    upload(office, draft_id, ("a.pdf", PDF))
    upload(office, draft_id, ("b.pdf", PDF))
    assert [row[0] for row in _rows(app)] == ["a.pdf"]
    assert any("与已上传的“a.pdf”内容相同" in text for _, text in _flashes(office))


def test_no_file_selected(app, login_as, draft_id):
    office = login_as("office")
    office.refresh_csrf()
    response = office.post(f"/office/items/{draft_id}/attachments",
                           data={"csrf_token": office.csrf}, content_type="multipart/form-data")
    assert response.status_code == 302
    assert ("error", "请选择要上传的文件。") in _flashes(office)


def test_upload_needs_the_csrf_token(app, login_as, draft_id):
    office = login_as("office")
    office.csrf = "forged"
    assert upload(office, draft_id, ("a.pdf", PDF)).status_code == 400
    assert _rows(app) == []


@pytest.mark.parametrize("role", ["reviewer", "member", "supervisor", "admin", "nobody"])
def test_only_the_office_uploads(app, login_as, draft_id, role):
    assert upload(login_as(role), draft_id, ("a.pdf", PDF)).status_code == 403
    assert _rows(app) == []


def test_anonymous_upload_goes_to_login(app, draft_id):
    response = upload(app.test_client(), draft_id, ("a.pdf", PDF))
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert _rows(app) == []


def test_unknown_item_is_404(app, login_as, users):
    assert upload(login_as("office"), 999999, ("a.pdf", PDF)).status_code == 404


def test_upload_refused_on_a_published_item(app, login_as, users):
    with app.app_context():
        published = make_disclosure(State.PUBLISHED)
        db.session.commit()
        published_id = published.id
    office = login_as("office")
    response = upload(office, published_id, ("a.pdf", PDF))
    assert response.status_code == 302
    errors = [text for kind, text in _flashes(office) if kind == "error"]
    assert errors and "请先“修订”" in errors[0]
    response = upload(office, published_id, ("a.pdf", PDF), htmx=True)
    assert response.status_code == 422 and "请先“修订”" in text_of(response)
    assert _rows(app) == [] and _files(app) == []


@pytest.mark.parametrize("state", [State.IN_REVIEW, State.APPROVED])
def test_upload_refused_while_in_review_or_approved(app, login_as, users, state):
    with app.app_context():
        item = make_disclosure(state)
        db.session.commit()
        item_id = item.id
    office = login_as("office")
    assert upload(office, item_id, ("a.pdf", PDF)).status_code == 302
    assert any("不能修改附件" in text for kind, text in _flashes(office) if kind == "error")
    assert _rows(app) == []


def test_upload_is_audited(app, login_as, users, draft_id):
    upload(login_as("office"), draft_id, ("党费收缴情况.pdf", PDF))
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "attachment.add"))
        assert event.summary == "党费收缴情况.pdf"
        assert (event.object_type, event.object_id) == ("disclosure", str(draft_id))
        assert event.actor_id == users["office"]


def test_service_refuses_users_without_the_office_role(app, users, draft_id):
    from dwgk.accounts.models import User
    from dwgk.disclosures.models import Disclosure

    with app.app_context():
        reviewer = db.session.get(User, users["reviewer"])
        disclosure = db.session.get(Disclosure, draft_id)
        with pytest.raises(DisclosureError, match="只有党务公开办公室"):
            attachments.add_attachment(disclosure.working_revision, file_storage("a.pdf", PDF),
                                       actor=reviewer)
    assert _files(app) == []


def test_a_failure_after_the_file_was_written_removes_it(app, users, draft_id, monkeypatch):
    from dwgk.accounts.models import User
    from dwgk.disclosures.models import Disclosure

    def broken_record(*args, **kwargs):
        raise RuntimeError("audit log unavailable")

    monkeypatch.setattr(attachments, "record", broken_record)
    with app.app_context():
        office = db.session.get(User, users["office"])
        disclosure = db.session.get(Disclosure, draft_id)
        with pytest.raises(RuntimeError):
            attachments.add_attachment(disclosure.working_revision, file_storage("a.pdf", PDF),
                                       actor=office)
        db.session.rollback()
    assert _files(app) == []
    assert _rows(app) == []


def test_a_failed_commit_removes_the_new_files(app, login_as, draft_id, monkeypatch):
    office = login_as("office")
    office.refresh_csrf()

    def failing_commit():
        raise RuntimeError("disk full")

    monkeypatch.setattr(db.session, "commit", failing_commit)
    app.config["PROPAGATE_EXCEPTIONS"] = True
    with pytest.raises(RuntimeError):
        upload(office, draft_id, ("a.pdf", PDF), ("b.png", PNG))
    monkeypatch.undo()
    assert _files(app) == []
    assert _rows(app) == []
