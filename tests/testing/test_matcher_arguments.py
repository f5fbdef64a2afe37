"""Argument matchers, the JSON-shaped normalisation of expectations, and binding to perform()."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any
from unittest import mock

import pytest

import jobsim
from jobsim.testing import (
    ANY,
    dict_containing,
    instance_of,
    list_containing,
    predicate,
    regex,
)
from jobsim.testing._arguments import ExpectedArgs, equal, explain, normalise


class Signup(jobsim.Job):
    def perform(self, email: str, plan: str = "free", *tags: str) -> None:
        pass


class Anything(jobsim.Job):
    def perform(self, *args: Any) -> None:
        pass


@jobsim.job
def notify(user_id: int, channel: str = "email") -> None:
    pass


class LooksLikeDirtyEquals:
    """An object that decides equality itself, as dirty-equals objects do."""

    def __init__(self, low: int, high: int) -> None:
        self.low, self.high = low, high

    def __eq__(self, other: object) -> bool:
        return isinstance(other, int) and self.low <= other <= self.high

    def __repr__(self) -> str:
        return f"IsInt(ge={self.low}, le={self.high})"


# -- each matcher matches, refuses, and says why ----------------------------------------------


@pytest.mark.parametrize(
    ("matcher", "good", "bad", "why"),
    [
        (ANY, None, None, None),
        (instance_of(int), 3, "3", "expected an instance of int, got str '3'"),
        (instance_of(str, None), None, 1, "expected an instance of str or NoneType, got int 1"),
        (
            dict_containing(plan="pro"),
            {"plan": "pro", "seats": 3},
            {"seats": 3},
            "missing key 'plan'",
        ),
        (
            dict_containing({"plan": "pro"}),
            {"plan": "pro"},
            {"plan": "free"},
            "['plan'] expected 'pro', got 'free'",
        ),
        (list_containing(2, 1), [1, 2, 3], [1, 3], "no element of [1, 3] matches 2"),
        (
            regex(r"^user-\d+$"),
            "user-42",
            "user-x",
            "'user-x' does not match regex('^user-\\\\d+$')",
        ),
        (regex(re.compile("a")), "cat", 5, "expected a str matching regex('a'), got int 5"),
        (predicate(lambda n: n % 2 == 0, "is_even"), 4, 3, "is_even is False for 3"),
    ],
)
def test_matchers_match_refuse_and_explain(
    matcher: Any, good: Any, bad: Any, why: str | None
) -> None:
    assert matcher == good
    if why is None:
        assert matcher == bad  # ANY takes everything
        return
    assert matcher != bad
    assert not equal(matcher, bad)
    assert explain(matcher, bad) == why


def test_matchers_print_as_written() -> None:
    assert repr(ANY) == "ANY"
    assert repr(instance_of(int, str)) == "instance_of(int, str)"
    assert repr(dict_containing(a=1)) == "dict_containing({'a': 1})"
    assert repr(list_containing(1, "x")) == "list_containing(1, 'x')"
    assert repr(regex("^a")) == "regex('^a')"
    assert repr(predicate(str.isdigit)) == "predicate(str.isdigit)"


def test_predicate_that_raises_is_a_mismatch_with_the_error_shown() -> None:
    matcher = predicate(lambda value: value["id"] > 0, "positive id")
    assert matcher != 5
    assert (
        explain(matcher, 5)
        == "positive id raised TypeError: 'int' object is not subscriptable for 5"
    )


def test_matchers_refuse_bad_construction() -> None:
    with pytest.raises(jobsim.InvalidArgument, match="at least one type"):
        instance_of()
    with pytest.raises(jobsim.InvalidArgument, match="pass classes"):
        instance_of(3)  # type: ignore[arg-type]
    with pytest.raises(jobsim.InvalidArgument, match="not a valid regular expression"):
        regex("(")
    with pytest.raises(jobsim.InvalidArgument, match="pass a function"):
        predicate(3)  # type: ignore[arg-type]
    with pytest.raises(jobsim.InvalidArgument, match="pass a dict"):
        dict_containing([1])  # type: ignore[arg-type]


def test_matchers_are_not_hashable() -> None:
    with pytest.raises(TypeError):
        hash(ANY)


def test_foreign_matchers_work_through_equality() -> None:
    assert equal(mock.ANY, {"anything": 1})
    assert equal(LooksLikeDirtyEquals(1, 5), 3)
    assert not equal(LooksLikeDirtyEquals(1, 5), 9)
    assert explain(LooksLikeDirtyEquals(1, 5), 9) == "expected IsInt(ge=1, le=5), got 9"


def test_dirty_equals_objects_work_when_installed() -> None:
    dirty_equals = pytest.importorskip("dirty_equals")
    expected = ExpectedArgs("Signup", Signup, (dirty_equals.IsStr(regex=r".+@.+"),), {})
    assert expected.differences(["ada@example.com"]) == []
    assert expected.differences(["nope"]) != []


def test_an_eq_that_raises_is_not_equal_and_the_error_is_shown() -> None:
    class Broken:
        def __eq__(self, other: object) -> bool:
            raise ValueError("no comparing")

        def __repr__(self) -> str:
            return "Broken()"

    assert not equal(Broken(), 1)
    assert explain(Broken(), 1) == (
        "expected Broken(), got 1 (Broken() == … raised ValueError: no comparing)"
    )


# -- the JSON shape --------------------------------------------------------------------------


def test_expectations_take_json_shape_but_matchers_stay() -> None:
    assert normalise((1, (2, 3), {"a": (4,)})) == [1, [2, 3], {"a": [4]}]
    assert normalise(ANY) is ANY


def test_explain_walks_into_dicts_and_lists() -> None:
    assert explain({"a": 1, "b": 2}, {"a": 1, "b": 3, "c": 4}) == (
        "unexpected key 'c'; ['b'] expected 2, got 3"
    )
    assert explain([1, 2], [1, 3]) == "[1] expected 2, got 3"
    assert explain([1], [1, 2]) == "expected 1 items [1], got 2 [1, 2]"


def test_explain_says_why_a_python_object_never_matches_json() -> None:
    when = datetime(2026, 1, 1, tzinfo=UTC)
    text = explain(when, "2026-01-01T00:00:00+00:00")
    assert "job arguments are JSON, so a datetime never arrives as one" in text


# -- binding to perform() ----------------------------------------------------------------------


def test_positional_and_keyword_expectations_mean_the_same() -> None:
    by_position = ExpectedArgs("Signup", Signup, ("ada@example.com", "pro"), {})
    by_name = ExpectedArgs("Signup", Signup, (), {"email": "ada@example.com", "plan": "pro"})
    for expected in (by_position, by_name):
        assert expected.differences(["ada@example.com", "pro"]) == []


def test_defaults_fill_in_on_both_sides() -> None:
    expected = ExpectedArgs("Signup", Signup, ("ada@example.com",), {})
    assert expected.differences(["ada@example.com", "free"]) == []
    assert expected.differences(["ada@example.com", "pro"]) == [
        "args[1] plan: expected 'free', got 'pro'"
    ]


def test_var_positional_arguments_are_compared_as_a_list() -> None:
    expected = ExpectedArgs("Signup", Signup, ("a@b", "pro", "vip"), {})
    assert expected.differences(["a@b", "pro", "vip"]) == []
    assert expected.differences(["a@b", "pro", "new"]) == ["*tags[0]: expected 'vip', got 'new'"]
    assert expected.differences(["a@b", "pro"]) == ["*tags: expected 1 arguments ['vip'], got 0 []"]


def test_function_jobs_bind_to_the_wrapped_function() -> None:
    expected = ExpectedArgs("notify", notify, (), {"user_id": 7})
    assert expected.differences([7]) == []
    assert expected.differences([8, "sms"]) == [
        "args[0] user_id: expected 7, got 8",
        "args[1] channel: expected 'email', got 'sms'",
    ]


def test_an_expectation_that_cannot_fit_perform_fails_every_job() -> None:
    """As rspec-rails' signature check: a failed expectation, not an error when it is built."""
    expected = ExpectedArgs("Signup", Signup, ("a@b",), {"mail": "x"})
    assert expected.differences(["a@b"]) == [
        "args: with_args('a@b', mail='x') does not fit Signup.perform(email, plan='free', "
        "*tags): got an unexpected keyword argument 'mail'"
    ]


def test_actual_arguments_that_do_not_fit_perform_are_reported() -> None:
    expected = ExpectedArgs("Signup", Signup, ("a@b",), {})
    assert expected.differences([]) == [
        "args: [] does not fit Signup.perform(email, plan='free', *tags): "
        "missing a required argument: 'email'"
    ]


def test_star_args_perform_compares_positionally_and_refuses_names() -> None:
    expected = ExpectedArgs("Anything", Anything, (1, ANY), {})
    assert expected.differences([1, "x"]) == []
    assert expected.differences([2, "x"]) == ["args[0]: expected 1, got 2"]
    assert expected.differences([1]) == ["args: expected 2 arguments [1, ANY], got 1 [1]"]
    with pytest.raises(jobsim.InvalidArgument, match="takes \\*args, so arguments have no names"):
        ExpectedArgs("Anything", Anything, (), {"x": 1})
