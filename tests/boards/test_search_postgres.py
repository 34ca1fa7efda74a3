"""Search on PostgreSQL whatever the database's locale: the gram index (migration 0013) is
used for Chinese of any length, where pg_trgm in a C-locale database sees no Chinese at all.

Run on a C-locale database as well as a UTF-8 one, e.g.
    CREATE DATABASE dwgk_c TEMPLATE template0 ENCODING 'UTF8' LC_CTYPE 'C' LC_COLLATE 'C'
"""
from __future__ import annotations

import pytest
from sqlalchemy import select, text

from dwgk.boards import search
from dwgk.demo import bulk
from dwgk.demo.seed import seed_demo
from dwgk.disclosures.models import Disclosure
from dwgk.extensions import db


@pytest.fixture
def postgres(app):
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("PostgreSQL only: DWGK_TEST_DATABASE_URL is not set")
        yield db.session


def _explain(session, query: str) -> str:
    statement = select(Disclosure.id).where(search.matching_condition(query))
    compiled = statement.compile(session.get_bind())  # psycopg's %(name)s placeholders
    cursor = session.connection().connection.driver_connection.cursor()
    cursor.execute("EXPLAIN " + str(compiled), compiled.params)
    return "\n".join(row[0] for row in cursor.fetchall())


def test_the_grams_hold_chinese_whatever_the_locale(postgres):
    grams = postgres.execute(text("SELECT dwgk_search_grams('党费公开 ABc')")).scalar()
    assert {"党", "党费", "费公", "公开", "ab", "bc"} <= set(grams)
    assert set(postgres.execute(text("SELECT dwgk_search_query_grams('党费公开')")).scalar()) \
        == {"党费", "费公", "公开"}
    assert postgres.execute(text("SELECT dwgk_search_query_grams('党')")).scalar() == ["党"]


def test_a_c_locale_database_is_what_pg_trgm_cannot_serve(postgres):
    """The fault this index answers: in a C-locale database pg_trgm finds no trigram in
    Chinese text (shown here when the extension can be had; README, "Troubleshooting")."""
    ctype = postgres.execute(text("SHOW lc_ctype")).scalar()
    available = postgres.execute(text(
        "SELECT count(*) FROM pg_available_extensions WHERE name = 'pg_trgm'")).scalar()
    if not available:
        pytest.skip("pg_trgm is not installed on this server")
    postgres.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
    trigrams = postgres.execute(text("SELECT show_trgm('党费公开')")).scalar()
    if ctype in ("C", "POSIX"):
        assert trigrams == []
    else:
        assert trigrams
    postgres.rollback()


def test_search_uses_the_gram_index_for_short_and_long_chinese_queries(postgres):
    seed_demo()
    bulk.add_items(1500)
    postgres.commit()
    postgres.execute(text("ANALYZE disclosure"))
    for query in ("寰宇", "寰宇公开专项", "寰"):  # words no item holds: few rows to expect
        plan = _explain(postgres, query)
        assert "ix_disclosure_search_grams" in plan, plan
        assert "Seq Scan" not in plan, plan


def test_search_finds_two_character_words_and_latin_in_any_case(postgres):
    seed_demo()
    bulk.add_items(50)
    postgres.commit()
    for query in ("党费", "公示", "党费收缴", "费"):
        found = set(postgres.scalars(select(Disclosure.id).where(search.matching_condition(query))))
        expected = {item.id for item in postgres.scalars(select(Disclosure))
                    if query in item.search_text}
        assert found == expected and found, query
    item = postgres.scalars(select(Disclosure)).first()
    item.search_text += " Party FEES"
    postgres.commit()
    assert item.id in set(postgres.scalars(
        select(Disclosure.id).where(search.matching_condition("party fees"))))
