"""PostgreSQL search: an index of 1- and 2-character grams, whatever the cluster's locale

pg_trgm (migration 0002) sees Chinese only when the database's LC_CTYPE is a UTF-8 locale:
in a C-locale database `show_trgm('党费公开')` is empty, the trigram index holds nothing for
Chinese text, and every search reads the whole table. Even in a UTF-8 database a
two-character query (党费, 公示) gives pg_trgm no trigram to look up. This replaces it with
a GIN index over an array of every character and every pair of adjacent characters of the
lower-cased search text, built from plain SQL (no extension, no locale involved): a query's
pairs (its one character, when it has only one) must all be in a row's array — the index
finds those rows — and ILIKE then checks the exact substring. dwgk/boards/search.py asks
for exactly the expression indexed here. SQLite is unchanged (FTS5, migration 0002).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 16:00:00.000000
"""
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

# Both IMMUTABLE: the index stores the first one's results, and the planner computes the
# second one's once per query from its argument.
GRAMS = """
CREATE OR REPLACE FUNCTION dwgk_search_grams(value text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(DISTINCT gram), '{}')
    FROM (SELECT lower(value) AS v) AS lowered,
         LATERAL (SELECT substr(v, i, 1) FROM generate_series(1, char_length(v)) AS i
                  UNION ALL
                  SELECT substr(v, i, 2) FROM generate_series(1, char_length(v) - 1) AS i)
                 AS grams(gram)
$$"""
QUERY_GRAMS = """
CREATE OR REPLACE FUNCTION dwgk_search_query_grams(query text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT CASE WHEN char_length(v) < 2 THEN ARRAY[v]
                ELSE ARRAY(SELECT DISTINCT substr(v, i, 2)
                           FROM generate_series(1, char_length(v) - 1) AS i) END
    FROM (SELECT lower(query) AS v) AS lowered
$$"""


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS ix_disclosure_search_trgm")
    op.execute(GRAMS)
    op.execute(QUERY_GRAMS)
    op.execute("CREATE INDEX ix_disclosure_search_grams ON disclosure "
               "USING gin (dwgk_search_grams(search_text))")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS ix_disclosure_search_grams")
    op.execute("DROP FUNCTION IF EXISTS dwgk_search_query_grams(text)")
    op.execute("DROP FUNCTION IF EXISTS dwgk_search_grams(text)")
    # migration 0002's trigram index, where pg_trgm can be had
    op.execute("""DO $$ BEGIN
        CREATE EXTENSION IF NOT EXISTS pg_trgm;
        EXECUTE 'CREATE INDEX ix_disclosure_search_trgm ON disclosure '
                'USING gin (search_text gin_trgm_ops)';
    EXCEPTION WHEN insufficient_privilege OR undefined_file THEN
        RAISE NOTICE 'pg_trgm unavailable: search uses ILIKE without an index';
    END $$""")
