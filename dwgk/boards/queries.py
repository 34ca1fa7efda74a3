"""Reading the boards: the lists, one item with everything its page shows, and the dates
a reader is told (公示期, the pre-disclosure's window).

Who sees what is policy.py's answer (`board_visibility`, `can_read_*`); this module only
ever narrows it.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, timedelta

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Index, func, or_, select
from sqlalchemy.orm import contains_eager, defer, joinedload, selectinload

from dwgk.core.paging import page_number
from dwgk import policy
from dwgk.boards import search
from dwgk.catalog.models import Category
from dwgk.core import clock
from dwgk.core.workdays import Calendar, Deadline
from dwgk.core.types import query_id
from dwgk.disclosures import queries as disclosure_queries
from dwgk.disclosures.models import MAX_MEMBERS_FIRST_DAYS, Disclosure, Review, Revision, State
from dwgk.extensions import db

PER_PAGE = 20
# A board counts its items up to COUNT_AT_LEAST, and always COUNT_AHEAD past the page shown:
# the pager can go on, and "1000 项以上" says the rest.
COUNT_AT_LEAST = 1000
COUNT_AHEAD = 200

# The boards' order, newest first: a page is read from this index and stops after 20 rows
# instead of sorting every visible item (migration 0007; declared here, beside its queries).
Index("ix_disclosure_published_order", Disclosure.last_published_at, Disclosure.id)


class Board(str, enum.Enum):
    """社会公开栏 shows what the public sees, to everyone; 党内公开栏 all the reader may see."""

    PUBLIC = "public"
    MEMBERS = "members"


class Status(str, enum.Enum):
    """The board's optional filter: items still current, or archived ones (still readable)."""

    CURRENT = "current"
    ARCHIVED = "archived"

    @property
    def label(self) -> str:
        return {"current": "公开中", "archived": "已归档"}[self.value]


@dataclass(frozen=True)
class BoardFilters:
    category_id: int | None = None
    q: str = ""
    status: Status | None = None
    page: int = 1

    def args(self, **changes) -> dict:
        """The query-string arguments of this view (with `changes`), for links."""
        values = {"category": self.category_id, "q": self.q or None,
                  "status": self.status.value if self.status else None, "page": self.page}
        values.update(changes)
        if values.get("page") == 1:
            values["page"] = None
        return {key: value for key, value in values.items() if value is not None}


def parse_filters(args) -> BoardFilters:
    """The filters from a request's query string; anything malformed is ignored."""
    category_id = args.get("category", type=query_id)
    try:
        status = Status(args.get("status", ""))
    except ValueError:
        status = None
    return BoardFilters(category_id=category_id if category_id and category_id > 0 else None,
                        q=search.normalise(args.get("q")), status=status,
                        page=page_number(args))


def visibility(board: Board, user):
    """What `board` may show to `user`. The public board is the public's board: a
    signed-in reader sees there exactly what an anonymous one does."""
    if board == Board.PUBLIC:
        return policy.public_board_visibility()
    return policy.board_visibility(user)


class _Page(Pagination):
    """One board page whose items and total were found by board_page(). `is_capped`: the
    total is a lower bound (see COUNT_AHEAD)."""

    is_capped = False

    def _query_items(self):
        return self._query_args["items"]()

    def _query_count(self):
        return self._query_args["total"]()


def board_page(board: Board, user, filters: BoardFilters):
    """One page of the board, newest first, each item with its live revision and that
    revision's category loaded: the ids of the page (read in the board's order from its
    index, narrow rows only), then those items; the total when asked."""
    ids = (
        select(Disclosure.id)
        .join(Revision, Disclosure.live_revision_id == Revision.id)
        .where(visibility(board, user), search.matching_condition(filters.q))
    )
    if filters.category_id is not None:
        ids = ids.where(Revision.category_id == filters.category_id)
    if filters.status == Status.CURRENT:
        ids = ids.where(Disclosure.state != State.ARCHIVED)
    elif filters.status == Status.ARCHIVED:
        ids = ids.where(Disclosure.state == State.ARCHIVED)

    def items():
        page_ids = list(db.session.scalars(
            ids.order_by(Disclosure.last_published_at.desc(), Disclosure.id.desc())
            .limit(PER_PAGE).offset((filters.page - 1) * PER_PAGE)))
        if not page_ids:
            return []
        # A list shows titles, not texts: the long columns stay in the database.
        found = {item.id: item for item in db.session.scalars(
            select(Disclosure)
            .join(Revision, Disclosure.live_revision_id == Revision.id)
            .join(Category, Revision.category_id == Category.id)
            .options(defer(Disclosure.search_text),
                     contains_eager(Disclosure.live_revision).defer(Revision.body_source)
                     .defer(Revision.body_html),
                     contains_eager(Disclosure.live_revision).contains_eager(Revision.category))
            .where(Disclosure.id.in_(page_ids)))}
        return [found[item_id] for item_id in page_ids if item_id in found]

    # Counted in the board's order, and only so far: every visible item would cost a
    # tenth of a second at 100,000 items; COUNT_AHEAD items past the page cost a millisecond.
    limit = max(COUNT_AT_LEAST, (filters.page + 1) * PER_PAGE + COUNT_AHEAD)

    found = []

    def total():
        counted = ids.order_by(Disclosure.last_published_at.desc(), Disclosure.id.desc())
        found.append(db.session.scalar(select(func.count()).select_from(
            counted.limit(limit + 1).subquery())))
        return min(found[0], limit)

    page = _Page(page=filters.page, per_page=PER_PAGE, max_per_page=PER_PAGE, error_out=False,
                 items=items, total=total)
    page.is_capped = found[0] > limit
    return page


@dataclass(frozen=True)
class CategoryChoice:
    id: int
    name: str


def board_categories(board: Board, user) -> list[CategoryChoice]:
    """The categories that have at least one item on `board` for `user` (one query: per
    category, EXISTS stops at its first item, where IN would read every visible one)."""
    used = (select(Revision.id)
            .join(Disclosure, Disclosure.live_revision_id == Revision.id)
            .where(Revision.category_id == Category.id, visibility(board, user)))
    return [CategoryChoice(*row) for row in db.session.execute(
        select(Category.id, Category.name).where(used.exists())
        .order_by(Category.position, Category.id))]


def next_public_from(now):
    """The first members-first window's end after `now` (None: none to come): the public
    board changes then with nothing written (dwgk/web/cache.py). A window is at most
    MAX_MEMBERS_FIRST_DAYS long, so only items published since then can still be waiting:
    the order index finds them."""
    return db.session.scalar(select(func.min(Disclosure.public_from)).where(
        Disclosure.last_published_at > now - timedelta(days=MAX_MEMBERS_FIRST_DAYS),
        Disclosure.public_from > now))


# --- one item ------------------------------------------------------------------------------

def load_item(disclosure: Disclosure) -> Disclosure:
    """Everything the item page shows, in a fixed number of queries: the live revision
    with its reviews (and reviewers), attachments, catalog entry and responsible person,
    and every revision's number and publication date for the history."""
    return db.session.scalar(
        select(Disclosure).where(Disclosure.id == disclosure.id)
        .options(
            joinedload(Disclosure.live_revision).selectinload(Revision.reviews)
            .joinedload(Review.reviewer),
            joinedload(Disclosure.live_revision).selectinload(Revision.attachments),
            joinedload(Disclosure.live_revision).joinedload(Revision.catalog_entry),
            joinedload(Disclosure.live_revision).joinedload(Revision.responsible),
            selectinload(Disclosure.revisions),
            joinedload(Disclosure.predisclosure).joinedload(Disclosure.live_revision),
        )
    )


def load_preview(disclosure: Disclosure) -> Disclosure:
    """What the preview shows: the working revision with everything the item's article
    shows of it (boards/_article.html), as load_item() loads the live one."""
    return db.session.scalar(
        select(Disclosure).where(Disclosure.id == disclosure.id)
        .options(
            joinedload(Disclosure.working_revision).selectinload(Revision.attachments),
            joinedload(Disclosure.working_revision).joinedload(Revision.category),
            joinedload(Disclosure.working_revision).joinedload(Revision.catalog_entry),
            joinedload(Disclosure.working_revision).joinedload(Revision.responsible),
        )
    )


def published_revision(disclosure: Disclosure, number: int) -> Revision | None:
    """Revision `number` of the item if it was ever published, else None."""
    return db.session.scalar(
        select(Revision).where(Revision.disclosure_id == disclosure.id,
                               Revision.number == number, Revision.published_at.is_not(None))
        .options(selectinload(Revision.reviews).joinedload(Review.reviewer),
                 selectinload(Revision.attachments)))


def earlier_revisions(disclosure: Disclosure, user) -> list[Revision]:
    """The published revisions before the live one that `user` may read, newest first."""
    live = disclosure.live_revision
    return [revision for revision in reversed(disclosure.revisions)
            if revision.published_at is not None and revision.number < live.number
            and policy.can_read_revision(user, disclosure, revision)]


def formal_version(predisclosure: Disclosure, user) -> Disclosure | None:
    """The newest formal version of a pre-disclosure that `user` may read, if any."""
    return db.session.scalar(
        select(Disclosure)
        .join(Revision, Disclosure.live_revision_id == Revision.id)
        .options(contains_eager(Disclosure.live_revision))
        .where(Disclosure.predisclosure_id == predisclosure.id, visibility(Board.MEMBERS, user))
        .order_by(Disclosure.last_published_at.desc(), Disclosure.id.desc())
        .limit(1))


def opinion_answers(formal: Disclosure) -> list[tuple]:
    """The formal version's 采纳情况 (opinions on its pre-disclosure and their answers)."""
    return disclosure_queries.opinion_answers(formal)


def work_stages(disclosure: Disclosure, user) -> list[Disclosure]:
    """The stages of the 分期 work this item belongs to that `user` may read, in order
    (a members-only stage never reaches the public); empty when there is no other."""
    if disclosure.first_stage_id is None and disclosure.live_revision.cadence.value != "staged":
        return []
    work_id = disclosure.work_id
    readable = (policy.board_visibility(user) if policy.is_signed_in(user)
                else policy.public_board_visibility())
    found = list(db.session.scalars(
        select(Disclosure).join(Revision, Revision.id == Disclosure.live_revision_id)
        .options(contains_eager(Disclosure.live_revision))
        .where(or_(Disclosure.id == work_id, Disclosure.first_stage_id == work_id), readable)))
    return disclosure_queries.stage_order(found) if len(found) > 1 else []


def readable_predisclosure(disclosure: Disclosure, user) -> Disclosure | None:
    """The pre-disclosure this formal version links back to, when `user` may read it."""
    target = disclosure.predisclosure
    if target is None or not policy.can_read_item(user, target):
        return None
    return target


@dataclass(frozen=True)
class PublicityPeriod:
    """公示期: from the first publication's local date to its Nth working day after."""

    start: date
    end: date
    workdays: int
    deadline: Deadline

    @property
    def is_running(self) -> bool:
        return clock.today() <= self.end


def publicity_period(disclosure: Disclosure, revision: Revision,
                     calendar: Calendar | None = None) -> PublicityPeriod | None:
    # The same computation the automatic archiving uses: the page and the archive agree.
    deadline = disclosure_queries.publicity_period(disclosure, calendar)
    if deadline is None:
        return None
    return PublicityPeriod(start=deadline.start, end=deadline.due,
                           workdays=disclosure.live_revision.publicity_workdays, deadline=deadline)


@dataclass(frozen=True)
class OpinionWindow:
    """A pre-disclosure's window: opinions are open until the day before the decision, or
    until its formal version is published (policy.opinions_close_on)."""

    decision_date: date
    last_day: date

    @property
    def is_open(self) -> bool:
        return clock.today() <= self.last_day


def opinion_window(disclosure: Disclosure, revision: Revision) -> OpinionWindow | None:
    if not revision.is_predisclosure or revision.decision_date is None:
        return None
    return OpinionWindow(revision.decision_date, policy.opinions_close_on(disclosure))
