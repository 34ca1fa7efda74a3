"""Passwords are stored with argon2id at or above OWASP's parameters."""
from __future__ import annotations

from sqlalchemy import select

from dwgk import config as config_module
from dwgk.accounts.models import User
from dwgk.extensions import db


def test_production_parameters_meet_owasp(tmp_path):
    params = config_module.build_config(tmp_path)["DWGK_ARGON2"]
    # OWASP password storage cheat sheet: argon2id, m >= 19 MiB, t >= 2, p >= 1.
    assert params["memory_cost"] >= 19 * 1024
    assert params["time_cost"] >= 2
    assert params["parallelism"] >= 1


def test_stored_hashes_are_argon2id_and_never_the_password(app, users):
    with app.app_context():
        stored = db.session.scalar(select(User.password_hash).where(User.username == "member"))
    assert stored.startswith("$argon2id$")
    assert "correct-horse" not in stored


def test_old_parameters_are_upgraded_at_login(make_app, users):
    app = make_app(DWGK_ARGON2={"time_cost": 2, "memory_cost": 2048, "parallelism": 1})
    app.test_client().login("member", "correct-horse-42")
    with app.app_context():
        stored = db.session.scalar(select(User.password_hash).where(User.username == "member"))
    assert "m=2048,t=2" in stored


def test_generated_secret_key_is_private(tmp_path, monkeypatch):
    monkeypatch.delenv("DWGK_SECRET_KEY", raising=False)
    key = config_module.load_secret_key(tmp_path)
    assert len(key) == 64
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    assert config_module.load_secret_key(tmp_path) == key
