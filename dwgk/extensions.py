"""The Flask extensions, created once here and bound to the app in create_app()."""
from __future__ import annotations

import redis
from flask import current_app, request
from flask_babel import Babel
from flask_caching import Cache
from flask_htmx import HTMX
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from rq import Queue
from sqlalchemy import MetaData

# Stable constraint names: Alembic needs them to alter SQLite tables in batch mode.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

db = SQLAlchemy(metadata=MetaData(naming_convention=NAMING))
migrate = Migrate(render_as_batch=True, compare_type=True)
login_manager = LoginManager()
htmx = HTMX()
babel = Babel()
csrf = CSRFProtect()
# Rendered public pages and small values (dwgk/web/cache.py), in each worker's memory.
page_cache = Cache()


def _client_address() -> str:
    return request.remote_addr or "unknown"


# Limits are declared per route (see accounts.routes); none apply by default.
limiter = Limiter(key_func=_client_address)


def get_redis() -> redis.Redis:
    """A Redis client for this app, with short timeouts: a dead Redis must not hang a page."""
    ext = current_app.extensions.setdefault("dwgk_redis", {})
    client = ext.get("client")
    if client is None:
        client = redis.Redis.from_url(
            current_app.config["DWGK_REDIS_URL"],
            socket_connect_timeout=0.5,
            socket_timeout=2,
        )
        ext["client"] = client
    return client


def get_queue(name: str = "dwgk") -> Queue:
    """The RQ queue jobs go to; the worker started by `make run` listens on it."""
    return Queue(name, connection=get_redis())
