"""The plugin under warnings-as-errors, as a strict user suite runs it.

Each run is a separate interpreter (``runpytest_subprocess``) so that the plugin is configured,
collects, reports a failure and tears down with ``-W error`` for every deprecation category
pytest and Python have: a deprecated pytest API used anywhere in the plugin ends the run in
``INTERNALERROR`` there, exactly as it would for a user. CI runs these tests against the newest
pytest (unlocked) and the oldest one jobsim supports.
"""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]

STRICT = (
    "-W",
    "error::DeprecationWarning",
    "-W",
    "error::PendingDeprecationWarning",
    "-W",
    "error::pytest.PytestDeprecationWarning",
    "-p",
    "no:cacheprovider",
)

SUITE = """
import pytest
import jobsim
from jobsim.testing import have_enqueued_job


class Welcome(jobsim.Job, queue="mailers"):
    def perform(self, user_id):
        pass


def test_enqueue_is_seen(jobsim):
    Welcome.perform_async(1)
    assert have_enqueued_job(Welcome).with_args(1).on_queue("mailers")


@pytest.mark.jobsim(seed=3, profile="sidekiq-6.4")
def test_marker(jobsim):
    assert (jobsim.seed, jobsim.profile.name) == (3, "sidekiq-6.4")


def test_factory(jobsim_factory):
    with jobsim_factory(seed=8) as sim:
        Welcome.perform_async(2)
    sim.drain()
    assert sim.stats.processed == 1


def test_a_failing_assertion_gets_the_report_section(jobsim):
    Welcome.perform_async(1)
    assert have_enqueued_job(Welcome).with_args(2)
"""


@pytest.mark.parametrize("xdist", [False, True], ids=["plain", "xdist"])
def test_the_plugin_runs_clean_with_every_deprecation_an_error(
    pytester: pytest.Pytester, xdist: bool
) -> None:
    pytester.makeini("[pytest]\njobsim_seed = 5\njobsim_trace_tail = 3\n")
    pytester.makepyfile(test_suite=SUITE)
    args = [*STRICT, "-n", "2"] if xdist else [*STRICT, "-rA"]
    result = pytester.runpytest_subprocess(*args)
    assert "INTERNALERROR" not in result.stdout.str() + result.stderr.str()
    result.assert_outcomes(passed=3, failed=1)
    result.stdout.fnmatch_lines(["*jobsim*", "*with_args*"])
    if not xdist:
        result.stdout.fnmatch_lines(["jobsim: seed=5 (ini), profile=*"])
