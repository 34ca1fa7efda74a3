"""Who is told what at each step of the review loop (design.md, "Everyone is told"):

| event     | kind                   | told                                                |
|-----------|------------------------|-----------------------------------------------------|
| submitted | `disclosure.submitted` | the reviewers who may decide the round (not its authors) |
| returned  | `disclosure.returned`  | the drafter and the responsible person, with the reason |
| approved  | `disclosure.approved`  | the drafter and the responsible person               |
| published | `disclosure.published` | the responsible person (else the drafter)            |

Whoever acted is not told of their own act. Each notice is keyed by the item, the revision
and the round (`due_key`), so one event gives one notice per person however often a
service or a sweep meets it, and a new round gives new notices. The services call these
(they flush); the route commits, then mails (`reminders.mailing.mail_notices_after_commit`).
The quorum-missing reminder is a duty (reminders.duties, kind `review`)."""
from __future__ import annotations

from sqlalchemy import select

from dwgk.accounts.models import Role, User, UserRole
from dwgk.disclosures.models import Disclosure
from dwgk.extensions import db
from dwgk.notifications.services import notify

SUBMITTED = "disclosure.submitted"
RETURNED = "disclosure.returned"
APPROVED = "disclosure.approved"
PUBLISHED = "disclosure.published"

KIND_LABELS = {
    SUBMITTED: "待您审核",
    RETURNED: "审核退回",
    APPROVED: "审核通过",
    PUBLISHED: "已发布",
}


def eligible_reviewers(disclosure: Disclosure) -> list[User]:
    """Active reviewers who may decide the item's review round (its authors may not)."""
    revision = disclosure.working_revision
    authors = {disclosure.created_by_id, revision.author_id}
    return list(db.session.scalars(
        select(User).join(UserRole)
        .where(UserRole.role == Role.REVIEWER, User.active.is_(True), User.id.not_in(authors))
        .order_by(User.id)))


def _drafter_and_responsible(disclosure: Disclosure) -> list[User]:
    revision = disclosure.working_revision
    return [revision.author, revision.responsible]


def _others(users, actor: User | None) -> list[User]:
    return [user for user in users
            if user is not None and user.active and (actor is None or user.id != actor.id)]


def _round_key(disclosure: Disclosure) -> str:
    revision = disclosure.working_revision
    return f"v{revision.number}r{revision.review_round}"


def submitted(disclosure: Disclosure, actor: User) -> None:
    revision = disclosure.working_revision
    again = "（修改后重新提交）" if revision.review_round > 1 else ""
    notify(_others(eligible_reviewers(disclosure), actor), SUBMITTED,
           f"【待您审核】{revision.title}{again}：{actor.display_name} 已提交审核"
           f"（第 {revision.number} 版第 {revision.review_round} 轮）。",
           obj=disclosure, due_key=_round_key(disclosure), link=f"/review/{disclosure.id}")


def returned(disclosure: Disclosure, reviewer: User) -> None:
    revision = disclosure.working_revision
    notify(_others(_drafter_and_responsible(disclosure), reviewer), RETURNED,
           f"【审核退回】{revision.title}：{reviewer.display_name} 退回修改，理由：{revision.return_reason}"
           "。请修改后重新提交审核。",
           obj=disclosure, due_key=_round_key(disclosure), link=f"/office/items/{disclosure.id}")


def approved(disclosure: Disclosure, reviewer: User) -> None:
    revision = disclosure.working_revision
    notify(_others(_drafter_and_responsible(disclosure), reviewer), APPROVED,
           f"【审核通过】{revision.title}：已审核通过（第 {revision.number} 版第 "
           f"{revision.review_round} 轮），可以发布。",
           obj=disclosure, due_key=_round_key(disclosure), link=f"/office/items/{disclosure.id}")


def published(disclosure: Disclosure, actor: User) -> None:
    revision = disclosure.live_revision
    told = revision.responsible or revision.author
    notify(_others([told], actor), PUBLISHED,
           f"【已发布】{revision.title}：{actor.display_name} 已发布第 {revision.number} 版。",
           obj=disclosure, due_key=f"v{revision.number}", link=f"/items/{disclosure.id}")
