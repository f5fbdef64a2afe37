"""Every chain and form of the matchers, passing and failing, inside real pytest runs: with
assertion rewriting on and off, with ``-q``, and under xdist."""

from __future__ import annotations

import fnmatch

import pytest

pytest_plugins = ["pytester"]

#: A test module where every ``test_ok_*`` must pass and every ``test_bad_*`` must fail.
CHAINS = """
from datetime import UTC, datetime, timedelta

import pytest

import jobsim
from jobsim.testing import (
    ANY, assert_enqueued_jobs, assert_enqueued_with, assert_no_enqueued_jobs,
    assert_performed_jobs, dict_containing, have_enqueued_job, have_performed_job,
    instance_of, list_containing, perform_enqueued_jobs, predicate, regex,
)

START = datetime(2026, 1, 1, tzinfo=UTC)


class SendWelcome(jobsim.Job, queue="mailers"):
    def perform(self, email, plan="free"):
        pass


class Charge(jobsim.Job, retry=1):
    def perform(self, order):
        raise ValueError("declined")


@pytest.fixture
def welcome(jobsim):
    SendWelcome.perform_async("ada@example.com", "pro")
    SendWelcome.perform_in(300, "bob@example.com")
    return jobsim


def test_ok_class(welcome):
    assert have_enqueued_job(SendWelcome).at_least(1)

def test_bad_class(welcome):
    assert have_enqueued_job(Charge)

def test_ok_args(welcome):
    assert have_enqueued_job(SendWelcome).with_args("ada@example.com", plan="pro")

def test_bad_args(welcome):
    assert have_enqueued_job(SendWelcome).with_args("eve@example.com", "pro")

def test_ok_arg_matchers(welcome):
    assert have_enqueued_job(SendWelcome).with_args(regex("@example\\\\.com$"), ANY).twice()
    matcher = have_enqueued_job(SendWelcome).twice()
    assert matcher.with_args(instance_of(str), predicate(str.isalpha))
    assert have_enqueued_job(SendWelcome).with_args(email=ANY, plan="free").once()

def test_bad_arg_matchers(welcome):
    assert have_enqueued_job(SendWelcome).with_args(regex("^eve"), ANY)

def test_ok_queue(welcome):
    assert have_enqueued_job(SendWelcome).on_queue("mailers").twice()

def test_bad_queue(welcome):
    assert have_enqueued_job(SendWelcome).on_queue("default")

def test_ok_at(welcome):
    assert have_enqueued_job(SendWelcome).at(START + timedelta(minutes=5))

def test_bad_at(welcome):
    assert have_enqueued_job(SendWelcome).at(START + timedelta(minutes=6))

def test_ok_in(welcome):
    welcome.advance(60)
    assert have_enqueued_job(SendWelcome).in_(timedelta(minutes=5))

def test_bad_in(welcome):
    assert have_enqueued_job(SendWelcome).in_(60)

def test_ok_immediately(welcome):
    assert have_enqueued_job(SendWelcome).immediately().once()

def test_bad_immediately(welcome):
    assert have_enqueued_job(SendWelcome).immediately().twice()

def test_ok_counts(welcome):
    assert have_enqueued_job(SendWelcome).exactly(2).times
    assert have_enqueued_job(SendWelcome).at_least(1)
    assert have_enqueued_job(SendWelcome).at_most(2)
    assert have_enqueued_job(Charge).never()
    assert not have_enqueued_job(Charge)

def test_bad_exactly(welcome):
    assert have_enqueued_job(SendWelcome).exactly(3)

def test_bad_at_least(welcome):
    assert have_enqueued_job(SendWelcome).at_least(3)

def test_bad_at_most(welcome):
    assert have_enqueued_job(SendWelcome).at_most(1)

def test_bad_once(welcome):
    assert have_enqueued_job(SendWelcome).once()

def test_bad_thrice(welcome):
    assert have_enqueued_job(SendWelcome).thrice()

def test_bad_assert_not(welcome):
    assert not have_enqueued_job(SendWelcome).at_least(1)

def test_bad_default_count_either_way(welcome):
    assert not have_enqueued_job(SendWelcome)

def test_ok_no_other_jobs(welcome):
    assert have_enqueued_job(SendWelcome).twice().and_no_other_jobs()

def test_bad_no_other_jobs(welcome):
    Charge.perform_async(1)
    assert have_enqueued_job(SendWelcome).twice().and_no_other_jobs()

def test_ok_block(jobsim):
    SendWelcome.perform_async("before@example.com")
    with have_enqueued_job(SendWelcome).with_args(dict_containing(id=1)).once():
        SendWelcome.perform_async({"id": 1, "name": "x"})

def test_bad_block(jobsim):
    SendWelcome.perform_async("before@example.com")
    with have_enqueued_job(SendWelcome):
        pass

def test_ok_verify(welcome):
    (job,) = have_enqueued_job(SendWelcome).with_args(list_containing()).never().verify() or [1]

def test_bad_verify(welcome):
    have_enqueued_job(SendWelcome).with_args("zed@example.com").verify()

def test_ok_performed(jobsim):
    Charge.perform_async(1)
    jobsim.drain()
    assert have_performed_job(Charge).failed(ValueError).twice()
    assert have_enqueued_job(Charge).once()

def test_bad_performed(jobsim):
    Charge.perform_async(1)
    assert have_performed_job(Charge)

def test_ok_helpers(welcome):
    assert_enqueued_jobs(2, only=SendWelcome)
    assert_no_enqueued_jobs(only=Charge)
    assert_enqueued_with(job=SendWelcome, args=["ada@example.com", "pro"], queue="mailers")
    assert perform_enqueued_jobs() == 1
    assert_performed_jobs(1)
    with perform_enqueued_jobs.inside():
        SendWelcome.perform_async("c@example.com")
    assert_performed_jobs(2)

def test_bad_helper(welcome):
    assert_enqueued_jobs(3)

def test_bad_helper_with(welcome):
    assert_enqueued_with(job=SendWelcome, queue="default")

def test_bad_helper_block(welcome):
    with assert_enqueued_jobs.inside(1):
        pass
"""

#: What each failing test's report must say (its full matcher report, wherever it appears).
FAILURES = {
    "test_bad_class": [
        "have_enqueued_job(Charge)",
        "but no Charge job was enqueued so far.",
        "Other jobs enqueued so far: SendWelcome ×2.",
    ],
    "test_bad_args": [
        "SendWelcome jobs that differ, nearest first:",
        "       args[0] email: expected 'eve@example.com', got 'ada@example.com'",
    ],
    "test_bad_arg_matchers": [
        "       args[0] email: 'ada@example.com' does not match regex('^eve')"
    ],
    "test_bad_queue": ["       queue: expected 'default', got 'mailers'"],
    "test_bad_at": [
        "       at: expected 2026-01-01T00:06:00Z, got 2026-01-01T00:05:00Z (60s (1m) earlier)"
    ],
    "test_bad_in": ["       in: expected 60s (1m) after its enqueue, got 300s (5m) *"],
    "test_bad_immediately": ["Expected exactly 2 SendWelcome jobs enqueued so far", "but found 1:"],
    "test_bad_exactly": ["Expected exactly 3 SendWelcome jobs enqueued so far", "but found 2:"],
    "test_bad_at_least": ["Expected at least 3 SendWelcome jobs enqueued so far"],
    "test_bad_at_most": ["Expected at most 1 SendWelcome job enqueued so far", "but found 2:"],
    "test_bad_once": ["Expected exactly 1 SendWelcome job enqueued so far"],
    "test_bad_thrice": ["Expected exactly 3 SendWelcome jobs enqueued so far"],
    "test_bad_assert_not": ["and found 2, so `assert not …` fails:"],
    "test_bad_default_count_either_way": [
        "Expected exactly 1 SendWelcome job enqueued so far (the default count, as in rspec-rails)",
        "but found 2:",
        "With no count chained, a matcher expects exactly one job and `assert not` expects none;*",
    ],
    "test_bad_no_other_jobs": ["but 1 job that does not match was enqueued too:"],
    "test_bad_block": [
        "but nothing was enqueued inside the `with` block.",
        "Not counted: 1 job (SendWelcome ×1) was enqueued before the `with` block began.",
    ],
    "test_bad_verify": ["       args[0] email: expected 'zed@example.com', got *"],
    "test_bad_performed": [
        "1 Charge job was enqueued so far but not performed yet:",
        "    is waiting in queue 'default': *",
    ],
    "test_bad_helper": ["assert_enqueued_jobs(3)", "Expected exactly 3 jobs of any class *"],
    "test_bad_helper_with": ["assert_enqueued_with(job=SendWelcome, queue='default')"],
    "test_bad_helper_block": ["assert_enqueued_jobs(1)", "but nothing was enqueued inside *"],
}


def _names(result: pytest.RunResult, outcome: str) -> set[str]:
    prefix = f"{outcome.upper()} "
    found = set()
    for line in result.outlines:
        if line.startswith(prefix) and "::" in line:
            found.add(line.split("::", 1)[1].split(" ", 1)[0])
    return found


@pytest.mark.parametrize("assert_mode", ["rewrite", "plain"])
def test_every_chain_and_form_passes_and_fails(pytester: pytest.Pytester, assert_mode: str) -> None:
    pytester.makepyfile(test_chains=CHAINS)
    result = pytester.runpytest("-q", "-rA", f"--assert={assert_mode}", "-p", "no:cacheprovider")
    passed, failed = _names(result, "passed"), _names(result, "failed")
    defined = {
        line.split("(")[0][4:] for line in CHAINS.splitlines() if line.startswith("def test_")
    }
    assert passed == {name for name in defined if name.startswith("test_ok_")}
    assert failed == {name for name in defined if name.startswith("test_bad_")}
    assert set(FAILURES) == failed, "every failing test has its expected lines"
    text = result.stdout.str()
    for name, lines in FAILURES.items():
        start = text.index(f"_ {name} _")
        end = text.find("\n___", start + 1)
        block = text[start : end if end != -1 else None]
        for line in lines:
            assert any(_fnmatch(candidate, line) for candidate in block.splitlines()), (
                f"{name} ({assert_mode}): no line like {line!r} in\n{block}"
            )


def _fnmatch(text: str, pattern: str) -> bool:
    """The line appears, in the jobsim section or in the exception's message (``E   …``)."""
    escaped = pattern.strip().replace("[", "[[]")
    return fnmatch.fnmatchcase(text, f"*{escaped}")


def test_report_section_shows_seed_trace_and_report_with_q(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest
        import jobsim
        from jobsim.testing import have_enqueued_job

        class SendWelcome(jobsim.Job, queue="mailers"):
            def perform(self, user_id):
                pass

        @pytest.mark.jobsim(seed=7)
        def test_welcome(jobsim):
            SendWelcome.perform_async(41)
            assert have_enqueued_job(SendWelcome).with_args(42)
        """
    )
    result = pytester.runpytest("-q")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*AssertionError: assert <have_enqueued_job(SendWelcome).with_args(42): found 0, *",
            "*- jobsim -*",
            "have_enqueued_job(SendWelcome).with_args(42)",
            "Expected exactly 1 SendWelcome job enqueued so far (the default count, *",
            "       args[[]0] user_id: expected 42, got 41",
            "seed=7 (marker; replay with @pytest.mark.jobsim(seed=7)), profile sidekiq-8, "
            "virtual now 2026-01-01T00:00:00Z",
            "processed=0 failed=0 enqueued=1 scheduled=0 retries=0 dead=0",
            "last 1 of 1 trace events:",
            "  #1    2026-01-01T00:00:00Z  enqueued         SendWelcome [[]41] queue=mailers jid=*",
        ]
    )


def test_section_for_a_failure_that_is_not_a_matcher(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import jobsim

        class Tick(jobsim.Job):
            def perform(self):
                pass

        def test_other_failure(jobsim):
            for _ in range(15):
                Tick.perform_async()
            assert jobsim.stats.enqueued == 0
        """
    )
    result = pytester.runpytest("-q", "--jobsim-seed=11")
    result.stdout.fnmatch_lines(
        [
            "*- jobsim -*",
            "seed=11 (--jobsim-seed; replay with --jobsim-seed=11), profile sidekiq-8, *",
            "last 10 of 15 trace events:",
            "  #6 *",
        ]
    )
    result.stdout.no_fnmatch_line("*Expected at least*")


def test_passing_tests_get_no_section(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        def test_fine(jobsim):
            assert jobsim.stats.enqueued == 0
        """
    )
    result = pytester.runpytest("-rA")
    result.assert_outcomes(passed=1)
    result.stdout.no_fnmatch_line("*- jobsim -*")


def test_under_xdist(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_chains=CHAINS)
    result = pytester.runpytest_subprocess("-n", "2", "-q", "-p", "no:cacheprovider")
    outcomes = result.parseoutcomes()
    assert outcomes["passed"] == sum(1 for line in CHAINS.splitlines() if "def test_ok_" in line)
    assert outcomes["failed"] == len(FAILURES)
    result.stdout.fnmatch_lines(["*- jobsim -*", "but no Charge job was enqueued so far."])


def test_section_shows_the_candidates_for_assert_assert_not_and_with(
    pytester: pytest.Pytester,
) -> None:
    """#16 item 6: the report section does not depend on how the assertion was written."""
    pytester.makepyfile(
        """
        import jobsim
        from jobsim.testing import have_enqueued_job

        class SendWelcome(jobsim.Job, queue="mailers"):
            def perform(self, user_id):
                pass

        def test_assert(jobsim):
            SendWelcome.perform_async(41)
            assert have_enqueued_job(SendWelcome).with_args(42)

        def test_assert_not(jobsim):
            SendWelcome.perform_async(41)
            assert not have_enqueued_job(SendWelcome).with_args(41)

        def test_with(jobsim):
            with have_enqueued_job(SendWelcome).with_args(42):
                SendWelcome.perform_async(41)
        """
    )
    result = pytester.runpytest("-q", "-p", "no:cacheprovider")
    result.assert_outcomes(failed=3)
    text = result.stdout.str()
    sections = text.split("- jobsim -")[1:]
    assert len(sections) == 3
    candidate = "SendWelcome(41) jid="
    for section in sections:
        assert candidate in section.split("seed=")[0]
    assert sections[0].count("args[0] user_id: expected 42, got 41") == 1
    assert "and found 1, so `assert not …` fails:" in sections[1]
    assert "args[0] user_id: expected 42, got 41" in sections[2]
