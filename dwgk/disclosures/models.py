"""Disclosures (公开事项), their revisions, reviews and attachments.

A Disclosure is the container and carries the workflow state. Its content lives in
Revisions: `working_revision` is the one being drafted or reviewed, `live_revision` the
one shown on the boards. Revising a published item makes a new working revision while
the live one stays readable until the new one is approved and published.
"""
from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dwgk.catalog.models import Cadence, Scope, enum_column, form_labels, values_check
from dwgk.core import clock
from dwgk.core.types import UTCDateTime
from dwgk.extensions import db


class State(str, enum.Enum):
    DRAFT = "draft"
    IN_REVIEW = "in_review"
    APPROVED = "approved"
    PUBLISHED = "published"
    ARCHIVED = "archived"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return STATE_LABELS[self]


STATE_LABELS = {
    State.DRAFT: "草稿",
    State.IN_REVIEW: "待审核",
    State.APPROVED: "已审核待发布",
    State.PUBLISHED: "已发布",
    State.ARCHIVED: "已归档",
    State.WITHDRAWN: "已撤回",
}


# The longest members-first window (先党内、后党外) an item may have.
MAX_MEMBERS_FIRST_DAYS = 30


class Disclosure(db.Model):
    __tablename__ = "disclosure"
    shown_publicly = True  # any change shows on the public pages (core.generation)
    __table_args__ = (
        values_check("state", State, "known_state"),
        Index("ix_disclosure_board", "state", "last_published_at"),
        CheckConstraint("first_stage_id IS NULL OR first_stage_id <> id", name="stage_not_self"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    state: Mapped[State] = mapped_column(enum_column(State), default=State.DRAFT)
    working_revision_id: Mapped[int | None] = mapped_column(
        ForeignKey("revision.id", use_alter=True, name="fk_disclosure_working_revision"))
    live_revision_id: Mapped[int | None] = mapped_column(
        ForeignKey("revision.id", use_alter=True, name="fk_disclosure_live_revision"))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now, onupdate=clock.now)
    first_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # When the live revision was published (sorts the boards, "newest first").
    last_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # 先党内、后党外: when a public item reaches the public board. NULL: not public.
    # Not indexed: the boards walk ix_disclosure_published_order instead (migration 0009).
    public_from: Mapped[datetime | None] = mapped_column(UTCDateTime())
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    withdraw_reason: Mapped[str] = mapped_column(Text, default="")
    # The formal version of a pre-disclosure links back to it.
    predisclosure_id: Mapped[int | None] = mapped_column(ForeignKey("disclosure.id"))
    # 分期 work (a staged piece of work that takes months, often across a year end): a later
    # stage points at the work's first stage, which points at nothing. All stages of a work
    # are the first stage and the items pointing at it (disclosures.queries.stages).
    first_stage_id: Mapped[int | None] = mapped_column(ForeignKey("disclosure.id"), index=True)
    # 总结性公开: this stage is the closing summary of its work.
    is_summary: Mapped[bool] = mapped_column(Boolean, default=False)
    # On a work's first stage: the day the office said the whole work ended (本项工作已结束).
    work_ended_on: Mapped[date | None] = mapped_column(Date)
    work_ended_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    # Title and plain text of the live revision, for search.
    search_text: Mapped[str] = mapped_column(Text, default="")
    version_id: Mapped[int] = mapped_column(default=1)

    working_revision: Mapped[Revision | None] = relationship(
        foreign_keys=[working_revision_id], post_update=True)
    live_revision: Mapped[Revision | None] = relationship(
        foreign_keys=[live_revision_id], post_update=True)
    revisions: Mapped[list[Revision]] = relationship(
        back_populates="disclosure", foreign_keys="Revision.disclosure_id",
        order_by="Revision.number", cascade="all, delete-orphan")
    created_by = relationship("User", foreign_keys=[created_by_id])
    predisclosure: Mapped[Disclosure | None] = relationship(
        remote_side=[id], foreign_keys=[predisclosure_id])
    first_stage: Mapped[Disclosure | None] = relationship(
        remote_side=[id], foreign_keys=[first_stage_id])

    @property
    def work_id(self) -> int:
        """The id of the 分期 work this item belongs to (its first stage; itself if none)."""
        return self.first_stage_id or self.id

    __mapper_args__ = {"version_id_col": version_id}


class Revision(db.Model):
    """One version of a disclosure's content. Published revisions are never edited."""

    __tablename__ = "revision"
    shown_publicly = True  # any change shows on the public pages (core.generation)
    __table_args__ = (
        UniqueConstraint("disclosure_id", "number"),
        values_check("scope", Scope, "known_scope"),
        values_check("cadence", Cadence, "known_cadence"),
        CheckConstraint("members_first_days >= 0", name="members_first_days"),
        CheckConstraint("publicity_workdays IS NULL OR publicity_workdays > 0",
                        name="publicity_workdays"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    disclosure_id: Mapped[int] = mapped_column(ForeignKey("disclosure.id"), index=True)
    number: Mapped[int] = mapped_column()
    title: Mapped[str] = mapped_column(String(200))
    body_source: Mapped[str] = mapped_column(Text, default="")  # the editor's HTML, sanitised
    body_html: Mapped[str] = mapped_column(Text, default="")  # the same: what is shown
    # The Markdown a body was typed in before the editor (migration 0014), kept as typed.
    body_markdown: Mapped[str | None] = mapped_column(Text, deferred=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("category.id"), index=True)
    catalog_entry_id: Mapped[int | None] = mapped_column(ForeignKey("catalog_entry.id"), index=True)
    scope: Mapped[Scope] = mapped_column(enum_column(Scope))
    cadence: Mapped[Cadence] = mapped_column(enum_column(Cadence))
    responsible_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    result_date: Mapped[date | None] = mapped_column(Date)  # staged items: the result's date
    # An item of a periodic (定期) catalog entry: the first day of the reporting period it
    # covers (e.g. 2026-07-01 for 2026 年第三季度). A correction keeps it: re-publishing
    # last quarter's item never counts as this quarter's publication.
    period_start: Mapped[date | None] = mapped_column(Date)
    publicity_workdays: Mapped[int | None] = mapped_column()  # 公示期, in working days
    is_major: Mapped[bool] = mapped_column(Boolean, default=False)  # 重大事项
    members_first_days: Mapped[int] = mapped_column(default=1)
    members_first_reason: Mapped[str] = mapped_column(Text, default="")
    is_predisclosure: Mapped[bool] = mapped_column(Boolean, default=False)  # 预公开
    decision_date: Mapped[date | None] = mapped_column(Date)  # pre-disclosure: decided on
    change_note: Mapped[str] = mapped_column(Text, default="")  # 再公开: what changed, why
    # 公开形式: FormOfDisclosure values, comma-joined (catalog.models.join_forms).
    disclosure_forms: Mapped[str] = mapped_column(String(120), default="")
    # The review round (审核轮次) now open or last held: each submission opens the next one;
    # a reviewer decides once per round. 0: never submitted.
    review_round: Mapped[int] = mapped_column(default=0)
    # Why this draft is a draft again: a reviewer's return or the office's 退回草稿 of an
    # approved item. Set then, cleared at the next submission ("returned items to fix").
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    returned_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    return_reason: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))

    disclosure: Mapped[Disclosure] = relationship(back_populates="revisions",
                                                  foreign_keys=[disclosure_id])
    category = relationship("Category", lazy="joined")
    catalog_entry = relationship("CatalogEntry")
    responsible = relationship("User", foreign_keys=[responsible_id])
    author = relationship("User", foreign_keys=[author_id])
    returned_by = relationship("User", foreign_keys=[returned_by_id])
    reviews: Mapped[list[Review]] = relationship(back_populates="revision",
                                                 order_by="Review.created_at",
                                                 cascade="all, delete-orphan")
    attachments: Mapped[list[Attachment]] = relationship(back_populates="revision",
                                                         order_by="Attachment.id",
                                                         cascade="all, delete-orphan")

    @property
    def period_name(self) -> str:
        """The reporting period it names, as a person says it (2026年第三季度)."""
        from dwgk.catalog.queries import entry_months, period_name

        if self.period_start is None:
            return ""
        return period_name(self.period_start, entry_months(self.catalog_entry))

    @property
    def round_reviews(self) -> list[Review]:
        """The decisions of the current (or last) review round."""
        return [review for review in self.reviews if review.round == self.review_round]

    @property
    def approvals(self) -> list[Review]:
        """The approvals of the current (or last) round: the ones that passed it."""
        return [review for review in self.round_reviews if review.decision == Decision.APPROVE]

    @property
    def is_returned_by_review(self) -> bool:
        """A draft again because a reviewer returned it (not the office's 退回草稿)."""
        return self.returned_at is not None and any(
            review.decision == Decision.RETURN for review in self.round_reviews)

    @property
    def form_labels(self) -> list[str]:
        return form_labels(self.disclosure_forms)

    def rounds(self) -> list[tuple[int, list[Review]]]:
        """(round number, its decisions) for every round held, the latest first."""
        held: dict[int, list[Review]] = {}
        for review in self.reviews:
            held.setdefault(review.round, []).append(review)
        return sorted(held.items(), reverse=True)


class Decision(str, enum.Enum):
    APPROVE = "approve"
    RETURN = "return"

    @property
    def label(self) -> str:
        return {"approve": "同意公开", "return": "退回修改"}[self.value]


CHECKLIST = [
    ("check_content", "内容（真实、准确、完整）"),
    ("check_form", "形式（公开方式恰当）"),
    ("check_scope", "范围（党内公开 / 社会公开 恰当）"),
    ("check_timing", "时间（符合公开时限）"),
    ("check_duration", "时长（公示期、保留期恰当）"),
    ("check_secrecy", "不涉及党内秘密"),
]


class Review(db.Model):
    """A reviewer's decision on one revision, with the checklist and the reason."""

    __tablename__ = "review"
    shown_publicly = True  # any change shows on the public pages (core.generation)
    __table_args__ = (
        # A reviewer decides once per round; a resubmission opens the next round.
        UniqueConstraint("revision_id", "round", "reviewer_id"),
        values_check("decision", Decision, "known_decision"),
        # An approval has every box ticked; a return has a reason.
        CheckConstraint(
            "decision <> 'approve' OR (check_content AND check_form AND check_scope"
            " AND check_timing AND check_duration AND check_secrecy)",
            name="approval_checklist"),
        CheckConstraint("decision <> 'return' OR length(reason) > 0", name="return_reason"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("revision.id"), index=True)
    round: Mapped[int] = mapped_column(default=1)  # Revision.review_round when decided
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    decision: Mapped[Decision] = mapped_column(enum_column(Decision))
    check_content: Mapped[bool] = mapped_column(Boolean, default=False)
    check_form: Mapped[bool] = mapped_column(Boolean, default=False)
    check_scope: Mapped[bool] = mapped_column(Boolean, default=False)
    check_timing: Mapped[bool] = mapped_column(Boolean, default=False)
    check_duration: Mapped[bool] = mapped_column(Boolean, default=False)
    check_secrecy: Mapped[bool] = mapped_column(Boolean, default=False)
    reason: Mapped[str] = mapped_column(Text, default="")
    # A major item approved by one reviewer records the collective decision's meeting.
    meeting_date: Mapped[date | None] = mapped_column(Date)
    meeting_attendees: Mapped[str] = mapped_column(Text, default="")
    meeting_decision: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)

    revision: Mapped[Revision] = relationship(back_populates="reviews")
    reviewer = relationship("User", lazy="joined")

    @property
    def records_meeting(self) -> bool:
        return bool(self.meeting_date and self.meeting_attendees.strip()
                    and self.meeting_decision.strip())


class Attachment(db.Model):
    """A file attached to a revision. Stored under a random name; the original name is kept
    for the download. A new revision shares its predecessor's files (rows are copied)."""

    __tablename__ = "attachment"
    shown_publicly = True  # any change shows on the public pages (core.generation)

    id: Mapped[int] = mapped_column(primary_key=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("revision.id"), index=True)
    stored_name: Mapped[str] = mapped_column(String(64))
    original_name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column()
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)

    revision: Mapped[Revision] = relationship(back_populates="attachments")

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class Adoption(str, enum.Enum):
    """What became of an opinion on a pre-disclosure (采纳情况)."""

    ADOPTED = "adopted"
    PARTLY = "partly"
    NOT_ADOPTED = "not_adopted"

    @property
    def label(self) -> str:
        return {"adopted": "采纳", "partly": "部分采纳", "not_adopted": "未采纳"}[self.value]


class OpinionAdoption(db.Model):
    """The formal version's answer to one opinion received on its pre-disclosure: adopted,
    partly or not, and why. Entered by the office on the formal version's draft (every
    opinion before submitting) and shown with the formal version, without the filer."""

    __tablename__ = "opinion_adoption"
    shown_publicly = True  # the formal version's page lists them (core.generation)
    __table_args__ = (
        UniqueConstraint("disclosure_id", "feedback_id"),
        values_check("outcome", Adoption, "known_outcome"),
        CheckConstraint("length(reason) > 0", name="adoption_reason"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    disclosure_id: Mapped[int] = mapped_column(ForeignKey("disclosure.id"), index=True)  # formal
    feedback_id: Mapped[int] = mapped_column(ForeignKey("feedback.id"), index=True)
    outcome: Mapped[Adoption] = mapped_column(enum_column(Adoption))
    reason: Mapped[str] = mapped_column(Text)
    updated_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now,
                                                 onupdate=clock.now)

    feedback = relationship("Feedback")
