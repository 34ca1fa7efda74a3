"""The disclosure catalog (/catalog) and its upkeep by the office."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from dwgk import policy
from dwgk.catalog import queries, services
from dwgk.catalog.forms import CatalogEntryForm, CategoryForm
from dwgk.catalog.models import Cadence, Scope, join_forms
from dwgk.core import clock
from dwgk.core.types import query_id
from dwgk.web.forms import REFUSED, save
from dwgk.web.render import render

bp = Blueprint("catalog", __name__)

DUPLICATE = "保存失败：名称与已有的类别或条目重复，请换一个名称。"


def _user():
    return current_user._get_current_object()


def _status(form) -> int:
    if services.CONFLICT in form.form_errors:
        return 409
    return 422 if form.errors or form.form_errors else 200


@bp.get("/catalog")
def index():
    today = clock.today()
    return render("catalog/index.html", groups=queries.catalog_overview(current_user, today),
                  today=today)


@bp.get("/catalog/manage")
@policy.require(policy.can_manage_catalog)
def manage():
    return render("catalog/manage.html", categories=queries.all_categories(),
                  entries=queries.all_entries(), describe_cadence=services.describe_cadence)


# --- categories -----------------------------------------------------------------------------

def _category_input(form: CategoryForm) -> services.CategoryInput:
    return services.CategoryInput(name=form.name.data or "", description=form.description.data or "",
                                  position=form.position.data, active=bool(form.active.data))


@bp.route("/catalog/categories/new", methods=["GET", "POST"])
@policy.require(policy.can_manage_catalog)
def category_new():
    form = CategoryForm()
    if form.validate_on_submit():
        category = save(form, lambda: services.create_category(_category_input(form), actor=_user()),
                        duplicate=("name", DUPLICATE))
        if category is not REFUSED:
            flash(f"已新建类别“{category.name}”。", "success")
            return redirect(url_for("catalog.manage"))
    return render("catalog/category_edit.html", form=form, category=None, status=_status(form))


@bp.route("/catalog/categories/<int:category_id>", methods=["GET", "POST"])
@policy.require(policy.can_manage_catalog)
def category_edit(category_id: int):
    category = queries.get_category(category_id) or abort(404)
    form = CategoryForm(obj=category if request.method == "GET" else None)
    if form.validate_on_submit():
        changed = save(form, lambda: services.update_category(
            category, _category_input(form), actor=_user()), duplicate=("name", DUPLICATE))
        if changed is not REFUSED:
            flash(f"已保存类别“{category.name}”。" if changed else "没有修改。",
                  "success" if changed else "info")
            return redirect(url_for("catalog.manage"))
        category = queries.get_category(category_id) or abort(404)
    return render("catalog/category_edit.html", form=form, category=category, status=_status(form))


# --- entries --------------------------------------------------------------------------------

def _fill_choices(form: CatalogEntryForm, entry=None) -> None:
    form.category_id.choices = [SelectChoice("", "请选择")] + [
        SelectChoice(c.id, c.name if c.active else f"{c.name}（已停用）")
        for c in queries.category_choices(entry.category_id if entry else None)]
    form.responsible_id.choices = [SelectChoice("", "（未指定）")] + [
        SelectChoice(u.id, u.display_name)
        for u in queries.responsible_choices(entry.responsible_id if entry else None)]


def _entry_input(form: CatalogEntryForm) -> services.EntryInput:
    return services.EntryInput(
        category_id=form.category_id.data, title=form.title.data or "",
        scope=Scope(form.scope.data), cadence=Cadence(form.cadence.data),
        content=form.content.data or "", period_months=form.period_months.data,
        responsible_id=form.responsible_id.data, basis=form.basis.data or "",
        position=form.position.data, active=bool(form.active.data),
        disclosure_forms=join_forms(form.disclosure_forms.data))


def _version(form) -> int | None:
    try:
        return int(form.version_id.data)
    except (TypeError, ValueError):
        return None


@bp.route("/catalog/entries/new", methods=["GET", "POST"])
@policy.require(policy.can_manage_catalog)
def entry_new():
    form = CatalogEntryForm()
    _fill_choices(form)
    if request.method == "GET":
        form.category_id.data = request.args.get("category_id", type=query_id)
        form.responsible_id.data = current_user.id
    if form.validate_on_submit():
        entry = save(form, lambda: services.create_entry(_entry_input(form), actor=_user()),
                     duplicate=("title", DUPLICATE))
        if entry is not REFUSED:
            flash(f"已新建目录条目“{entry.title}”。", "success")
            return redirect(url_for("catalog.manage"))
    return render("catalog/entry_edit.html", form=form, entry=None, status=_status(form))


@bp.route("/catalog/entries/<int:entry_id>", methods=["GET", "POST"])
@policy.require(policy.can_manage_catalog)
def entry_edit(entry_id: int):
    entry = queries.get_entry(entry_id) or abort(404)
    form = CatalogEntryForm(obj=entry if request.method == "GET" else None)
    _fill_choices(form, entry)
    if request.method == "GET":
        form.scope.data = entry.scope.value
        form.cadence.data = entry.cadence.value
    if form.validate_on_submit():
        changed = save(form, lambda: services.update_entry(
            entry, _entry_input(form), actor=_user(), expected_version=_version(form)),
            duplicate=("title", DUPLICATE), conflict=services.CONFLICT)
        if changed is not REFUSED:
            flash(f"已保存目录条目“{entry.title}”。" if changed else "没有修改。",
                  "success" if changed else "info")
            return redirect(url_for("catalog.manage"))
        entry = queries.get_entry(entry_id) or abort(404)
    return render("catalog/entry_edit.html", form=form, entry=entry, status=_status(form))
