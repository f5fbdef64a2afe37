"""rspec-rails' wording for have_enqueued_mail: Ruby's ``inspect`` of the values it names."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from jobsim.active_job import Symbol
from jobsim.testing._mail_messages import ruby_inspect, ruby_time


@pytest.mark.parametrize(
    ("value", "ruby"),
    [
        (None, "nil"),
        (True, "true"),
        (False, "false"),
        (3, "3"),
        (1.5, "1.5"),
        ("zxcv", '"zxcv"'),
        ('say "hi"', '"say \\"hi\\""'),
        (Symbol("args"), ":args"),
        (Symbol("two words"), ':"two words"'),
        ([1, [2, "a"]], '[1, [2, "a"]]'),
        ({}, "{}"),
        ({"foo": "bar", Symbol("n"): None}, '{"foo"=>"bar", :n=>nil}'),
        (datetime(2026, 1, 2, 12, tzinfo=UTC), "2026-01-02 12:00:00 +0000"),
        (datetime(2026, 1, 2, 12, 0, 0, 500000, tzinfo=UTC), "2026-01-02 12:00:00.5 +0000"),
    ],
)
def test_ruby_inspect_writes_values_as_ruby_3_1(value: object, ruby: str) -> None:
    assert ruby_inspect(value) == ruby


def test_ruby_time_is_time_to_s_in_utc() -> None:
    assert ruby_time(datetime(2026, 1, 2, 12, tzinfo=UTC).timestamp()) == (
        "2026-01-02 12:00:00 +0000"
    )
