"""virtual_time(sim): the code under test reads the simulator's clock through freezegun."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta

import fakeredis
import pytest

import jobsim
from jobsim.testing import have_performed_job, performed_jobs, virtual_time

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
seen: list[tuple[str, float]] = []


class Stamp(jobsim.Job):
    def perform(self, label: str) -> None:
        seen.append((label, time.time()))


def test_now_follows_the_clock_through_every_move() -> None:
    sim = jobsim.Simulator(seed=1, start=START)
    with sim, virtual_time(sim) as bridge:
        assert bridge.active
        assert datetime.now(UTC) == START
        assert datetime.now() == START.replace(tzinfo=None)  # naive now is UTC, as in freezegun
        assert date.today() == START.date()
        assert time.time() == START.timestamp()
        sim.advance(90)
        assert datetime.now(UTC) == START + timedelta(seconds=90)
        seen.clear()
        Stamp.perform_in(3600, "later")
        sim.drain()  # jumps the clock to the job: the job sees its own run time
        assert seen == [("later", START.timestamp() + 90 + 3600)]
    assert datetime.now(UTC) != START + timedelta(seconds=3690)
    assert abs(time.time() - datetime.now(UTC).timestamp()) < 5  # the real clock again
    assert sim.clock.listeners == []


def test_the_bridge_starts_once_and_stops_idempotently() -> None:
    sim = jobsim.Simulator(seed=1, start=START)
    bridge = virtual_time(sim).start()
    try:
        with pytest.raises(jobsim.InvalidArgument, match="already started"):
            bridge.start()
        assert len(sim.clock.listeners) == 1
    finally:
        bridge.stop()
    bridge.stop()
    assert not bridge.active
    with pytest.raises(jobsim.InvalidArgument, match=r"pass a jobsim\.Simulator"):
        virtual_time("sim")  # type: ignore[arg-type]


class RateLimited(Exception):
    pass


redis = fakeredis.FakeRedis()


class SyncInvoice(jobsim.Job, retry=5):
    """Allows two calls a minute to a partner API, counted in Redis with a key that expires."""

    def retry_in(self, count: int, exc: Exception, job: dict[str, object]) -> float:
        return 30

    def perform(self, invoice: str) -> None:
        key = f"rate:{int(time.time()) // 60}"
        calls = redis.incr(key)
        redis.expire(key, 60)
        if calls > 2:
            raise RateLimited(f"{invoice}: call {calls} this minute")


def test_fakeredis_key_expiry_follows_virtual_time() -> None:
    redis.flushall()
    sim = jobsim.Simulator(seed=1, start=START)
    with sim, virtual_time(sim):
        redis.set("session", "x", ex=120)
        sim.advance(119)
        assert redis.get("session") == b"x"
        sim.advance(2)
        assert redis.get("session") is None
        for number in range(4):
            SyncInvoice.perform_async(f"INV-{number}")
        sim.drain()
    # On the real clock every execution falls in one minute, so only two could ever succeed.
    assert have_performed_job(SyncInvoice, sim=sim).succeeded().exactly(4)
    assert have_performed_job(SyncInvoice, sim=sim).failed(RateLimited).at_least(2)
    per_minute: dict[int, int] = {}
    for job in performed_jobs(sim):
        if job.outcome == "succeeded":
            minute = int(job.ts) // 60
            per_minute[minute] = per_minute.get(minute, 0) + 1
    assert list(per_minute.values()) == [2, 2]  # the limit held in each virtual minute
    assert sim.now < START + timedelta(minutes=10)  # minutes of retries, milliseconds of test
