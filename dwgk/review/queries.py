"""The review queue and what a reviewer reads before deciding."""
from __future__ import annotations

import difflib
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from dwgk.core import clock
from dwgk.core.richtext import text_lines
from dwgk.core.workdays import Calendar
from dwgk.disclosures.models import Disclosure, Revision, State
from dwgk.extensions import db


@dataclass
class QueueRow:
    disclosure: Disclosure
    age_workdays: int


def queue() -> list[QueueRow]:
    """Items in review, oldest first, with their age in working days (one query + the
    calendar's overrides)."""
    items = db.session.scalars(
        select(Disclosure).where(Disclosure.state == State.IN_REVIEW)
        .options(joinedload(Disclosure.working_revision).joinedload(Revision.category),
                 joinedload(Disclosure.working_revision).selectinload(Revision.reviews),
                 joinedload(Disclosure.created_by))
        .order_by(Disclosure.updated_at)
    ).unique().all()
    calendar = Calendar.load()
    today = clock.today()
    rows = []
    for item in items:
        submitted = item.working_revision.submitted_at or item.updated_at
        start = submitted.astimezone(clock.LOCAL_TZ).date()
        rows.append(QueueRow(item, calendar.workdays_between(start, today)))
    return rows


@dataclass
class DiffLine:
    kind: str  # "same", "added", "removed"
    text: str


FIELD_LABELS = [
    ("title", "标题"), ("scope", "公开范围"), ("cadence", "公开时限"), ("category", "类别"),
    ("publicity_workdays", "公示期（工作日）"), ("members_first_days", "党内先行（天）"),
    ("is_major", "重大事项"), ("decision_date", "拟决策日期"), ("result_date", "结果产生日期"),
]


def _field_value(revision: Revision, name: str) -> str:
    value = getattr(revision, name)
    if name == "category":
        return value.name
    if hasattr(value, "label"):
        return value.label
    if isinstance(value, bool):
        return "是" if value else "否"
    return "" if value is None else str(value)


def changes_against_live(disclosure: Disclosure):
    """(field changes, body diff lines) of the working revision against the live one;
    (None, None) when nothing was published yet."""
    live, working = disclosure.live_revision, disclosure.working_revision
    if live is None or live.id == working.id:
        return None, None
    fields = [(label, _field_value(live, name), _field_value(working, name))
              for name, label in FIELD_LABELS
              if _field_value(live, name) != _field_value(working, name)]
    lines = []
    for line in difflib.ndiff(text_lines(live.body_html), text_lines(working.body_html)):
        tag, text = line[:2], line[2:]
        if tag == "? ":
            continue
        lines.append(DiffLine({"+ ": "added", "- ": "removed"}.get(tag, "same"), text))
    before = {(a.original_name, a.sha256) for a in live.attachments}
    after = {(a.original_name, a.sha256) for a in working.attachments}
    for name, _ in sorted(after - before):
        fields.append(("附件", "", f"新增：{name}"))
    for name, _ in sorted(before - after):
        fields.append(("附件", f"删除：{name}", ""))
    return fields, lines


def load_for_review(disclosure_id: int) -> Disclosure | None:
    return db.session.scalar(
        select(Disclosure).where(Disclosure.id == disclosure_id).options(
            joinedload(Disclosure.working_revision).selectinload(Revision.reviews),
            joinedload(Disclosure.working_revision).selectinload(Revision.attachments),
            joinedload(Disclosure.live_revision).selectinload(Revision.attachments),
        ))
