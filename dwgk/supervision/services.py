"""Supervision notes (监督意见): supervisors file them, the office answers each.

Every function checks its input on the server, flushes, writes its audit event in the same
transaction and tells whoever must act next (the bell); the caller commits.
"""
from __future__ import annotations

from dataclasses import dataclass

from dwgk.core.errors import Refusal
from dwgk import policy
from dwgk.accounts.models import Role, User
from dwgk.core.audit import record
from dwgk.catalog.models import CatalogEntry
from dwgk.core import clock
from dwgk.disclosures.models import Disclosure
from dwgk.extensions import db
from dwgk.notifications.services import notify, users_with_role
from dwgk.supervision.models import NoteTopic, SupervisionNote
from dwgk.disclosures.models import Adoption

BODY_MAX = 5000
ANSWER_MAX = 5000

CONFLICT = ("保存失败：在您填写期间，这条监督意见已被他人答复或修改。"
            "为避免覆盖他人的答复，本次内容未保存，请查看下面的最新答复后再决定是否修改。")


class SupervisionError(Refusal):
    """A refused note or answer; the message is shown next to `field` (or atop the form)."""


class SupervisionConflict(SupervisionError):
    """The note changed since the form was shown (a stale version)."""

    def __init__(self):
        super().__init__(CONFLICT)


@dataclass
class NoteInput:
    topic: str | NoteTopic | None
    body: str
    disclosure_id: int | None = None
    catalog_entry_id: int | None = None


def _topic(value) -> NoteTopic:
    try:
        return NoteTopic(value)
    except ValueError:
        raise SupervisionError("请选择意见类别：内容、形式、时间或其他。", "topic") from None


def _live_item(disclosure_id: int) -> Disclosure:
    """Any live item: supervisors are insiders and may comment on members-only items too."""
    item = db.session.get(Disclosure, disclosure_id)
    if item is None or item.live_revision_id is None or item.withdrawn_at is not None:
        raise SupervisionError("所针对的公开事项不存在或已撤回。", "disclosure_id")
    return item


def _active_entry(entry_id: int) -> CatalogEntry:
    entry = db.session.get(CatalogEntry, entry_id)
    if entry is None or not entry.active:
        raise SupervisionError("所针对的目录条目不存在或已停用。", "catalog_entry_id")
    return entry


def target_label(note: SupervisionNote) -> str:
    """What a note is about, in words: 《title》, 目录条目“…”, or 一般意见."""
    if note.disclosure_id is not None:
        item = note.disclosure
        return f"《{(item.live_revision or item.working_revision).title}》"
    if note.catalog_entry_id is not None:
        return f"目录条目“{note.catalog_entry.title}”"
    return "一般意见"


def file_note(data: NoteInput, *, author: User) -> SupervisionNote:
    """Record a supervisor's note and tell the office. Nothing is saved when it is refused."""
    if not policy.can_supervise(author):
        raise SupervisionError("只有监督员可以提出监督意见。")
    topic = _topic(data.topic)
    body = (data.body or "").strip()
    if not body:
        raise SupervisionError("请填写监督意见。", "body")
    if len(body) > BODY_MAX:
        raise SupervisionError(f"监督意见不能超过 {BODY_MAX} 字。", "body")
    if data.disclosure_id is not None and data.catalog_entry_id is not None:
        raise SupervisionError("一条监督意见只能针对一个公开事项或一个目录条目。")
    if data.disclosure_id is not None:
        _live_item(data.disclosure_id)
    if data.catalog_entry_id is not None:
        _active_entry(data.catalog_entry_id)
    note = SupervisionNote(author_id=author.id, topic=topic, body=body,
                           disclosure_id=data.disclosure_id,
                           catalog_entry_id=data.catalog_entry_id)
    db.session.add(note)
    db.session.flush()
    about = target_label(note)
    record("supervision.note", note, actor=author, summary=f"{topic.label}；{about}")
    office = [user for user in users_with_role(Role.OFFICE) if user.id != author.id]
    notify(office, "supervision.note",
           f"监督员{author.display_name}提出了监督意见（{topic.label}）：{about}",
           obj=note, link=f"/office/supervision/{note.id}")
    return note


def answer_note(note: SupervisionNote, text: str, *, actor: User,
                expected_version: int | None = None, adoption=None) -> None:
    """The office's answer to a note; a later call amends it. The note's author is told once
    (the first answer's time stays as when it was answered; the audit log keeps amendments).

    `expected_version`: the note's version when the form was shown. A different one means
    someone answered meanwhile: SupervisionConflict, nothing saved. (A change between this
    check and the flush is caught by the version column: StaleDataError.)
    `adoption`: whether the suggestion was adopted (Adoption or its value); None keeps
    what was said before.
    """
    if expected_version is not None and expected_version != note.version_id:
        raise SupervisionConflict()
    if not policy.can_answer_supervision(actor):
        raise SupervisionError("只有党务公开办公室可以答复监督意见。")
    text = (text or "").strip()
    if not text:
        raise SupervisionError("请填写答复内容。", "answer_text")
    if len(text) > ANSWER_MAX:
        raise SupervisionError(f"答复不能超过 {ANSWER_MAX} 字。", "answer_text")
    if adoption is not None and not isinstance(adoption, Adoption):
        try:
            adoption = Adoption(adoption)
        except ValueError:
            raise SupervisionError("请选择采纳情况。", "adoption") from None
    adoption = adoption or note.adoption
    first = note.answered_at is None
    if not first and text == note.answer_text and adoption == note.adoption:
        return  # nothing changed: no new version, no audit event
    note.answer_text = text
    note.adoption = adoption
    note.answered_by_id = actor.id
    if first:
        note.answered_at = clock.now()
    db.session.flush()
    record("supervision.answer", note, actor=actor,
           summary=f"{'答复' if first else '修改答复'}（{note.topic.label}；{target_label(note)}"
                   + (f"；{adoption.label}" if adoption else "") + "）")
    if note.author_id != actor.id:
        notify([note.author], "supervision.answered",
               f"党务公开办公室已答复您的监督意见（{note.topic.label}）：{target_label(note)}",
               obj=note, link=f"/supervision/notes/{note.id}")
