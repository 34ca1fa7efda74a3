"""Alembic environment for dwgk, run through Flask-Migrate (`flask --app app db …`)."""
from __future__ import annotations

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

config = context.config
if config.config_file_name is not None:
    # Keep the app's own loggers: Alembic runs inside the app (tests, `db upgrade`).
    fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

db = current_app.extensions["migrate"].db
target_metadata = db.metadata

from dwgk.core.database import alembic_include_name as include_name  # noqa: E402


def _options() -> dict:
    return {
        "target_metadata": target_metadata,
        "render_as_batch": True,
        "compare_type": True,
        "include_name": include_name,
    }


def run_migrations_offline() -> None:
    context.configure(url=str(db.engine.url).replace("%", "%%"), literal_binds=True, **_options())
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    def process_revision_directives(context_, revision, directives):
        # `db migrate` with no model change writes no empty revision.
        if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
            directives[:] = []
            logger.info("No changes in schema detected.")

    with db.engine.connect() as connection:
        context.configure(connection=connection,
                          process_revision_directives=process_revision_directives, **_options())
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
