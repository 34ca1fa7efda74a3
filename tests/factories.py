"""Test factories: the same ones `demo seed` uses."""
from dwgk.demo.factories import (  # noqa: F401
    DEFAULT_PASSWORD,
    make_catalog_entry,
    make_category,
    make_disclosure,
    make_user,
)
