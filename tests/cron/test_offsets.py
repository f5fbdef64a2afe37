"""The offset table behind the fugit search: the wall clock it gives is zoneinfo's, everywhere."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from jobsim.cron._offsets import OffsetTable, civil

ZONES = (
    "America/New_York",
    "Europe/London",
    "Australia/Lord_Howe",
    "Africa/Casablanca",  # DST suspended for Ramadan: offset changes about a month apart
    "Asia/Kolkata",
    "UTC",
)


@pytest.mark.parametrize("name", ZONES)
def test_segments_give_zoneinfo_offsets_around_every_transition(name: str) -> None:
    zone = ZoneInfo(name)
    table = OffsetTable(zone)
    rng = random.Random(name)
    instants = [rng.randint(-2_500_000_000, 4_000_000_000) for _ in range(300)]
    for t in list(instants):
        _, start, end = table.segment(t)
        instants += [start - 1, start, end - 1, end]  # both sides of the transitions found
    for t in instants:
        offset, start, end = table.segment(t)
        assert start <= t < end
        expected = datetime.fromtimestamp(t, zone).utcoffset()
        assert expected is not None
        assert offset == expected // timedelta(seconds=1), (name, t)
        for probe in (start, end - 1):  # constant over the whole segment
            assert table.offset_at(probe) == offset


def test_a_fixed_offset_is_one_segment() -> None:
    table = OffsetTable(timezone(timedelta(hours=5, minutes=30)))
    offset, start, end = table.segment(0)
    assert offset == 19_800
    assert start < -(10**15)
    assert end > 10**15


def test_civil_dates() -> None:
    assert civil(0) == (1970, 1, 1, 4)  # a Thursday
    assert civil(-1) == (1969, 12, 31, 3)
    assert civil(20_454) == (2026, 1, 1, 4)
