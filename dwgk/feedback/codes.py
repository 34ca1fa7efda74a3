"""Lookup codes (查询码): 16 characters of Crockford's base32 (80 random bits), shown to the
filer once; only their SHA-256 is stored."""
from __future__ import annotations

import hashlib
import hmac
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # no I, L, O, U: nothing to misread
LENGTH = 16
BITS = LENGTH * 5  # 80 bits: far beyond guessing, even without the rate limit

# What a person may type for each character: lower case, and the letters people confuse.
_TYPED = str.maketrans({"I": "1", "L": "1", "O": "0", "U": "V"})


def new_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return "-".join(raw[i:i + 4] for i in range(0, LENGTH, 4))


def normalise(typed: str) -> str | None:
    """The code as stored, from what a person typed (spaces, dashes, case forgiven);
    None when it cannot be a code."""
    cleaned = "".join(ch for ch in (typed or "").upper() if ch.isalnum()).translate(_TYPED)
    if len(cleaned) != LENGTH or any(ch not in ALPHABET for ch in cleaned):
        return None
    return cleaned


def digest(code: str) -> str:
    """The stored form of a code (already normalised, or as shown)."""
    normal = normalise(code)
    if normal is None:
        raise ValueError("not a lookup code")
    return hashlib.sha256(normal.encode()).hexdigest()


def matches(stored_digest: str, typed: str) -> bool:
    """Constant-time comparison of a typed code with a stored digest."""
    normal = normalise(typed)
    candidate = hashlib.sha256((normal or "").encode()).hexdigest()
    return hmac.compare_digest(stored_digest, candidate) and normal is not None
