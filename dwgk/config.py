"""Configuration: defaults, then DWGK_* environment variables, then the instance folder.

Every variable is documented in README.md ("Configuration"); keep the two in step.
"""
from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(f"DWGK_{name}")
    return default if value is None or value == "" else value


def _env_bool(name: str, default: bool = False) -> bool:
    value = _env(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_int(name: str, default: int) -> int:
    value = _env(name)
    return default if value is None else int(value)


def load_secret_key(instance_path: Path) -> str:
    """Return DWGK_SECRET_KEY, or a key generated once into instance/secret_key (mode 600)."""
    key = _env("SECRET_KEY")
    if key:
        return key
    path = instance_path / "secret_key"
    if not path.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        # O_EXCL: two processes starting at once must not write two different keys.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_hex(32))
    os.chmod(path, 0o600)
    return path.read_text().strip()


def instance_path() -> Path:
    return Path(_env("INSTANCE_PATH", str(ROOT / "instance"))).resolve()


def engine_options(config: dict) -> dict:
    """The engine's options for the database the finished config names (a test or a caller
    may replace the URL after build_config): a server's connections can drop (restart,
    failover, idle timeout), so each is tested as it is taken from the pool. A SQLite file's
    cannot: the test would cost a statement on every request for nothing."""
    options = dict(config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    options.setdefault("pool_pre_ping",
                       not config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"))
    return options


def build_config(instance: Path) -> dict:
    """The application's settings, read from the environment now (not at import)."""
    https = _env_bool("HTTPS")
    database_url = _env("DATABASE_URL", f"sqlite:///{instance / 'dwgk.sqlite3'}")
    redis_url = _env("REDIS_URL", "redis://127.0.0.1:6379/0")
    return {
        "SECRET_KEY": load_secret_key(instance),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "DWGK_REDIS_URL": redis_url,
        "DWGK_UNIT_NAME": _env("UNIT_NAME", "示例学校党支部"),
        "DWGK_UPLOAD_DIR": str(Path(_env("UPLOAD_DIR", str(instance / "uploads"))).resolve()),
        "DWGK_PROXY_COUNT": _env_int("PROXY_COUNT", 0),
        # One JSON line per request on stderr (dwgk/web/request_log.py).
        "DWGK_REQUEST_LOG": _env_bool("REQUEST_LOG", True),
        "DWGK_PASSWORD_MIN_LENGTH": _env_int("PASSWORD_MIN_LENGTH", 10),
        # OWASP password storage cheat sheet: argon2id, at least m=19 MiB, t=2, p=1.
        # These defaults (64 MiB, t=3, p=4, RFC 9106's second profile) are above it.
        "DWGK_ARGON2": {"time_cost": 3, "memory_cost": 65536, "parallelism": 4},
        "DWGK_LOGIN_LIMIT_ADDRESS": _env("LOGIN_LIMIT_ADDRESS", "20 per 10 minutes"),
        "DWGK_FEEDBACK_LIMIT": _env("FEEDBACK_LIMIT", "10 per hour"),
        "DWGK_LOOKUP_LIMIT": _env("LOOKUP_LIMIT", "20 per 10 minutes"),
        # Where the notice-board screen's QR code and e-mails point, e.g. http://dwgk.school.lan
        "DWGK_PUBLIC_URL": _env("PUBLIC_URL", ""),
        "DWGK_LOGIN_LIMIT_ACCOUNT": _env("LOGIN_LIMIT_ACCOUNT", "5 per 15 minutes"),
        # One attachment may be this large; one request (several files and the form) a bit
        # more, so that a file of exactly the limit is refused by the clear per-file check.
        "DWGK_ATTACHMENT_MAX_MB": _env_int("ATTACHMENT_MAX_MB", 20),
        # Rendered public pages and values kept in each web worker's memory
        # (dwgk/web/cache.py): at most this many entries; 0 turns the cache off.
        "DWGK_PAGE_CACHE_ENTRIES": _env_int("PAGE_CACHE_ENTRIES", 2000),
        "MAX_CONTENT_LENGTH": _env_int("MAX_UPLOAD_MB", 50) * 1024 * 1024,
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=_env_int("SESSION_HOURS", 8)),
        "SESSION_COOKIE_NAME": "dwgk_session",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": https,
        "DWGK_HTTPS": https,
        "PREFERRED_URL_SCHEME": "https" if https else "http",
        # A long draft must not fail on save because its token aged: tokens live as long as
        # the session (which is itself bounded by PERMANENT_SESSION_LIFETIME).
        "WTF_CSRF_TIME_LIMIT": None,
        "WTF_CSRF_HEADERS": ["X-CSRFToken"],
        "WTF_CSRF_SSL_STRICT": https,
        # E-mail: off unless DWGK_SMTP_HOST is set.
        "DWGK_SMTP_HOST": _env("SMTP_HOST", ""),
        "DWGK_SMTP_PORT": _env_int("SMTP_PORT", 25),
        "DWGK_SMTP_USER": _env("SMTP_USER", ""),
        "DWGK_SMTP_PASSWORD": _env("SMTP_PASSWORD", ""),
        "DWGK_SMTP_FROM": _env("SMTP_FROM", "dwgk@localhost"),
        "DWGK_SMTP_SECURITY": _env("SMTP_SECURITY", "none"),  # none | starttls | ssl
        "BABEL_DEFAULT_LOCALE": "zh_Hans_CN",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Shanghai",
        "RATELIMIT_STORAGE_URI": redis_url,
        "RATELIMIT_STORAGE_OPTIONS": {"socket_connect_timeout": 0.3, "socket_timeout": 0.3},
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "RATELIMIT_HEADERS_ENABLED": False,
        "RATELIMIT_KEY_PREFIX": "dwgk-limit",
    }
