"""Tables owned by dwgk.core: the admin's adjustments to the working-day calendar, the
unit's settings, and the outbox of e-mails owed."""
from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dwgk.core import clock
from dwgk.core.types import UTCDateTime
from dwgk.extensions import db

if TYPE_CHECKING:  # core imports no domain; the mapper finds User by name
    from dwgk.accounts.models import User


def kind_label(is_workday: bool) -> str:
    return "调休上班" if is_workday else "放假休息"


class WorkdayOverride(db.Model):
    """节假日调整: one date the admin declares a working day or a rest day.

    It wins over the built-in calendar (chinese_calendar), and is the only source of
    holidays for years that calendar does not know yet (Mon–Fri otherwise).
    """

    __tablename__ = "workday_override"
    shown_publicly = True  # any change shows on the public pages (core.generation)

    id: Mapped[int] = mapped_column(primary_key=True)
    # One entry per date: setting a date again updates its entry.
    day: Mapped[date] = mapped_column(unique=True)
    # True: an adjusted working day (调休上班); False: a holiday or rest day.
    is_workday: Mapped[bool]
    note: Mapped[str] = mapped_column(String(100), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)

    created_by: Mapped["User | None"] = relationship("User", lazy="joined")

    @property
    def kind_label(self) -> str:
        return kind_label(self.is_workday)

    def __repr__(self) -> str:
        return f"<WorkdayOverride {self.day} {'work' if self.is_workday else 'rest'}>"


class UnitSettings(db.Model):
    """单位设置: the unit's own settings, one row, edited by the admin at /admin/settings."""

    __tablename__ = "unit_settings"
    shown_publicly = True  # any change shows on the public pages (core.generation)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_name: Mapped[str] = mapped_column(String(100))
    # 先党内、后党外: the default members-first window for new items, in days.
    members_first_days: Mapped[int] = mapped_column(default=1)
    # Reminder thresholds, in working days (design.md, "Deadlines that produce reminders").
    review_due_workdays: Mapped[int] = mapped_column(default=3)
    feedback_reply_workdays: Mapped[int] = mapped_column(default=15)
    supervision_reply_workdays: Mapped[int] = mapped_column(default=15)
    # The summary report's addressee (专题报告 报送单位), e.g. 乡（镇）纪委, 市纪委, 上级党组.
    report_addressee: Mapped[str] = mapped_column(String(100), default="乡（镇）纪委")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now, onupdate=clock.now)


class OutgoingMail(db.Model):
    """One e-mail dwgk owes someone (the outbox, core.mail). Written in the same transaction
    as what calls for it (a reply, a sweep's duty notices), so a committed reason to mail is
    never without its mail; `sent_at` is set only after the SMTP server accepted it. Redis
    only wakes the worker up: what is owed is read from here, by the worker's job and by
    every sweep. Holds an address and a text: personal data, deleted 30 days after it is
    done with."""

    __tablename__ = "mail_outbox"
    __table_args__ = (Index("ix_mail_outbox_owed", "sent_at", "failed_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[str] = mapped_column(String(40))  # e.g. feedback.reply, reminders.duty
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    # Not sent by then (the SMTP server away that long): no longer worth sending.
    send_before: Mapped[datetime] = mapped_column(UTCDateTime())
    # A sender's claim: until then nobody else sends it. A sender killed mid-mail leaves
    # its claim behind; once it lapses the mail is owed again.
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(default=0)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # refused for good
