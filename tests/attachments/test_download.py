"""Downloading attachments: who may, and what the response says."""
from __future__ import annotations

from urllib.parse import quote

import pytest

from dwgk.catalog.models import Scope
from dwgk.disclosures.models import State
from dwgk.extensions import db
from tests.attachments import DOCX, PDF, PNG, make_item_with_attachment
from tests.support import text_of

NAME = "党费收缴情况.pdf"


def _make(app, state=State.PUBLISHED, **overrides):
    with app.app_context():
        disclosure, attachment = make_item_with_attachment(state, **overrides)
        db.session.commit()
        return disclosure.id, attachment.id, attachment.original_name


def _url(attachment_id, name=NAME):
    return f"/attachments/{attachment_id}/{quote(name)}"


def _status(login_as, who, url):
    return login_as(who).get(url, buffered=True).status_code


def test_public_attachment_is_served_to_everyone(app, login_as, users):
    _, attachment_id, name = _make(app, scope=Scope.PUBLIC, members_first_days=0)
    for who in ("anonymous", "member", "office", "reviewer", "supervisor", "admin", "nobody"):
        response = login_as(who).get(_url(attachment_id, name), buffered=True)
        assert response.status_code == 200, who
        assert response.data == PDF
        assert response.mimetype == "application/pdf"


def test_headers_of_a_public_pdf(app, users):
    _, attachment_id, name = _make(app, scope=Scope.PUBLIC, members_first_days=0)
    response = app.test_client().get(_url(attachment_id, name), buffered=True)
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("inline;")
    assert f"filename*=UTF-8''{quote(NAME)}" in disposition
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" not in response.headers["Content-Security-Policy"]  # see PDF_CSP
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    cache = response.headers["Cache-Control"]
    assert "public" in cache and "max-age=3600" in cache
    assert response.headers["ETag"]
    assert "Set-Cookie" not in response.headers  # a shared cache may keep it: nothing personal
    again = app.test_client().get(_url(attachment_id, name),
                                  headers={"If-None-Match": response.headers["ETag"]}, buffered=True)
    assert again.status_code == 304 and again.data == b""


def test_image_is_inline_and_sandboxed(app, users):
    _, attachment_id, name = _make(app, name="现场照片.png", data=PNG)
    response = app.test_client().get(_url(attachment_id, name), buffered=True)
    assert response.status_code == 200 and response.data == PNG
    assert response.mimetype == "image/png"
    assert response.headers["Content-Disposition"].startswith("inline;")
    assert response.headers["Content-Security-Policy"] == "sandbox"


def test_office_document_is_a_download(app, users):
    _, attachment_id, name = _make(app, name="会议纪要.docx", data=DOCX)
    response = app.test_client().get(_url(attachment_id, name), buffered=True)
    assert response.status_code == 200 and response.data == DOCX
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert f"filename*=UTF-8''{quote('会议纪要.docx')}" in response.headers["Content-Disposition"]
    assert response.headers["Content-Security-Policy"] == "sandbox"


def test_the_name_in_the_url_is_cosmetic(app, users):
    _, attachment_id, _ = _make(app, scope=Scope.PUBLIC, members_first_days=0)
    client = app.test_client()
    for name in ("whatever.exe", "..%2F..%2F..%2Fetc%2Fpasswd", "../../instance/secret_key",
                 "a/b/c.pdf", "%2e%2e/%2e%2e/app.py"):
        response = client.get(f"/attachments/{attachment_id}/{name}", buffered=True)
        assert response.status_code == 200, name
        assert response.data == PDF
        assert f"filename*=UTF-8''{quote(NAME)}" in response.headers["Content-Disposition"]


def test_path_traversal_never_reaches_other_files(app, users):
    _, attachment_id, _ = _make(app)
    client = app.test_client()
    for url, status in (("/attachments/../../app.py", 404), ("/attachments/%2e%2e/%2e%2e/app.py", 404),
                        ("/attachments/x/y", 404), (f"/attachments/{attachment_id}", 404),
                        (f"/attachments/{attachment_id}/../../../app.py", 200)):
        response = client.get(url, buffered=True)
        assert response.status_code == status, url
        assert b"create_app" not in response.data
        if status == 200:
            assert response.data == PDF


def test_unknown_attachment_is_404(app, login_as, users):
    assert _status(login_as, "anonymous", "/attachments/999999/a.pdf") == 404
    assert _status(login_as, "office", "/attachments/999999/a.pdf") == 404


def test_missing_file_on_disk_is_404_not_500(app, login_as, users):
    from dwgk.disclosures import attachments
    from dwgk.disclosures.models import Attachment

    _, attachment_id, name = _make(app)
    with app.app_context():
        attachments.stored_path(db.session.get(Attachment, attachment_id)).unlink()
    assert _status(login_as, "office", _url(attachment_id, name)) == 404


# --- canaries: what each reader gets, by the state of the item ------------------------------

def test_members_only_item(app, login_as, users):
    _, attachment_id, name = _make(app, scope=Scope.MEMBERS)
    url = _url(attachment_id, name)
    assert _status(login_as, "anonymous", url) == 404
    for who in ("member", "nobody", "supervisor", "office", "reviewer"):
        assert _status(login_as, who, url) == 200, who
    response = login_as("member").get(url, buffered=True)
    assert "public" not in response.headers["Cache-Control"]
    assert "no-store" in response.headers["Cache-Control"] or "private" in response.headers["Cache-Control"]


def test_public_item_in_its_members_first_window(app, login_as, users):
    _, attachment_id, name = _make(app, scope=Scope.PUBLIC, members_first_days=1)
    url = _url(attachment_id, name)
    assert _status(login_as, "anonymous", url) == 404
    response = login_as("member").get(url, buffered=True)
    assert response.status_code == 200
    assert "public" not in response.headers["Cache-Control"]


def test_public_item_after_its_members_first_window(app, login_as, users, frozen_clock):
    from datetime import datetime, timedelta

    start = datetime(2026, 3, 2, 9, 0)
    frozen_clock(start)
    _, attachment_id, name = _make(app, scope=Scope.PUBLIC, members_first_days=1)
    url = _url(attachment_id, name)
    assert _status(login_as, "anonymous", url) == 404
    frozen_clock(start + timedelta(days=1, minutes=1))
    response = login_as("anonymous").get(url, buffered=True)
    assert response.status_code == 200
    assert response.headers["Cache-Control"].startswith("public") or "public" in response.headers["Cache-Control"]


def test_draft(app, login_as, users):
    _, attachment_id, name = _make(app, State.DRAFT)
    url = _url(attachment_id, name)
    assert _status(login_as, "anonymous", url) == 404
    assert _status(login_as, "member", url) == 403
    assert _status(login_as, "supervisor", url) == 403
    assert _status(login_as, "office", url) == 200
    assert _status(login_as, "reviewer", url) == 200


def test_draft_answer_is_never_cached_publicly(app, login_as, users):
    _, attachment_id, name = _make(app, State.DRAFT)
    response = login_as("office").get(_url(attachment_id, name), buffered=True)
    assert "public" not in response.headers["Cache-Control"]


def test_withdrawn_item(app, login_as, users):
    _, attachment_id, name = _make(app, State.WITHDRAWN, scope=Scope.PUBLIC, members_first_days=0)
    url = _url(attachment_id, name)
    assert _status(login_as, "anonymous", url) == 404
    assert _status(login_as, "member", url) == 404
    assert _status(login_as, "supervisor", url) == 404
    # The office and the leading group still reach the files of what they withdrew.
    assert _status(login_as, "office", url) == 200
    assert _status(login_as, "reviewer", url) == 200


def test_archived_public_item_stays_readable(app, login_as, users):
    _, attachment_id, name = _make(app, State.ARCHIVED, scope=Scope.PUBLIC, members_first_days=0)
    assert _status(login_as, "anonymous", _url(attachment_id, name)) == 200


def test_404_page_does_not_leak_the_name(app, users):
    _, attachment_id, name = _make(app, scope=Scope.MEMBERS)
    response = app.test_client().get(_url(attachment_id, "x.pdf"), buffered=True)
    assert response.status_code == 404
    assert name not in text_of(response)


def test_head_request(app, users):
    _, attachment_id, name = _make(app)
    response = app.test_client().head(_url(attachment_id, name), buffered=True)
    assert response.status_code == 200
    assert int(response.headers["Content-Length"]) == len(PDF)


@pytest.mark.parametrize("state", [State.IN_REVIEW, State.APPROVED])
def test_work_in_progress_is_for_office_and_reviewers(app, login_as, users, state):
    _, attachment_id, name = _make(app, state=State.DRAFT)
    with app.app_context():
        from dwgk.accounts.models import Role
        from dwgk.disclosures import services
        from dwgk.disclosures.models import Attachment
        from tests.factories import make_user

        disclosure = db.session.get(Attachment, attachment_id).revision.disclosure
        author = disclosure.created_by
        services.submit(disclosure, actor=author)
        if state == State.APPROVED:
            services.review(disclosure, services.ReviewInput(
                decision=services.Decision.APPROVE, check_content=True, check_form=True,
                check_scope=True, check_timing=True, check_duration=True, check_secrecy=True),
                reviewer=make_user(Role.REVIEWER))
        db.session.commit()
        assert disclosure.state == state
    url = _url(attachment_id, name)
    assert _status(login_as, "anonymous", url) == 404
    assert _status(login_as, "member", url) == 403
    assert _status(login_as, "reviewer", url) == 200
    assert _status(login_as, "office", url) == 200
