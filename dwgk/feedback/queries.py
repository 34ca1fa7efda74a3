"""Reading feedback: the office's inbox and one filing, the items one may give an opinion on,
and the two views that leave the office — the lookup answer and the published handling
results. Those two are built from named columns only, never from a whole Feedback row, so
that no template can reach the filer's personal details by accident."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from dwgk.core.paging import page_number
from dwgk import policy
from dwgk.accounts.models import Role, User, UserRole
from dwgk.core.audit import AuditEvent
from dwgk.core import clock
from dwgk.disclosures.models import Disclosure, Revision
from dwgk.extensions import db
from dwgk.feedback.models import Channel, Feedback, FeedbackKind, FeedbackStatus

PER_PAGE = 20
ITEM_CHOICES = 100  # the newest items offered in the form; any other comes by ?item=<id>


# --- the office's inbox --------------------------------------------------------------------

@dataclass(frozen=True)
class InboxFilters:
    status: FeedbackStatus | None = None  # None: 全部
    mine: bool = False
    kind: FeedbackKind | None = None
    channel: Channel | None = None
    page: int = 1

    def args(self, **changes) -> dict:
        """Query-string arguments of this view (with `changes`), for links; empty ones left out."""
        values = {"status": self.status.value if self.status else None,
                  "mine": "1" if self.mine else None,
                  "kind": self.kind.value if self.kind else None,
                  "channel": self.channel.value if self.channel else None,
                  "page": self.page}
        values.update(changes)
        if values.get("page") == 1:
            values["page"] = None
        return {key: value for key, value in values.items() if value not in (None, "")}


def _enum_arg(enum_type, value):
    try:
        return enum_type(value)
    except ValueError:
        return None


def parse_filters(args) -> InboxFilters:
    """The inbox's filters from a query string; anything malformed is ignored."""
    return InboxFilters(status=_enum_arg(FeedbackStatus, args.get("status", "")),
                        mine=args.get("mine") == "1",
                        kind=_enum_arg(FeedbackKind, args.get("kind", "")),
                        channel=_enum_arg(Channel, args.get("channel", "")),
                        page=page_number(args))


def _conditions(filters: InboxFilters, user) -> list:
    """Every filter but the status tab (the tabs' counts are taken under these)."""
    conditions = []
    if filters.mine:
        conditions.append(Feedback.assigned_to_id == user.id)
    if filters.kind is not None:
        conditions.append(Feedback.kind == filters.kind)
    if filters.channel is not None:
        conditions.append(Feedback.channel == filters.channel)
    return conditions


def status_counts(filters: InboxFilters, user) -> dict:
    """How many filings each tab holds under the other filters (one query); key None: all."""
    rows = db.session.execute(select(Feedback.status, func.count())
                              .where(*_conditions(filters, user)).group_by(Feedback.status))
    counts = {status: 0 for status in FeedbackStatus}
    counts.update({status: number for status, number in rows})
    counts[None] = sum(counts.values())
    return counts


def inbox_page(filters: InboxFilters, user):
    """One page of the inbox, newest first: two queries (count and page), each row with its
    item's live revision and its assignee loaded."""
    query = (select(Feedback)
             .options(joinedload(Feedback.disclosure).joinedload(Disclosure.live_revision),
                      joinedload(Feedback.assigned_to))
             .where(*_conditions(filters, user))
             .order_by(Feedback.received_on.desc(), Feedback.id.desc()))
    if filters.status is not None:
        query = query.where(Feedback.status == filters.status)
    return db.paginate(query, page=filters.page, per_page=PER_PAGE, max_per_page=PER_PAGE,
                       error_out=False)


def load_for_office(feedback_id: int) -> Feedback | None:
    """One filing with everything its office page shows, in one query."""
    return db.session.scalar(
        select(Feedback).where(Feedback.id == feedback_id)
        .options(joinedload(Feedback.disclosure).joinedload(Disclosure.live_revision),
                 joinedload(Feedback.assigned_to), joinedload(Feedback.replied_by),
                 joinedload(Feedback.logged_by), joinedload(Feedback.relayed_by)))


def assignable_users() -> list[tuple[User, bool]]:
    """Who a filing may be assigned to (承办人): every active account — office staff first —
    as (user, is_office), by name within each group."""
    office_ids = set(db.session.scalars(select(UserRole.user_id).where(UserRole.role == Role.OFFICE)))
    people = db.session.scalars(select(User).where(User.active.is_(True))
                                .order_by(User.display_name, User.id))
    return sorted(((user, user.id in office_ids) for user in people),
                  key=lambda pair: not pair[1])


@dataclass(frozen=True)
class AssignedRow:
    """A filing as its handler sees it: what it says, never who filed it."""

    id: int
    kind: FeedbackKind
    body: str
    status: FeedbackStatus
    received_on: date | None
    item_title: str | None
    handler_reply: str
    handler_replied_at: datetime | None
    reply_text: str
    replied_at: datetime | None


def _assigned_query(user_id: int):
    return (select(Feedback.id, Feedback.kind, Feedback.body, Feedback.status, Feedback.received_on,
                   Revision.title, Feedback.handler_reply, Feedback.handler_replied_at,
                   Feedback.reply_text, Feedback.replied_at)
            .outerjoin(Disclosure, Disclosure.id == Feedback.disclosure_id)
            .outerjoin(Revision, Revision.id == Disclosure.live_revision_id)
            .where(Feedback.assigned_to_id == user_id))


def assigned_to(user_id: int) -> list[AssignedRow]:
    """交我办理: the filings assigned to one person, open ones first, newest first; one query."""
    rows = db.session.execute(_assigned_query(user_id).order_by(
        (Feedback.status == FeedbackStatus.CLOSED), Feedback.created_at.desc(), Feedback.id.desc()))
    return [AssignedRow(*row) for row in rows]


def assigned_one(user_id: int, feedback_id: int) -> AssignedRow | None:
    row = db.session.execute(_assigned_query(user_id).where(Feedback.id == feedback_id)).first()
    return None if row is None else AssignedRow(*row)


def handling_history(feedback: Feedback) -> list[AuditEvent]:
    """The audit events of one filing, oldest first (处理记录)."""
    return list(db.session.scalars(
        select(AuditEvent).where(AuditEvent.object_type == Feedback.__tablename__,
                                 AuditEvent.object_id == str(feedback.id))
        .order_by(AuditEvent.at, AuditEvent.id)))


# --- the form --------------------------------------------------------------------------------

def _readable_items(user):
    from dwgk.boards.queries import Board, visibility

    board = Board.MEMBERS if policy.is_signed_in(user) else Board.PUBLIC
    return (select(Disclosure.id, Revision.title)
            .join(Revision, Disclosure.live_revision_id == Revision.id)
            .where(visibility(board, user)))


def item_choices(user, selected_id: int | None = None) -> list[tuple[int, str]]:
    """(id, title) of the newest items `user` may read, and of `selected_id` when `user` may
    read it too. Two queries at most."""
    rows = list(db.session.execute(
        _readable_items(user).order_by(Disclosure.last_published_at.desc(), Disclosure.id.desc())
        .limit(ITEM_CHOICES)))
    if selected_id is not None and selected_id not in {row.id for row in rows}:
        rows += list(db.session.execute(
            _readable_items(user).where(Disclosure.id == selected_id)))
    return [(row.id, row.title) for row in rows]


# --- what leaves the office ----------------------------------------------------------------

@dataclass(frozen=True)
class PublicStatus:
    """What a lookup code shows: no name, phone or e-mail, nor who in the office handled it."""

    kind: FeedbackKind
    status: FeedbackStatus
    item_title: str | None  # None: in general, or an item the reader may not read
    on_item: bool
    received_on: date | None
    created_at: datetime
    reply_text: str
    reply_method_label: str
    reply_date: date | None
    result_text: str
    result_published_at: datetime | None
    closed_at: datetime | None


def public_status(feedback: Feedback, reader) -> PublicStatus:
    item = feedback.disclosure
    title = (item.live_revision.title
             if item is not None and policy.can_read_item(reader, item) else None)
    return PublicStatus(
        kind=feedback.kind, status=feedback.status, item_title=title,
        on_item=feedback.disclosure_id is not None,
        received_on=feedback.received_on, created_at=feedback.created_at,
        reply_text=feedback.reply_text if feedback.replied_at else "",
        reply_method_label=feedback.reply_method.label if feedback.reply_method else "",
        reply_date=feedback.reply_date,
        result_text=feedback.result_text if feedback.result_published_at else "",
        result_published_at=feedback.result_published_at, closed_at=feedback.closed_at)


def slip(feedback: Feedback, code: str, reader) -> dict:
    """What the one-time slip shows (kept in the session until shown): kind, date, item
    title, the code. Nothing the filer typed about themselves."""
    item = feedback.disclosure
    return {"code": code, "kind": feedback.kind.label,
            "date": (feedback.received_on or clock.today()).isoformat(),
            "item": (item.live_revision.title
                     if item is not None and policy.can_read_item(reader, item) else "")}


@dataclass(frozen=True)
class PublishedResult:
    kind: FeedbackKind
    received_on: date | None
    result_text: str
    published_at: datetime


def published_general_results() -> list[PublishedResult]:
    """The handling results published for general opinions (not about an item), newest
    first, for the public results page: these columns only, never the filer's."""
    rows = db.session.execute(
        select(Feedback.kind, Feedback.received_on, Feedback.result_text,
               Feedback.result_published_at)
        .where(Feedback.disclosure_id.is_(None), Feedback.result_published_at.is_not(None))
        .order_by(Feedback.result_published_at.desc(), Feedback.id.desc()).limit(200))
    return [PublishedResult(*row) for row in rows]


def published_results(disclosure_id: int) -> list[PublishedResult]:
    """The handling results (处理结果) published on an item's page, oldest first: one query,
    of these columns only."""
    rows = db.session.execute(
        select(Feedback.kind, Feedback.received_on, Feedback.result_text,
               Feedback.result_published_at)
        .where(Feedback.disclosure_id == disclosure_id,
               Feedback.result_published_at.is_not(None))
        .order_by(Feedback.result_published_at, Feedback.id))
    return [PublishedResult(*row) for row in rows]
