"""The work lists of "我的待办" (reads): returned items to fix, approved items to publish,
items waiting for my review, feedback and supervision notes to answer.

Each list is one statement, defined once here; the dashboard (reporting.dashboard) counts
the same statements and the menu's 审核 count is `count(waiting_for_review_by(user))`,
so a figure anywhere equals the length of its list.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, and_, exists, func, select

from dwgk.accounts.models import Role, User
from dwgk.disclosures.models import Disclosure, Review, Revision, State
from dwgk.extensions import db
from dwgk.feedback.models import Feedback, FeedbackStatus
from dwgk.supervision.models import SupervisionNote

RETURNED = "returned"
APPROVED = "approved"
IN_REVIEW = "in_review"
MY_REVIEW = "my_review"
FEEDBACK = "feedback"
NOTES = "notes"

LIST_LABELS = {
    RETURNED: "退回待修改",
    APPROVED: "审核通过待发布",
    IN_REVIEW: "审核中",
    MY_REVIEW: "待我审核",
    FEEDBACK: "意见建议待答复",
    NOTES: "监督意见待答复",
}


def returned_to_fix() -> Select:
    """Drafts sent back (a reviewer's return or the office's 退回草稿), oldest first."""
    return (select(Disclosure.id, Revision.title, Revision.returned_at, Revision.return_reason)
            .join(Revision, Revision.id == Disclosure.working_revision_id)
            .where(Disclosure.state == State.DRAFT, Revision.returned_at.is_not(None))
            .order_by(Revision.returned_at, Disclosure.id))


def approved_to_publish() -> Select:
    return (select(Disclosure.id, Revision.title, Revision.approved_at, Revision.return_reason)
            .join(Revision, Revision.id == Disclosure.working_revision_id)
            .where(Disclosure.state == State.APPROVED)
            .order_by(Revision.approved_at, Disclosure.id))


def in_review() -> Select:
    """Every item in review (the dashboard's review queue)."""
    return (select(Disclosure.id, Revision.title, Revision.submitted_at, Revision.return_reason)
            .join(Revision, Revision.id == Disclosure.working_revision_id)
            .where(Disclosure.state == State.IN_REVIEW)
            .order_by(Revision.submitted_at, Disclosure.id))


def waiting_for_review_by(user_id: int) -> Select:
    """Items in review that this reviewer may decide now: not written by them, not yet
    decided by them in the open round (the same rule as policy.can_review)."""
    decided = exists().where(Review.revision_id == Revision.id, Review.reviewer_id == user_id,
                             Review.round == Revision.review_round)
    return in_review().where(Disclosure.created_by_id != user_id, Revision.author_id != user_id,
                             ~decided)


OPEN_FEEDBACK = and_(Feedback.replied_at.is_(None),
                     Feedback.status.in_((FeedbackStatus.NEW, FeedbackStatus.ASSIGNED)))


def feedback_to_answer() -> Select:
    return (select(Feedback.id, Feedback.kind, Feedback.created_at, Feedback.is_named)
            .where(OPEN_FEEDBACK).order_by(Feedback.created_at, Feedback.id))


def notes_to_answer() -> Select:
    return (select(SupervisionNote.id, SupervisionNote.topic, SupervisionNote.created_at)
            .where(SupervisionNote.answered_at.is_(None))
            .order_by(SupervisionNote.created_at, SupervisionNote.id))


def count_of(statement: Select):
    """A scalar subquery counting `statement`'s rows (for one query of many counts)."""
    return select(func.count()).select_from(statement.order_by(None).subquery()).scalar_subquery()


def review_waiting_count(user_id: int) -> int:
    """The menu's 审核 count: the length of the reviewer's 待我审核 list."""
    return db.session.scalar(select(count_of(waiting_for_review_by(user_id)))) or 0


@dataclass(frozen=True)
class WorkRow:
    title: str
    link: str
    since: datetime | None  # returned / approved / submitted / filed
    detail: str = ""  # a return's reason


@dataclass(frozen=True)
class WorkList:
    key: str
    rows: list[WorkRow]

    @property
    def label(self) -> str:
        return LIST_LABELS[self.key]


def my_work(user: User) -> list[WorkList]:
    """The lists for this person's roles, in the order the work goes: what to fix, to
    publish, to review, to answer. A fixed number of queries (one per list)."""
    lists = []
    if user.has_role(Role.OFFICE):
        lists.append(WorkList(RETURNED, [
            WorkRow(title, f"/office/items/{item_id}", at, reason)
            for item_id, title, at, reason in db.session.execute(returned_to_fix())]))
        lists.append(WorkList(APPROVED, [
            WorkRow(title, f"/office/items/{item_id}", at)
            for item_id, title, at, _ in db.session.execute(approved_to_publish())]))
    if user.has_role(Role.REVIEWER):
        lists.append(WorkList(MY_REVIEW, [
            WorkRow(title, f"/review/{item_id}", at)
            for item_id, title, at, _ in db.session.execute(waiting_for_review_by(user.id))]))
    if user.has_role(Role.OFFICE):
        lists.append(WorkList(FEEDBACK, [
            WorkRow(f"第 {feedback_id} 号{'实名' if named else ''}{kind.label}",
                    f"/office/feedback/{feedback_id}", at)
            for feedback_id, kind, at, named in db.session.execute(feedback_to_answer())]))
        lists.append(WorkList(NOTES, [
            WorkRow(f"第 {note_id} 号监督意见（{topic.label}）", f"/office/supervision/{note_id}", at)
            for note_id, topic, at in db.session.execute(notes_to_answer())]))
    return lists
