"""``jobsim.payload.parsed_copy``: what server middleware receives equals JSON's round trip."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jobsim.payload import dumps, loads, parsed_copy

_SCALAR = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
)
_JSON = st.recursive(
    _SCALAR,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)
_JOB = st.dictionaries(st.text(), _JSON | st.tuples(_SCALAR, _SCALAR), max_size=8)


def _containers(value: Any) -> list[int]:
    if isinstance(value, dict):
        return [id(value), *(i for item in value.values() for i in _containers(item))]
    if isinstance(value, list | tuple):
        return [id(value), *(i for item in value for i in _containers(item))]
    return []


@settings(max_examples=300)
@given(_JOB)
def test_equals_the_round_trip_and_shares_no_container(job: dict[str, Any]) -> None:
    copied = parsed_copy(job)
    assert copied == loads(dumps(job))
    assert list(copied) == list(job)  # key order kept
    assert not set(_containers(copied)) & set(_containers(job))


@pytest.mark.parametrize(
    "job",
    [
        {"args": [math.nan]},
        {"args": [1], "at": math.inf},
        {"args": [[math.inf]]},
    ],
    ids=["nan-in-args", "inf-at-top", "inf-nested"],
)
def test_what_json_cannot_write_fails_as_the_round_trip_does(job: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="Out of range float"):
        loads(dumps(job))
    with pytest.raises(ValueError, match="Out of range float"):
        parsed_copy(job)


def test_non_text_keys_and_subclasses_become_what_json_gives() -> None:
    class Name(str):
        pass

    job: dict[Any, Any] = {1: "a", "n": Name("x"), "t": (1, 2), "b": True}
    copied = parsed_copy(job)
    assert copied == {"1": "a", "n": "x", "t": [1, 2], "b": True}
    assert type(copied["n"]) is str
