"""The disclosure catalog (公开目录): categories and the standing lines of what must be
disclosed, to whom, how often and by whom."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dwgk.core import clock
from dwgk.core.types import UTCDateTime
from dwgk.extensions import db


def enum_column(enum_class, length: int = 16):
    """An enum stored as its value in a VARCHAR; the CHECK constraint is declared by hand."""
    return db.Enum(enum_class, native_enum=False, length=length, create_constraint=False,
                   values_callable=lambda members: [member.value for member in members],
                   validate_strings=True)


def values_check(column: str, enum_class, name: str) -> CheckConstraint:
    values = ", ".join(f"'{member.value}'" for member in enum_class)
    return CheckConstraint(f"{column} IN ({values})", name=name)


class Scope(str, enum.Enum):
    """Who may see a disclosure."""

    MEMBERS = "members"
    PUBLIC = "public"

    @property
    def label(self) -> str:
        return {"members": "党内公开", "public": "社会公开"}[self.value]


class Cadence(str, enum.Enum):
    """公开时限: how often something is disclosed."""

    STANDING = "standing"
    PERIODIC = "periodic"
    STAGED = "staged"
    IMMEDIATE = "immediate"

    @property
    def label(self) -> str:
        return {"standing": "长期公开", "periodic": "定期公开", "staged": "分期公开",
                "immediate": "即时公开"}[self.value]


class FormOfDisclosure(str, enum.Enum):
    """公开形式: how an item is made known; an item or catalog entry may use several."""

    PARTY_MEETING = "party_meeting"
    DOCUMENT = "document"
    BOARD = "board"
    SCREEN = "screen"
    WEBSITE = "website"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {"party_meeting": "党内会议", "document": "文件", "board": "公开栏",
                "screen": "电子屏", "website": "网站", "other": "其他"}[self.value]


def join_forms(values) -> str:
    """The stored text of a choice of forms (known values, in the list's order, comma-joined)."""
    chosen = {value.value if isinstance(value, FormOfDisclosure) else value for value in values or ()}
    return ",".join(form.value for form in FormOfDisclosure if form.value in chosen)


def form_labels(stored: str | None) -> list[str]:
    """The Chinese names of stored forms (unknown values are left out)."""
    known = {form.value: form.label for form in FormOfDisclosure}
    return [known[value] for value in (stored or "").split(",") if value in known]


class Category(db.Model):
    """公开内容类别, e.g. 组织建设."""

    __tablename__ = "category"
    shown_publicly = True  # any change shows on the public pages (core.generation)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)

    entries: Mapped[list[CatalogEntry]] = relationship(back_populates="category",
                                                       order_by="CatalogEntry.position")


class CatalogEntry(db.Model):
    """A standing line of the catalog: what must be disclosed, to whom, how often, by whom."""

    __tablename__ = "catalog_entry"
    shown_publicly = True  # any change shows on the public pages (core.generation)
    __table_args__ = (
        values_check("scope", Scope, "known_scope"),
        values_check("cadence", Cadence, "known_cadence"),
        CheckConstraint("period_months IS NULL OR period_months IN (1, 3, 6, 12)",
                        name="period_months"),
        UniqueConstraint("category_id", "title"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("category.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    content: Mapped[str] = mapped_column(Text, default="")  # what exactly is disclosed
    scope: Mapped[Scope] = mapped_column(enum_column(Scope))
    cadence: Mapped[Cadence] = mapped_column(enum_column(Cadence))
    # For periodic entries: the period in months (quarterly by default), due on its last day.
    period_months: Mapped[int | None] = mapped_column()
    responsible_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    basis: Mapped[str] = mapped_column(Text, default="")  # 依据: the rule that requires it
    # 公开形式: FormOfDisclosure values, comma-joined (join_forms); the default of its items.
    disclosure_forms: Mapped[str] = mapped_column(String(120), default="")
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    version_id: Mapped[int] = mapped_column(default=1)

    category: Mapped[Category] = relationship(back_populates="entries")
    responsible = relationship("User", lazy="joined")

    __mapper_args__ = {"version_id_col": version_id}

    @property
    def form_labels(self) -> list[str]:
        return form_labels(self.disclosure_forms)
