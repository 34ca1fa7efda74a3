"""Password hashing with argon2id (parameters from config, at or above OWASP's minimum)."""
from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app


def _hasher() -> PasswordHasher:
    ext = current_app.extensions.setdefault("dwgk_hasher", {})
    if "hasher" not in ext:
        ext["hasher"] = PasswordHasher(**current_app.config["DWGK_ARGON2"])
        # Checked against when the username is unknown, so that both failures cost the same.
        ext["dummy"] = ext["hasher"].hash("dwgk-no-such-user")
    return ext["hasher"]


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    hasher = _hasher()
    if password_hash is None:
        try:
            hasher.verify(current_app.extensions["dwgk_hasher"]["dummy"], password)
        except VerificationError:
            pass
        return False
    try:
        return hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher().check_needs_rehash(password_hash)
