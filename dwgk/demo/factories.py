"""One make_*() per model, with overrides. Tests and `demo seed` both build data with these."""
from __future__ import annotations

import itertools

from dwgk.accounts import services as accounts
from dwgk.accounts.models import Role, User

_sequence = itertools.count(1)

DEFAULT_PASSWORD = "correct-horse-42"


def make_user(*roles: Role | str, username: str | None = None, password: str = DEFAULT_PASSWORD,
              display_name: str | None = None, email: str | None = None,
              must_change_password: bool = False, active: bool = True) -> User:
    """A user holding `roles` (none given: a plain member)."""
    username = username or f"user{next(_sequence)}"
    user = accounts.create_user(
        username, password, roles or [Role.MEMBER],
        display_name=display_name or username, email=email,
        must_change_password=must_change_password,
    )
    user.active = active
    return user


def make_category(name: str | None = None, position: int = 0):
    from dwgk.catalog.models import Category
    from dwgk.extensions import db

    category = Category(name=name or f"类别{next(_sequence)}", position=position)
    db.session.add(category)
    db.session.flush()
    return category


def make_catalog_entry(category=None, *, title: str | None = None, scope=None, cadence=None,
                       period_months: int | None = None, responsible=None, basis: str = ""):
    from dwgk.catalog.models import Cadence, CatalogEntry, Scope
    from dwgk.extensions import db

    cadence = cadence or Cadence.PERIODIC
    entry = CatalogEntry(
        category=category or make_category(), title=title or f"目录条目{next(_sequence)}",
        scope=scope or Scope.PUBLIC, cadence=cadence,
        period_months=period_months or (3 if cadence == Cadence.PERIODIC else None),
        responsible_id=responsible.id if responsible else None, basis=basis)
    db.session.add(entry)
    db.session.flush()
    return entry


def make_disclosure(state=None, *, title: str | None = None, body: str = "公开内容。",
                    scope=None, cadence=None, category=None, catalog_entry=None, author=None,
                    reviewer=None, members_first_days: int = 0, stage_of=None,
                    is_summary: bool = False, **fields):
    """A disclosure driven through the real services up to `state` (default: published,
    and public at once unless `members_first_days` says otherwise)."""
    from dwgk.catalog.models import Cadence, Scope
    from dwgk.disclosures import services
    from dwgk.disclosures.models import Decision, State

    state = state or State.PUBLISHED
    author = author or make_user(Role.OFFICE, Role.MEMBER)
    data = services.DraftInput(
        title=title or f"公开事项{next(_sequence)}", body_source=body,
        category_id=(category or make_category()).id,
        catalog_entry_id=catalog_entry.id if catalog_entry else None,
        # by default, the catalog entry's scope (a members-only entry never gets a public item)
        scope=scope or (catalog_entry.scope if catalog_entry else Scope.PUBLIC),
        cadence=cadence or Cadence.IMMEDIATE,
        members_first_days=members_first_days,
        members_first_reason="" if members_first_days else "测试数据，无需党内先行",
        **fields)
    disclosure = services.create_disclosure(data, author=author,
                                            stage_of_id=stage_of.id if stage_of else None,
                                            is_summary=is_summary)
    if state == State.DRAFT:
        return disclosure
    services.submit(disclosure, actor=author)
    if state == State.IN_REVIEW:
        return disclosure
    reviewer = reviewer or make_user(Role.REVIEWER, Role.MEMBER)
    services.review(disclosure, services.ReviewInput(
        decision=Decision.APPROVE, check_content=True, check_form=True, check_scope=True,
        check_timing=True, check_duration=True, check_secrecy=True,
        meeting_date=None), reviewer=reviewer)
    if state == State.APPROVED:
        return disclosure
    services.publish(disclosure, actor=author)
    if state == State.ARCHIVED:
        services.archive(disclosure, actor=author)
    elif state == State.WITHDRAWN:
        services.withdraw(disclosure, "测试撤回", actor=author)
    return disclosure
