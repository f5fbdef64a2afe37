"""The pytest plugin's jobsim_plugins / jobsim_young_gc ini options and their marker forms."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]

NOTER = """
import jobsim

KEY = jobsim.StashKey[list]()


class Noter:
    name = "noter"
    honours = ("lock",)

    def install(self, sim):
        sim.stash[KEY] = ["installed"]
"""

TESTS = """
import gc
import warnings

import pytest

import jobsim
import jobsim as js  # the fixture's name hides the module inside the tests
from noter import KEY

SEEN = []


class Look(jobsim.Job, lock="until_executed"):
    def perform(self):
        SEEN.append(gc.get_threshold())


def test_gc_inside_a_job_equals_outside(jobsim):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Look.perform_async()
    jobsim.drain()
    assert SEEN[-1] == gc.get_threshold()
    assert jobsim.stash[KEY] == ["installed"]


@pytest.mark.jobsim(young_gc=True)
def test_asked_for_by_the_marker(jobsim):
    Look.perform_async()
    jobsim.drain()
    assert SEEN[-1][0] == 20_000
    assert gc.get_threshold()[0] != 20_000


@pytest.mark.jobsim(plugins=[])
def test_the_marker_replaces_the_ini_plugins(jobsim):
    assert jobsim.plugins == ()
    with pytest.warns(js.JobsimWarning, match="jobsim_plugins = unique_jobs"):
        Look.perform_async()
"""


def test_ini_plugins_reach_every_simulator_and_gc_stays_the_users(
    pytester: pytest.Pytester,
) -> None:
    pytester.syspathinsert()
    pytester.makepyfile(noter=NOTER, test_it=TESTS)
    pytester.makeini("[pytest]\njobsim_plugins = noter:Noter\n")
    result = pytester.runpytest("-p", "no:randomly", "-W", "error::jobsim.JobsimWarning")
    result.assert_outcomes(passed=3)
    result.stdout.fnmatch_lines(["jobsim: seed=0 (default)*, plugins=noter:Noter"])


def test_ini_young_gc_turns_it_on_for_every_fixture(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import gc
        import jobsim

        class Look(jobsim.Job):
            def perform(self):
                self.__class__.seen = gc.get_threshold()[0]

        def test_on(jobsim):
            Look.perform_async()
            jobsim.drain()
            assert Look.seen == 20_000
        """
    )
    pytester.makeini("[pytest]\njobsim_young_gc = true\n")
    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=1)


@pytest.mark.parametrize(
    ("ini", "message"),
    [
        (
            "jobsim_plugins = uniq",
            "*jobsim_plugins = uniq (ini): jobsim_plugins: unknown plugin 'uniq'; pass one of "
            "unique_jobs, *",
        ),
        (
            "jobsim_plugins = nosuchpackage.plugins:Plugin",
            "*jobsim_plugins: plugin 'nosuchpackage.plugins:Plugin': cannot import "
            "nosuchpackage.plugins*",
        ),
        ("jobsim_young_gc = maybe", "*jobsim_young_gc = 'maybe' (ini): pass true or false"),
    ],
)
def test_bad_ini_values_are_usage_errors(pytester: pytest.Pytester, ini: str, message: str) -> None:
    pytester.makepyfile("def test_nothing(): pass")
    pytester.makeini(f"[pytest]\n{ini}\n")
    result = pytester.runpytest()
    result.stderr.fnmatch_lines([message])
    assert result.ret == pytest.ExitCode.USAGE_ERROR
