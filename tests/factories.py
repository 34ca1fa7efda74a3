"""Test factories: the same ones `demo seed` uses."""
from dwgk.demo.factories import DEFAULT_PASSWORD, make_user  # noqa: F401
