"""The migrations are the schema: models and migrations must not differ."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

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
