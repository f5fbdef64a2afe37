"""The pytest plugin: the `jobsim` fixture, its marker and `-p no:jobsim` (driven by pytester)."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]


def test_fixture_gives_an_active_fresh_simulator(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import jobsim

        class Hello(jobsim.Job):
            def perform(self, n):
                pass

        def test_one(jobsim):
            Hello.perform_async(1)
            assert jobsim.stats.enqueued == 1

        def test_two_starts_empty(jobsim):
            assert jobsim.stats.enqueued == 0
            Hello.perform_async(2)
            jobsim.drain()
            assert jobsim.stats.processed == 1
        """
    )
    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=2)


def test_marker_configures_the_simulator(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.jobsim(seed=9, profile="sidekiq-6.4", start=0)
        def test_configured(jobsim):
            assert jobsim.seed == 9
            assert jobsim.profile.name == "sidekiq-6.4"
            assert jobsim.time == 0.0
        """
    )
    pytester.runpytest("--strict-markers").assert_outcomes(passed=1)


def test_no_enqueue_target_after_the_test(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest
        import jobsim

        class Hello(jobsim.Job):
            def perform(self):
                pass

        def test_uses_fixture(jobsim):
            Hello.perform_async()

        def test_without_fixture():
            with pytest.raises(jobsim.NoActiveSimulator):
                Hello.perform_async()
        """
    )
    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=2)


def test_plugin_can_be_disabled(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        def test_needs_fixture(jobsim):
            pass
        """
    )
    result = pytester.runpytest("-p", "no:jobsim")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*fixture 'jobsim' not found*"])
