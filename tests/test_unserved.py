"""Which queues are served: every queue by default (as Sidekiq::Testing runs them all), exactly
the configured ones otherwise, and every job left in an unserved queue is named by ``drain()``
and by the pytest fixture (see ``jobsim.unserved`` and docs/reference/simulator.md)."""

from __future__ import annotations

import warnings

import pytest

import jobsim

pytest_plugins = ["pytester"]


class Welcome(jobsim.Job, queue="mailers"):
    def perform(self, user_id: int) -> None:
        pass


class Charge(jobsim.Job):
    def perform(self, order_id: int) -> None:
        pass


def test_without_queues_every_queue_is_served_and_nothing_is_reported() -> None:
    sim = jobsim.Simulator()
    with sim:
        Welcome.perform_async(1)
        Charge.perform_async(2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert sim.drain() == 2
    assert sim.unserved == {}


def test_with_queues_a_job_elsewhere_waits_and_drain_names_it() -> None:
    sim = jobsim.Simulator(queues=["default"])  # a process started without -q
    with sim:
        jid = Welcome.perform_async(1)
        Charge.perform_async(2)
    with pytest.warns(jobsim.JobsimWarning) as caught:
        assert sim.drain() == 1
    message = str(caught[0].message)
    assert "drain(): 1 job wait in queues this simulator does not serve" in message
    assert "queues=['default']" in message
    assert f"queue 'mailers': Welcome jid={jid}" in message
    assert sim.unserved == {"mailers": 1}
    assert sim.locate(str(jid)) == "queue:mailers"


def test_clearing_the_unserved_queue_silences_the_report() -> None:
    sim = jobsim.Simulator(queues=["default"])
    with sim:
        Welcome.perform_async(1)
    sim.queue("mailers").clear()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sim.drain()
    assert sim.unserved == {}


def test_a_long_queue_is_named_job_by_job_up_to_ten() -> None:
    sim = jobsim.Simulator(queues=["default"])
    with sim:
        for n in range(12):
            Welcome.perform_async(n)
    with pytest.warns(jobsim.JobsimWarning, match=r"12 jobs wait") as caught:
        sim.drain()
    assert str(caught[0].message).count("Welcome jid=") == 10
    assert ", and 2 more" in str(caught[0].message)


def test_the_fixture_names_jobs_left_in_unserved_queues(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest
        import jobsim


        class Welcome(jobsim.Job, queue="mailers"):
            def perform(self, user_id):
                pass


        @pytest.mark.jobsim(queues=["default"])
        def test_leaves_a_mail(jobsim):
            Welcome.perform_async(1)


        @pytest.mark.jobsim(queues=["default"])
        def test_fails_and_shows_it(jobsim):
            Welcome.perform_async(2)
            assert False


        def test_serves_everything(jobsim):
            Welcome.perform_async(3)
        """
    )
    # The outer suite turns warnings into errors; a user suite that does so sees the same
    # report as an error at teardown. Here it stays a warning, shown in the summary.
    warned = ("-W", "always::jobsim.errors.JobsimWarning")
    result = pytester.runpytest("-p", "no:randomly", "-p", "no:cacheprovider", *warned)
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*left behind: 1 job wait in queues*",  # the failed test's jobsim section
            "*queue 'mailers': Welcome jid=*",
            "*at the end of the test: 1 job wait in queues this simulator does not serve*",
            "*queue 'mailers': Welcome jid=*",
        ]
    )
