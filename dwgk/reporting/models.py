"""What the office writes into the summary report (专题报告): its narrative, one per period."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dwgk.core import clock
from dwgk.core.types import UTCDateTime
from dwgk.extensions import db


class ReportNarrative(db.Model):
    """The office's own words for the report of one period (`Period.key`: 2026Q4, 2026,
    2026-07-01..2026-08-15), shown in the report, its print view and its PDF."""

    __tablename__ = "report_narrative"

    id: Mapped[int] = mapped_column(primary_key=True)
    period_key: Mapped[str] = mapped_column(String(40), unique=True)
    body: Mapped[str] = mapped_column(Text, default="")
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now, onupdate=clock.now)

    updated_by = relationship("User")
