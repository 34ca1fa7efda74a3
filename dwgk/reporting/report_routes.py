"""The summary report (专题报告) for a quarter or a year: page, print view and PDF.

/report?period=2026Q4 shows the report (the previous quarter when no period is given);
/report/print is the same document on an A4 sheet; /report/pdf is that sheet as a PDF.
"""
from __future__ import annotations

from datetime import date
from io import BytesIO

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from dwgk import policy
from dwgk.core import clock
from dwgk.core import settings as unit_settings
from dwgk.reporting import charts, queries, services
from dwgk.reporting.forms import ReportNarrativeForm
from dwgk.reporting.figures import report_figures
from dwgk.reporting.periods import Period, PeriodError
from dwgk.web.forms import REFUSED, save
from dwgk.web.render import render

bp = Blueprint("report", __name__, url_prefix="/report")

QUARTERS_OFFERED = 8  # the period chooser lists the last eight quarters …
YEARS_OFFERED = 3  # … and the last three years


def _choices(today: date) -> list[Period]:
    quarters = [Period.current_quarter(today)]
    while len(quarters) < QUARTERS_OFFERED:
        quarters.append(Period.previous_quarter(quarters[-1].start))
    years = [Period.year(today.year - n) for n in range(YEARS_OFFERED)]
    return [*quarters, *years]


def _period() -> tuple[Period | None, str | None]:
    """The period asked for (?period=…), the previous quarter by default, or an error."""
    try:
        return Period.parse(request.args.get("period"),
                            default=Period.previous_quarter(clock.today())), None
    except PeriodError as error:
        return None, str(error)


def _context(period: Period) -> dict:
    figures = report_figures(period)
    narrative = queries.narrative(period)
    return {"period": period, "figures": figures, "charts": charts.report_charts(figures),
            "addressee": unit_settings.get().report_addressee,
            "narrative": narrative.body if narrative else ""}


def _ledger_links(period: Period) -> dict:
    """Links from figures to the ledger rows they count, on the screen page only and only
    for readers of those tabs (supervisors read the report, not the items tabs)."""
    if not policy.can_read_ledger_items(current_user):
        return {}
    return {"republications": url_for("reporting.ledger_republications", period=period.key)}


def _refused(error: str):
    """The page with the chooser and what is wrong with the period typed, status 400."""
    return render("reporting/report.html", status=400, period=None, error=error,
                  typed=request.args.get("period", ""), choices=_choices(clock.today()))


def _page(period: Period, form: ReportNarrativeForm | None = None, status: int = 200):
    context = _context(period)
    if form is None and policy.can_write_report_narrative(current_user):
        form = ReportNarrativeForm(data={"narrative": context["narrative"]})
    return render("reporting/report.html", error=None, typed=period.key, status=status,
                  choices=_choices(clock.today()), ledger_links=_ledger_links(period),
                  narrative_form=form, **context)


@bp.get("")
@policy.require(policy.can_read_summary_report)
def index():
    period, error = _period()
    if error:
        return _refused(error)
    return _page(period)


@bp.post("/narrative")
@policy.require(policy.can_write_report_narrative)
def narrative():
    """The office's narrative for the period asked for (?period=…), kept with the report."""
    period, error = _period()
    if error:
        return _refused(error)
    form = ReportNarrativeForm()
    if form.validate_on_submit() and save(form, lambda: services.save_narrative(
            period, form.narrative.data, actor=current_user._get_current_object()),
            duplicate=("narrative", "同事刚刚保存了本期的说明，请刷新页面后再修改。")) is not REFUSED:
        flash("工作情况说明已保存。", "success")
        return redirect(url_for("report.index", period=period.key) + "#report-narrative")
    return _page(period, form, status=422)


@bp.get("/print")
@policy.require(policy.can_read_summary_report)
def print_view():
    period, error = _period()
    if error:
        return _refused(error)
    return render("reporting/report_print.html", **_context(period))


@bp.get("/pdf")
@policy.require(policy.can_read_summary_report)
def pdf():
    period, error = _period()
    if error:
        return _refused(error)
    from dwgk.reporting.pdf import html_to_pdf  # WeasyPrint loads only when a PDF is asked for

    html = render_template("reporting/report_print.html", for_pdf=True, **_context(period))
    return send_file(BytesIO(html_to_pdf(html)), mimetype="application/pdf", as_attachment=True,
                     download_name=f"党务公开工作情况报告-{period.key}.pdf")
