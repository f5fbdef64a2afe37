"""jobsim.cron: parsing, fire times and DST behaviour (expected values from the reference)."""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import islice
from zoneinfo import ZoneInfo

import pytest

from jobsim.cron import Cron, CronNeverFires, CronSyntaxError
from jobsim.errors import InvalidArgument

NY = ZoneInfo("America/New_York")


def fires(expression: str, start: datetime, count: int = 3, **kw: object) -> list[str]:
    cron = Cron(expression, **kw)  # type: ignore[arg-type]
    return [t.isoformat() for t in cron.take(start, count)]


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("expression", "start", "expected"),
    [
        ("*/7 * * * *", utc(2024, 1, 1, 0, 50), ["00:56", "01:00", "01:07"]),
        ("15/30 * * * *", utc(2024, 1, 1), ["00:15", "00:45", "01:15"]),
        ("0 22-2 * * *", utc(2024, 1, 1, 12), ["22:00", "23:00", "00:00"]),
        ("*/30 * * * * *", utc(2024, 1, 1, 0, 0, 10), ["00:00:30", "00:01:00", "00:01:30"]),
        ("0 24 * * *", utc(2024, 1, 1, 12), ["00:00", "00:00", "00:00"]),
    ],
)
def test_times_of_day(expression: str, start: datetime, expected: list[str]) -> None:
    got = [
        t.split("T")[1][: len(e)] for t, e in zip(fires(expression, start), expected, strict=True)
    ]
    assert got == expected


@pytest.mark.parametrize(
    ("expression", "start", "days"),
    [
        ("0 0 29 2 *", utc(2023, 3, 1), ["2024-02-29", "2028-02-29", "2032-02-29"]),
        ("0 0 L * *", utc(2024, 2, 1), ["2024-02-29", "2024-03-31", "2024-04-30"]),
        ("0 12 * * mon#2", utc(2024, 2, 16, 12), ["2024-03-11", "2024-04-08", "2024-05-13"]),
        ("0 7 * * 5#-1", utc(2024, 1, 1), ["2024-01-26", "2024-02-23", "2024-03-29"]),
        ("30 4 1,15 * 5", utc(2024, 1, 1), ["2024-01-01", "2024-01-05", "2024-01-12"]),
        ("0 0 */2 * 1-5", utc(2022, 8, 9), ["2022-08-10", "2022-08-11", "2022-08-12"]),
        ("0 0 * * 5-1", utc(2024, 1, 2), ["2024-01-05", "2024-01-06", "2024-01-07"]),
        ("0 0 * 2 mon#5", utc(2020, 1, 1), ["2044-02-29", "2072-02-29", "2112-02-29"]),
        ("@weekly", utc(2024, 1, 1), ["2024-01-07", "2024-01-14", "2024-01-21"]),
        ("0 0 8-9 * 0#2", utc(2021, 1, 1), ["2021-01-08", "2021-01-09", "2021-01-10"]),
        # Fugit 1.5.2 keeps 1-31 restricted, so the OR rule makes it every day
        ("0 0 1-31 * 1", utc(2024, 1, 2), ["2024-01-03", "2024-01-04", "2024-01-05"]),
    ],
)
def test_days(expression: str, start: datetime, days: list[str]) -> None:
    assert [t[:10] for t in fires(expression, start)] == days


def test_trailing_zone_is_used_and_answers_come_in_the_callers_zone() -> None:
    cron = Cron("0 9 * * * America/New_York")
    assert cron.next_after(utc(2024, 1, 1)) == utc(2024, 1, 1, 14)
    assert cron.next_after(utc(2024, 7, 1)) == utc(2024, 7, 1, 13)
    assert cron.next_after(utc(2024, 7, 1)).tzinfo is UTC


def test_spring_forward_gap_is_skipped() -> None:
    got = fires("30 2 * * *", datetime(2024, 3, 9, 12, tzinfo=NY), 2, tz="America/New_York")
    assert got == ["2024-03-11T02:30:00-04:00", "2024-03-12T02:30:00-04:00"]


def test_fall_back_hour_fires_once_forward_but_previous_sees_both() -> None:
    cron = Cron("30 1 * * *", tz="America/New_York")
    forward = [t.isoformat() for t in cron.take(datetime(2024, 11, 2, 12, tzinfo=NY), 2)]
    assert forward == ["2024-11-03T01:30:00-04:00", "2024-11-04T01:30:00-05:00"]
    back = [t.isoformat() for t in islice(cron.iter_before(datetime(2024, 11, 4, tzinfo=NY)), 2)]
    assert back == ["2024-11-03T01:30:00-05:00", "2024-11-03T01:30:00-04:00"]


def test_previous_is_strictly_before_with_fugits_one_second_rule() -> None:
    cron = Cron("* * * * *")
    assert cron.previous_before(utc(2024, 1, 1, 12)) == utc(2024, 1, 1, 11, 59)
    assert cron.previous_before(utc(2024, 1, 1, 12, 0, 1)) == utc(2024, 1, 1, 12)


def test_next_is_strictly_after() -> None:
    assert Cron("0 12 * * *").next_after(utc(2024, 1, 1, 12)) == utc(2024, 1, 2, 12)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("every 5 minutes", "0,5,10,15,20,25,30,35,40,45,50,55 * * * *"),
        ("every day at noon", "0 12 * * *"),
        ("every weekday at 9:30", "30 9 * * 1,2,3,4,5"),
        ("every 15s", "0,15,30,45 * * * * *"),
    ],
)
def test_natural_language(text: str, expected: str) -> None:
    start = utc(2024, 1, 1, 0, 0, 1)
    assert Cron(text).take(start, 5) == Cron(expected).take(start, 5)


@pytest.mark.parametrize(
    ("expression", "position", "reason"),
    [
        ("61 * * * *", 0, "minute 61 is outside 0-59"),
        ("0 25 * * *", 2, "hour 25 is outside 0-24"),
        ("0 0 * 13 *", 6, "month 13 is outside 1-12"),
        ("0 0 31 2 *", None, "never fires"),
        ("* * *", 0, "expected 5 fields"),
        ("0 0 * * * Nowhere/Atlantis", 10, "unknown time zone"),
        ("@reboot", 0, "@reboot"),
    ],
)
def test_invalid_expressions_are_rejected_with_position_and_reason(
    expression: str, position: int | None, reason: str
) -> None:
    with pytest.raises(CronSyntaxError) as info:
        Cron(expression)
    assert info.value.position == position
    assert reason in info.value.reason
    assert isinstance(info.value, ValueError)
    assert isinstance(info.value, InvalidArgument)


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(InvalidArgument, match="naive"):
        Cron("* * * * *").next_after(datetime(2024, 1, 1))


def test_vixie_star_rule_and_gap_catch_up() -> None:
    start = datetime(2022, 8, 9, tzinfo=UTC)
    got = [t.date().isoformat() for t in Cron("0 0 */2 * 1-5", dialect="vixie").take(start, 3)]
    assert got == ["2022-08-11", "2022-08-15", "2022-08-17"]
    gap = Cron("30 2 * * *", tz="America/New_York", dialect="vixie")
    assert gap.next_after(datetime(2024, 3, 9, 12, tzinfo=NY)).isoformat() == (
        "2024-03-10T03:00:00-04:00"
    )


def test_vixie_rejects_what_debian_cron_rejects() -> None:
    for text in ("0 22-2 * * *", "15/30 * * * * * *", "0 24 * * *", "0 0 31 2 *"):
        with pytest.raises(CronSyntaxError):
            Cron(text, dialect="vixie")


@pytest.mark.parametrize("dialect", ["fugit", "vixie"])
@pytest.mark.parametrize(
    ("zone", "after"),
    [("UTC", "9999-12-31T09:00:00+00:00"), ("Pacific/Kiritimati", "9999-12-30T23:59:59+00:00")],
)
def test_a_search_past_the_year_9999_is_a_never_fires_error_naming_the_edge(
    dialect: str, zone: str, after: str
) -> None:
    cron = Cron("0 9 * * 1-5", tz=zone, dialect=dialect)
    with pytest.raises(CronNeverFires, match="ran off the calendar") as caught:
        cron.next_after(datetime.fromisoformat(after))
    assert "'0 9 * * 1-5'" in str(caught.value)


@pytest.mark.parametrize("dialect", ["fugit", "vixie"])
def test_a_search_before_the_year_1_is_a_never_fires_error(dialect: str) -> None:
    cron = Cron("0 9 * * 1-5", dialect=dialect)
    assert cron.previous_before(datetime(1, 1, 3, tzinfo=UTC)) == datetime(1, 1, 2, 9, tzinfo=UTC)
    with pytest.raises(CronNeverFires, match=r"no previous fire time .* before 0001-01-01T08"):
        cron.previous_before(datetime(1, 1, 1, 8, tzinfo=UTC))
