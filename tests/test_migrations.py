"""The migrations are the schema: models and migrations must not differ."""
from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from dwgk.core.database import alembic_include_name
from dwgk.extensions import db


def test_models_match_the_migrations(app):
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={
            "compare_type": True, "render_as_batch": True, "include_name": alembic_include_name,
        })
        differences = compare_metadata(context, db.metadata)
    assert differences == [], "run `flask --app app db migrate` and commit the revision"


def test_migrations_have_a_single_head(app):
    from alembic.script import ScriptDirectory
    from flask import current_app

    with app.app_context():
        config = current_app.extensions["migrate"].migrate.get_config()
        heads = ScriptDirectory.from_config(config).get_heads()
    assert len(heads) == 1, heads


# --- downgrades and upgrades again, with data, on SQLite ---------------------------------------

DATA_TABLES = ("app_user", "category", "catalog_entry", "disclosure", "revision", "feedback")


@pytest.fixture
def sqlite_app(make_app, tmp_path):
    """An app on a SQLite file of its own, migrated to head and holding the demo unit."""
    from dwgk.demo.seed import seed_demo

    app = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'migrations.sqlite3'}")
    with app.app_context():
        upgrade()
        seed_demo()
        db.session.commit()
        db.session.remove()
    yield app
    with app.app_context():  # whatever a test left, head again: the teardown empties its tables
        upgrade()


def _counts() -> dict:
    with db.engine.connect() as connection:
        return {table: connection.execute(text(f'SELECT count(*) FROM "{table}"')).scalar()
                for table in inspect(connection).get_table_names() if table in DATA_TABLES}


def _foreign_keys_on() -> bool:
    with db.engine.connect() as connection:
        return connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_downgrade_rebuilds_referenced_tables_with_data(sqlite_app):
    """0004's downgrade rebuilds catalog_entry, which revision rows refer to: with foreign
    keys on, its DROP TABLE failed ("FOREIGN KEY constraint failed"). Nothing is lost, the
    references still hold, and foreign keys are on again afterwards."""
    with sqlite_app.app_context():
        before = _counts()
        assert before["catalog_entry"] > 0 and before["revision"] > 0
        downgrade(revision="0003")
        after = _counts()  # feedback comes with 0005: gone at 0003
        assert {"catalog_entry", "revision", "disclosure"} <= set(after)
        assert after == {table: before[table] for table in after}
        assert _foreign_keys_on()
        with db.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []
        upgrade()
        assert _counts() == {**before, "feedback": 0}
        assert _foreign_keys_on()


def _schema() -> dict:
    """The schema as SQLAlchemy inspects it, with constraints sorted by name: SQLite keeps a
    rebuilt table's constraints in whatever order Alembic's batch mode wrote them (it
    iterates a set), which says nothing about the schema."""
    def by_name(items):
        return sorted(items, key=lambda item: (item.get("name") or "", repr(item)))

    with db.engine.connect() as connection:
        inspector = inspect(connection)
        schema = {table: {
            "columns": [(c["name"], str(c["type"]), c["nullable"], c["default"])
                        for c in inspector.get_columns(table)],
            "primary_key": inspector.get_pk_constraint(table),
            "foreign_keys": by_name(inspector.get_foreign_keys(table)),
            "indexes": by_name(inspector.get_indexes(table)),
            "unique": by_name(inspector.get_unique_constraints(table)),
            "checks": by_name(inspector.get_check_constraints(table)),
        } for table in inspector.get_table_names()}
        # What the inspector does not see: triggers, views, virtual (FTS) tables.
        schema["sqlite_master"] = sorted(
            (kind, name, " ".join((sql or "").split())) for kind, name, sql in connection.execute(text(
                "SELECT type, name, sql FROM sqlite_master WHERE type IN ('trigger', 'view') "
                "OR sql LIKE 'CREATE VIRTUAL TABLE%'")))
    return schema


def test_base_head_base_head_gives_the_first_upgrades_schema(sqlite_app):
    with sqlite_app.app_context():
        first = _schema()
        assert "catalog_entry" in first
        for step in ("base", "head", "base", "head"):
            (downgrade if step == "base" else upgrade)(revision=step)
            if step == "base":
                assert _counts() == {}
        assert _schema() == first
        assert _foreign_keys_on()
