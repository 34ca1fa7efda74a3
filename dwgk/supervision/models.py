"""Supervision notes (监督意见): a supervisor's opinion on content, form or timing, on an item,
a catalog entry or in general. The office must answer each."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dwgk.catalog.models import enum_column, values_check
from dwgk.core import clock
from dwgk.disclosures.models import Adoption  # 采纳情况: the same three answers as an opinion's
from dwgk.core.types import UTCDateTime
from dwgk.extensions import db


class NoteTopic(str, enum.Enum):
    CONTENT = "content"
    FORM = "form"
    TIMING = "timing"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {"content": "内容", "form": "形式", "timing": "时间", "other": "其他"}[self.value]


class SupervisionNote(db.Model):
    __tablename__ = "supervision_note"
    __table_args__ = (values_check("topic", NoteTopic, "known_topic"),
                      values_check("adoption", Adoption, "known_adoption"))

    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    disclosure_id: Mapped[int | None] = mapped_column(ForeignKey("disclosure.id"), index=True)
    catalog_entry_id: Mapped[int | None] = mapped_column(ForeignKey("catalog_entry.id"), index=True)
    topic: Mapped[NoteTopic] = mapped_column(enum_column(NoteTopic))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    answer_text: Mapped[str] = mapped_column(Text, default="")
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    adoption: Mapped[Adoption | None] = mapped_column(enum_column(Adoption), nullable=True)
    version_id: Mapped[int] = mapped_column(default=1)

    author = relationship("User", foreign_keys=[author_id])
    answered_by = relationship("User", foreign_keys=[answered_by_id])
    disclosure = relationship("Disclosure")
    catalog_entry = relationship("CatalogEntry")

    __mapper_args__ = {"version_id_col": version_id}
