"""Every page a person can open, asked with a query string nobody meant: a hand-edited
address, an old bookmark, a crawler. None of it may give a server error."""
from __future__ import annotations

import pytest
from werkzeug.routing import IntegerConverter

from tests.conftest import ROLES

ODD = [
    # a page number too large for the database's OFFSET, and malformed filters
    "page=99999999999999999999&notes_page=-3&category=abc&scope=xyz&state=xyz&status=xyz"
    "&channel=xyz&kind=xyz&topic=xyz&decision=xyz&answered=xyz&mine=abc&q=" + "党" * 600,
    "page=abc&period=2026Q9&category=-5&q=%00",
    "period=9999-01-01..9999-02-01",
    # integers too large for the database (SQLite's 64 bits, PostgreSQL's 32-bit integer)
    "category=99999999999999999999&item=99999999999999999999&entry=99999999999999999999"
    "&category_id=99999999999999999999&refresh=1e400",
    "category=2147483648&item=2147483648&entry=2147483648&category_id=2147483648",
    # dates out of every range
    "start=9999-12-31&end=0001-01-01&since=9999-12-31&until=0000-00-00&from=99999-01-01"
    "&to=9999-12-31&date=9999-12-31&days=99999999999999999999&kind=working",
    "start=0001-01-01&end=9999-12-31&days=5&kind=workdays",
    "start=9999-12-31&end=0001-01-01&days=366&kind=days",
    "start=9999-12-28&days=1&kind=days",
]
IDS = {"slug": "default", "filename": "x.pdf"}


@pytest.mark.parametrize("who", ["anonymous", *ROLES])
def test_odd_query_strings_never_give_a_server_error(app, users, login_as, who):
    client = login_as(who)
    errors = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        path = rule.build({name: IDS.get(name, 1) for name in rule.arguments},
                          append_unknown=False)[1]
        for query in ODD:
            try:
                response = client.get(f"{path}?{query}", buffered=True)
            except Exception as exc:  # noqa: BLE001 - the test app propagates exceptions
                errors.append(f"{path}?{query[:50]}: {exc!r:.200}")
                continue
            if response.status_code >= 500:
                errors.append(f"{path}?{query[:50]}: {response.status_code}")
    assert not errors, "\n".join(errors)


@pytest.mark.parametrize("who", ["anonymous", "office"])
@pytest.mark.parametrize("huge", [2**31, 10**20])
def test_ids_too_large_for_the_database_are_not_found(app, users, login_as, who, huge):
    """/items/99999999999999999999: an id no row can have is a 404, not an overflow."""
    client = login_as(who)
    errors, tried = [], 0
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        ids = {name: huge if isinstance(rule._converters[name], IntegerConverter)
               else IDS.get(name, 1) for name in rule.arguments}
        if huge not in ids.values():
            continue
        tried += 1
        path = rule.build(ids, append_unknown=False)[1]
        try:
            response = client.get(path, buffered=True)
        except Exception as exc:  # noqa: BLE001 - the test app propagates exceptions
            errors.append(f"{path}: {exc!r:.200}")
            continue
        if response.status_code != 404:
            errors.append(f"{path}: {response.status_code}")
    assert not errors, "\n".join(errors)
    assert tried > 5
