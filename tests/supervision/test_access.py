"""Who may use the supervision pages: supervisors on /supervision, the office on
/office/supervision, both on a note's page; everyone else 403, the public the login page."""
from __future__ import annotations

import pytest

from tests.conftest import ROLES
from tests.supervision import make_item, make_note

EVERYONE = ["anonymous", *ROLES, "nobody"]


@pytest.fixture
def note_id(app, users):
    return make_note(app, disclosure_id=make_item(app))


def _expect(client, path, who, allowed):
    response = client.get(path)
    if who in allowed:
        assert response.status_code == 200, f"{path} as {who}"
    elif who == "anonymous":
        assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    else:
        assert response.status_code == 403, f"{path} as {who}: {response.status_code}"


@pytest.mark.parametrize("who", EVERYONE)
def test_each_role_gets_what_it_should(login_as, note_id, who):
    client = login_as(who)
    for path in ("/supervision", "/supervision/notes/new", "/supervision/relay"):
        _expect(client, path, who, {"supervisor"})
    for path in ("/office/supervision", f"/office/supervision/{note_id}"):
        _expect(client, path, who, {"office"})
    _expect(client, f"/supervision/notes/{note_id}", who, {"supervisor", "office"})


def test_posts_need_the_role_too(login_as, note_id):
    member = login_as("member")
    assert member.form_post("/supervision/notes/new", {"topic": "content", "body": "x"}).status_code == 403
    assert member.form_post("/supervision/relay", {"kind": "opinion", "body": "x"}).status_code == 403
    assert login_as("supervisor").form_post(f"/office/supervision/{note_id}",
                                            {"answer_text": "x"}).status_code == 403
    anonymous = login_as("anonymous")
    response = anonymous.form_post(f"/office/supervision/{note_id}", {"answer_text": "x"})
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_unknown_notes_are_404(login_as, users):
    assert login_as("supervisor").get("/supervision/notes/999").status_code == 404
    assert login_as("office").get("/office/supervision/999").status_code == 404


def test_a_user_with_several_roles_gets_both_sides(app, login_as, users, note_id):
    from dwgk.accounts.models import Role
    from dwgk.extensions import db
    from tests.factories import DEFAULT_PASSWORD, make_user

    with app.app_context():
        make_user(Role.OFFICE, Role.SUPERVISOR, Role.MEMBER, username="both")
        db.session.commit()
    client = app.test_client()
    client.login("both", DEFAULT_PASSWORD)
    assert client.get("/supervision").status_code == 200
    assert client.get("/office/supervision").status_code == 200
