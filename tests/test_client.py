"""Enqueueing: payloads, scheduling and strict arguments (Sidekiq's lib/sidekiq/client.rb and
job_util.rb)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

import jobsim
from tests.conftest import START


class Mail(jobsim.Job, queue="mailers", retry=3, tags=["mail"]):
    def perform(self, *args: Any) -> None:
        self.seen = args


# -- the job hash ------------------------------------------------------------------------


def test_payload_has_sidekiqs_keys_in_sidekiqs_order(make_sim: Any) -> None:
    sim = make_sim(profile="sidekiq-6.4")
    with sim:
        Mail.perform_async(1, "x")
    (job,) = sim.queue("mailers").jobs
    assert list(job) == [
        "retry", "queue", "tags", "args", "class", "jid", "created_at", "enqueued_at",
    ]  # fmt: skip
    assert job["class"] == "Mail"
    assert job["args"] == [1, "x"]
    assert re.fullmatch(r"[0-9a-f]{24}", job["jid"])
    assert job["created_at"] == job["enqueued_at"] == START


def test_default_options_are_retry_true_and_queue_default(make_sim: Any) -> None:
    @jobsim.job
    def plain(n: int) -> None: ...

    sim = make_sim()
    with sim:
        plain.perform_async(1)
    job = sim.queue("default").jobs[0]
    assert (job["retry"], job["queue"], job["class"]) == (True, "default", "plain")


def test_function_jobs_run_the_function_with_the_arguments(make_sim: Any) -> None:
    seen: list[tuple[int, str]] = []

    @jobsim.job(queue="low", retry=0)
    def greet(n: int, name: str) -> None:
        seen.append((n, name))

    sim = make_sim()
    with sim:
        greet.perform_async(1, "ada")
    sim.drain()
    assert seen == [(1, "ada")]
    assert greet.sidekiq_options == {"retry": 0, "queue": "low"}


def test_subclasses_inherit_and_override_options() -> None:
    class Base(jobsim.Job, queue="billing", retry=5):
        pass

    class Child(Base, retry=1):
        pass

    assert Child.sidekiq_options == {"retry": 1, "queue": "billing"}
    assert Base.sidekiq_options == {"retry": 5, "queue": "billing"}


def test_jids_come_from_the_seed(make_sim: Any) -> None:
    def jids(seed: int) -> list[str | None]:
        sim = make_sim(seed=seed)
        with sim:
            return [Mail.perform_async(i) for i in range(3)]

    assert jids(5) == jids(5)
    assert jids(5) != jids(6)
    assert len(set(jids(5))) == 3


def test_arguments_are_json_round_tripped_copies(make_sim: Any) -> None:
    sim = make_sim()
    payload = {"items": [1, 2]}
    with sim:
        Mail.perform_async(payload)
    payload["items"].append(3)
    assert sim.queue("mailers").jobs[0]["args"] == [{"items": [1, 2]}]


def test_perform_bulk_returns_one_jid_per_job(make_sim: Any) -> None:
    sim = make_sim()
    with sim:
        jids = Mail.perform_bulk([[1], [2], [3]])
    assert [job["jid"] for job in sim.queue("mailers").jobs] == jids


def test_set_chains_and_later_values_win(make_sim: Any) -> None:
    sim = make_sim()
    with sim:
        Mail.set(queue="a").set(queue="b", retry=False).perform_async()
    job = sim.queue("b").jobs[0]
    assert (job["queue"], job["retry"]) == ("b", False)


# -- scheduling ----------------------------------------------------------------------------


def test_perform_in_schedules_without_at_or_enqueued_at(make_sim: Any) -> None:
    sim = make_sim(profile="sidekiq-7")
    with sim:
        jid = Mail.perform_in(600, 1)
    (entry,) = list(sim.scheduled)
    assert entry.score == START + 600
    assert "at" not in entry.job
    assert "enqueued_at" not in entry.job
    assert entry.job["created_at"] == START
    sim.advance(599)
    assert sim.locate(jid) == "schedule"
    sim.advance(1)
    assert sim.locate(jid) == "done"


@pytest.mark.parametrize("interval", [-300, 0, timedelta(seconds=-1)])
def test_a_time_not_in_the_future_enqueues_now(make_sim: Any, interval: Any) -> None:
    sim = make_sim()
    with sim:
        Mail.perform_in(interval)
    assert len(sim.scheduled) == 0
    assert sim.queue("mailers").size == 1


def test_numbers_from_one_billion_are_absolute_epochs(make_sim: Any) -> None:
    sim = make_sim()
    with sim:
        Mail.perform_in(START + 60)
        Mail.perform_in(1_000_000_000)  # long past: enqueued now
    assert [entry.score for entry in sim.scheduled] == [START + 60]
    assert sim.queue("mailers").size == 1


def test_perform_at_with_a_small_number_is_relative_like_sidekiqs_alias(make_sim: Any) -> None:
    sim = make_sim()
    with sim:
        Mail.perform_at(10)
    assert [entry.score for entry in sim.scheduled] == [START + 10]


def test_perform_at_takes_aware_datetimes(make_sim: Any) -> None:
    sim = make_sim()
    when = datetime(2026, 1, 2, 9, 30, tzinfo=UTC)
    with sim:
        Mail.perform_at(when)
    assert next(iter(sim.scheduled)).at == when


def test_set_wait_and_wait_until(make_sim: Any) -> None:
    sim = make_sim()
    with sim:
        Mail.set(wait=timedelta(minutes=5)).perform_async(1)
        Mail.set(wait_until=datetime(2026, 1, 1, 1, tzinfo=UTC)).perform_async(2)
    assert sorted(entry.score for entry in sim.scheduled) == [START + 300, START + 3600]


def test_push_takes_at_verbatim_even_in_the_past(make_sim: Any) -> None:
    sim = make_sim()
    sim.register(Mail)
    jid = sim.push({"class": "Mail", "args": [1], "at": START - 50})
    assert sim.locate(jid) == "schedule"  # Client.push does not apply perform_in's rule
    sim.run_due()
    assert sim.locate(jid) == "done"


def test_scheduled_jobs_keep_their_order_at_equal_times(make_sim: Any) -> None:
    sim = make_sim()
    with sim:
        jids = [Mail.perform_in(60, i) for i in range(5)]
    sim.drain()
    assert [e.jid for e in sim.trace.of_kind("started")] == jids


# -- strict arguments -----------------------------------------------------------------------


@pytest.mark.parametrize("profile", ["sidekiq-7", "sidekiq-8"])
def test_7_and_later_refuse_non_json_arguments_naming_the_path(make_sim: Any, profile: str) -> None:
    sim = make_sim(profile=profile)
    when = datetime(2026, 1, 1, tzinfo=UTC)
    with sim, pytest.raises(jobsim.InvalidPayload) as caught:
        Mail.perform_async(1, {"when": when})
    text = str(caught.value)
    assert "Job arguments to Mail must be native JSON types" in text
    assert "args[1]['when']" in text
    assert "pass when.isoformat()" in text
    assert sim.stats.enqueued == 0  # nothing half-pushed


def test_6_4_warns_and_stores_the_value_as_text(make_sim: Any) -> None:
    sim = make_sim(profile="sidekiq-6.4")
    with sim, pytest.warns(jobsim.JobsimWarning, match=r"args\[0\] is \(1, 2\)"):
        Mail.perform_async((1, 2), datetime(2026, 1, 1, tzinfo=UTC))
    assert sim.queue("mailers").jobs[0]["args"] == [[1, 2], "2026-01-01 00:00:00+00:00"]


def test_strict_args_false_converts_silently(make_sim: Any) -> None:
    sim = make_sim(profile="sidekiq-8", strict_args=False)
    with sim:
        Mail.perform_async({1: "one"})
    assert sim.queue("mailers").jobs[0]["args"] == [{"1": "one"}]


@pytest.mark.parametrize("profile", ["sidekiq-6.4", "sidekiq-8"])
def test_nan_is_refused_by_every_profile(make_sim: Any, profile: str) -> None:
    sim = make_sim(profile=profile)
    with sim, pytest.raises(jobsim.InvalidPayload, match="JSON has no NaN"):
        Mail.perform_async(float("nan"))


def test_performed_arguments_are_what_json_gives_back(make_sim: Any) -> None:
    got: list[Any] = []

    class Keep(jobsim.Job):
        def perform(self, *args: Any) -> None:
            got.append(args)

    sim = make_sim()
    with sim:
        Keep.perform_async(1, 2.5, "s", None, True, [1, {"a": [2]}])
    sim.drain()
    assert got == [(1, 2.5, "s", None, True, [1, {"a": [2]}])]


def test_the_poller_gives_a_hash_without_retry_or_queue_sidekiqs_defaults() -> None:
    # Scheduled::Enq pushes the parsed member by class name, so Client#push merges it into
    # {"retry" => true, "queue" => "default"}: the defaults come first, and fill what's missing.
    sim = jobsim.Simulator(start=START)
    sim._restore.entry("schedule", START + 5, {"class": "Gone", "args": [], "jid": "a" * 24})
    sim.advance(5)
    (enqueued,) = sim.trace.of_kind("enqueued")
    job = enqueued.job
    assert list(job)[:3] == ["retry", "queue", "class"]
    assert (job["retry"], job["queue"]) == (True, "default")
