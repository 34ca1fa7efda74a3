"""Writes of the reporting domain: the office's narrative of a summary report."""
from __future__ import annotations

from sqlalchemy import select

from dwgk.core.audit import record
from dwgk.core.errors import Refusal
from dwgk.extensions import db
from dwgk.reporting.models import ReportNarrative
from dwgk.reporting.periods import Period

NARRATIVE_MAX = 10_000


class NarrativeError(Refusal):
    """A refused narrative (see dwgk.core.errors)."""


def save_narrative(period: Period, text: str, *, actor) -> ReportNarrative:
    """Keep `text` as the report's narrative for `period` (replacing the last one); audited."""
    text = (text or "").strip()
    if len(text) > NARRATIVE_MAX:
        raise NarrativeError(f"工作情况说明不能超过 {NARRATIVE_MAX} 字。", "narrative")
    row = db.session.scalar(select(ReportNarrative).where(ReportNarrative.period_key == period.key))
    if row is None:
        row = ReportNarrative(period_key=period.key)
        db.session.add(row)
    row.body = text
    row.updated_by_id = actor.id
    db.session.flush()
    record("report.narrative", row, actor=actor, summary=f"{period.label}：{len(text)} 字")
    return row
