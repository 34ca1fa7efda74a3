"""Changes to the screens' settings (admin). Each function checks the rules on the server,
writes its audit event and flushes; the caller commits (one commit per request)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from dwgk.core.errors import Refusal
from dwgk.core.audit import record
from dwgk.catalog.models import Category
from dwgk.core import clock
from dwgk.extensions import db
from dwgk.kiosk.models import KioskScreen, Orientation

SLUG = re.compile(r"[a-z0-9-]{1,40}")
NAME_MAX = 60
NOTICE_MAX = 200
ROTATION_MIN, ROTATION_MAX = 5, 600
CONFLICT = ("保存失败：在您编辑期间，该屏幕的设置已被他人修改。"
            "下方显示的是最新设置，请核对后重新保存。")


class KioskError(Refusal):
    """A refused change; the message is shown to the user as it is."""


class EditConflict(KioskError):
    """Somebody else saved the screen after this user opened it."""


@dataclass
class ScreenInput:
    """What the admin types into the screen form."""

    slug: str
    name: str
    orientation: Orientation
    rotation_seconds: int
    notice_line: str = ""
    active: bool = True
    category_ids: list[int] = field(default_factory=list)


def _check(data: ScreenInput, screen: KioskScreen | None) -> tuple[ScreenInput, list[Category]]:
    slug = (data.slug or "").strip()
    if not SLUG.fullmatch(slug):
        raise KioskError("地址标识须为 1 至 40 个小写字母、数字或连字符（-）。", "slug")
    taken = db.session.scalar(select(KioskScreen.id).where(KioskScreen.slug == slug))
    if taken is not None and (screen is None or taken != screen.id):
        raise KioskError(f"地址标识“{slug}”已被其他屏幕使用。", "slug")
    name = (data.name or "").strip()
    if not name:
        raise KioskError("请填写屏幕名称。", "name")
    if len(name) > NAME_MAX:
        raise KioskError(f"屏幕名称不能超过 {NAME_MAX} 个字。", "name")
    if not isinstance(data.rotation_seconds, int) or not ROTATION_MIN <= data.rotation_seconds <= ROTATION_MAX:
        raise KioskError(f"轮播间隔须为 {ROTATION_MIN} 至 {ROTATION_MAX} 秒之间的整数。",
                         "rotation_seconds")
    notice = " ".join((data.notice_line or "").split())  # one line: no line breaks
    if len(notice) > NOTICE_MAX:
        raise KioskError(f"滚动通知不能超过 {NOTICE_MAX} 个字。", "notice_line")
    ids = sorted(set(data.category_ids or []))
    categories = list(db.session.scalars(select(Category).where(Category.id.in_(ids)))) if ids else []
    kept = {category.id for category in screen.categories} if screen is not None else set()
    if len(categories) != len(ids) or any(not c.active and c.id not in kept for c in categories):
        raise KioskError("请选择有效的公开内容类别。", "category_ids")
    categories.sort(key=lambda c: (c.position, c.id))
    checked = ScreenInput(slug=slug, name=name, orientation=Orientation(data.orientation),
                          rotation_seconds=data.rotation_seconds, notice_line=notice,
                          active=bool(data.active), category_ids=ids)
    return checked, categories


def _describe(screen: KioskScreen) -> str:
    categories = "、".join(c.name for c in screen.categories) or "全部类别"
    return (f"{screen.name}（/kiosk/{screen.slug}）：{screen.orientation.label}，"
            f"每 {screen.rotation_seconds} 秒轮播，{categories}"
            + ("" if screen.active else "，已停用"))


def create_screen(data: ScreenInput, *, actor=None) -> KioskScreen:
    data, categories = _check(data, None)
    screen = KioskScreen(slug=data.slug, name=data.name, orientation=data.orientation,
                         rotation_seconds=data.rotation_seconds, notice_line=data.notice_line,
                         active=data.active, categories=categories, updated_at=clock.now())
    db.session.add(screen)
    db.session.flush()
    record("kiosk.screen_create", screen, actor=actor, summary=_describe(screen))
    return screen


LABELS = {"slug": "地址标识", "name": "名称", "orientation": "方向", "rotation_seconds": "轮播间隔",
          "notice_line": "滚动通知", "active": "状态"}


def _shown(name: str, value) -> str:
    if isinstance(value, Orientation):
        return value.label
    if name == "active":
        return "启用" if value else "停用"
    return str(value) if value != "" else "（空）"


def update_screen(screen: KioskScreen, data: ScreenInput, *, actor=None,
                  expected_updated_at: datetime | None = None) -> bool:
    """Save the screen; True when something changed (only then is an event recorded).
    `expected_updated_at`: the version the admin's form was opened on; another admin's save
    in between is refused (EditConflict), never silently overwritten."""
    if expected_updated_at is not None and screen.updated_at != expected_updated_at:
        raise EditConflict(CONFLICT)
    data, categories = _check(data, screen)
    changes = [f"{label}：{_shown(name, getattr(screen, name))} → {_shown(name, getattr(data, name))}"
               for name, label in LABELS.items() if getattr(screen, name) != getattr(data, name)]
    before = [c.id for c in screen.categories]
    if sorted(before) != data.category_ids:
        changes.append("类别：" + ("、".join(c.name for c in screen.categories) or "全部")
                       + " → " + ("、".join(c.name for c in categories) or "全部"))
    if not changes:
        return False
    for name in LABELS:
        setattr(screen, name, getattr(data, name))
    screen.categories = categories
    # Set by hand: a change of the categories alone does not UPDATE the row, and the
    # displays' ETag and the edit form's conflict check both read this stamp.
    screen.updated_at = clock.now()
    db.session.flush()
    record("kiosk.screen_update", screen, actor=actor,
           summary=f"{screen.name}（/kiosk/{screen.slug}）：" + "；".join(changes))
    return True
