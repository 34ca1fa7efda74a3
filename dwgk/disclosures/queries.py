"""Reading disclosures for the office's workspace."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from dwgk.accounts.models import Role, User, UserRole
from dwgk.catalog.models import CatalogEntry, Category
from dwgk.disclosures.models import Disclosure, Revision, State
from dwgk.extensions import db

PER_PAGE = 30


def state_counts() -> dict[State, int]:
    rows = db.session.execute(select(Disclosure.state, func.count()).group_by(Disclosure.state))
    counts = {state: 0 for state in State}
    counts.update({state: count for state, count in rows})
    return counts


def workspace_page(state: State | None, page: int = 1):
    """Items in `state` (all but withdrawn when None), most recently changed first."""
    query = select(Disclosure).options(
        joinedload(Disclosure.working_revision).joinedload(Revision.category),
        joinedload(Disclosure.created_by),
    )
    if state is None:
        query = query.where(Disclosure.state != State.WITHDRAWN)
    else:
        query = query.where(Disclosure.state == state)
    query = query.order_by(Disclosure.updated_at.desc(), Disclosure.id.desc())
    return db.paginate(query, page=page, per_page=PER_PAGE, error_out=False)


def load_for_work(disclosure_id: int) -> Disclosure | None:
    """One item with everything its work page shows, in a fixed number of queries."""
    return db.session.scalar(
        select(Disclosure).where(Disclosure.id == disclosure_id).options(
            joinedload(Disclosure.working_revision).selectinload(Revision.reviews),
            joinedload(Disclosure.working_revision).selectinload(Revision.attachments),
            joinedload(Disclosure.live_revision),
            selectinload(Disclosure.revisions),
        )
    )


def category_choices() -> list[Category]:
    return list(db.session.scalars(
        select(Category).where(Category.active.is_(True)).order_by(Category.position, Category.id)))


def catalog_entry_choices() -> list[CatalogEntry]:
    return list(db.session.scalars(
        select(CatalogEntry).where(CatalogEntry.active.is_(True))
        .options(joinedload(CatalogEntry.category))
        .order_by(CatalogEntry.category_id, CatalogEntry.position, CatalogEntry.id)))


def office_users() -> list[User]:
    return list(db.session.scalars(
        select(User).join(UserRole).where(UserRole.role == Role.OFFICE, User.active.is_(True))
        .order_by(User.display_name)))


def published_predisclosures() -> list[Disclosure]:
    """Pre-disclosures a formal version may link back to."""
    return list(db.session.scalars(
        select(Disclosure).join(Disclosure.live_revision)
        .where(Revision.is_predisclosure.is_(True), Disclosure.withdrawn_at.is_(None))
        .order_by(Disclosure.last_published_at.desc())))


def publicity_period(disclosure: Disclosure, calendar=None):
    """The publicity period (公示期) of a published item as a Deadline: from the date of
    its first publication, N working days; None when it has none."""
    from dwgk.core import clock
    from dwgk.core.workdays import Calendar

    revision = disclosure.live_revision
    if revision is None or not revision.publicity_workdays or disclosure.first_published_at is None:
        return None
    start = disclosure.first_published_at.astimezone(clock.LOCAL_TZ).date()
    return (calendar or Calendar.load()).add_workdays(start, revision.publicity_workdays)


def published_with_publicity_period() -> list[Disclosure]:
    return list(db.session.scalars(
        select(Disclosure).join(Disclosure.live_revision)
        .where(Disclosure.state == State.PUBLISHED, Revision.publicity_workdays.is_not(None))
        .options(joinedload(Disclosure.live_revision))))


def catalog_entry(entry_id: int | None):
    """An active catalog entry to start a new item from, or None."""
    if entry_id is None:
        return None
    entry = db.session.get(CatalogEntry, entry_id)
    return entry if entry is not None and entry.active else None
