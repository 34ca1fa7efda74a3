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
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            _sqlite_foreign_keys(connection, on=False)
        try:
            context.configure(connection=connection,
                              process_revision_directives=process_revision_directives,
                              **_options())
            with context.begin_transaction():
                context.run_migrations()
            if sqlite:
                _sqlite_check_foreign_keys(connection)
        finally:
            if sqlite:
                _sqlite_foreign_keys(connection, on=True)


# SQLite cannot alter most of a table: a batch operation copies it to a new table, drops the
# old one and renames the copy (SQLite's own 12-step procedure). With foreign keys on, the
# DROP of a table that other rows refer to fails ("FOREIGN KEY constraint failed [DROP
# TABLE catalog_entry]") — in a downgrade with data, and in any future upgrade that rebuilds
# a referenced table. So the migrations run with foreign keys off, as the procedure says,
# and are checked once they are done: a migration that broke a reference fails loudly.
# The pragma is a no-op inside a transaction: it is set on the driver's connection (in
# autocommit: dwgk.core.database makes SQLAlchemy, not sqlite3, begin transactions) before
# Alembic begins one, and set back before the connection returns to the pool.

def _sqlite_foreign_keys(connection, *, on: bool) -> None:
    connection.connection.dbapi_connection.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")


def _sqlite_check_foreign_keys(connection) -> None:
    problems = connection.connection.dbapi_connection.execute("PRAGMA foreign_key_check").fetchall()
    if problems:
        listed = ", ".join(f"{table} row {rowid} -> {parent}" for table, rowid, parent, _ in problems[:10])
        raise RuntimeError(f"the migrations left {len(problems)} broken foreign keys: {listed}")


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
