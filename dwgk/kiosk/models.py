"""Notice-board screens (公开栏屏幕): what each display shows, configured by the admin."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, Column, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dwgk.catalog.models import enum_column, values_check
from dwgk.core import clock
from dwgk.core.types import UTCDateTime
from dwgk.extensions import db


class Orientation(str, enum.Enum):
    LANDSCAPE = "landscape"
    PORTRAIT = "portrait"

    @property
    def label(self) -> str:
        return {"landscape": "横屏 1920×1080", "portrait": "竖屏 1080×1920"}[self.value]


kiosk_screen_category = Table(
    "kiosk_screen_category", db.metadata,
    Column("screen_id", ForeignKey("kiosk_screen.id", ondelete="CASCADE"), primary_key=True),
    Column("category_id", ForeignKey("category.id", ondelete="CASCADE"), primary_key=True),
)


class KioskScreen(db.Model):
    """One display. No categories chosen means every category."""

    __tablename__ = "kiosk_screen"
    shown_publicly = True  # any change shows on the public pages (core.generation)
    __table_args__ = (
        values_check("orientation", Orientation, "known_orientation"),
        CheckConstraint("rotation_seconds BETWEEN 5 AND 600", name="rotation_seconds"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The address part: /kiosk/<slug>. "default" is what plain /kiosk shows.
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(60))
    orientation: Mapped[Orientation] = mapped_column(enum_column(Orientation),
                                                     default=Orientation.LANDSCAPE)
    rotation_seconds: Mapped[int] = mapped_column(default=15)
    notice_line: Mapped[str] = mapped_column(Text, default="")  # the scrolling line, optional
    active: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now, onupdate=clock.now)

    categories = relationship("Category", secondary=kiosk_screen_category, lazy="selectin",
                              order_by="Category.position")
