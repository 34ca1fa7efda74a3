"""Changes to the catalog (公开目录): categories, entries, and loading a template.

Every function checks its input on the server, flushes, and writes its audit event in the
same transaction; the caller commits (one commit per request). Nothing is ever deleted:
disclosures refer to categories and entries, so the office deactivates them instead.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from dwgk.core.errors import Refusal
from dwgk.accounts.models import Role, User
from dwgk.core.audit import record
from dwgk.catalog.models import Cadence, CatalogEntry, Category, Scope, form_labels, join_forms
from dwgk.catalog.templates_data import TEMPLATE_LABELS, TEMPLATES
from dwgk.extensions import db

PERIOD_MONTHS = (1, 3, 6, 12)
FREQUENCY_LABELS = {1: "每月", 3: "每季度", 6: "每半年", 12: "每年"}
NAME_MAX = 60
TITLE_MAX = 200
TEXT_MAX = 5000
POSITION_MAX = 9999

CONFLICT = ("保存失败：在您编辑期间，该目录条目已被他人修改。为避免覆盖他人的修改，"
            "本次内容未保存，请刷新页面查看最新内容后再编辑。")


class CatalogError(Refusal):
    """A refused change; the message is shown to the user as it is."""


class EditConflict(CatalogError):
    """Somebody else saved the entry after this user opened it."""

    def __init__(self, message: str = CONFLICT):
        super().__init__(message)


@dataclass
class CategoryInput:
    name: str
    description: str = ""
    position: int = 0
    active: bool = True


@dataclass
class EntryInput:
    category_id: int | None
    title: str
    scope: Scope
    cadence: Cadence
    content: str = ""
    period_months: int | None = None
    responsible_id: int | None = None
    basis: str = ""
    position: int = 0
    active: bool = True
    disclosure_forms: str = ""  # 公开形式, as join_forms() stores them (a list is accepted too)


# --- checks ---------------------------------------------------------------------------------

def _check_position(position) -> None:
    if isinstance(position, bool) or not isinstance(position, int) or not 0 <= position <= POSITION_MAX:
        raise CatalogError(f"排序须为 0 至 {POSITION_MAX} 的整数。", "position")


def _check_text(value: str, field: str, label: str) -> None:
    if len(value) > TEXT_MAX:
        raise CatalogError(f"{label}不能超过 {TEXT_MAX} 个字。", field)


def _check_category(data: CategoryInput, category: Category | None) -> CategoryInput:
    name = (data.name or "").strip()
    if not name:
        raise CatalogError("请填写类别名称。", "name")
    if len(name) > NAME_MAX:
        raise CatalogError(f"类别名称不能超过 {NAME_MAX} 个字。", "name")
    same = db.session.scalar(select(Category).where(Category.name == name))
    if same is not None and same is not category:
        raise CatalogError(f"已有名为“{name}”的类别，类别名称不能重复。", "name")
    description = (data.description or "").strip()
    _check_text(description, "description", "说明")
    _check_position(data.position)
    return CategoryInput(name=name, description=description, position=data.position,
                         active=bool(data.active))


def is_valid_responsible(user: User | None) -> bool:
    """The person responsible for an entry is an active office user."""
    return user is not None and user.active and user.has_role(Role.OFFICE)


def _check_entry(data: EntryInput, entry: CatalogEntry | None) -> EntryInput:
    category = db.session.get(Category, data.category_id) if data.category_id else None
    keeps_category = entry is not None and category is not None and category.id == entry.category_id
    if category is None or not (category.active or keeps_category):
        raise CatalogError("请选择有效的公开内容类别。", "category_id")
    title = (data.title or "").strip()
    if not title:
        raise CatalogError("请填写公开事项名称。", "title")
    if len(title) > TITLE_MAX:
        raise CatalogError(f"公开事项名称不能超过 {TITLE_MAX} 个字。", "title")
    same = db.session.scalar(select(CatalogEntry).where(CatalogEntry.category_id == category.id,
                                                        CatalogEntry.title == title))
    if same is not None and same is not entry:
        raise CatalogError(f"“{category.name}”类别下已有名为“{title}”的条目。", "title")
    try:
        scope, cadence = Scope(data.scope), Cadence(data.cadence)
    except ValueError:
        raise CatalogError("公开范围或公开时限无效。", "scope") from None
    if cadence == Cadence.PERIODIC:
        if data.period_months is None:
            raise CatalogError("定期公开的条目须选择公开周期（每月、每季度、每半年或每年）。",
                               "period_months")
        if data.period_months not in PERIOD_MONTHS:
            raise CatalogError("公开周期只能是每月、每季度、每半年或每年。", "period_months")
    elif data.period_months is not None:
        raise CatalogError(f"只有定期公开的条目才有公开周期；“{cadence.label}”的条目请留空。",
                           "period_months")
    if data.responsible_id is not None:
        user = db.session.get(User, data.responsible_id)
        keeps_user = entry is not None and entry.responsible_id == data.responsible_id
        if user is None or not (is_valid_responsible(user) or keeps_user):
            raise CatalogError("责任人须为在岗的党务公开办公室人员。", "responsible_id")
    content, basis = (data.content or "").strip(), (data.basis or "").strip()
    _check_text(content, "content", "公开内容")
    _check_text(basis, "basis", "依据")
    _check_position(data.position)
    return EntryInput(category_id=category.id, title=title, scope=scope, cadence=cadence,
                      content=content, period_months=data.period_months,
                      responsible_id=data.responsible_id, basis=basis, position=data.position,
                      active=bool(data.active), disclosure_forms=_forms(data.disclosure_forms))


def _forms(value) -> str:
    return join_forms(value.split(",") if isinstance(value, str) else value)


# --- categories -----------------------------------------------------------------------------

def create_category(data: CategoryInput, *, actor: User | None = None) -> Category:
    data = _check_category(data, None)
    category = Category(name=data.name, description=data.description, position=data.position,
                        active=data.active)
    db.session.add(category)
    db.session.flush()
    record("catalog.category_create", category, actor=actor,
           summary=data.name + ("" if data.active else "（停用）"))
    return category


def update_category(category: Category, data: CategoryInput, *,
                    actor: User | None = None) -> bool:
    """Save the category; True when something changed (only then is an event recorded)."""
    data = _check_category(data, category)
    changes = _changes(category, data, {"name": "名称", "description": "说明",
                                        "position": "排序", "active": "状态"})
    if not changes:
        return False
    old_name = category.name
    for name in ("name", "description", "position", "active"):
        setattr(category, name, getattr(data, name))
    db.session.flush()
    record("catalog.category_update", category, actor=actor,
           summary=f"{old_name}：" + "；".join(changes))
    return True


# --- entries --------------------------------------------------------------------------------

ENTRY_FIELDS = {"category_id": "类别", "title": "名称", "content": "公开内容", "scope": "公开范围",
                "cadence": "公开时限", "period_months": "公开周期", "responsible_id": "责任人",
                "basis": "依据", "position": "排序", "active": "状态",
                "disclosure_forms": "公开形式"}


def create_entry(data: EntryInput, *, actor: User | None = None) -> CatalogEntry:
    data = _check_entry(data, None)
    entry = CatalogEntry(**{name: getattr(data, name) for name in ENTRY_FIELDS})
    db.session.add(entry)
    db.session.flush()
    record("catalog.entry_create", entry, actor=actor,
           summary=f"{entry.category.name} · {entry.title}（{describe_cadence(entry)}，"
                   f"{entry.scope.label}）")
    return entry


def check_version(entry: CatalogEntry, expected_version: int | None) -> None:
    """Refuse a save based on a version of the entry other than the stored one."""
    if expected_version is None or expected_version != entry.version_id:
        raise EditConflict()


def update_entry(entry: CatalogEntry, data: EntryInput, *, expected_version: int | None,
                 actor: User | None = None) -> bool:
    """Save the entry if `expected_version` is still the stored one (else EditConflict; a
    save racing this one between the check and the flush raises StaleDataError at the flush).
    True when something changed (only then is an event recorded and the version moved on)."""
    check_version(entry, expected_version)
    data = _check_entry(data, entry)
    changes = _changes(entry, data, ENTRY_FIELDS)
    if not changes:
        return False
    old_title = entry.title
    for name in ENTRY_FIELDS:
        setattr(entry, name, getattr(data, name))
    db.session.flush()
    record("catalog.entry_update", entry, actor=actor, summary=f"{old_title}：" + "；".join(changes))
    return True


def _changes(obj, data, labels: dict[str, str]) -> list[str]:
    changes = []
    for name, label in labels.items():
        old, new = getattr(obj, name), getattr(data, name)
        if old == new:
            continue
        if name == "active":
            changes.append(f"{label}：{'启用' if old else '停用'} → {'启用' if new else '停用'}")
        elif name in ("description", "content", "basis"):
            changes.append(f"修改了{label}")
        else:
            changes.append(f"{label}：{_show(name, old)} → {_show(name, new)}")
    return changes


def _show(name: str, value) -> str:
    if value is None or value == "":
        return "无"
    if name in ("scope", "cadence"):
        return value.label
    if name == "disclosure_forms":
        return "、".join(form_labels(value)) or "无"
    if name == "period_months":
        return FREQUENCY_LABELS.get(value, str(value))
    if name == "category_id":
        category = db.session.get(Category, value)
        return category.name if category else str(value)
    if name == "responsible_id":
        user = db.session.get(User, value)
        return user.display_name if user else str(value)
    return str(value)


def describe_cadence(entry) -> str:
    """定期公开（每季度） / 长期公开 …"""
    if entry.cadence == Cadence.PERIODIC:
        return f"{entry.cadence.label}（{FREQUENCY_LABELS.get(entry.period_months or 3, '')}）"
    return entry.cadence.label


# --- templates ------------------------------------------------------------------------------

def load_template(name: str, responsible: User | None = None, *, actor: User | None = None
                  ) -> tuple[list[Category], list[CatalogEntry]]:
    """Add the categories and entries of template `name` ("school" or "bureau") that are
    not there yet: categories are matched by name, entries by title within their category,
    so loading twice adds nothing twice. New entries get `responsible` (an office user, or
    nobody). Returns what was created; flushes; the caller commits."""
    if name not in TEMPLATES:
        raise CatalogError(f"没有名为“{name}”的目录模板（可选：{'、'.join(TEMPLATES)}）。")
    if responsible is not None and not is_valid_responsible(responsible):
        raise CatalogError("责任人须为在岗的党务公开办公室人员。", "responsible_id")
    label = TEMPLATE_LABELS[name]
    created_categories: list[Category] = []
    created_entries: list[CatalogEntry] = []
    next_position = (db.session.scalar(select(func.max(Category.position))) or 0) + 1
    for spec in TEMPLATES[name]:
        category = db.session.scalar(select(Category).where(Category.name == spec["name"]))
        if category is None:
            category = Category(name=spec["name"], description=spec["description"],
                                position=next_position, active=True)
            next_position += 1
            db.session.add(category)
            db.session.flush()
            record("catalog.category_create", category, actor=actor,
                   summary=f"{category.name}（载入目录模板：{label}）")
            created_categories.append(category)
        existing = set(db.session.scalars(
            select(CatalogEntry.title).where(CatalogEntry.category_id == category.id)))
        next_entry_position = (db.session.scalar(
            select(func.max(CatalogEntry.position)).where(CatalogEntry.category_id == category.id))
            or 0) + 1
        for item in spec["entries"]:
            if item["title"] in existing:
                continue
            entry = CatalogEntry(
                category=category, title=item["title"], content=item["content"],
                scope=Scope(item["scope"]), cadence=Cadence(item["cadence"]),
                period_months=item["period_months"], basis=item["basis"],
                disclosure_forms=item["disclosure_forms"],
                responsible_id=responsible.id if responsible is not None else None,
                position=next_entry_position, active=True)
            next_entry_position += 1
            db.session.add(entry)
            db.session.flush()
            record("catalog.entry_create", entry, actor=actor,
                   summary=f"{category.name} · {entry.title}（载入目录模板：{label}）")
            created_entries.append(entry)
    return created_categories, created_entries
