"""The ecosystem gems' job options: checked when a class is defined, with exact messages."""

from __future__ import annotations

import warnings
from typing import Any

import pytest

import jobsim
from jobsim.active_job import ActiveJob

U = "is not valid for sidekiq-unique-jobs; expected"

REFUSED: list[tuple[str, dict[str, Any], str]] = [
    (
        "unknown lock type",
        {"lock": "until_forever"},
        f"option lock='until_forever' {U} one of 'until_executing', 'until_executed', "
        "'until_expired', 'while_executing', 'until_and_while_executing'",
    ),
    (
        "lock args method not callable",
        {"lock_args_method": 42},
        f"option lock_args_method=42 {U} a callable taking the job's arguments, or the name of "
        "a class method",
    ),
    ("negative ttl", {"lock_ttl": -1}, f"option lock_ttl=-1 {U} a number of seconds >= 0"),
    (
        "timeout as text",
        {"lock_timeout": "x"},
        f"option lock_timeout='x' {U} a number of seconds or a timedelta",
    ),
    ("lock limit zero", {"lock_limit": 0}, f"option lock_limit=0 {U} a whole number >= 1"),
    (
        "unknown strategy",
        {"on_conflict": "explode"},
        f"option on_conflict='explode' {U} one of 'log', 'raise', 'reject', 'replace', "
        "'reschedule'",
    ),
    (
        "strategy hash with a wrong key",
        {"on_conflict": {"client": "log", "serverside": "raise"}},
        f"option on_conflict={{'client': 'log', 'serverside': 'raise'}} {U} a strategy, or "
        '{"client": strategy, "server": strategy}',
    ),
    (
        "raise for a client lock",
        {"lock": "until_executed", "on_conflict": "raise"},
        "option on_conflict='raise' is not valid with lock='until_executed': raise is "
        "incompatible with the client process (sidekiq-unique-jobs' validator); for the client "
        "phase use 'log', 'replace' or None",
    ),
    (
        "replace for a server lock",
        {"lock": "while_executing", "on_conflict": "replace"},
        "option on_conflict='replace' is not valid with lock='while_executing': replace is "
        "incompatible with the server process (sidekiq-unique-jobs' validator); for the server "
        "phase use 'log', 'raise', 'reject' or 'reschedule'",
    ),
    (
        "reject on the client side of a two-phase lock",
        {"lock": "until_and_while_executing", "on_conflict": {"client": "reject"}},
        "option on_conflict={'client': 'reject'} is not valid with "
        "lock='until_and_while_executing': reject is incompatible with the client process "
        "(sidekiq-unique-jobs' validator); for the client phase use 'log', 'replace' or None",
    ),
    (
        "across queues not a flag",
        {"unique_across_queues": "yes"},
        f"option unique_across_queues='yes' {U} True or False",
    ),
    ("empty prefix", {"lock_prefix": ""}, f"option lock_prefix='' {U} a non-empty str"),
    (
        "enterprise ttl zero",
        {"unique_for": 0},
        "option unique_for=0 is not valid for Sidekiq Enterprise; expected a number of seconds > 0",
    ),
    (
        "enterprise until unknown",
        {"unique_for": 10, "unique_until": "finish"},
        "option unique_until='finish' is not valid for Sidekiq Enterprise; expected one of "
        "'success', 'start'",
    ),
    (
        "enterprise until without ttl",
        {"unique_until": "start"},
        "option unique_until='start' needs unique_for= (Sidekiq Enterprise's unique jobs "
        "always expire: pass unique_for=seconds)",
    ),
    (
        "threshold without period",
        {"throttle": {"threshold": {"limit": 10}}},
        "option throttle={'threshold': {'limit': 10}} is not valid for sidekiq-throttled; "
        "expected threshold with period= (seconds per window)",
    ),
    (
        "concurrency key misspelt",
        {"throttle": {"concurrency": {"limit": 2, "avg": 3}}},
        "option throttle={'concurrency': {'limit': 2, 'avg': 3}} is not valid for "
        "sidekiq-throttled; expected concurrency keys among limit, avg_job_duration, "
        "lost_job_threshold, ttl, max_delay, key_suffix",
    ),
    (
        "unknown requeue",
        {"throttle": {"threshold": {"limit": 1, "period": 60}, "requeue": {"with": "later"}}},
        "option throttle={'threshold': {'limit': 1, 'period': 60}, 'requeue': {'with': "
        "'later'}} is not valid for sidekiq-throttled; expected requeue with= \"enqueue\" or "
        '"schedule"',
    ),
    (
        "no limit at all",
        {"throttle": {"key_suffix": "x"}},
        "option throttle={'key_suffix': 'x'} is not valid for sidekiq-throttled; expected a "
        "concurrency= or threshold= limit (or both)",
    ),
]


@pytest.mark.parametrize(
    ("options", "message"),
    [pytest.param(options, message, id=name) for name, options, message in REFUSED],
)
def test_a_bad_gem_option_is_refused_at_class_definition(
    options: dict[str, Any], message: str
) -> None:
    with pytest.raises(jobsim.InvalidOption) as caught:
        type("Report", (jobsim.Job,), {}, **options)
    assert str(caught.value) == f"class Report: {message}"


ACCEPTED: list[tuple[dict[str, Any], dict[str, Any]]] = [
    ({"lock": "until_executed", "on_conflict": "log"}, {}),
    ({"lock": ":until_executed"}, {"lock": "until_executed"}),  # Ruby's symbol, pasted
    ({"lock": "until_executed", "lock_args_method": "lock_args"}, {}),
    ({"lock": "until_executing", "on_conflict": "replace"}, {}),
    ({"lock": "while_executing", "on_conflict": "reschedule", "lock_timeout": None}, {}),
    (
        {
            "lock": "until_and_while_executing",
            "on_conflict": {"client": "replace", "server": "reject"},
        },
        {},
    ),
    ({"lock": "until_expired", "lock_ttl": 3600, "lock_limit": 2, "lock_prefix": "app"}, {}),
    ({"unique_across_queues": True, "unique_across_workers": False}, {}),
    ({"unique_for": 600, "unique_until": "start"}, {}),
    ({"throttle": {"concurrency": [{"limit": 2}, {"limit": 5, "key_suffix": "x"}]}}, {}),
    (
        {
            "throttle": {
                "threshold": {"limit": lambda *args: 10, "period": 60},
                "requeue": {"with": "schedule", "to": "slow"},
            }
        },
        {},
    ),
]


@pytest.mark.parametrize(("options", "normalised"), ACCEPTED)
def test_good_gem_options_are_kept_on_the_class(
    options: dict[str, Any], normalised: dict[str, Any]
) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        job_class = type("Report", (jobsim.Job,), {}, **options)
    assert job_class.sidekiq_options == {"retry": True, "queue": "default", **options, **normalised}


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("unique", "lock"),
        ("unique_args", "lock_args_method"),
        ("unique_expiration", "lock_ttl"),
        ("unique_prefix", "lock_prefix"),
    ],
)
def test_pre_7_spellings_warn_naming_the_new_one(old: str, new: str) -> None:
    value = {"unique": "until_executed", "unique_args": "lock_args"}.get(old, "app")
    value = 60 if old == "unique_expiration" else value
    with pytest.warns(jobsim.JobsimDeprecationWarning) as caught:
        type("Legacy", (jobsim.Job,), {}, **{old: value})
    assert str(caught[0].message) == (
        f"class Legacy: option {old}={value!r} is the spelling before sidekiq-unique-jobs 7; "
        f"write {new}={value!r} (jobsim still reads the old name; the gem's validator reports "
        f"it as deprecated)"
    )
    assert caught[0].filename == __file__
    assert issubclass(jobsim.JobsimDeprecationWarning, DeprecationWarning)


def test_set_checks_the_combination_with_the_class_options() -> None:
    class Report(jobsim.Job, lock="until_executed"):
        pass

    with pytest.raises(jobsim.InvalidOption, match="raise is incompatible with the client"):
        Report.set(on_conflict="raise")
    assert Report.set(on_conflict="log").options == {"on_conflict": "log"}


def test_active_job_sidekiq_options_take_the_gem_options() -> None:
    class Mailer(ActiveJob, sidekiq_options={"lock": "until_executed", "on_conflict": "log"}):
        def perform(self) -> None:
            pass

    assert Mailer.sidekiq_options["lock"] == "until_executed"
    with pytest.raises(jobsim.InvalidOption, match="raise is incompatible with the client"):

        class Bad(ActiveJob, sidekiq_options={"lock": "until_executed", "on_conflict": "raise"}):
            pass
