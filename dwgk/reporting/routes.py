"""The dashboard and the ledger with its CSV/XLSX exports."""
from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import quote

from flask import Blueprint, Response, redirect, request, stream_with_context, url_for
from flask_login import current_user

from dwgk.core.paging import page_number
from dwgk import policy
from dwgk.catalog.models import Category, Scope
from dwgk.catalog.queries import all_categories
from dwgk.disclosures.models import Decision, State
from dwgk.feedback.models import Channel, FeedbackKind, FeedbackStatus
from dwgk.reporting import dashboard as dashboard_data
from dwgk.reporting import exports, ledger
from dwgk.reporting.periods import Period, PeriodError
from dwgk.supervision.models import NoteTopic
from dwgk.web.render import render

bp = Blueprint("reporting", __name__)


def _user():
    return current_user._get_current_object()


# --- the dashboard ---------------------------------------------------------------------------

@bp.get("/dashboard")
@policy.require(policy.can_view_dashboard)
def dashboard():
    return render("reporting/dashboard.html", board=dashboard_data.build(_user()))


# --- the ledger ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Tab:
    name: str
    label: str
    rule: object
    filters: tuple[str, ...]  # query-string names, in the order the form shows them


TABS = {
    "items": Tab("items", "事项", policy.can_read_ledger_items, ("category", "scope", "state")),
    "reviews": Tab("reviews", "审核记录", policy.can_read_ledger_items, ("decision",)),
    # Members-only items' titles and notes too: the same readers as the items tab.
    "republications": Tab("republications", "再公开", policy.can_read_ledger_items,
                          ("category", "scope")),
    "feedback": Tab("feedback", "意见建议", policy.can_read_ledger_handling,
                    ("status", "channel", "kind")),
    "notes": Tab("notes", "监督意见", policy.can_read_ledger_handling, ("topic", "answered")),
}

# query-string name -> (label, [(value, label)]) for the filters that are enum choices.
_ANSWERED = [("yes", "已答复"), ("no", "未答复")]
CHOICES = {
    "scope": ("公开范围", [(s.value, s.label) for s in Scope]),
    "state": ("状态", [(s.value, s.label) for s in State]),
    "decision": ("审核意见", [(d.value, d.label) for d in Decision]),
    "status": ("办理状态", [(s.value, s.label) for s in FeedbackStatus]),
    "channel": ("渠道", [(c.value, c.label) for c in Channel]),
    "kind": ("类型", [(k.value, k.label) for k in FeedbackKind]),
    "topic": ("类别", [(t.value, t.label) for t in NoteTopic]),
    "answered": ("答复情况", _ANSWERED),
}


@dataclass
class LedgerView:
    tab: Tab
    period: Period | None
    period_text: str  # as typed, shown back in the form
    error: str | None
    filters: dict[str, str] = field(default_factory=dict)  # valid ones only, as strings
    page: int = 1

    def args(self, **changes) -> dict:
        """This view's query string (with `changes`), for links; empty values left out."""
        values = {"period": self.period.key if self.period else self.period_text,
                  **self.filters, "page": self.page}
        values.update(changes)
        if values.get("page") == 1:
            values["page"] = None
        return {key: value for key, value in values.items() if value not in (None, "")}

    def query_filters(self) -> dict:
        """The filters as ledger.tab_rows() takes them."""
        result = {}
        for name, value in self.filters.items():
            if name == "category":
                result["category_id"] = int(value)
            elif name == "answered":
                result["answered"] = value == "yes"
            else:
                result[name] = value
        return result


def _view(tab: Tab, categories: list[Category] | None) -> LedgerView:
    text = (request.args.get("period") or "").strip()
    try:
        period, error = Period.parse(text, default=Period.current_quarter()), None
    except PeriodError as problem:
        period, error = None, str(problem)
    filters = {}
    for name in tab.filters:
        value = (request.args.get(name) or "").strip()
        if not value:
            continue
        if name == "category":
            if value.isdigit() and categories is not None and int(value) in {c.id for c in categories}:
                filters[name] = value
        elif value in {choice for choice, _ in CHOICES[name][1]}:
            filters[name] = value
    return LedgerView(tab, period, text, error, filters, page_number(request.args))


def _quick_periods() -> list[tuple[str, Period]]:
    current = Period.current_quarter()
    return [("本季度", current), ("上季度", Period.previous_quarter()),
            ("本年度", Period.year(current.start.year)),
            ("上年度", Period.year(current.start.year - 1))]


def _ledger_page(tab_name: str):
    tab = TABS[tab_name]
    categories = all_categories() if "category" in tab.filters else None
    view = _view(tab, categories)
    include_filer = policy.can_see_filer_details(_user())
    page = None
    if view.period is not None:
        page = ledger.tab_page(tab.name, view.period, page=view.page, per_page=ledger.PER_PAGE,
                               include_filer=include_filer,
                               **view.query_filters())
    tabs = [t for t in TABS.values() if t.rule(_user())]
    return render("reporting/ledger.html", "reporting/_ledger.html",
                  status=422 if view.error else 200, view=view, page=page, tabs=tabs,
                  categories=categories or [], choices=CHOICES, quick_periods=_quick_periods(),
                  include_filer=include_filer)


def _file_name(tab: Tab, view: LedgerView, extension: str) -> str:
    return f"台账-{tab.label}-{view.period.key}.{extension}"


def _attachment(name: str) -> str:
    """Content-Disposition with an ASCII fallback and the Chinese name (RFC 6266/5987)."""
    ascii_name = name.encode("ascii", "ignore").decode().strip("-.") or "ledger"
    return f"attachment; filename=\"ledger-{ascii_name}\"; filename*=UTF-8''{quote(name)}"


def _export(tab_name: str, extension: str):
    tab = TABS[tab_name]
    categories = all_categories() if "category" in tab.filters else None
    view = _view(tab, categories)
    if view.error:
        return render("reporting/ledger.html", status=422, view=view, page=None,
                      tabs=[t for t in TABS.values() if t.rule(_user())],
                      categories=categories or [], choices=CHOICES,
                      quick_periods=_quick_periods(), include_filer=False)
    include_filer = policy.can_see_filer_details(_user())
    rows = ledger.tab_rows(tab.name, view.period, include_filer=include_filer,
                           **view.query_filters())
    columns = exports.columns_for(tab.name, include_filer=include_filer)
    name = _file_name(tab, view, extension)
    if extension == "csv":
        response = Response(stream_with_context(exports.csv_chunks(columns, rows)),
                            content_type="text/csv; charset=utf-8")
    else:
        response = Response(
            exports.xlsx_bytes(f"{tab.label}（{view.period.key}）", columns, rows),
            mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response.headers["Content-Disposition"] = _attachment(name)
    response.headers["Cache-Control"] = "private, no-store"  # filers' details, for the office
    return response


@bp.get("/ledger")
@policy.require(policy.can_read_ledger)
def ledger_index():
    """The first tab the user may read, keeping the period and page in the query string."""
    first = next(tab for tab in TABS.values() if tab.rule(_user()))
    period = request.args.get("period")
    return redirect(url_for(f"reporting.ledger_{first.name}", **({"period": period} if period else {})))


def _register(tab: Tab) -> None:
    """Three routes per tab (page, .csv, .xlsx), each guarded by the tab's own rule, so the
    permission matrix sees every one."""

    def page():
        return _ledger_page(tab.name)

    def as_csv():
        return _export(tab.name, "csv")

    def as_xlsx():
        return _export(tab.name, "xlsx")

    bp.add_url_rule(f"/ledger/{tab.name}", f"ledger_{tab.name}", policy.require(tab.rule)(page),
                    methods=["GET"])
    bp.add_url_rule(f"/ledger/{tab.name}.csv", f"ledger_{tab.name}_csv",
                    policy.require(tab.rule)(as_csv), methods=["GET"])
    bp.add_url_rule(f"/ledger/{tab.name}.xlsx", f"ledger_{tab.name}_xlsx",
                    policy.require(tab.rule)(as_xlsx), methods=["GET"])


for _tab in TABS.values():
    _register(_tab)


def export_url(tab: Tab, view: LedgerView, extension: str) -> str:
    args = view.args(page=None)
    return url_for(f"reporting.ledger_{tab.name}_{extension}", **args)


bp.add_app_template_global(export_url, "ledger_export_url")
