"""Feedback (意见建议 / 举报): opinions and reports from the public, members and supervisors,
with the office's handling. The filer's personal details live only here and are shown only
to the office, the supervisors' inbox's private parts never, and nowhere public."""
from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dwgk.catalog.models import enum_column, values_check
from dwgk.core import clock
from dwgk.core.types import UTCDateTime
from dwgk.extensions import db


class FeedbackKind(str, enum.Enum):
    OPINION = "opinion"
    REPORT = "report"

    @property
    def label(self) -> str:
        return {"opinion": "意见建议", "report": "举报"}[self.value]


class Channel(str, enum.Enum):
    WEB = "web"
    KIOSK = "kiosk"
    IN_PERSON = "in_person"
    PHONE = "phone"
    LETTER = "letter"
    BOX = "box"

    @property
    def label(self) -> str:
        return {"web": "网上", "kiosk": "公开栏屏幕", "in_person": "当面", "phone": "电话",
                "letter": "来信", "box": "意见箱"}[self.value]


class FeedbackStatus(str, enum.Enum):
    NEW = "new"
    ASSIGNED = "assigned"
    ANSWERED = "answered"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return {"new": "待处理", "assigned": "办理中", "answered": "已答复",
                "closed": "已办结"}[self.value]


class ReplyMethod(str, enum.Enum):
    EMAIL = "email"
    PHONE = "phone"
    IN_PERSON = "in_person"
    LETTER = "letter"
    ONLINE = "online"

    @property
    def label(self) -> str:
        return {"email": "电子邮件", "phone": "电话", "in_person": "当面", "letter": "书面",
                "online": "仅网上查询"}[self.value]


class Feedback(db.Model):
    __tablename__ = "feedback"
    # Handling results are published on item pages; a new filing shows nowhere public.
    shown_publicly = {"result_text", "result_published_at", "disclosure_id"}
    __table_args__ = (
        values_check("kind", FeedbackKind, "known_kind"),
        values_check("channel", Channel, "known_channel"),
        values_check("status", FeedbackStatus, "known_status"),
        CheckConstraint("reply_method IS NULL OR reply_method IN "
                        "('email', 'phone', 'in_person', 'letter', 'online')", name="known_reply_method"),
        # A named filing has a name and a way to reach the filer.
        CheckConstraint("NOT is_named OR (length(filer_name) > 0 AND "
                        "(length(filer_phone) > 0 OR length(filer_email) > 0))", name="named_contact"),
        # A named report is closed only once its reply is recorded.
        CheckConstraint("status <> 'closed' OR kind <> 'report' OR NOT is_named OR replied_at IS NOT NULL",
                        name="named_report_reply"),
        Index("ix_feedback_status_created", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    disclosure_id: Mapped[int | None] = mapped_column(ForeignKey("disclosure.id"), index=True)
    kind: Mapped[FeedbackKind] = mapped_column(enum_column(FeedbackKind), default=FeedbackKind.OPINION)
    channel: Mapped[Channel] = mapped_column(enum_column(Channel), default=Channel.WEB)
    body: Mapped[str] = mapped_column(Text)
    is_named: Mapped[bool] = mapped_column(Boolean, default=False)
    # Personal details: never on a public page, the kiosk, the supervision inbox or a log.
    filer_name: Mapped[str] = mapped_column(String(50), default="")
    filer_phone: Mapped[str] = mapped_column(String(30), default="")
    filer_email: Mapped[str] = mapped_column(String(254), default="")
    filer_user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))  # a member as themselves
    # Only a hash of the lookup code is kept: the code is shown once, to the filer.
    lookup_hash: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[FeedbackStatus] = mapped_column(enum_column(FeedbackStatus), default=FeedbackStatus.NEW)
    assigned_to_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), index=True)
    logged_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))  # office, for offline channels
    relayed_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))  # a supervisor's relay
    received_on: Mapped[date | None] = mapped_column(Date)  # offline channels: the day it came in
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    reply_text: Mapped[str] = mapped_column(Text, default="")
    reply_method: Mapped[ReplyMethod | None] = mapped_column(enum_column(ReplyMethod))
    reply_date: Mapped[date | None] = mapped_column(Date)
    replied_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    replied_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # 处理结果: published on the item's page, with the filer's identity removed.
    # The handler's (承办人: any signed-in person, 相关部门/责任人) proposed answer; the office
    # reviews it and records the reply itself.
    handler_reply: Mapped[str] = mapped_column(Text, default="")
    handler_replied_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    result_text: Mapped[str] = mapped_column(Text, default="")
    result_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    version_id: Mapped[int] = mapped_column(default=1)

    disclosure = relationship("Disclosure")
    assigned_to = relationship("User", foreign_keys=[assigned_to_id])
    replied_by = relationship("User", foreign_keys=[replied_by_id])
    logged_by = relationship("User", foreign_keys=[logged_by_id])
    relayed_by = relationship("User", foreign_keys=[relayed_by_id])

    __mapper_args__ = {"version_id_col": version_id}
