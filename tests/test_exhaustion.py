"""Exhaustion, the dead set and death handlers (Sidekiq's lib/sidekiq/job_retry.rb and api.rb)."""

from __future__ import annotations

import base64
import json
import zlib
from typing import Any

import pytest

import jobsim
from tests.conftest import START, Boom, failing_job


def recording_job(
    calls: list[str], sim: jobsim.Simulator, *, result: Any = None, **opts: Any
) -> type:
    class Doomed(jobsim.Job, **opts):
        def perform(self) -> None:
            raise Boom("doomed")

        def retries_exhausted(self, job: dict[str, Any], exc: Exception) -> Any:
            calls.append(f"exhausted dead={len(sim.dead)} msg={job['error_message']}")
            if isinstance(result, Exception):
                raise result
            return result

    return Doomed


def test_order_is_exhausted_hook_then_dead_set_then_death_handlers(make_sim: Any) -> None:
    calls: list[str] = []
    sim = make_sim()
    sim.death_handlers.append(lambda job, exc: calls.append(f"death dead={len(sim.dead)}"))
    sim.death_handlers.append(lambda job, exc: calls.append(f"second {exc}"))
    sim.error_handlers.append(lambda exc, ctx: calls.append(f"error {ctx['context']}"))
    doomed = recording_job(calls, sim, retry=0)
    with sim:
        doomed.perform_async()
    sim.drain()
    assert calls == [
        "exhausted dead=0 msg=doomed",  # not in the dead set yet inside the hook
        "death dead=1",  # in it by the time death handlers run
        "second doomed",
        "error Job raised exception",  # error handlers run after all the bookkeeping
    ]


def test_a_raising_exhausted_hook_is_reported_and_the_job_still_dies(make_sim: Any) -> None:
    calls: list[str] = []
    sim = make_sim()
    sim.error_handlers.append(lambda exc, ctx: calls.append(f"error {ctx['context']}"))
    doomed = recording_job(calls, sim, retry=0, result=ValueError("hook bug"))
    with sim:
        doomed.perform_async()
    sim.drain()
    assert len(sim.dead) == 1
    assert calls[1:] == ["error Error calling retries_exhausted", "error Job raised exception"]


def test_a_raising_death_handler_does_not_stop_the_others(make_sim: Any) -> None:
    sim = make_sim()
    seen: list[str] = []

    def broken(job: dict[str, Any], exc: BaseException) -> None:
        raise RuntimeError("handler bug")

    sim.death_handlers.extend([broken, lambda job, exc: seen.append(job["jid"])])
    flaky = failing_job(retry=0)
    with sim:
        jid = flaky.perform_async()
    sim.drain()
    assert seen == [jid]
    (hook_error,) = sim.trace.of_kind("hook_error")
    assert hook_error.detail["context"] == "Error calling death handler"


@pytest.mark.parametrize("profile", ["sidekiq-6.4", "sidekiq-7", "sidekiq-8"])
def test_dead_false_skips_the_dead_set_but_not_the_death_handlers(
    make_sim: Any, profile: str
) -> None:
    sim = make_sim(profile=profile, start=START + 1)
    deaths: list[dict[str, Any]] = []
    sim.death_handlers.append(lambda job, exc: deaths.append(job))
    flaky = failing_job(retry=1, dead=False)
    with sim:
        jid = flaky.perform_async()
    sim.drain()
    assert len(sim.dead) == 0
    assert [job["jid"] for job in deaths] == [jid]
    assert ("discarded_at" in deaths[0]) is (profile == "sidekiq-8")
    assert sim.locate(jid) == "discarded"


@pytest.mark.parametrize(
    ("profile", "dead", "death_handlers"),
    [("sidekiq-6.4", 1, 1), ("sidekiq-7", 0, 0), ("sidekiq-8", 0, 1)],
)
def test_exhausted_hook_returning_discard(
    make_sim: Any, profile: str, dead: int, death_handlers: int
) -> None:
    calls: list[str] = []
    sim = make_sim(profile=profile)
    deaths: list[Any] = []
    sim.death_handlers.append(lambda job, exc: deaths.append(job))
    doomed = recording_job(calls, sim, retry=0, result="discard")
    with sim:
        doomed.perform_async()
    sim.drain()
    assert (len(sim.dead), len(deaths)) == (dead, death_handlers)


def test_error_message_keeps_the_first_10000_characters(make_sim: Any) -> None:
    class Loud(jobsim.Job, retry=0):
        def perform(self) -> None:
            raise ValueError("x" * 12_000)

    sim = make_sim()
    with sim:
        Loud.perform_async()
    sim.drain()
    assert len(sim.dead.jobs[0]["error_message"]) == 10_000


def test_invalid_code_points_in_messages_become_replacement_characters(make_sim: Any) -> None:
    class Zany(jobsim.Job, retry=0):
        def perform(self) -> None:
            raise ValueError("kerblammo! \udcc3")

    sim = make_sim()
    with sim:
        Zany.perform_async()
    sim.drain()
    assert sim.dead.jobs[0]["error_message"] == "kerblammo! \ufffd"


def decode_backtrace(text: str) -> list[str]:
    lines: list[str] = json.loads(zlib.decompress(base64.b64decode(text)))
    return lines


@pytest.mark.parametrize(("option", "expected"), [(True, None), (1, 1), (2, 2)])
def test_backtrace_option_stores_compressed_lines(
    make_sim: Any, option: Any, expected: int | None
) -> None:
    class Deep(jobsim.Job, retry=0, backtrace=option):
        def perform(self) -> None:
            self.inner()

        def inner(self) -> None:
            raise ValueError("deep")

    sim = make_sim(profile="sidekiq-7")
    with sim:
        Deep.perform_async()
    sim.drain()
    lines = decode_backtrace(sim.dead.jobs[0]["error_backtrace"])
    if expected is None:  # True keeps every frame, down to jobsim's processor
        assert len(lines) >= 3
        assert "jobsim/processor.py" in lines[-1]
    else:
        assert len(lines) == expected
    assert lines[0].endswith(":in `inner'")  # innermost frame first, as Ruby lists them
    if len(lines) > 1:
        assert lines[1].endswith(":in `perform'")


def test_backtrace_base64_wraps_at_60_columns_in_6_x_only(make_sim: Any) -> None:
    encoded = {}
    for profile in ("sidekiq-6.4", "sidekiq-8"):
        sim = make_sim(profile=profile)

        class Deep(jobsim.Job, retry=0, backtrace=True):
            def perform(self) -> None:
                raise ValueError("deep" * 50)

        with sim:
            Deep.perform_async()
        sim.drain()
        encoded[profile] = sim.dead.jobs[0]["error_backtrace"]
    assert all(len(line) <= 60 for line in encoded["sidekiq-6.4"].splitlines())
    assert encoded["sidekiq-6.4"].endswith("\n")
    assert "\n" not in encoded["sidekiq-8"]
    assert decode_backtrace(encoded["sidekiq-6.4"]) == decode_backtrace(encoded["sidekiq-8"])


def test_no_backtrace_by_default(make_sim: Any) -> None:
    sim = make_sim()
    flaky = failing_job(retry=0)
    with sim:
        flaky.perform_async()
    sim.drain()
    assert "error_backtrace" not in sim.dead.jobs[0]


# -- the dead set ----------------------------------------------------------------------------


def test_dead_set_keeps_max_jobs_minus_one(make_sim: Any) -> None:
    sim = make_sim(dead_max_jobs=3)
    flaky = failing_job(retry=0)
    with sim:
        jids = [flaky.perform_async(i) for i in range(5)]
    sim.drain()
    assert [job["jid"] for job in sim.dead.jobs] == [jids[4], jids[3]]
    trimmed = [e.jid for e in sim.trace.of_kind("discarded")]
    assert trimmed == jids[:3]
    assert all(sim.locate(jid) == "discarded" for jid in jids[:3])


def test_dead_set_timeout_bound_is_inclusive(make_sim: Any) -> None:
    sim = make_sim(dead_timeout=100)
    flaky = failing_job(retry=0)
    with sim:
        old = flaky.perform_async()
        flaky.perform_in(100, 2)  # dies exactly `timeout` after the first
    sim.drain()
    assert sim.locate(old) == "discarded"


def test_dead_set_keeps_entries_younger_than_the_timeout(make_sim: Any) -> None:
    sim = make_sim(dead_timeout=100)
    flaky = failing_job(retry=0)
    with sim:
        old = flaky.perform_async()
        flaky.perform_in(99, 2)
    sim.drain()
    assert sim.locate(old) == "dead"


def test_dead_set_drops_entries_older_than_the_timeout_on_insert(make_sim: Any) -> None:
    sim = make_sim(dead_timeout=100)
    flaky = failing_job(retry=0)
    with sim:
        old = flaky.perform_async()
        flaky.perform_in(150, 2)
    sim.drain()
    assert [job["jid"] for job in sim.dead.jobs] != [old]
    assert len(sim.dead) == 1
    assert sim.locate(old) == "discarded"


def test_manual_retry_from_the_dead_set_gives_exactly_one_more_attempt(make_sim: Any) -> None:
    sim = make_sim()
    flaky = failing_job(retry=2)
    with sim:
        jid = flaky.perform_async()
    sim.drain()
    assert sim.dead.jobs[0]["retry_count"] == 2
    sim.dead.retry(jid)
    assert sim.queue().jobs[0]["retry_count"] == 1
    sim.drain()
    assert len(flaky.calls) == 4  # type: ignore[attr-defined]
    assert sim.dead.jobs[0]["retry_count"] == 2


def test_killing_a_retry_notifies_death_handlers_with_killed_by_api(make_sim: Any) -> None:
    sim = make_sim()
    seen: list[str] = []
    sim.death_handlers.append(lambda job, exc: seen.append(str(exc)))
    flaky = failing_job()
    with sim:
        jid = flaky.perform_async()
    sim.perform_one()
    sim.retries.kill(jid)
    assert seen == ["Job killed by API"]
    assert sim.locate(jid) == "dead"


@pytest.mark.parametrize(("profile", "notified"), [("sidekiq-6.4", 2), ("sidekiq-8", 0)])
def test_kill_all_notifies_only_before_7_3_5(make_sim: Any, profile: str, notified: int) -> None:
    sim = make_sim(profile=profile)
    seen: list[str] = []
    sim.death_handlers.append(lambda job, exc: seen.append(job["jid"]))
    flaky = failing_job()
    with sim:
        flaky.perform_async()
        flaky.perform_async()
    sim.run_due()
    assert sim.retries.kill_all() == 2
    assert (len(seen), len(sim.dead)) == (notified, 2)


@pytest.mark.parametrize(("profile", "first"), [("sidekiq-6.4", "early"), ("sidekiq-7", "late")])
def test_retry_all_order_per_profile(make_sim: Any, profile: str, first: str) -> None:
    sim = make_sim(profile=profile, jitter="min")
    flaky = failing_job(retry=3)
    with sim:
        early = flaky.perform_async("early")
    sim.perform_one()
    sim.advance(15)  # early fails again: count 1, due later than late's first retry
    with sim:
        late = flaky.perform_async("late")
    sim.perform_one()
    by_score = [entry.jid for entry in sim.retries]  # highest score first
    assert by_score == [early, late]
    sim.retries.retry_all()
    order = [job["args"][0] for job in sim.queue().jobs]
    assert order[0] == first
    assert {early, late} == {job["jid"] for job in sim.queue().jobs}


def test_deleting_from_a_set_is_recorded(make_sim: Any) -> None:
    sim = make_sim()
    flaky = failing_job()
    with sim:
        jid = flaky.perform_async()
    sim.perform_one()
    sim.retries.delete(jid)
    assert sim.locate(jid) == "discarded"
    with pytest.raises(jobsim.InvalidArgument, match="no job with jid"):
        sim.retries.delete(jid)
