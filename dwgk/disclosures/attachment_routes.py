"""Attachments: upload and delete (office, on drafts), download (access-checked)."""
from __future__ import annotations

import json

from flask import Blueprint, abort, current_app, flash, jsonify, redirect, request, send_file, url_for
from flask_login import current_user

from dwgk import policy
from dwgk.disclosures import attachments, queries
from dwgk.disclosures.models import Attachment
from dwgk.disclosures.services import DisclosureError
from dwgk.extensions import db
from dwgk.web.render import render, wants_fragment

bp = Blueprint("attachments", __name__)

# Files the browser shows itself are sandboxed: no script, no same-origin access, even if a
# file were crafted to be read as something else.
SANDBOX = "sandbox"
# A PDF is the exception: Safari (and Chromium before its fix of issue 413851) shows a blank
# page for a PDF served with `sandbox`. A PDF gets a CSP that leaves the built-in viewer alone
# but lets the document load nothing; nosniff and the sniffed %PDF- header keep it from ever
# being read as HTML. (Chromium 156 here renders PDFs under either policy.)
PDF_CSP = "default-src 'none'; object-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'none'"
PUBLIC_MAX_AGE = 3600


def _user():
    return current_user._get_current_object()


def _load(disclosure_id: int):
    disclosure = queries.load_for_work(disclosure_id)
    if disclosure is None:
        abort(404)
    return disclosure


def _back(disclosure_id: int):
    return redirect(url_for("disclosures.show", disclosure_id=disclosure_id) + "#attachments")


def _answer(disclosure, *, errors: list[str], done: list[str], changed: bool, images=()):
    """The editor (Accept: application/json): the uploaded images' addresses, to insert
    inline. htmx: the refreshed fragment with its messages (422 when nothing worked).
    Otherwise: flashes and a redirect back to the item page."""
    if request.accept_mimetypes.best == "application/json":
        return jsonify(errors=errors, messages=done, images=[
            {"id": a.id, "name": a.original_name, "url": attachments.inline_url(a)} for a in images
            if a.is_image]), (422 if errors and not changed else 200)
    if wants_fragment():
        disclosure = _load(disclosure.id)
        status = 422 if errors and not changed else 200
        response = render("disclosures/_attachments.html", disclosure=disclosure,
                          revision=disclosure.working_revision, attachment_errors=errors,
                          attachment_messages=done, status=status)
        if changed:
            # JSON keeps the header ASCII (a Chinese header breaks the real server).
            response.headers["HX-Trigger"] = json.dumps({"dwgk:attachments-changed": {
                "disclosure": disclosure.id}})
        return response
    for message in errors:
        flash(message, "error")
    for message in done:
        flash(message, "success")
    return _back(disclosure.id)


def _state_refusal(disclosure) -> str:
    try:
        attachments.check_may_change(disclosure.working_revision, _user())
    except DisclosureError as exc:
        return str(exc)
    return "该事项当前不能修改附件。"


@bp.post("/office/items/<int:disclosure_id>/attachments")
@policy.require(policy.can_draft)
def upload(disclosure_id: int):
    disclosure = _load(disclosure_id)
    if not policy.can_manage_attachments(current_user, disclosure):
        return _answer(disclosure, errors=[_state_refusal(disclosure)], done=[], changed=False)
    uploads = [f for f in request.files.getlist("files") if f.filename]
    if not uploads:
        return _answer(disclosure, errors=["请选择要上传的文件。"], done=[], changed=False)
    revision = disclosure.working_revision
    added, errors, written, rows = [], [], [], []
    try:
        for upload_ in uploads:
            try:
                attachment = attachments.add_attachment(revision, upload_, actor=_user())
            except DisclosureError as exc:
                errors.append(f"“{attachments.clean_name(upload_.filename)}”未上传：{exc}")
            else:
                added.append(attachment.original_name)
                rows.append(attachment)
                written.append(attachments.stored_path(attachment))
        db.session.commit()
    except BaseException:
        # Files without rows would be orphans: the rows are gone with the rollback.
        db.session.rollback()
        attachments.discard_files(written)
        raise
    done = [f"已上传 {len(added)} 个附件：" + "、".join(added)] if added else []
    return _answer(disclosure, errors=errors, done=done, changed=bool(added), images=rows)


@bp.post("/office/items/<int:disclosure_id>/attachments/<int:attachment_id>/delete")
@policy.require(policy.can_draft)
def delete(disclosure_id: int, attachment_id: int):
    disclosure = _load(disclosure_id)
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None or attachment.revision.disclosure_id != disclosure.id:
        abort(404)
    name = attachment.original_name
    try:
        orphan = attachments.remove_attachment(attachment, actor=_user())
        db.session.commit()
    except DisclosureError as exc:
        db.session.rollback()
        return _answer(disclosure, errors=[str(exc)], done=[], changed=False)
    attachments.delete_file_if_unused(orphan)  # after the commit: never a row without its file
    return _answer(disclosure, errors=[], done=[f"已删除附件“{name}”。"], changed=True)


@bp.get("/attachments/<int:attachment_id>/<path:filename>")
def download(attachment_id: int, filename: str):
    """The file. `filename` only makes the URL readable and the saved name right in old
    browsers; its value is ignored (the stored name comes from the database)."""
    attachment = policy.get_downloadable_or_404(attachment_id)
    path = attachments.stored_path(attachment)
    if not path.is_file():
        current_app.logger.error("attachment %s: stored file %s is missing", attachment.id, path)
        abort(404)
    public = policy.is_public_attachment(attachment)
    response = send_file(
        path, mimetype=attachment.content_type, as_attachment=not attachments.is_inline(attachment),
        download_name=attachment.original_name, conditional=True, etag=attachment.sha256,
        max_age=PUBLIC_MAX_AGE if public else None)
    if not public:
        response.cache_control.public = False
        response.cache_control.private = True
        response.cache_control.no_cache = True
        response.expires = None
    response.headers["Content-Security-Policy"] = (
        PDF_CSP if attachment.content_type == "application/pdf" else SANDBOX)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
