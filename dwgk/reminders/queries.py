"""Reads for the duty pages: one person's duties ("我的待办") and the overdue duties the
supervisors see. Both come from `compute_duties`, so they say exactly what the sweep says,
in a fixed number of queries whatever the number of rows."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select

from dwgk.accounts.models import Role, User
from dwgk.core import settings as unit_settings
from dwgk.core.workdays import Calendar, period_end
from dwgk.disclosures.models import Disclosure, Revision
from dwgk.extensions import db
from dwgk.reminders.duties import (FEEDBACK, NOTE, PERIODIC, REVIEW, Duty, compute_duties)

# How far "我的待办" looks ahead: to the end of this quarter or 30 days, whichever is later
# (so the quarter-end wave of periodic duties is visible from the quarter's first day).
HORIZON_DAYS = 30
HORIZON_MONTHS = 3


@dataclass(frozen=True)
class DutyRow:
    duty: Duty
    days: int  # days past the due date: > 0 overdue, 0 due today, < 0 still to come
    is_mine: bool  # the person is among those reminded (not only the office's work)
    link: str  # where the person opens the object (a page they may see)

    @property
    def recipients(self) -> str:
        return "、".join(user.display_name for user in self.duty.recipients)


@dataclass(frozen=True)
class MyDuties:
    today: date
    horizon: date
    overdue: list[DutyRow]
    upcoming: list[DutyRow]  # due today, then up to the horizon
    office_view: bool  # all the office's work is listed, not only the person's own


def horizon(today: date, calendar: Calendar | None = None) -> date:
    """The last day "我的待办" looks at: this quarter's last day or 30 days from today,
    whichever is later."""
    return max(period_end(today, HORIZON_MONTHS), today + timedelta(days=HORIZON_DAYS))


def _link_for(user: User, duty: Duty) -> str:
    # The catalog entry's edit page is the office's; anyone else finds it in the catalog.
    if duty.kind == PERIODIC and not user.has_role(Role.OFFICE):
        return "/catalog"
    return duty.link


def _sees(user: User, duty: Duty) -> bool:
    """A person sees the duties they are reminded of; the office sees all the office's
    work (every kind but reviewing), whoever in the office is responsible for it."""
    if any(recipient.id == user.id for recipient in duty.recipients):
        return True
    return user.has_role(Role.OFFICE) and duty.kind != REVIEW


def my_duties(user: User, today: date) -> MyDuties:
    calendar = Calendar.load()
    until = horizon(today, calendar)
    overdue, upcoming = [], []
    for duty in compute_duties(today, calendar, unit_settings.get(), horizon=until):
        if not _sees(user, duty):
            continue
        row = DutyRow(duty, (today - duty.due).days,
                      any(recipient.id == user.id for recipient in duty.recipients),
                      _link_for(user, duty))
        (overdue if duty.overdue else upcoming).append(row)  # both oldest due date first
    return MyDuties(today, until, overdue, upcoming, user.has_role(Role.OFFICE))


@dataclass(frozen=True)
class OverdueRow:
    """An overdue duty as a supervisor sees it: what, which object, since when."""

    kind_label: str
    title: str
    due: date
    days: int
    link: str  # a page a supervisor may open, or ""


# Overdue feedback and supervision notes already have their own, more detailed list in the
# supervision inbox ("逾期未答复"); this list is the rest of the office's and reviewers' work.
SUPERVISION_SKIPS = (FEEDBACK, NOTE)


def overdue_for_supervision(today: date) -> list[OverdueRow]:
    """The overdue duties other than feedback and notes, oldest first. Items not yet
    published are not named (their drafts are the office's), only numbered."""
    duties = [duty for duty in compute_duties(today, Calendar.load(), unit_settings.get())
              if duty.overdue and duty.kind not in SUPERVISION_SKIPS]
    item_ids = {duty.object_id for duty in duties if duty.object_type == "disclosure"}
    live = {}
    if item_ids:
        live = dict(db.session.execute(
            select(Disclosure.id, Revision.title)
            .join(Revision, Revision.id == Disclosure.live_revision_id)
            .where(Disclosure.id.in_(item_ids), Disclosure.withdrawn_at.is_(None))).all())
    rows = []
    for duty in duties:
        if duty.object_type == "disclosure":
            title = live.get(duty.object_id)
            link = f"/items/{duty.object_id}" if title is not None else ""
            title = title if title is not None else f"尚未公开的事项（编号 {duty.object_id}）"
        else:  # a catalog entry: the catalog is everyone's to read
            title, link = duty.title, "/catalog"
        rows.append(OverdueRow(duty.kind_label, title, duty.due, (today - duty.due).days, link))
    return rows
