"""dwgk: the disclosure system (党务公开) of a small Party organisation."""
from __future__ import annotations

from pathlib import Path

from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from dwgk import config as config_module
from dwgk.core.types import MAX_ID
from dwgk.web.errors import Flask
from dwgk.extensions import babel, csrf, db, htmx, limiter, login_manager, migrate

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


class BoundedIntConverter(IntegerConverter):
    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def create_app(config: dict | None = None) -> Flask:
    """Build the app: config → extensions → blueprints → CLI, in that order, explicitly."""
    instance = config_module.instance_path()
    if config and "DWGK_INSTANCE_PATH" in config:
        instance = Path(config["DWGK_INSTANCE_PATH"])
    app = Flask(
        __name__,
        instance_path=str(instance),
        template_folder="../templates",
        static_folder="../static",
    )
    app.config.update(config_module.build_config(instance))
    if config:
        app.config.update(config)
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = config_module.engine_options(app.config)
    Path(app.config["DWGK_UPLOAD_DIR"]).mkdir(parents=True, exist_ok=True)
    # Ids in URLs are bounded: a 20-digit id is a 404, not an overflow in the database driver.
    app.url_map.converters["int"] = BoundedIntConverter
    _init_extensions(app)
    _register_blueprints(app)
    _register_cli(app)
    from dwgk.web import request_log

    request_log.init_app(app)
    if app.config["DWGK_PROXY_COUNT"]:
        count = app.config["DWGK_PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)
    return app


def _init_extensions(app: Flask) -> None:
    from dwgk import models  # noqa: F401  (registers every table)
    from dwgk import navigation
    from dwgk.accounts import session as account_session
    from dwgk.boards.queries import next_public_from
    from dwgk.core import database
    from dwgk.web import cache, errors, security, templating

    db.init_app(app)
    database.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS))
    csrf.init_app(app)
    htmx.init_app(app)
    babel.init_app(app, locale_selector=lambda: "zh_Hans_CN",
                   timezone_selector=lambda: "Asia/Shanghai")
    limiter.init_app(app)
    login_manager.init_app(app)
    account_session.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    templating.init_app(app)
    navigation.init_app(app)
    cache.init_app(app, upcoming_change=next_public_from)


def _register_blueprints(app: Flask) -> None:
    from dwgk.accounts.routes import bp as accounts_bp
    from dwgk.admin.routes import bp as admin_bp
    from dwgk.admin.workdays import bp as workdays_bp
    from dwgk.boards.routes import bp as boards_bp
    from dwgk.catalog.routes import bp as catalog_bp
    from dwgk.disclosures.attachment_routes import bp as attachments_bp
    from dwgk.disclosures.routes import bp as disclosures_bp
    from dwgk.feedback.routes import bp as feedback_bp
    from dwgk.kiosk.routes import bp as kiosk_bp
    from dwgk.notifications.routes import bp as notifications_bp
    from dwgk.review.routes import bp as review_bp
    from dwgk.supervision.routes import bp as supervision_bp
    from dwgk.web.health import bp as health_bp
    from dwgk.reminders.routes import bp as duties_bp
    from dwgk.admin.jobs import bp as jobs_bp
    from dwgk.reporting.routes import bp as reporting_bp
    from dwgk.reporting.report_routes import bp as report_bp

    for blueprint in (health_bp, accounts_bp, admin_bp, workdays_bp, boards_bp, catalog_bp,
                      disclosures_bp, attachments_bp, review_bp, feedback_bp, supervision_bp,
                      notifications_bp, kiosk_bp, duties_bp, jobs_bp, reporting_bp, report_bp):
        app.register_blueprint(blueprint)


def _register_cli(app: Flask) -> None:
    from dwgk.accounts.cli import users_cli
    from dwgk.catalog.cli import catalog_cli
    from dwgk.demo.cli import demo_cli
    from dwgk.disclosures.cli import disclosures_cli
    from dwgk.ops.cli import backup_cli
    from dwgk.reminders.cli import reminders_cli

    for group in (users_cli, catalog_cli, disclosures_cli, demo_cli, backup_cli, reminders_cli):
        app.cli.add_command(group)
