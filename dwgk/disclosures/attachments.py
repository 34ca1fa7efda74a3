"""Attachments (附件) of a disclosure's working revision: upload, remove, find on disk.

What this module promises:

- A file is accepted only by what it *is* (its first bytes, and for Office Open XML its
  ZIP directory), never by the browser's Content-Type or by its name alone. The allow-list:
  PDF, PNG, JPEG, GIF, WebP, Word/Excel/PowerPoint (.docx/.xlsx/.pptx without macros, and
  the legacy .doc/.xls/.ppt), WPS Office (.wps/.et/.dps). Empty and over-size files
  (DWGK_ATTACHMENT_MAX_MB, default 20), Office files with macros and a second copy of a
  file already on the revision are refused. Every refusal is a DisclosureError (Refused)
  with a Chinese message for the user.
- The stored file lives at `<DWGK_UPLOAD_DIR>/<2 hex>/<32 hex>`: a random name from
  `secrets.token_hex(16)`, nothing the user typed. The display name (Chinese allowed) is
  kept in the database, cleaned of directory parts and control characters, at most 255
  characters.
- The name's extension always matches the sniffed type: a PDF uploaded as "通知.txt" is
  stored as a PDF and offered as "通知.txt.pdf" (we keep what the user typed, and the
  browser and the desktop open the file with the right program). A legacy OLE2 file
  (.doc/.xls/.ppt/.wps/.et/.dps all share one magic number) is told apart by its name,
  so it must carry one of those extensions; otherwise it is refused.
- Nothing is half-saved: a refused or failed upload leaves no file behind. Files are
  written before the database commit; if the commit then fails, the route deletes the
  new files (`discard_files`). If the process dies between the two, an unreferenced file
  (or a `.upload-*` temporary file) is left in the upload dir: harmless (nobody can reach
  it) and found by comparing the directory with `attachment.stored_name`.
- Attachments change only while the item is a draft, and the check holds until the commit
  (see `_lock_draft`): a concurrent submit cannot slip a file into an item in review.
- Revisions share stored files (revise() copies the rows). Removing an attachment deletes
  its row at once, and its file only once no other row names it — after the commit, by the
  caller, through the path `remove_attachment` returns.
- A removed file is kept a day in `<DWGK_UPLOAD_DIR>/.trash/` (moved, not copied; nobody can
  reach it there) before it is deleted: a backup whose database copy was taken just before
  the removal still finds the file (ops.backup), so its archive holds every row's file.
"""
from __future__ import annotations

import hashlib
import os
import re
import secrets
import tempfile
import unicodedata
import time
import zipfile
from pathlib import Path, PurePosixPath

from flask import current_app
from sqlalchemy import func, select, update

from dwgk import policy
from dwgk.core.audit import record
from dwgk.disclosures.models import Attachment, Disclosure, Revision, State
from dwgk.disclosures.services import DisclosureError
from dwgk.extensions import db

ALLOWED_TYPES_MESSAGE = "只能上传 PDF、图片（PNG/JPEG/GIF/WebP）或 Office 文档（Word/Excel/PowerPoint）"
CHUNK_SIZE = 64 * 1024
HEAD_SIZE = 64
NAME_MAX = 255
STORED_NAME = re.compile(r"[0-9a-f]{32}")

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

# extension -> content type, for the types told apart by their name (legacy OLE2 files).
OLE2_TYPES = {
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
    "ppt": "application/vnd.ms-powerpoint",
    "wps": "application/vnd.ms-works",       # WPS 文字 (WPS Office's legacy format)
    "et": "application/vnd.ms-excel",        # WPS 表格
    "dps": "application/vnd.ms-powerpoint",  # WPS 演示
}

# Office Open XML: the folder that makes the ZIP a document of this kind.
OOXML_TYPES = {
    "word/": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
    "xl/": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "ppt/": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", "pptx"),
}

# Extensions a file of each content type may already carry (no ".pdf" is added to "a.pdf").
EXTENSIONS = {
    "application/pdf": {"pdf"},
    "image/png": {"png"},
    "image/jpeg": {"jpg", "jpeg", "jpe", "jfif"},
    "image/gif": {"gif"},
    "image/webp": {"webp"},
}

# Shown inline by the browser (with a sandboxing CSP); everything else is a download.
INLINE_TYPES = {"application/pdf", "image/png", "image/jpeg", "image/gif", "image/webp"}


class Refused(DisclosureError):
    """The file is not accepted; the message names the file and the reason."""


def _refuse(message: str) -> Refused:
    return Refused(message, "files")


def max_bytes() -> int:
    return int(current_app.config.get("DWGK_ATTACHMENT_MAX_MB", 20)) * 1024 * 1024


def upload_dir() -> Path:
    return Path(current_app.config["DWGK_UPLOAD_DIR"]).resolve()


# --- what a file is ---------------------------------------------------------------------

def _extension(name: str) -> str:
    suffix = PurePosixPath(name).suffix
    return suffix[1:].lower() if suffix else ""


def _sniff_ooxml(path_or_stream) -> tuple[str, str]:
    try:
        with zipfile.ZipFile(path_or_stream) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise _refuse(f"文件已损坏或不是有效的 Office 文档。{ALLOWED_TYPES_MESSAGE}。") from None
    if "[Content_Types].xml" not in names:
        raise _refuse(f"压缩包不能上传。{ALLOWED_TYPES_MESSAGE}。")
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        # .docm/.xlsm/.pptm (or one renamed to .docx): macros are a classic attack vector.
        raise _refuse("含宏的 Office 文档不能上传，请另存为不含宏的格式（.docx/.xlsx/.pptx）后再上传。")
    for folder, found in OOXML_TYPES.items():
        if any(n.startswith(folder) for n in names):
            return found
    raise _refuse(f"不支持此类 Office 文件。{ALLOWED_TYPES_MESSAGE}。")


def sniff(head: bytes, path_or_stream, name: str = "") -> tuple[str, str]:
    """(content type, extension) of an allowed file, judged by its content.

    `head` is the file's first bytes (at least 16); `path_or_stream` the whole file (a path
    or a seekable binary stream), read only to check a ZIP's directory. `name` decides among
    the legacy OLE2 formats, which share one magic number. Raises Refused otherwise.
    """
    if not head:
        raise _refuse("文件是空的。")
    if head.startswith(b"%PDF-"):
        return "application/pdf", "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png", "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg", "jpg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif", "gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp", "webp"
    if head.startswith(b"PK\x03\x04"):
        return _sniff_ooxml(path_or_stream)
    if head.startswith(OLE2_MAGIC):
        extension = _extension(name)
        if extension in OLE2_TYPES:
            return OLE2_TYPES[extension], extension
        raise _refuse("无法识别的旧版 Office 文件：Word、Excel、PowerPoint 文件名须以"
                      " .doc、.xls、.ppt（WPS：.wps、.et、.dps）结尾。")
    raise _refuse(f"不支持此文件类型。{ALLOWED_TYPES_MESSAGE}。")


# --- names ----------------------------------------------------------------------------------

def clean_name(raw: str | None) -> str:
    """The display name: no directory part, no control or invisible formatting characters
    (such as the right-to-left override that disguises "…fdp.exe"), NFC, trimmed."""
    name = unicodedata.normalize("NFC", raw or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name
                    if unicodedata.category(ch) not in {"Cc", "Cf", "Zl", "Zp", "Cs"})
    name = " ".join(name.split())  # tabs and runs of spaces: one space
    name = name.strip(" .")
    return name or "附件"


def display_name(raw: str | None, content_type: str, extension: str) -> str:
    """`raw` cleaned, ending in an extension of the sniffed type, at most 255 characters."""
    name = clean_name(raw)
    allowed = EXTENSIONS.get(content_type, {extension})
    if _extension(name) not in allowed:
        name = f"{name}.{extension}"
    if len(name) > NAME_MAX:
        stem, dot, ext = name.rpartition(".")
        name = stem[:NAME_MAX - len(ext) - 1] + dot + ext
    return name


# --- where a file lives -----------------------------------------------------------------------

def path_for(stored_name: str) -> Path:
    """The file of `stored_name`, inside the upload dir (anything else is refused)."""
    if not STORED_NAME.fullmatch(stored_name or ""):
        raise ValueError(f"not a stored attachment name: {stored_name!r}")
    base = upload_dir()
    path = (base / stored_name[:2] / stored_name).resolve()
    if not path.is_relative_to(base):
        raise ValueError(f"attachment path outside the upload dir: {path}")
    return path


def stored_path(attachment: Attachment) -> Path:
    return path_for(attachment.stored_name)


def discard_files(paths) -> None:
    """Delete files written for a request whose commit failed (missing ones are fine)."""
    for path in paths:
        try:
            Path(path).unlink(missing_ok=True)
        except OSError:
            current_app.logger.exception("could not delete attachment file %s", path)


# --- changes ----------------------------------------------------------------------------------

def _lock_draft(disclosure: Disclosure) -> None:
    """Make sure the item is a draft *now*, and keep it so until our commit.

    A no-op UPDATE conditioned on the state takes the row's write lock (PostgreSQL; SQLite
    already holds the database's with BEGIN IMMEDIATE), so a concurrent submit either ran
    first (we see it and refuse) or waits for us. It leaves version_id alone: an office page
    opened before the upload can still submit without a false edit conflict.
    """
    table = Disclosure.__table__
    result = db.session.execute(
        update(table).where(table.c.id == disclosure.id, table.c.state == State.DRAFT.value)
        .values(version_id=table.c.version_id))
    if result.rowcount != 1:
        raise DisclosureError("该事项已不是草稿，不能修改附件。请刷新页面查看最新状态。")


def check_may_change(revision: Revision, actor) -> None:
    disclosure = revision.disclosure
    if not policy.can_manage_attachments(actor, disclosure):
        if not policy.can_draft(actor):
            raise DisclosureError("只有党务公开办公室可以修改附件。")
        if disclosure.state in (State.PUBLISHED, State.ARCHIVED):
            raise DisclosureError(f"“{disclosure.state.label}”的事项不能直接修改附件，"
                                  "请先“修订”，在新的修订稿中增删附件。")
        raise DisclosureError(f"“{disclosure.state.label}”状态的事项不能修改附件。")
    if disclosure.working_revision_id != revision.id:
        raise DisclosureError("只能修改正在起草的版本的附件。")


def _receive(file_storage, directory: Path) -> tuple[Path, bytes, int, str]:
    """Copy the upload into a temporary file in `directory`, in chunks, hashing as it goes.
    Returns (temporary path, first bytes, size, sha256). Too large: Refused, nothing left."""
    limit = max_bytes()
    digest = hashlib.sha256()
    size = 0
    head = b""
    handle = tempfile.NamedTemporaryFile(dir=directory, prefix=".upload-", delete=False)
    path = Path(handle.name)
    try:
        with handle:
            stream = file_storage.stream
            while chunk := stream.read(CHUNK_SIZE):
                size += len(chunk)
                if size > limit:
                    raise _refuse(f"文件超过 {limit // (1024 * 1024)} MB 的大小限制。")
                if len(head) < HEAD_SIZE:
                    head += chunk[:HEAD_SIZE - len(head)]
                digest.update(chunk)
                handle.write(chunk)
        return path, head, size, digest.hexdigest()
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def _new_stored_name(base: Path) -> tuple[str, Path]:
    while True:
        name = secrets.token_hex(16)
        path = base / name[:2] / name
        if not path.exists():  # 2^128 names: a clash would be news, but cost nothing to avoid
            return name, path


def add_attachment(revision: Revision, file_storage, *, actor) -> Attachment:
    """Attach the uploaded file to `revision` (the working revision of a draft).

    The file is streamed to disk once, sniffed there, then moved under a random name; the
    row is added and flushed, the audit event recorded; the caller commits. On any refusal
    or error, nothing is left: no row, no file. If the caller's commit fails, it passes
    `stored_path(attachment)` to `discard_files`.
    """
    check_may_change(revision, actor)
    base = upload_dir()
    base.mkdir(parents=True, exist_ok=True)
    raw_name = file_storage.filename or ""
    temporary, head, size, sha256 = _receive(file_storage, base)
    final: Path | None = None
    try:
        if size == 0:
            raise _refuse("文件是空的。")
        content_type, extension = sniff(head, temporary, raw_name)
        name = display_name(raw_name, content_type, extension)
        for other in revision.attachments:
            if other.sha256 == sha256:
                raise _refuse(f"与已上传的“{other.original_name}”内容相同，未重复上传。")
        _lock_draft(revision.disclosure)
        stored_name, final = _new_stored_name(base)
        final.parent.mkdir(exist_ok=True)
        os.replace(temporary, final)
        attachment = Attachment(stored_name=stored_name, original_name=name,
                                content_type=content_type, size=size, sha256=sha256,
                                uploaded_by_id=actor.id)
        revision.attachments.append(attachment)
        db.session.flush()
        record("attachment.add", revision.disclosure, actor=actor, summary=name)
        return attachment
    except BaseException:
        temporary.unlink(missing_ok=True)
        if final is not None:
            final.unlink(missing_ok=True)
        raise


def is_shared(stored_name: str) -> bool:
    """Does any attachment row (of any revision) name this stored file?"""
    return bool(db.session.scalar(
        select(func.count()).select_from(Attachment).where(Attachment.stored_name == stored_name)))


def remove_attachment(attachment: Attachment, *, actor) -> Path | None:
    """Remove `attachment` from its (draft, working) revision and record it.

    Returns the stored file to delete once the caller's commit succeeded — or None when
    another revision still shares the file (e.g. the published one this draft revises).
    Deleting only after the commit means a failed commit never leaves a row without its file.
    """
    revision = attachment.revision
    check_may_change(revision, actor)
    _lock_draft(revision.disclosure)
    name, stored_name, disclosure = attachment.original_name, attachment.stored_name, revision.disclosure
    revision.attachments.remove(attachment)  # delete-orphan: the row goes
    db.session.flush()
    record("attachment.remove", disclosure, actor=actor, summary=name)
    return None if is_shared(stored_name) else path_for(stored_name)


TRASH = ".trash"  # hidden: never served, never archived as an upload
KEEP_REMOVED_SECONDS = 24 * 3600  # far longer than any backup takes


def trash_path(stored_name: str) -> Path:
    """Where a removed file waits a day before it is deleted."""
    return upload_dir() / TRASH / stored_name


def delete_file_if_unused(path: Path | None) -> None:
    """After the commit of a removal: retire the file to the trash, unless a row took it
    up meanwhile; and delete what has been in the trash for a day."""
    if path is None:
        return
    if is_shared(path.name):
        return
    trash = trash_path(path.name)
    try:
        trash.parent.mkdir(mode=0o700, exist_ok=True)
        os.replace(path, trash)  # one rename: the file is always in one of the two places
        os.utime(trash)  # its day in the trash starts now
    except FileNotFoundError:
        pass
    except OSError:
        current_app.logger.exception("could not retire attachment file %s", path)
        discard_files([path])
    _empty_trash(trash.parent)


def _empty_trash(folder: Path) -> None:
    cutoff = time.time() - KEEP_REMOVED_SECONDS
    for entry in folder.iterdir():
        try:
            if entry.is_file() and entry.stat().st_mtime < cutoff:
                entry.unlink()
        except OSError:
            pass


# --- serving ------------------------------------------------------------------------------------

def is_inline(attachment: Attachment) -> bool:
    return attachment.content_type in INLINE_TYPES


def inline_url(attachment: Attachment) -> str:
    """The address a body's <img> uses: /attachments/<id>/<name> (what richtext allows)."""
    from flask import url_for

    return url_for("attachments.download", attachment_id=attachment.id,
                   filename=attachment.original_name)
