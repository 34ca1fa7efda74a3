"""Reads of the reporting domain that are not figures: the office's narrative."""
from __future__ import annotations

from sqlalchemy import select

from dwgk.extensions import db
from dwgk.reporting.models import ReportNarrative
from dwgk.reporting.periods import Period


def narrative(period: Period) -> ReportNarrative | None:
    """The narrative the office wrote for `period`, if any."""
    return db.session.scalar(select(ReportNarrative).where(ReportNarrative.period_key == period.key))
