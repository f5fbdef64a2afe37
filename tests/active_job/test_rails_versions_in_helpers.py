"""The helpers' rules per Rails version and per adapter (jobsim/testing/_mail_with.py,
_rails_assertions.py, active_job/_test_adapter.py).

Each rule is checked on both sides of the version where it changed (ActionMailer's and
ActiveJob's ``test_helper.rb`` at v6.1.7, v7.0.10, v7.1.6, v7.2.3 and v8.0.5).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

import jobsim
from jobsim.active_job import ActiveJob, Mailer, RailsDeprecationWarning, settings
from jobsim.errors import InvalidArgument
from jobsim.testing import (
    assert_enqueued_email_with,
    assert_enqueued_jobs,
    assert_enqueued_with,
    capture_emails,
    deliver_enqueued_emails,
    deliveries,
    enqueued_jobs,
    perform_enqueued_jobs,
    performed_jobs,
)


class NoticeMailer(Mailer):
    def notice(self, *args: object) -> None:
        self.mail(to="someone@example.com", subject="Notice")


class Ping(ActiveJob):
    def perform(self, n: int = 0) -> None:
        pass


class Fails(ActiveJob):
    def perform(self) -> None:
        raise KeyError("gone")


@pytest.fixture
def sim() -> Iterator[jobsim.Simulator]:
    with jobsim.Simulator(seed=1) as simulator:
        yield simulator


def _rails(sim: jobsim.Simulator, version: str) -> None:
    settings(sim).rails = version


@pytest.mark.parametrize("version", ["6.1", "7.0"])
def test_args_as_a_dict_are_the_params_before_7_1(sim: jobsim.Simulator, version: str) -> None:
    _rails(sim, version)
    NoticeMailer.with_(user="u1").notice().deliver_later()
    assert_enqueued_email_with(NoticeMailer, "notice", args={"user": "u1"})


def test_args_as_a_dict_warn_under_7_1(sim: jobsim.Simulator) -> None:
    _rails(sim, "7.1")
    NoticeMailer.with_(user="u1").notice().deliver_later()
    with pytest.warns(RailsDeprecationWarning, match="7.2 removes it"):
        assert_enqueued_email_with(NoticeMailer, "notice", args={"user": "u1"})


@pytest.mark.parametrize("version", ["7.2", "8.0"])
def test_args_as_a_dict_are_refused_from_7_2(sim: jobsim.Simulator, version: str) -> None:
    _rails(sim, version)
    NoticeMailer.with_(user="u1").notice().deliver_later()
    with pytest.raises(InvalidArgument, match=r"since Rails 7.2.*params=\{\.\.\.\}"):
        assert_enqueued_email_with(NoticeMailer, "notice", args={"user": "u1"})
    assert_enqueued_email_with(NoticeMailer, "notice", params={"user": "u1"})


@pytest.mark.parametrize("version", ["7.1", "7.2", "8.0"])
def test_args_as_a_function_from_7_1(sim: jobsim.Simulator, version: str) -> None:
    _rails(sim, version)
    NoticeMailer.notice(1, 2).deliver_later()
    assert_enqueued_email_with(NoticeMailer, "notice", args=lambda args: args == [1, 2])
    with pytest.raises(AssertionError):
        assert_enqueued_email_with(NoticeMailer, "notice", args=lambda args: args == [3])
    with pytest.raises(AssertionError):  # params must be equal too: none were given
        assert_enqueued_email_with(
            NoticeMailer, "notice", params={"x": 1}, args=lambda args: args == [1, 2]
        )


@pytest.mark.parametrize("version", ["7.1", "8.0"])
def test_params_as_a_function_from_7_1(sim: jobsim.Simulator, version: str) -> None:
    _rails(sim, version)
    NoticeMailer.with_(user="u1").notice(1).deliver_later()
    NoticeMailer.notice(2).deliver_later()
    assert_enqueued_email_with(
        NoticeMailer, "notice", params=lambda params: params == {"user": "u1"}, args=[1]
    )
    seen: list[object] = []

    def remember(params: object) -> bool:
        seen.append(params)
        return True

    assert_enqueued_email_with(NoticeMailer, "notice", params=remember, args=[2])
    assert None in seen  # a mail without params gives the function None, as Rails' nil
    with pytest.raises(AssertionError):  # args must be equal too
        assert_enqueued_email_with(NoticeMailer, "notice", params=lambda params: True, args=[3])
    with pytest.raises(AssertionError):
        assert_enqueued_email_with(NoticeMailer, "notice", params=lambda params: False, args=[1])


@pytest.mark.parametrize("version", ["7.1", "8.0"])
def test_a_parameterized_mailer_gives_the_params_from_7_1(
    sim: jobsim.Simulator, version: str
) -> None:
    _rails(sim, version)
    NoticeMailer.with_(user="u1").notice().deliver_later()
    assert_enqueued_email_with(NoticeMailer.with_(user="u1"), "notice")
    with pytest.raises(AssertionError):
        assert_enqueued_email_with(NoticeMailer.with_(user="u2"), "notice")
    with pytest.raises(InvalidArgument, match=r"in with_\(\) or params=, not both"):
        assert_enqueued_email_with(NoticeMailer.with_(user="u1"), "notice", params={"user": "u1"})


@pytest.mark.parametrize("version", ["6.1", "7.0"])
def test_params_function_and_parameterized_mailer_refused_before_7_1(
    sim: jobsim.Simulator, version: str
) -> None:
    _rails(sim, version)
    NoticeMailer.with_(user="u1").notice().deliver_later()
    with pytest.raises(InvalidArgument, match=r"params=<function>\) came with Rails 7\.1"):
        assert_enqueued_email_with(NoticeMailer, "notice", params=lambda params: True)
    with pytest.raises(InvalidArgument, match=r"with_\(user='u1'\).*came with Rails 7\.1"):
        assert_enqueued_email_with(NoticeMailer.with_(user="u1"), "notice")


@pytest.mark.parametrize("version", ["6.1", "7.0"])
def test_args_as_a_function_refused_before_7_1(sim: jobsim.Simulator, version: str) -> None:
    _rails(sim, version)
    NoticeMailer.notice(1, 2).deliver_later()
    with pytest.raises(InvalidArgument, match=r"came with Rails 7\.1"):
        assert_enqueued_email_with(NoticeMailer, "notice", args=lambda args: True)


@pytest.mark.parametrize("version", ["7.1", "8.0"])
def test_deliver_enqueued_emails_and_capture_emails(sim: jobsim.Simulator, version: str) -> None:
    _rails(sim, version)
    NoticeMailer.notice(1).deliver_later()
    Ping.perform_later()
    assert deliver_enqueued_emails() == 1
    assert len(deliveries()) == 1
    with capture_emails() as mails:
        NoticeMailer.notice(2).deliver_later()
        NoticeMailer.notice(3).deliver_now()
    assert [mail.subject for mail in mails] == ["Notice", "Notice"]
    assert [record.job_class for record in performed_jobs()].count("Ping") == 0


@pytest.mark.parametrize("version", ["6.1", "7.0"])
def test_mail_helpers_of_7_1_refused_before(sim: jobsim.Simulator, version: str) -> None:
    _rails(sim, version)
    with pytest.raises(InvalidArgument, match=r"came with Rails 7\.1"):
        deliver_enqueued_emails()
    with pytest.raises(InvalidArgument, match=r"came with Rails 7\.1"), capture_emails():
        pass


def test_priority_in_assert_enqueued_with_came_with_7_0(sim: jobsim.Simulator) -> None:
    Ping.set(priority=5).perform_later()
    _rails(sim, "6.1")
    with pytest.raises(InvalidArgument, match=r"priority= came with Rails 7.0"):
        assert_enqueued_with(job=Ping, priority=5)
    _rails(sim, "7.0")
    assert assert_enqueued_with(job=Ping, priority=5).priority == 5


# -- the two adapters ------------------------------------------------------------------------


def test_queue_adapter_must_be_known(sim: jobsim.Simulator) -> None:
    settings(sim).queue_adapter = "inline"
    with pytest.raises(InvalidArgument, match=r"'sidekiq'.*or 'test'"):
        enqueued_jobs()


def test_simulation_counts_performed_jobs_and_says_so(sim: jobsim.Simulator) -> None:
    Ping.perform_later()
    perform_enqueued_jobs()
    with pytest.raises(AssertionError, match=r"(?s)1 of the jobs enqueued were performed since"):
        assert_enqueued_jobs(0)
    assert len(enqueued_jobs()) == 1


def test_test_adapter_forgets_performed_jobs(sim: jobsim.Simulator) -> None:
    settings(sim).queue_adapter = "test"
    Ping.perform_later()
    perform_enqueued_jobs()
    assert_enqueued_jobs(0)
    assert enqueued_jobs() == []


def test_test_adapter_performs_future_jobs_and_simulation_does_not(sim: jobsim.Simulator) -> None:
    start = sim.time
    Ping.set(wait=timedelta(hours=1)).perform_later(1)
    assert perform_enqueued_jobs() == 0
    settings(sim).queue_adapter = "test"
    assert perform_enqueued_jobs() == 1
    assert sim.time == start  # performed an hour early: the clock did not move


def test_test_adapter_raises_a_jobs_error_and_simulation_retries_it(
    sim: jobsim.Simulator,
) -> None:
    Fails.perform_later()
    perform_enqueued_jobs()
    assert len(sim.retries) == 1
    settings(sim).queue_adapter = "test"
    Fails.perform_later()
    with pytest.raises(KeyError, match="gone"):
        perform_enqueued_jobs()
    assert len(sim.retries) == 1  # the test adapter's error is the test's, not Sidekiq's


def test_test_adapter_block_performs_as_enqueued(sim: jobsim.Simulator) -> None:
    settings(sim).queue_adapter = "test"
    with perform_enqueued_jobs.inside():
        Ping.perform_later(1)
        assert [record.args for record in performed_jobs()] == [[1]]
    assert settings(sim).perform_scopes == []
