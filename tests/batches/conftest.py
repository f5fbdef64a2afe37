from __future__ import annotations

from collections.abc import Iterator

import pytest
from batch_helpers import reset


@pytest.fixture(autouse=True)
def _fresh() -> Iterator[None]:
    reset()
    yield
    reset()
