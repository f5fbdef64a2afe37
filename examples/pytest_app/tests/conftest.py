"""Fresh shop state for each test."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import shop  # the app lives one folder up


@pytest.fixture(autouse=True)
def clean_shop() -> None:
    shop.outbox.clear()
    shop.charges.clear()
    shop.provider_down_until.clear()
