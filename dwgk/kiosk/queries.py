"""What a notice-board screen shows: its settings, the public items it rotates through, and
the fingerprint of both that the screen's refresh asks about (the data part of its ETag).

Who sees what is policy.py's answer. A screen always shows the public board's items
(`boards.queries.visibility(Board.PUBLIC, …)`: live, not withdrawn, public, past the
members-first window), whoever is signed in at the display, and only ever narrows them: to
current items (not archived), to the screen's categories, to the newest ITEM_LIMIT.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import contains_eager, selectinload

from dwgk import policy
from dwgk.boards.queries import Board, visibility
from dwgk.catalog.models import Category
from dwgk.core import settings as unit_settings
from dwgk.core.richtext import plain_text
from dwgk.disclosures.models import Attachment, Disclosure, Revision, State
from dwgk.extensions import db
from dwgk.kiosk.models import KioskScreen, Orientation, kiosk_screen_category

# Plain /kiosk shows the screen with this slug; until an admin configures one, BUILT_IN.
DEFAULT_SLUG = "default"
# The newest items a screen rotates through (and lists).
ITEM_LIMIT = 10
# How much of an item's text a slide carries; the stylesheet clamps what fits on screen.
EXCERPT_CHARS = 400
BRIEF_CHARS = 120
# A screen asks for news this often (or every rotation, when that is shorter).
REFRESH_SECONDS = 30
# Bump when the fragment's markup changes, so that screens refetch it after an upgrade.
MARKUP_VERSION = "1"


@dataclass(frozen=True)
class Screen:
    """One display's settings, and the unit's name it shows. `id` is None for BUILT_IN."""

    id: int | None
    slug: str
    name: str
    orientation: Orientation
    rotation_seconds: int
    notice_line: str
    updated_at: datetime | None
    unit_name: str

    @property
    def refresh_seconds(self) -> int:
        return min(REFRESH_SECONDS, self.rotation_seconds)

    def key(self) -> str:
        """Everything about the screen that the fragment shows, for its ETag."""
        stamp = self.updated_at.isoformat() if self.updated_at else ""
        return "\x1f".join([str(self.id), self.slug, self.name, self.orientation.value,
                            str(self.rotation_seconds), self.notice_line, stamp, self.unit_name])


def built_in(unit_name: str) -> Screen:
    """What /kiosk shows before an admin configures a "default" screen: every category."""
    return Screen(id=None, slug=DEFAULT_SLUG, name="公开栏屏幕", orientation=Orientation.LANDSCAPE,
                  rotation_seconds=15, notice_line="", updated_at=None, unit_name=unit_name)


def load_screen(slug: str) -> Screen | None:
    """The active screen `slug`, with the unit's name. None when unknown or inactive —
    except "default", which falls back to the built-in settings while no screen of that
    slug exists."""
    unit_name = unit_settings.unit_name()
    screen = db.session.scalar(select(KioskScreen).where(KioskScreen.slug == slug))
    if screen is None:
        return built_in(unit_name) if slug == DEFAULT_SLUG else None
    if not screen.active:
        return None
    return Screen(id=screen.id, slug=screen.slug, name=screen.name,
                  orientation=screen.orientation, rotation_seconds=screen.rotation_seconds,
                  notice_line=screen.notice_line or "", updated_at=screen.updated_at,
                  unit_name=unit_name)


def _shown(query, screen: Screen):
    """`query` narrowed to what `screen` shows, newest first."""
    query = (query.join(Revision, Disclosure.live_revision_id == Revision.id)
             .join(Category, Revision.category_id == Category.id)
             .where(visibility(Board.PUBLIC, None), Disclosure.state != State.ARCHIVED)
             .order_by(Disclosure.last_published_at.desc(), Disclosure.id.desc())
             .limit(ITEM_LIMIT))
    if screen.id is not None:
        # No category chosen means every category.
        chosen = (select(kiosk_screen_category.c.category_id)
                  .where(kiosk_screen_category.c.screen_id == screen.id))
        query = query.where(or_(~chosen.exists(), Revision.category_id.in_(chosen)))
    return query


def _item_key(disclosure_id: int, published_at: datetime, revision_id: int, category: str) -> str:
    return f"{disclosure_id}:{published_at.isoformat()}:{revision_id}:{category}"


def _etag(screen: Screen, item_keys: list[str]) -> str:
    digest = hashlib.sha256("\x1e".join([MARKUP_VERSION, screen.key(), *item_keys]).encode())
    return digest.hexdigest()[:32]


def fingerprint(screen: Screen) -> str:
    """The fingerprint of what `screen` would show now, from one small query: the ids, publication
    times, live revisions and category names of the items shown. It changes when an item is
    published, republished, withdrawn or archived, when one passes its members-first window
    (nothing is written then: the set itself changes with the time), and when the screen's
    settings or the unit's name change."""
    rows = db.session.execute(_shown(
        select(Disclosure.id, Disclosure.last_published_at, Disclosure.live_revision_id,
               Category.name), screen)).all()
    return _etag(screen, [_item_key(*row) for row in rows])


@dataclass(frozen=True)
class Slide:
    id: int
    title: str
    category: str
    published_at: datetime
    excerpt: str
    image: Attachment | None

    @property
    def is_brief(self) -> bool:
        """A short text is shown larger (the stylesheet's choice of size)."""
        return len(self.excerpt) <= BRIEF_CHARS


# Inline markup joins words: dropped without a space (Chinese has none between words).
_INLINE_TAG = re.compile(r"</?(?:a|b|code|em|i|s|strong|sub|sup|u)\b[^>]*>", re.IGNORECASE)


def _excerpt(html: str) -> str:
    text = plain_text(_INLINE_TAG.sub("", html or ""))
    return text if len(text) <= EXCERPT_CHARS else text[:EXCERPT_CHARS].rstrip() + "…"


def first_public_image(revision: Revision) -> Attachment | None:
    """The revision's first image that an anonymous visitor may download right now."""
    return next((attachment for attachment in revision.attachments
                 if attachment.is_image and policy.is_public_attachment(attachment)), None)


def slides(screen: Screen) -> tuple[list[Slide], str]:
    """The items `screen` shows, newest first, and their fingerprint (equal to fingerprint()
    for the same data). Two queries: the items with live revision and category, their attachments."""
    items = db.session.scalars(_shown(select(Disclosure), screen).options(
        contains_eager(Disclosure.live_revision).contains_eager(Revision.category),
        contains_eager(Disclosure.live_revision).selectinload(Revision.attachments),
    )).unique().all()
    shown, keys = [], []
    for item in items:
        revision = item.live_revision
        keys.append(_item_key(item.id, item.last_published_at, revision.id, revision.category.name))
        shown.append(Slide(id=item.id, title=revision.title, category=revision.category.name,
                           published_at=item.last_published_at,
                           excerpt=_excerpt(revision.body_html),
                           image=first_public_image(revision)))
    return shown, _etag(screen, keys)


# --- the admin's list ---------------------------------------------------------------------

def all_screens() -> list[KioskScreen]:
    """Every screen, with its categories (two queries)."""
    return list(db.session.scalars(
        select(KioskScreen).options(selectinload(KioskScreen.categories))
        .order_by(KioskScreen.slug)))


def get_screen(screen_id: int) -> KioskScreen | None:
    return db.session.get(KioskScreen, screen_id)


def category_choices(selected_ids=()) -> list[Category]:
    """Active categories, and those already chosen for the screen even when deactivated."""
    condition = Category.active.is_(True)
    if selected_ids:
        condition = condition | Category.id.in_(list(selected_ids))
    return list(db.session.scalars(
        select(Category).where(condition).order_by(Category.position, Category.id)))
