"""Search on the boards: a Chinese substring of an item's title and text.

SQLite: the FTS5 table `search_fts` (trigram tokenizer) over `disclosure.search_text`,
kept in step by triggers (migration 0002). Trigrams need at least three characters, so
two-character words such as 党费 or 公示 would silently find nothing there: shorter
queries fall back to LIKE. PostgreSQL: a GIN index over every character and pair of
adjacent characters of the text (migration 0008) narrows the rows, ILIKE checks them: it
works whatever the database's locale (pg_trgm sees no Chinese in a C-locale database) and
for two-character words as well.

A condition from here only ever narrows `policy.board_visibility()`: search never widens
what a user may see, so members-only text cannot leak through it.
"""
from __future__ import annotations

import re

from sqlalchemy import and_, bindparam, func, literal_column, select, table, text, true
from sqlalchemy.sql.elements import ColumnElement

from dwgk.disclosures.models import Disclosure
from dwgk.extensions import db

MAX_QUERY_LENGTH = 100
TRIGRAM_MIN_LENGTH = 3  # the FTS5 trigram tokenizer matches nothing shorter

# Control characters (NUL above all: PostgreSQL refuses it in text) are never searched for.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_SPACE = re.compile(r"\s+")

_search_fts = table("search_fts")


def normalise(query: str | None) -> str:
    """The query as it is searched for: control characters dropped, runs of white space
    made one space, stripped, and at most MAX_QUERY_LENGTH characters."""
    query = _SPACE.sub(" ", _CONTROL.sub(" ", query or "")).strip()
    return query[:MAX_QUERY_LENGTH].strip()


def escape_like(value: str, escape: str = "\\") -> str:
    """`value` with LIKE's wildcards (% and _) and the escape character itself escaped."""
    return (value.replace(escape, escape + escape)
            .replace("%", escape + "%").replace("_", escape + "_"))


def fts_phrase(query: str) -> str:
    """An FTS5 phrase: the query in double quotes, inner double quotes doubled. Inside a
    phrase every other character (*, ', -, :, AND …) is plain text."""
    return '"' + query.replace('"', '""') + '"'


def matching_condition(query: str | None) -> ColumnElement[bool]:
    """The SQL condition on Disclosure for items whose title or text contain `query`
    (case-insensitive for Latin letters). An empty query matches everything."""
    query = normalise(query)
    if not query:
        return true()
    dialect = db.session.get_bind(mapper=Disclosure.__mapper__).dialect.name
    if dialect == "sqlite" and len(query) >= TRIGRAM_MIN_LENGTH:
        matches = (select(literal_column("rowid")).select_from(_search_fts)
                   .where(text("search_fts MATCH :phrase").bindparams(
                       bindparam("phrase", fts_phrase(query)))))
        return Disclosure.id.in_(matches)
    pattern = f"%{escape_like(query)}%"
    if dialect == "sqlite":
        return Disclosure.search_text.like(pattern, escape="\\")
    if dialect == "postgresql":
        # The gram index (migration 0008) finds the rows holding every pair of the query's
        # characters; ILIKE keeps those where they stand together, in order.
        grams = func.dwgk_search_grams(Disclosure.search_text).op("@>", is_comparison=True)(
            func.dwgk_search_query_grams(query))
        return and_(grams, Disclosure.search_text.ilike(pattern, escape="\\"))
    return Disclosure.search_text.ilike(pattern, escape="\\")
