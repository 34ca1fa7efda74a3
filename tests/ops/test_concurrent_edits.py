"""Issue 8's rule: 8 processes × 50 saves on one item — every save either lands or is
refused with the conflict message; none is lost silently.

Real OS processes, each with its own app and connection pool, edit one draft the way the
edit page does: read the item's version (the GET), then, in a new transaction,
save a new title with that version as `expected_version` (the POST) and commit.
"""
from __future__ import annotations

import multiprocessing
import os
import time
import traceback

import pytest
from flask_migrate import upgrade
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from dwgk.core.audit import AuditEvent
from dwgk.disclosures.models import Disclosure, State
from dwgk.extensions import db
from tests.factories import make_disclosure

PROCESSES = 8
SAVES = 50
CONFLICT_WORDS = "已被他人修改"  # in services.EditConflict's message (and the route's CONFLICT)


def _save(app, disclosure_id: int, title: str) -> None:
    """One save as the edit page makes it: its GET reads the version, its POST saves with
    it; each is a request of its own (so SQLite gets BEGIN for the GET and BEGIN IMMEDIATE
    for the POST, as in production)."""
    from dwgk.disclosures import services

    with app.test_request_context(method="GET"):
        version = db.session.scalar(
            select(Disclosure.version_id).where(Disclosure.id == disclosure_id))
    with app.test_request_context(method="POST"):
        try:
            disclosure = db.session.get(Disclosure, disclosure_id)
            data = services.draft_input_from(disclosure.working_revision, title=title)
            services.update_draft(disclosure, data, actor=disclosure.created_by,
                                  expected_version=version)
            db.session.commit()
        except BaseException:
            db.session.rollback()
            raise


def _editor(app, disclosure_id: int, number: int, start, results) -> None:
    """One editor process: SAVES saves, each either landed or refused, reported to `results`."""
    from dwgk.disclosures.services import EditConflict

    report = {"number": number, "landed": [], "conflicts": 0, "stale": 0, "errors": [],
              "seconds": 0.0}
    try:
        with app.app_context():
            db.engine.dispose(close=False)  # a pool of this process's own
        start.wait(120)  # every editor is ready: the saves really overlap
        began = time.monotonic()
        for attempt in range(SAVES):
            title = f"进程{number}第{attempt}次保存"
            try:
                _save(app, disclosure_id, title)
            except EditConflict as exc:
                if CONFLICT_WORDS in str(exc):
                    report["conflicts"] += 1
                else:
                    report["errors"].append(f"EditConflict without the message: {exc}")
            except StaleDataError:  # the route answers this with the same message (409)
                report["stale"] += 1
            except Exception as exc:  # "database is locked" would land here
                report["errors"].append(f"{type(exc).__name__}: {exc}")
            else:
                report["landed"].append(title)
        report["seconds"] = time.monotonic() - began
        with app.app_context():
            db.engine.dispose()
    except Exception:
        report["errors"].append(traceback.format_exc())
    results.put(report)


def _launcher(config: dict, disclosure_id: int, results) -> None:
    """In a fresh interpreter (spawned: none of pytest's state), build the app once, then
    fork the editors from it: eight processes start in no time, each opening its own
    connections (the app has opened none before the fork)."""
    from dwgk import create_app

    app = create_app(config)
    fork = multiprocessing.get_context("fork")
    start = fork.Barrier(PROCESSES)
    reports = fork.Queue()
    editors = [fork.Process(target=_editor, args=(app, disclosure_id, n, start, reports))
               for n in range(PROCESSES)]
    for editor in editors:
        editor.start()
    collected = [reports.get(timeout=300) for _ in editors]
    for editor in editors:
        editor.join(timeout=30)
        if editor.exitcode != 0:
            collected.append({"errors": [f"editor exited with {editor.exitcode}"]})
    results.put(collected)


def _run_editors(config: dict, disclosure_id: int) -> list[dict]:
    spawn = multiprocessing.get_context("spawn")
    results = spawn.Queue()
    launcher = spawn.Process(target=_launcher, args=(config, disclosure_id, results))
    launcher.start()
    try:
        reports = results.get(timeout=300)
    finally:
        launcher.join(timeout=30)
        if launcher.is_alive():
            launcher.kill()
            launcher.join()
    assert launcher.exitcode == 0
    results.close()
    results.join_thread()
    return reports


@pytest.fixture(params=["sqlite", "postgresql"])
def editing_app(request, make_app, tmp_path):
    """An app on a file database every process can open: SQLite on its own file, or the
    session's PostgreSQL database when DWGK_TEST_DATABASE_URL is set."""
    if request.param == "postgresql":
        if not os.environ.get("DWGK_TEST_DATABASE_URL", "").startswith("postgresql"):
            pytest.skip("concurrent edits on PostgreSQL: DWGK_TEST_DATABASE_URL is not set")
        return make_app()
    app = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'edits.sqlite3'}")
    with app.app_context():
        upgrade()
    return app


def test_eight_processes_saving_one_item_lose_nothing_silently(editing_app):
    app = editing_app
    with app.app_context():
        disclosure = make_disclosure(State.DRAFT, title="初稿")
        db.session.commit()
        disclosure_id, created_version = disclosure.id, disclosure.version_id
    # One save alone: how far a save moves the version on.
    _save(app, disclosure_id, "第一次保存")
    with app.app_context():
        first_version = db.session.get(Disclosure, disclosure_id).version_id
        step = first_version - created_version
        assert step >= 1
        db.session.remove()
        db.engine.dispose()  # no connection of ours holds anything while the editors run
    config = {key: app.config[key] for key in (
        "TESTING", "SECRET_KEY", "SQLALCHEMY_DATABASE_URI", "DWGK_INSTANCE_PATH",
        "DWGK_UPLOAD_DIR", "DWGK_REDIS_URL", "RATELIMIT_STORAGE_URI", "DWGK_ARGON2")}

    reports = _run_editors(config, disclosure_id)

    errors = [error for report in reports for error in report["errors"]]
    assert errors == []
    assert len(reports) == PROCESSES
    seconds = max(report["seconds"] for report in reports)
    landed = [title for report in reports for title in report["landed"]]
    conflicts = sum(report["conflicts"] for report in reports)
    stale = sum(report["stale"] for report in reports)
    assert len(landed) + conflicts + stale == PROCESSES * SAVES
    assert landed, "no save landed at all"

    with app.app_context():
        disclosure = db.session.get(Disclosure, disclosure_id)
        # Every landed save moved the version on (by as much as a save alone does):
        # none was overwritten unseen.
        assert disclosure.version_id == first_version + step * len(landed)
        # ...and each left its audit event, written in the same transaction.
        events = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "disclosure.update",
                                     AuditEvent.object_id == str(disclosure_id))
            .order_by(AuditEvent.id)).all()
        assert sorted(event.summary for event in events) == sorted(["第一次保存", *landed])
        # The item shows the last save that landed.
        assert disclosure.working_revision.title == events[-1].summary
    kind = app.config["SQLALCHEMY_DATABASE_URI"].split(":")[0].split("+")[0]
    print(f"{kind}: {len(landed)} saves landed, {conflicts} refused by the version check, "
          f"{stale} refused as stale rows, none lost; saving took {seconds:.1f} s")  # shown with -s
