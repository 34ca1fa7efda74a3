"""Every count of the summary report adds up to the ledger rows it summarises (the same
seeded quarter as test_report.py): items by category and scope, re-publications, feedback
received and answered, the median of the working days to answer, supervision notes."""
from __future__ import annotations

import statistics
from collections import Counter

from dwgk.reporting import ledger
from dwgk.reporting.figures import report_figures
from tests.reporting.test_report import Q4, REPORT_DAY, seed_fourth_quarter
from tests.support import text_of


def test_the_report_adds_up_to_the_ledger(app, frozen_clock):
    with app.app_context():
        seed_fourth_quarter()
        figures = report_figures(Q4, REPORT_DAY.date())
        items = ledger.items(Q4)
        republications = ledger.republications(Q4)
        feedback = ledger.feedback(Q4)
        notes = ledger.notes(Q4)

    # Items: the ledger's rows with a first publication, by category and scope.
    published = [row for row in items if row.published_on is not None]
    by_scope = Counter((row.category_name, row.scope) for row in published)
    pub = figures.publications
    counted = {}
    for row in pub.by_category:
        counted[(row.name, "members")] = row.members
        counted[(row.name, "public")] = row.public
    assert set(by_scope) <= set(counted)
    assert counted == {key: by_scope.get(key, 0) for key in counted}
    assert pub.total == len(published) == sum(by_scope.values())
    assert pub.withdrawn == sum(row.state == "withdrawn" for row in published)
    for row in pub.by_category:  # filtering the ledger gives the same rows
        assert len([r for r in ledger_items(app, category_id=row.category_id)
                    if r.published_on]) == row.total

    # Re-publications: one row each, of any item — "第三季度事项" (first published in Q3)
    # as well as an item first published in Q4; the items' rows count them too.
    assert pub.republications == len(republications) == 2
    assert [(row.title, row.revision_number, row.first_published_on < Q4.start)
            for row in republications] == [("第三季度事项", 2, True),
                                           ("第四季度党费收缴情况", 2, False)]
    assert sum(row.republished_count for row in published) == sum(
        row.first_published_on in Q4 for row in republications)

    # Feedback: received, answered, by kind, named; the median of the rows' working days.
    fb = figures.feedback
    assert fb.received == len(feedback)
    assert fb.answered == sum(row.answered_on is not None for row in feedback)
    for kind in fb.by_kind:
        rows = [row for row in feedback if row.kind_label == kind.label]
        assert (kind.received, kind.answered) == (
            len(rows), sum(row.answered_on is not None for row in rows))
    named = [row for row in feedback if row.is_named]
    assert fb.named_received == len(named)
    assert fb.named_answered == sum(row.answered_on is not None for row in named)
    assert fb.named_on_time == sum(row.answered_on is not None and not row.overdue for row in named)
    assert fb.named_overdue_open == sum(row.answered_on is None and row.overdue for row in named)
    assert fb.median_workdays == statistics.median(
        row.answer_workdays for row in feedback if row.answer_workdays is not None)

    # Supervision notes.
    nt = figures.notes
    assert nt.filed == len(notes)
    assert nt.answered == sum(row.answered_on is not None for row in notes)
    for topic in nt.by_topic:
        rows = [row for row in notes if row.topic_label == topic.label]
        assert (topic.received, topic.answered) == (
            len(rows), sum(row.answered_on is not None for row in rows))
    assert nt.on_time == sum(row.answered_on is not None and not row.overdue for row in notes)
    assert nt.overdue_open == sum(row.answered_on is None and row.overdue for row in notes)
    assert nt.median_workdays == statistics.median(
        row.answer_workdays for row in notes if row.answer_workdays is not None)


def ledger_items(app, **filters):
    with app.app_context():
        return ledger.items(Q4, **filters)


def test_the_figure_links_to_its_ledger_rows(app, frozen_clock, users, login_as):
    with app.app_context():
        seed_fourth_quarter()
    page = text_of(login_as("reviewer").get("/report?period=2026Q4"))
    link = '<a href="/ledger/republications?period=2026Q4" title="查看再公开台账">再公开 2 次</a>'
    assert link in page
    rows = text_of(login_as("office").get("/ledger/republications?period=2026Q4"))
    assert "共 <strong class=\"ledger-total\">2</strong> 条" in rows
    # Supervisors read the report but not the items' tabs; nobody gets the link on paper.
    assert "/ledger/republications" not in text_of(login_as("supervisor").get("/report?period=2026Q4"))
    assert "/ledger/" not in text_of(login_as("office").get("/report/print?period=2026Q4"))
