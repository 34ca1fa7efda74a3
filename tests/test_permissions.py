"""Every route × every role. A route without an expectation here fails the test."""
from __future__ import annotations

import pytest

from tests.conftest import ROLES

ALL = ["anonymous", *ROLES, "nobody"]
SIGNED_IN = [*ROLES, "nobody"]

# endpoint -> (method, the roles allowed). Allowed roles get the route's success status;
# the anonymous public is sent to the login page (302) and other signed-in users get 403.
PUBLIC = "public"
EXPECTATIONS: dict[str, tuple[str, object]] = {
    "health.healthz": ("GET", PUBLIC),
    "boards.public": ("GET", PUBLIC),
    "accounts.login": ("GET", PUBLIC),
    "accounts.logout": ("POST", PUBLIC),
    "boards.members": ("GET", SIGNED_IN),
    "accounts.change_password": ("GET", SIGNED_IN),
    "admin.users": ("GET", ["admin"]),
    "admin.user_new": ("GET", ["admin"]),
    "admin.user_edit": ("GET", ["admin"]),
    "admin.user_reset_password": ("POST", ["admin"]),
    "admin.user_set_active": ("POST", ["admin"]),
    "admin.audit": ("GET", ["admin"]),
    "admin.settings": ("GET", ["admin"]),
    "workdays.index": ("GET", ["admin"]),
    "workdays.create": ("POST", ["admin"]),
    "workdays.delete": ("POST", ["admin"]),
    "workdays.import_form": ("GET", ["admin"]),
    "workdays.import_preview": ("POST", ["admin"]),
    "workdays.import_save": ("POST", ["admin"]),
    "catalog.index": ("GET", PUBLIC),
    "catalog.manage": ("GET", ["office"]),
    "catalog.category_new": ("GET", ["office"]),
    "catalog.category_edit": ("GET", ["office"]),
    "catalog.entry_new": ("GET", ["office"]),
    "catalog.entry_edit": ("GET", ["office"]),
    "boards.item": ("GET", PUBLIC),
    "boards.revision": ("GET", PUBLIC),
    "boards.print_item": ("GET", PUBLIC),
    "boards.preview": ("GET", ["office", "reviewer"]),  # 预览 of the unpublished text
    "disclosures.index": ("GET", ["office", "reviewer"]),
    "disclosures.new": ("GET", ["office"]),
    "disclosures.show": ("GET", ["office", "reviewer"]),
    "disclosures.edit": ("GET", ["office"]),
    "disclosures.act": ("POST", ["office"]),
    "disclosures.withdraw": ("POST", ["office"]),
    "disclosures.redraft": ("POST", ["office"]),
    "disclosures.adoptions": ("POST", ["office"]),
    "disclosures.end_work": ("POST", ["office"]),
    "disclosures.reopen_work": ("POST", ["office"]),
    "attachments.upload": ("POST", ["office"]),
    "attachments.delete": ("POST", ["office"]),
    "attachments.download": ("GET", PUBLIC),
    "kiosk.index": ("GET", PUBLIC),
    "kiosk.screen": ("GET", PUBLIC),
    "kiosk.content": ("GET", PUBLIC),
    "kiosk.service_worker": ("GET", PUBLIC),
    "kiosk.admin_list": ("GET", ["admin"]),
    "kiosk.admin_new": ("GET", ["admin"]),
    "kiosk.admin_edit": ("GET", ["admin"]),
    "feedback.new": ("GET", PUBLIC),
    "feedback.slip": ("GET", PUBLIC),
    "feedback.lookup": ("GET", PUBLIC),
    "feedback.inbox": ("GET", ["office"]),
    "feedback.detail": ("GET", ["office"]),
    "feedback.log": ("GET", ["office"]),
    "feedback.assign": ("POST", ["office"]),
    "feedback.reply": ("POST", ["office"]),
    "feedback.publish_result": ("POST", ["office"]),
    "feedback.close": ("POST", ["office"]),
    "supervision.inbox": ("GET", ["supervisor"]),
    "supervision.note_new": ("GET", ["supervisor"]),
    "supervision.note": ("GET", ["supervisor", "office"]),
    "supervision.relay": ("GET", ["supervisor"]),
    "supervision.office_list": ("GET", ["office"]),
    "supervision.office_answer": ("GET", ["office"]),
    "notifications.bell": ("GET", PUBLIC),  # the public gets an empty answer
    "notifications.index": ("GET", SIGNED_IN),
    "notifications.read": ("POST", SIGNED_IN),
    "notifications.read_all": ("POST", SIGNED_IN),
    "review.queue": ("GET", ["reviewer"]),
    "review.review": ("GET", ["reviewer"]),
    # --- duties and failed jobs (issue 5) ---
    "duties.index": ("GET", ["office", "reviewer"]),
    "jobs.index": ("GET", ["admin"]),
    "jobs.retry": ("POST", ["admin"]),
    "jobs.delete": ("POST", ["admin"]),
    # --- dashboard and ledger (issue 7) ---
    "reporting.dashboard": ("GET", ["office", "reviewer"]),
    "reporting.ledger_index": ("GET", ["office", "reviewer", "supervisor"]),
    **{f"reporting.ledger_{tab}{suffix}": ("GET", ["office", "reviewer"])
       for tab in ("items", "reviews", "republications") for suffix in ("", "_csv", "_xlsx")},
    **{f"reporting.ledger_{tab}{suffix}": ("GET", ["office", "reviewer", "supervisor"])
       for tab in ("feedback", "notes") for suffix in ("", "_csv", "_xlsx")},
    # --- summary report (issue 7) ---
    **{f"report.{name}": ("GET", ["office", "reviewer", "supervisor"])
       for name in ("index", "print_view", "pdf")},
    # --- the plans' rules (issue 14) ---
    "report.narrative": ("POST", ["office"]),
    "feedback.assigned": ("GET", SIGNED_IN),
    "feedback.handle": ("GET", []),  # only the person it was assigned to (the matrix's: nobody)
    "feedback.results": ("GET", PUBLIC),
}

# The status an allowed user gets. GET pages answer 200; a signed-in user asking for the
# login page is sent on (302); POSTs with an empty form are refused as invalid or redirect.
SUCCESS = {
    "accounts.logout": 302,
    "workdays.create": 422,
    "workdays.delete": 404,  # no override with id 1: unknown ids are 404
    "workdays.import_preview": 422,  # nothing pasted, no file: said next to the field
    "workdays.import_save": 400,  # no CSRF token: not a confirmation the page sent
    # Item routes are walked with the ids of the demo item (see `_url`).
    "disclosures.act": 302,
    # An empty form has no version: "表单已过期", nothing done.
    "feedback.assign": 422,
    "feedback.reply": 422,
    "feedback.publish_result": 422,
    "feedback.close": 422,
    "notifications.read": 404,  # the notice belongs to a third user: not theirs to see
    "notifications.read_all": 302,
    # The item is published: attachments change only on a draft ("请先修订"), back to its page.
    "attachments.upload": 302,
    "attachments.delete": 302,
    "disclosures.edit": 302,  # a published item is revised, not edited: back to its page
    "disclosures.withdraw": 302,
    "disclosures.redraft": 302,
    "disclosures.adoptions": 302,  # 采纳情况 is entered on a draft: back to the item's page
    "disclosures.end_work": 302,  # no date / not a staged work: said so, back to the item
    "disclosures.reopen_work": 302,
    "admin.user_reset_password": 422,
    "admin.user_set_active": 302,
    # --- duties and failed jobs (issue 5) ---
    "jobs.retry": 302,  # no job with that id: said so, back to the list
    "jobs.delete": 302,
    # --- dashboard and ledger (issue 7) ---
    "reporting.ledger_index": 302,  # on to the first tab the user may read
    # --- summary report (issue 7) ---
    "report.narrative": 302,  # an empty narrative is kept (nothing written yet)
    "boards.preview": 302,  # the demo item has nothing unpublished: on to its page
}

# What the public gets instead of the login page: an unpublished item's preview lives
# beside the item's page (/items/<id>/preview), and is 404 like an unpublished item.
ANONYMOUS = {
    "boards.preview": 404,
}


def _rules(app):
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint != "static"]


def test_every_route_has_an_expectation(app):
    missing = sorted({rule.endpoint for rule in _rules(app)} - set(EXPECTATIONS))
    assert not missing, f"routes without a row in the permission matrix: {missing}"
    stale = sorted(set(EXPECTATIONS) - {rule.endpoint for rule in _rules(app)})
    assert not stale, f"rows for routes that no longer exist: {stale}"


def _url(rule, ids):
    values = {name: ids.get(name, 1) for name in rule.arguments}
    if "verb" in rule.arguments:
        values["verb"] = "submit"
    return rule.build(values, append_unknown=False)[1]


@pytest.fixture
def objects(app, users):
    """One object of each kind, so that every route with an id has something to find."""
    from dwgk.extensions import db
    from dwgk.accounts.models import Role, User
    from dwgk.feedback import services as fb
    from dwgk.kiosk.models import KioskScreen
    from dwgk.notifications.services import notify
    from dwgk.supervision.services import NoteInput, file_note
    from tests.attachments import make_item_with_attachment
    from tests.factories import make_catalog_entry, make_user

    with app.app_context():
        entry = make_catalog_entry(title="矩阵测试条目")
        item, attachment = make_item_with_attachment(title="矩阵测试事项", catalog_entry=entry)
        note = file_note(NoteInput(topic="content", body="矩阵测试监督意见", disclosure_id=item.id),
                         author=db.session.get(User, users["supervisor"]))
        feedback, _ = fb.file_feedback(fb.FeedbackInput(
            body="矩阵测试意见", disclosure_id=item.id, is_named=True, filer_name="矩阵",
            filer_phone="13800138000"))
        screen = KioskScreen(slug="matrix", name="矩阵测试屏幕")
        db.session.add(screen)
        other = make_user(Role.MEMBER, username="matrix-other")
        notice = notify([other], "matrix.test", "矩阵测试通知", link="/members")[0]
        db.session.commit()
        return {"user_id": users["member"], "disclosure_id": item.id,
                "category_id": entry.category_id, "entry_id": entry.id,
                "attachment_id": attachment.id, "note_id": note.id,
                "notification_id": notice.id, "feedback_id": feedback.id,
                "slug": screen.slug, "screen_id": screen.id}


@pytest.mark.parametrize("who", ALL)
def test_route_matrix(app, users, objects, login_as, who):
    ids = objects
    failures = []
    for rule in _rules(app):
        method, allowed = EXPECTATIONS[rule.endpoint]
        assert method in rule.methods, f"{rule.endpoint} does not answer {method}"
        client = login_as(who)
        url = _url(rule, ids)
        if method == "GET":
            response = client.get(url, buffered=True)  # closes send_file's file
        else:
            response = client.form_post(url, {})
        if allowed == PUBLIC or who in allowed:
            expected = SUCCESS.get(rule.endpoint, 200)
            if rule.endpoint == "accounts.login" and who != "anonymous":
                expected = 302
        elif who == "anonymous":
            expected = ANONYMOUS.get(rule.endpoint, 302)
        else:
            expected = 403
        if response.status_code != expected:
            failures.append(f"{method} {url} as {who}: {response.status_code}, expected {expected}")
        elif expected == 302 and who == "anonymous" and allowed != PUBLIC:
            location = response.headers["Location"]
            if not location.startswith("/login"):
                failures.append(f"{method} {url} as anonymous went to {location}, not /login")
    assert not failures, "\n".join(failures)


def test_unknown_user_id_is_404_for_admin(login_as, users):
    assert login_as("admin").get("/admin/users/999999").status_code == 404
