"""The plugin's settings: marker, ini options, ``--jobsim-seed``, the freezegun bridge and its
opt-outs, ``jobsim_factory`` with Hypothesis, the report header, and bad settings."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]

SETTINGS = """
import time
from datetime import UTC, datetime

import pytest


def test_defaults(jobsim, pytestconfig):
    expected = pytestconfig.getoption("jobsim_seed")
    assert jobsim.seed == (int(expected) if expected is not None else EXPECTED_SEED)
    assert jobsim.profile.name == EXPECTED_PROFILE
    assert jobsim.now == EXPECTED_START


@pytest.mark.jobsim(seed=9, profile="sidekiq-6.4", start=0, queues=["critical", "default"])
def test_marker_wins(jobsim):
    assert (jobsim.seed, jobsim.profile.name, jobsim.time) == (9, "sidekiq-6.4", 0.0)
    assert jobsim.queues == ["critical", "default"]


def test_virtual_time(jobsim):
    assert (datetime.now(UTC) == jobsim.now) is EXPECTED_FROZEN
    jobsim.advance(3600)
    assert (time.time() == jobsim.time) is EXPECTED_FROZEN


@pytest.mark.jobsim(freeze_time=False)
def test_opt_out(jobsim):
    assert datetime.now(UTC) != jobsim.now
"""


def _settings_file(seed: int, profile: str, start: str, frozen: bool) -> str:
    head = (
        f"EXPECTED_SEED = {seed}\nEXPECTED_PROFILE = {profile!r}\nEXPECTED_FROZEN = {frozen}\n"
        f"from datetime import datetime as _dt\nEXPECTED_START = _dt.fromisoformat({start!r})\n"
    )
    return head + SETTINGS


def test_defaults_marker_and_freezegun_on(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(_settings_file(0, "sidekiq-8", "2026-01-01T00:00:00+00:00", True))
    pytester.runpytest().assert_outcomes(passed=4)


def test_command_line_seed(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(_settings_file(0, "sidekiq-8", "2026-01-01T00:00:00+00:00", True))
    result = pytester.runpytest("--jobsim-seed=1234")
    result.assert_outcomes(passed=4)
    result.stdout.fnmatch_lines(["jobsim: seed=1234 (--jobsim-seed), profile=sidekiq-8, *"])


def test_ini_options(pytester: pytest.Pytester) -> None:
    pytester.makeini(
        """
        [pytest]
        jobsim_seed = 5
        jobsim_profile = sidekiq-7
        jobsim_start = 2026-03-02T09:00:00Z
        jobsim_freeze_time = false
        jobsim_trace_tail = 2
        """
    )
    pytester.makepyfile(_settings_file(5, "sidekiq-7", "2026-03-02T09:00:00+00:00", False))
    result = pytester.runpytest()
    result.assert_outcomes(passed=4)
    result.stdout.fnmatch_lines(["jobsim: seed=5 (ini), profile=sidekiq-7, freeze_time=false"])


def test_trace_tail_setting_limits_the_section(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\njobsim_trace_tail = 2\n")
    pytester.makepyfile(
        """
        import jobsim

        class Tick(jobsim.Job):
            def perform(self):
                pass

        def test_fails(jobsim):
            for _ in range(5):
                Tick.perform_async()
            assert False
        """
    )
    result = pytester.runpytest("-q")
    result.stdout.fnmatch_lines(["last 2 of 5 trace events:", "  #4 *", "  #5 *"])


@pytest.mark.parametrize(
    ("ini", "message"),
    [
        ("jobsim_seed = abc", "*jobsim_seed (ini) = 'abc': pass a whole number*"),
        ("jobsim_profile = sidekiq-9", "*jobsim_profile = 'sidekiq-9' (ini): did you mean *"),
        ("jobsim_start = 2026-03-02 09:00", "*jobsim_start = '2026-03-02 09:00' (ini): pass ISO*"),
        ("jobsim_freeze_time = maybe", "*jobsim_freeze_time = 'maybe' (ini): pass auto, true*"),
    ],
)
def test_bad_ini_values_are_usage_errors(pytester: pytest.Pytester, ini: str, message: str) -> None:
    pytester.makeini(f"[pytest]\n{ini}\n")
    pytester.makepyfile("def test_x(): pass")
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([message])


def test_bad_marker_options_name_the_fix(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.jobsim(sed=1)
        def test_typo(jobsim):
            pass

        @pytest.mark.jobsim(7)
        def test_positional(jobsim):
            pass
        """
    )
    result = pytester.runpytest("-q")
    result.assert_outcomes(errors=2)
    result.stdout.fnmatch_lines(
        [
            "*unknown jobsim.Simulator option sed=1; did you mean 'seed'? *",
            "*@pytest.mark.jobsim(7,): pass options by name, e.g. seed=7*",
        ]
    )


def test_factory_for_hypothesis_given(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        from hypothesis import given, settings, strategies as st

        import jobsim
        from jobsim.testing import have_enqueued_job

        class Hello(jobsim.Job):
            def perform(self, n):
                pass

        @settings(max_examples=20)
        @given(n=st.integers(0, 5))
        def test_each_example_gets_a_simulator(jobsim_factory, n):
            sim = jobsim_factory(seed=n)
            assert sim.seed == n
            with sim:
                for _ in range(n):
                    Hello.perform_async(n)
                assert have_enqueued_job(Hello).exactly(n)

        @settings(max_examples=5, database=None)
        @given(n=st.integers(3, 5))
        def test_failing_example_shows_its_simulator(jobsim_factory, n):
            with jobsim_factory(seed=n):
                Hello.perform_async(n)
                assert have_enqueued_job(Hello).twice()
        """
    )
    result = pytester.runpytest("-q", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*- jobsim -*",
            "have_enqueued_job(Hello).twice()",
            "seed=3 (jobsim_factory; replay with @pytest.mark.jobsim(seed=3)), *",
        ]
    )
    result.stdout.no_fnmatch_line("*function_scoped_fixture*")


def test_a_plugin_free_run_still_has_jobsim_testing(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import jobsim
        from jobsim.testing import have_enqueued_job

        class Hello(jobsim.Job):
            def perform(self):
                pass

        def test_without_plugin():
            with jobsim.Simulator() as sim:
                Hello.perform_async()
                have_enqueued_job(Hello).once().verify()
        """
    )
    pytester.runpytest("-p", "no:jobsim").assert_outcomes(passed=1)


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (
            "jobsim_start=nan",
            "ERROR: jobsim_start = 'nan' (ini): start=nan: not a time jobsim can represent; pass "
            "a time between the years 2 and 9999 (epoch seconds -62104060800 to 253370764800)",
        ),
        (
            "jobsim_start=1e300",
            "ERROR: jobsim_start = '1e300' (ini): start=1e+300: not a time jobsim can represent; "
            "pass a time between the years 2 and 9999 (epoch seconds -62104060800 to "
            "253370764800)",
        ),
        ("jobsim_trace_tail=-3", "ERROR: jobsim_trace_tail = -3 (ini): pass a whole number >= 0"),
    ],
)
def test_an_out_of_range_option_is_a_usage_error_not_an_internal_error(
    pytester: pytest.Pytester, option: str, message: str
) -> None:
    pytester.makepyfile("def test_x(): pass")
    result = pytester.runpytest("-o", option)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "INTERNALERROR" not in result.stderr.str() + result.stdout.str()
    assert message in result.stderr.lines
