"""Reading disclosures for the office's workspace."""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from dwgk.accounts.models import Role, User, UserRole
from dwgk.catalog.models import Cadence, CatalogEntry, Category
from dwgk.disclosures.models import Disclosure, OpinionAdoption, Revision, State
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


def formal_published_on(predisclosure_id: int) -> date | None:
    """The local day a formal version of this pre-disclosure was first published (not
    withdrawn), if any: its publication closes the pre-disclosure's opinion window."""
    from dwgk.core import clock

    first = db.session.scalar(
        select(func.min(Disclosure.first_published_at))
        .where(Disclosure.predisclosure_id == predisclosure_id,
               Disclosure.first_published_at.is_not(None), Disclosure.withdrawn_at.is_(None)))
    return None if first is None else first.astimezone(clock.LOCAL_TZ).date()


def publicity_start(first_published_at, public_from) -> tuple[date, str] | None:
    """The day a publicity period (公示期) is counted from, and how it was chosen: for a
    public item the day the public can see it (after the members-first window), for a
    members-only item the day of its publication. The day itself is not counted."""
    from dwgk.core import clock

    if public_from is not None:
        return public_from.astimezone(clock.LOCAL_TZ).date(), "社会公开之日"
    if first_published_at is not None:
        return first_published_at.astimezone(clock.LOCAL_TZ).date(), "党内公开（发布）之日"
    return None


def count_publicity_period(first_published_at, public_from, workdays: int, calendar):
    """The publicity period as a Deadline whose rule says what it was counted from."""
    started = publicity_start(first_published_at, public_from)
    if started is None:
        return None
    start, basis = started
    deadline = calendar.add_workdays(start, workdays)
    return replace(deadline, rule=f"公示期 {workdays} 个工作日，自{basis} {start.isoformat()} 起算"
                                  "（当日不计）")


def publicity_period(disclosure: Disclosure, calendar=None):
    """The publicity period (公示期) of a published item as a Deadline: N working days
    from the day the public can see it (public items) or from its publication
    (members-only items); None when it has none."""
    from dwgk.core.workdays import Calendar

    revision = disclosure.live_revision
    if revision is None or not revision.publicity_workdays or disclosure.first_published_at is None:
        return None
    return count_publicity_period(disclosure.first_published_at, disclosure.public_from,
                                  revision.publicity_workdays, calendar or Calendar.load())


# --- 分期 work -------------------------------------------------------------------------------

# A closing summary (总结性公开) follows the work's end as a staged result follows its
# result date (design.md: results within 7 days).
SUMMARY_DAYS = 7


def stage_order(stages: list[Disclosure]) -> list[Disclosure]:
    """The first stage, then the later ones by their result date (then as created)."""
    def key(item: Disclosure):
        revision = item.live_revision or item.working_revision
        day = revision.result_date if revision is not None else None
        return (item.first_stage_id is not None, day or date.max, item.id)

    return sorted(stages, key=key)


def stages(disclosure: Disclosure) -> list[Disclosure]:
    """Every stage of the 分期 work `disclosure` belongs to, in any state, for the office;
    empty when the item is not part of a work of more than one stage."""
    work_id = disclosure.work_id
    found = list(db.session.scalars(
        select(Disclosure).where(or_(Disclosure.id == work_id, Disclosure.first_stage_id == work_id))
        .options(joinedload(Disclosure.live_revision), joinedload(Disclosure.working_revision))))
    return stage_order(found) if len(found) > 1 else []


def work_started_on(stages_: list[Disclosure]) -> date | None:
    """When a work began: its earliest result date, or first publication if earlier."""
    from dwgk.core import clock

    days = []
    for item in stages_:
        revision = item.live_revision
        if revision is not None and revision.result_date is not None:
            days.append(revision.result_date)
        if item.first_published_at is not None:
            days.append(item.first_published_at.astimezone(clock.LOCAL_TZ).date())
    return min(days) if days else None


def summary_deadline(started_on: date | None, ended_on: date | None, calendar):
    """The closing summary (总结性公开) a 分期 work owes once it has ended, as a Deadline:
    only a work that crosses a calendar year end owes one (design.md: cross-year work staged
    plus a closing summary); due 7 days after its end, moved past holidays."""
    if started_on is None or ended_on is None or started_on.year >= ended_on.year:
        return None
    deadline = calendar.add_days(ended_on, SUMMARY_DAYS)
    return replace(deadline, rule=f"跨年度分期工作（{started_on.year}—{ended_on.year} 年）结束后 "
                                  f"{SUMMARY_DAYS} 日内作总结性公开，自结束之日 {ended_on.isoformat()} 起"
                                  f" {SUMMARY_DAYS} 日，遇节假日顺延")


@dataclass(frozen=True)
class StagedWork:
    """What the office's item page says of the 分期 work an item belongs to."""

    first: Disclosure
    stages: list[Disclosure]  # in order; the first stage included
    summary: object | None  # the closing summary's Deadline, when one is owed
    summary_done: bool
    summary_drafted: bool  # a summary exists (in any state): no second one is offered


def staged_work(disclosure: Disclosure, calendar=None) -> StagedWork | None:
    """The work of a published staged item or of a later stage; None for anything else."""
    from dwgk.core.workdays import Calendar

    revision = disclosure.live_revision or disclosure.working_revision
    if disclosure.first_stage_id is None and (
            disclosure.live_revision is None or revision.cadence != Cadence.STAGED):
        return None
    found = stages(disclosure)
    first = disclosure.first_stage or disclosure
    shown = [item for item in found if item.withdrawn_at is None] or [first]
    summary = summary_deadline(work_started_on(shown), first.work_ended_on,
                               calendar or Calendar.load())
    return StagedWork(first=first, stages=found or [first], summary=summary,
                      summary_done=any(item.is_summary and item.first_published_at for item in shown),
                      summary_drafted=any(item.is_summary for item in shown))


@dataclass(frozen=True)
class OwedSummary:
    """The closing summary (总结性公开) an ended cross-year 分期 work owes."""

    work: Disclosure  # the first stage
    deadline: object  # a Deadline
    published_on: date | None  # the local day the summary was first published, if it was
    summary_ids: frozenset[int]  # the summary items: they count as this duty, not as results


def owed_summaries(calendar, ended_from: date | None = None, ended_to: date | None = None
                   ) -> list[OwedSummary]:
    """Every 分期 work marked as ended (optionally between two days) that owes a closing
    summary: two queries, whatever their number (the reminders and the report)."""
    from dwgk.core import clock

    query = select(Disclosure).where(Disclosure.work_ended_on.is_not(None),
                                     Disclosure.first_stage_id.is_(None),
                                     Disclosure.withdrawn_at.is_(None))
    if ended_from is not None:
        query = query.where(Disclosure.work_ended_on >= ended_from)
    if ended_to is not None:
        query = query.where(Disclosure.work_ended_on <= ended_to)
    works = list(db.session.scalars(query.options(joinedload(Disclosure.live_revision))
                                    .order_by(Disclosure.work_ended_on, Disclosure.id)))
    later: dict[int, list[Disclosure]] = {}
    for stage in db.session.scalars(
            select(Disclosure).where(Disclosure.first_stage_id.in_([work.id for work in works]),
                                     Disclosure.withdrawn_at.is_(None))
            .options(joinedload(Disclosure.live_revision))):
        later.setdefault(stage.first_stage_id, []).append(stage)
    owed = []
    for work in works:
        stages_ = [work, *later.get(work.id, [])]
        deadline = summary_deadline(work_started_on(stages_), work.work_ended_on, calendar)
        if deadline is None:
            continue
        summaries = [item for item in stages_ if item.is_summary]
        published = [item.first_published_at.astimezone(clock.LOCAL_TZ).date()
                     for item in summaries if item.first_published_at is not None]
        owed.append(OwedSummary(work, deadline, min(published) if published else None,
                                frozenset(item.id for item in summaries)))
    return owed


def staged_works() -> list[Disclosure]:
    """The 分期 works a new stage may follow: published staged items not withdrawn, each
    work once (by its first stage), newest first."""
    return list(db.session.scalars(
        select(Disclosure).join(Disclosure.live_revision)
        .where(Revision.cadence == Cadence.STAGED, Disclosure.withdrawn_at.is_(None),
               Disclosure.first_stage_id.is_(None))
        .options(joinedload(Disclosure.live_revision))
        .order_by(Disclosure.last_published_at.desc(), Disclosure.id.desc())))


def published_with_publicity_period() -> list[Disclosure]:
    return list(db.session.scalars(
        select(Disclosure).join(Disclosure.live_revision)
        .where(Disclosure.state == State.PUBLISHED, Revision.publicity_workdays.is_not(None))
        .options(joinedload(Disclosure.live_revision))))


def opinion_answers(formal: Disclosure) -> list[tuple]:
    """The opinions (意见建议, not 举报) received on the pre-disclosure a formal version
    links back to, oldest first, each with the formal version's answer (采纳情况) or None."""
    from dwgk.feedback.models import Feedback, FeedbackKind

    if formal.predisclosure_id is None:
        return []
    opinions = db.session.scalars(
        select(Feedback).where(Feedback.disclosure_id == formal.predisclosure_id,
                               Feedback.kind == FeedbackKind.OPINION)
        .order_by(Feedback.created_at, Feedback.id)).all()
    answers = {answer.feedback_id: answer for answer in db.session.scalars(
        select(OpinionAdoption).where(OpinionAdoption.disclosure_id == formal.id))}
    return [(opinion, answers.get(opinion.id)) for opinion in opinions]


def period_choices(catalog_entry_id: int | None) -> list[tuple[date, str]]:
    """The reporting periods the drafting form offers, for the entry's frequency."""
    from dwgk.catalog.queries import entry_months
    from dwgk.catalog.queries import period_choices as choices
    from dwgk.core import clock

    entry = db.session.get(CatalogEntry, catalog_entry_id) if catalog_entry_id else None
    return choices(entry_months(entry), clock.today())


def catalog_entry(entry_id: int | None):
    """An active catalog entry to start a new item from, or None."""
    if entry_id is None:
        return None
    entry = db.session.get(CatalogEntry, entry_id)
    return entry if entry is not None and entry.active else None
