"""sidekiq-scheduler's forms (rufus-scheduler semantics): cron, every, at, in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

import jobsim
from jobsim.cron.scheduler import SidekiqScheduler, parse_duration

START = datetime(2026, 1, 1, tzinfo=UTC)


class Sync(jobsim.Job):
    def perform(self, *args: Any) -> None: ...


def fired(schedule: dict[str, Any], period: timedelta) -> list[tuple[str, float]]:
    sim = jobsim.Simulator(start=START)
    sim.register(Sync)
    SidekiqScheduler(sim).load(schedule).start()
    sim.advance(period)
    return [
        (e.detail["name"], e.ts - START.timestamp()) for e in sim.trace.of_kind("cron_enqueued")
    ]


def test_every_fires_one_interval_after_start_then_every_interval() -> None:
    assert fired({"sync": {"every": "30m", "class": "Sync"}}, timedelta(hours=2)) == [
        ("sync", 1800.0), ("sync", 3600.0), ("sync", 5400.0), ("sync", 7200.0),
    ]  # fmt: skip


def test_every_with_first_in() -> None:
    schedule = {"sync": {"every": ["1h", {"first_in": "5m"}], "class": "Sync"}}
    assert [t for _, t in fired(schedule, timedelta(hours=3))] == [300.0, 3900.0, 7500.0]


def test_in_and_at_fire_once_and_at_in_the_past_never() -> None:
    schedule = {
        "later": {"in": "1h30m", "class": "Sync"},
        "noon": {"at": "2026-01-01T12:00:00Z", "class": "Sync"},
        "past": {"at": "2025-12-31T12:00:00Z", "class": "Sync"},
    }
    assert fired(schedule, timedelta(days=1)) == [("later", 5400.0), ("noon", 43200.0)]


def test_cron_fires_at_each_fire_time_exactly() -> None:
    schedule = {"hourly": {"cron": "0 * * * *", "class": "Sync", "args": ["x"], "queue": "low"}}
    assert [t for _, t in fired(schedule, timedelta(hours=3))] == [3600.0, 7200.0, 10800.0]


def test_durations_and_bad_entries() -> None:
    assert parse_duration("1h30m") == 5400
    assert parse_duration(90) == 90
    assert parse_duration("2d") == 172800
    with pytest.raises(jobsim.InvalidArgument, match="pass a duration"):
        parse_duration("soon")
    with pytest.raises(jobsim.InvalidArgument, match="exactly one of"):
        SidekiqScheduler(jobsim.Simulator()).load(
            {"x": {"class": "Sync", "every": "1m", "in": "1m"}}
        )
