"""Every check moved onto jobsim.validate for issue #14 refuses with the one message shape:
what was given, where (as the caller typed it), why it is wrong, and what to pass instead.

NaN, infinity and bools-as-numbers are the values that used to slip through hand-written
checks, so each entrance is tried with them where a number is expected.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

import jobsim
from jobsim import testing, validate
from jobsim.batches import Batch, Batches
from jobsim.cron.recurring import Recurring
from jobsim.errors import InvalidArgument, JobsimError
from jobsim.redis import RedisDataError, fake_redis, load_dump, load_state, ruby_float
from jobsim.redis._decode import decode_count, decode_score
from jobsim.replay import (
    check_shown_time,
    compile_count_expression,
    parse_duration,
    retry_schedule,
    run_scenario,
)

SHOP = Path(__file__).resolve().parents[1] / "examples" / "shop"
NAN, INF = math.nan, math.inf
RETRY_IN = (
    "write arithmetic of `count` with numbers, + - * / // % **, parentheses, min(), max() and "
    "abs(), e.g. '10 * (count + 1)'"
)
STAMP = "pass epoch seconds (a number; Sidekiq 8 writes integer milliseconds)"
DUMP_TIME = "pass epoch seconds (a time between the years 2 and 9999)"
SHOWN = "epoch seconds is not a time between 1970-01-01 and 9999-01-01; pass a time in that range"


class Report(jobsim.Job):
    def perform(self) -> None:
        pass


def refusal(call: Callable[[], Any], error: type[JobsimError] = InvalidArgument) -> str:
    with pytest.raises(error) as caught:
        call()
    return str(caught.value)


# -- validate's own words for the entrances that need them ------------------------------------


def test_subject_why_fix_and_error_shape_the_one_message() -> None:
    assert str(validate.refuse("n", 5, "a whole number", subject="exactly(5)")) == (
        "exactly(5): pass a whole number"
    )
    assert str(validate.refuse("n", 5, "", why="too many", fix="ask for fewer")) == (
        "n=5: too many; ask for fewer"
    )
    refused = validate.refuse("score", NAN, "finite seconds", error=RedisDataError)
    assert type(refused) is RedisDataError
    assert str(refused) == "score=nan: pass finite seconds"
    with pytest.raises(RedisDataError, match=r"^x=inf: not a finite number; pass a number$"):
        validate.number(INF, name="x", error=RedisDataError)
    with pytest.raises(InvalidArgument, match=r"^x=2: my reason; pass a number <= 1$"):
        validate.number(2, name="x", high=1, why="my reason")
    with pytest.raises(InvalidArgument, match=r"^d=-1: out of range; pass a delay$"):
        validate.seconds(-1, name="d", expected="a delay")
    assert validate.seconds(-1, name="d", low=None) == -1.0  # no lower bound when asked


SAMPLES = [0, 1, -3, 2**70, 1.5, -0.0, NAN, INF, -INF, True, False, None, "1", b"1", [1]]


@pytest.mark.parametrize("value", SAMPLES, ids=repr)
def test_the_predicates_agree_with_the_checks(value: Any) -> None:
    def accepts(check: Callable[..., Any]) -> bool:
        try:
            check(value, name="v")
        except InvalidArgument:
            return False
        return True

    assert validate.is_whole(value) is accepts(validate.whole)
    assert validate.is_number(value) is accepts(validate.number)


def test_a_subject_function_is_called_only_on_failure() -> None:
    calls: list[int] = []

    def subject() -> str:
        calls.append(1)
        return "the head"

    assert validate.whole(3, name="n", subject=subject) == 3
    assert calls == []
    assert refusal(lambda: validate.whole(-1, name="n", low=0, subject=subject)) == (
        "the head: pass a whole number >= 0"
    )
    assert calls == [1]


# -- the replays -------------------------------------------------------------------------------

JOB = {"class": "X", "args": [], "jid": "j", "queue": "default", "retry_count": 0}


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: retry_schedule(job={**JOB, "failed_at": NAN}),
            f"failed_at=nan in the job hash: not a finite number; {STAMP}",
        ),
        (
            lambda: retry_schedule(job={**JOB, "failed_at": INF}),
            f"failed_at=inf in the job hash: not a finite number; {STAMP}",
        ),
        (
            lambda: retry_schedule(job={**JOB, "failed_at": True}),
            f"failed_at=True in the job hash: a bool, not a number; {STAMP}",
        ),
        (
            lambda: retry_schedule(job={**JOB, "failed_at": "2026-01-01"}),
            f"failed_at='2026-01-01' in the job hash: a str, not a number; {STAMP}",
        ),
        (
            lambda: retry_schedule(job={**JOB, "failed_at": 1767225600, "retry_count": True}),
            "retry_count=True in the job hash: pass a whole number >= 0",
        ),
        (
            lambda: retry_schedule(job={**JOB, "failed_at": 1767225600, "retry_count": -1}),
            "retry_count=-1 in the job hash: pass a whole number >= 0",
        ),
        (lambda: retry_schedule(samples=True), "samples=True: pass a whole number >= 0"),
        (lambda: retry_schedule(samples=-1), "samples=-1: pass a whole number >= 0"),
        (
            lambda: retry_schedule(jitter="mid"),  # type: ignore[arg-type]
            "jitter='mid': pass 'random', 'min' or 'max'",
        ),
        (
            lambda: compile_count_expression("1e308 * 10")(0),
            f"--retry-in '1e308 * 10': gives inf at count=0, not a finite number; {RETRY_IN}",
        ),
        (
            lambda: compile_count_expression("count * 1e308")(2),
            f"--retry-in 'count * 1e308': gives inf at count=2, not a finite number; {RETRY_IN}",
        ),
        (
            lambda: compile_count_expression("(-1) ** 0.5")(0),
            "--retry-in '(-1) ** 0.5': gives (6.123233995736766e-17+1j) at count=0, not a "
            f"finite number; {RETRY_IN}",
        ),
        (lambda: check_shown_time(NAN, "--at 'x'"), f"--at 'x': nan {SHOWN}"),
        (lambda: check_shown_time(INF, "--at 'x'"), f"--at 'x': inf {SHOWN}"),
        (lambda: check_shown_time(-1.0, "--at 'x'"), f"--at 'x': -1.0 {SHOWN}"),
        (
            lambda: parse_duration("9" * 400, option="--for"),
            f"--for {'9' * 40!r}: too large to be a number of seconds; pass a shorter one",
        ),
        (
            lambda: run_scenario(SHOP, seed=1, period=60, settings={"concurrency": "0"}),
            "--set concurrency=0: pass a whole number of threads >= 1",
        ),
        (
            lambda: run_scenario(SHOP, seed=1, period=60, settings={"concurrency": True}),
            "--set concurrency=True: pass a whole number of threads >= 1",
        ),
        (  # a digit int() cannot read used to escape as a ValueError
            lambda: run_scenario(SHOP, seed=1, period=60, settings={"concurrency": "²"}),
            "--set concurrency=²: pass a whole number of threads >= 1",
        ),
    ],
)
def test_replay_refusals(call: Callable[[], Any], message: str) -> None:
    assert refusal(call) == message


def test_an_expression_constant_that_is_not_a_number_is_a_grammar_error() -> None:
    assert refusal(lambda: compile_count_expression("'a' * count")) == (
        f"--retry-in \"'a' * count\": 'a' is not a number; {RETRY_IN}"
    )


# -- Redis data and dumps ----------------------------------------------------------------------


def _queued(member: str) -> None:
    redis = fake_redis()
    redis.sadd("queues", "default")
    redis.lpush("queue:default", member)
    load_state(redis, jobsim.Simulator(seed=1))


def _member(**extra: Any) -> str:
    return json.dumps({"class": "A", "args": [], "jid": "j9", "queue": "default", **extra})


HEAD = "queue:default member 0 (LRANGE index) (jid 'j9')"


def _preview(member: str) -> str:
    """The start of a member, as the messages show it (80 characters)."""
    return repr(member if len(member) <= 80 else member[:80] + "…")


@pytest.mark.parametrize(
    ("extra", "field", "tail"),
    [
        ({"retry": "x"}, "'retry' 'x'", "pass true, false or a whole number"),
        ({"retry": 2.5}, "'retry' 2.5", "pass true, false or a whole number"),
        ({"retry_count": True}, "'retry_count' True", "pass a whole number"),
        ({"retry_count": "2"}, "'retry_count' '2'", "pass a whole number"),
        (
            {"enqueued_at": True},
            "'enqueued_at' True",
            "a bool, not a number; pass epoch seconds or milliseconds",
        ),
        (
            {"enqueued_at": "now"},
            "'enqueued_at' 'now'",
            "a str, not a number; pass epoch seconds or milliseconds",
        ),
    ],
)
def test_a_member_s_numbers_are_refused_naming_key_member_and_jid(
    extra: dict[str, Any], field: str, tail: str
) -> None:
    member = _member(**extra)
    assert refusal(lambda: _queued(member), RedisDataError) == (
        f"{HEAD} has {field} (the member: {_preview(member)}): {tail}"
    )


def test_an_infinite_timestamp_in_a_member_is_refused() -> None:
    member = _member()[:-1] + ', "failed_at": 1e400}'  # JSON reads 1e400 as inf
    assert refusal(lambda: _queued(member), RedisDataError) == (
        f"{HEAD} has 'failed_at' inf (the member: {_preview(member)}): not a finite number; "
        f"pass epoch seconds or milliseconds"
    )


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (NAN, "retry member 0 has score nan: not a finite number; pass finite epoch seconds"),
        (INF, "retry member 0 has score inf: not a finite number; pass finite epoch seconds"),
        (True, "retry member 0 has score True: a bool, not a number; pass finite epoch seconds"),
        (
            b"abc",
            "retry member 0 has score b'abc': a bytes, not a number; pass finite epoch seconds",
        ),
        (
            b"inf",
            "retry member 0 has score b'inf': not a finite number; pass finite epoch seconds",
        ),
    ],
)
def test_scores_are_finite_epoch_seconds(raw: Any, message: str) -> None:
    assert refusal(lambda: decode_score(raw, key="retry", position="0"), RedisDataError) == message
    assert decode_score(b"12.5", key="retry", position="0") == 12.5


@pytest.mark.parametrize(
    ("raw", "shown"),
    [(b"many", "'many'"), (-1, "-1"), (True, "True"), ("²", "'²'"), (2**63, str(2**63))],
)
def test_counters_are_whole_numbers(raw: Any, shown: str) -> None:
    assert refusal(lambda: decode_count(raw, key="stat:processed"), RedisDataError) == (
        f"stat:processed holds {shown}: Sidekiq's counters are whole numbers >= 0"
    )
    assert decode_count(b" 12 ", key="stat:processed") == 12


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ('"soon"', f"header 'time' 'soon': a str, not a number; {DUMP_TIME}"),
        ("1e400", f"header 'time' inf: not a finite number; {DUMP_TIME}"),
        ("true", f"header 'time' True: a bool, not a number; {DUMP_TIME}"),
        ("-1e300", f"header 'time' -1e+300: out of range; {DUMP_TIME}"),
    ],
)
def test_a_dump_s_time_is_an_epoch(given: str, message: str) -> None:
    line = '{"jobsim_dump": 1, "time": ' + given + "}"
    assert refusal(lambda: load_dump([line], jobsim.Simulator()), RedisDataError) == (
        f"dump line 1: {message}"
    )


@pytest.mark.parametrize(
    ("value", "why"), [(NAN, "not a finite number"), (True, "a bool, not a number")]
)
def test_ruby_float_takes_a_finite_score(value: Any, why: str) -> None:
    assert refusal(lambda: ruby_float(value), RedisDataError) == (
        f"score={value!r}: {why}; pass a finite number of epoch seconds"
    )


# -- the test helpers ---------------------------------------------------------------------------

TOLERANCE = "pass a duration >= 0 (0 asks for the exact instant)"


def _enqueued() -> Any:
    return testing.have_enqueued_sidekiq_job(Report)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: _enqueued().exactly(-1), "exactly(-1): pass a whole number >= 0"),
        (lambda: _enqueued().exactly(True), "exactly(True): pass a whole number >= 0"),
        (lambda: _enqueued().at_least(1.0), "at_least(1.0): pass a whole number >= 0"),
        (lambda: _enqueued().in_(NAN), "in_(nan): not a finite number; pass a delay >= 0"),
        (lambda: _enqueued().in_(INF), "in_(inf): not a finite number; pass a delay >= 0"),
        (lambda: _enqueued().in_(-5), "in_(-5): out of range; pass a delay >= 0"),
        (lambda: _enqueued().in_(True), "in_(True): a bool, not a number; pass a delay >= 0"),
        (
            lambda: _enqueued().in_(60, tolerance=INF),
            f"tolerance=inf: not a finite number; {TOLERANCE}",
        ),
        (
            lambda: _enqueued().at(1767225600, tolerance=-1),
            f"tolerance=-1: out of range; {TOLERANCE}",
        ),
        (
            lambda: _enqueued().at(1767225600, tolerance=True),
            f"tolerance=True: a bool, not a number; {TOLERANCE}",
        ),
        (
            lambda: testing.have_job().died_within(INF),
            "died_within(inf): not a finite number; pass a timedelta or a number of seconds",
        ),
        (
            lambda: testing.have_job().died_within(timedelta(seconds=-1)),
            "died_within(datetime.timedelta(days=-1, seconds=86399)): out of range; pass a "
            "timedelta or a number of seconds",
        ),
        (
            lambda: testing.be_retryable(1.5),  # type: ignore[arg-type]
            "be_retryable(1.5): pass True, False or a whole number >= 0",
        ),
        (
            lambda: testing.save_backtrace(NAN),  # type: ignore[arg-type]
            "save_backtrace(nan): pass True, False or a whole number >= 0",
        ),
        (
            lambda: testing.be_expired_in(NAN),
            "be_expired_in(nan): not a finite number; pass a number of seconds",
        ),
        (
            lambda: testing.be_expired_in(True),
            "be_expired_in(True): a bool, not a number; pass a number of seconds",
        ),
        (
            lambda: testing.assert_retryable(Report, -1),
            "assert_retryable(Report, -1): pass True, False or N >= 0",
        ),
        (
            lambda: testing.assert_retryable(Report, 2.0),  # type: ignore[arg-type]
            "assert_retryable(Report, 2.0): pass True, False or N >= 0",
        ),
        (
            lambda: testing.be_unique().for_(0),
            "be_unique().for_(0): out of range; pass seconds > 0 or a timedelta",
        ),
        (
            lambda: testing.be_unique().for_(NAN),
            "be_unique().for_(nan): not a finite number; pass seconds > 0 or a timedelta",
        ),
        (
            lambda: testing.be_unique().for_(True),
            "be_unique().for_(True): a bool, not a number; pass seconds > 0 or a timedelta",
        ),
    ],
)
def test_matcher_refusals(call: Callable[[], Any], message: str) -> None:
    assert refusal(call) == message


@pytest.mark.parametrize("priority", [NAN, INF, True, "x"])
def test_a_priority_is_what_to_i_reads(priority: Any) -> None:
    assert refusal(lambda: _enqueued().at_priority(priority)) == (
        f"at_priority({priority!r}): pass a whole number (or a numeric str, as to_i reads it) "
        f"or an argument matcher"
    )


@pytest.mark.parametrize("count", [-1, True, NAN])
def test_rails_counting_assertions_take_a_whole_count(count: Any) -> None:
    with jobsim.Simulator():
        assert refusal(lambda: testing.assert_enqueued_jobs(count)) == (
            f"assert_enqueued_jobs({count!r}): pass the expected number of jobs as a whole "
            f"number >= 0"
        )


# -- simulator, batches and cron ---------------------------------------------------------------


@pytest.mark.parametrize("seed", [True, 1.0, NAN])
def test_a_seed_is_an_int(seed: Any) -> None:
    assert refusal(lambda: jobsim.Simulator(seed=seed)) == (
        f"seed={seed!r}: pass an int so runs can be repeated"
    )


@pytest.mark.parametrize("value", [0, True, NAN])
def test_batch_autoflush_is_a_whole_number(value: Any) -> None:
    sim = jobsim.Simulator(plugins=[Batches(version="8.1.7")])

    def set_it() -> None:
        with sim:
            Batch().autoflush = value

    assert refusal(set_it) == (
        f"Batch.autoflush={value!r}: pass a whole number of jobs >= 1, or None"
    )


@pytest.mark.parametrize("retry", [1.5, NAN, "3"])
def test_a_cron_job_s_retry_is_a_flag_or_a_count(retry: Any) -> None:
    recurring = Recurring(jobsim.Simulator(seed=1), poll="exact", sidekiq_cron="sidekiq-cron-2")
    entry = {"x": {"cron": "0 * * * *", "class": "Report", "retry": retry}}
    assert refusal(lambda: recurring.load(entry)) == (
        f"cron job 'x': retry={retry!r}: pass true, false or a number of retries"
    )
