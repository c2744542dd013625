"""Helpers the signatures tests import (the fixtures are in ``conftest.py``)."""

from __future__ import annotations

from alliance_conf.testing.fixtures import TEST_PASSWORD


def sign_payload(user, **extra) -> dict:
    return {"password": TEST_PASSWORD, "typed_name": user.full_name, **extra}
