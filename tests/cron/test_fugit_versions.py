"""Fugit versions, phrases, ``jobsim.cron.fugit`` and the value side of ``Cron``.

The upstream suites are in ``tests/conformance`` (checked against the real Fugit 1.5.2); these
tests pin jobsim's own surface: argument checking, error messages, the CLI comparison, and
the pieces the upstream tables do not reach.
"""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from jobsim.cron import DIALECTS, Cron, CronSyntaxError, command
from jobsim.cron.fugit import (
    FugitDuration,
    determine_type,
    do_parse,
    do_parse_nat,
    parse,
    parse_cron,
    parse_duration,
    parse_nat,
)
from jobsim.errors import InvalidArgument

NOW = datetime(2026, 1, 5, 12, tzinfo=UTC)


def test_dialects_are_the_fugit_versions_and_vixie() -> None:
    assert DIALECTS == ("fugit", "fugit-1.5", "fugit-1.11", "vixie")
    assert Cron("0 9 * * *", dialect="fugit-1.5") == Cron("0 9 * * *")
    with pytest.raises(InvalidArgument, match=r"'fugit-1\.11'"):
        Cron("0 9 * * *", dialect="fugit-2")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("phrase", "old", "new"),
    [
        ("every day at 5:00pm", "0 5 * * *", "0 17 * * *"),
        ("every day at 12am", "0 12 * * *", "0 0 * * *"),
        ("every 4M", "0 0 1 */4 *", "0 0 1 */4 *"),
        ("every weekday 8am to 5pm on the minute", "* 8-16 * * 1-5", "* 8-16 * * 1-5"),
    ],
)
def test_each_version_reads_a_phrase_its_way(phrase: str, old: str, new: str) -> None:
    assert Cron(phrase).source == old
    assert Cron(phrase, dialect="fugit-1.11").source == new


def test_a_phrase_fugit_raises_on_is_refused_with_rubys_error() -> None:
    with pytest.raises(CronSyntaxError, match="raises ArgumentError: comparison of Integer"):
        Cron("every month on the 1st and last at noon")
    assert Cron("every month on the 1st and last at noon", dialect="fugit-1.11").source == (
        "0 12 1,L * *"
    )
    with pytest.raises(CronSyntaxError, match="minutes diverge"):
        Cron("every day from 8:30 to 17:00")


def test_a_phrase_whose_cron_fugit_rejects_says_which_cron() -> None:
    with pytest.raises(CronSyntaxError, match=r"reads this phrase as '\*/100 \* \* \* \*'"):
        Cron("every 100 minutes")


def test_multi_and_strict() -> None:
    both = parse_nat("every day at 18:15 and 20:45", multi=True)
    assert isinstance(both, list)
    assert [c.source for c in both if c is not None] == ["15 18 * * *", "45 20 * * *"]
    with pytest.raises(CronSyntaxError, match="multiple crons in"):
        parse_nat("every day at 18:15 and 20:45", multi="fail")
    assert parse_nat("every 17 hours", dialect="fugit-1.11", strict=True) is None
    # as upstream's code reads: a number where restrict() calls String#match raises
    with pytest.raises(CronSyntaxError, match="NoMethodError"):
        parse_nat("every day at 5:30", dialect="fugit-1.11", strict=True)
    assert parse_nat(42) is None
    with pytest.raises(CronSyntaxError, match="could not parse a nat"):
        do_parse_nat("nada")
    with pytest.raises(CronSyntaxError, match=r"too long .+ 300 > 256"):
        do_parse_nat("a" * 300, dialect="fugit-1.11")


def test_parse_dispatches_like_fugit() -> None:
    assert isinstance(parse("* * * * 1"), Cron)
    duration = parse("1Y3M2d")
    assert isinstance(duration, FugitDuration)
    assert duration.to_plain_s() == "1Y3M2D"
    when = parse("2024-03-10 09:00 Europe/Paris")
    assert isinstance(when, datetime)
    assert when.utcoffset() == timedelta(hours=1)
    offset = parse("2024-03-10 09:00 +05:30")
    assert isinstance(offset, datetime)
    assert offset.utcoffset() == timedelta(hours=5, minutes=30)
    assert parse("2024-01-01", tz=ZoneInfo("Asia/Tokyo")) == datetime(
        2024, 1, 1, tzinfo=ZoneInfo("Asia/Tokyo")
    )
    assert parse("every day at noon", nat=False) is None
    assert [determine_type(t) for t in ("* * * * *", "1s", "2017-01-01", "nada")] == [
        "cron",
        "in",
        "at",
        None,
    ]
    with pytest.raises(CronSyntaxError, match="found no time information"):
        do_parse("I have a pen")
    with pytest.raises(InvalidArgument, match="dialect="):
        parse("* * * * *", dialect="vixie")


def test_durations() -> None:
    iso = parse_duration("P1DT2H")
    assert iso is not None
    assert iso.to_plain_s() == "1D2h"
    assert iso.seconds == 93_600
    signed = parse_duration("1h -30m")
    assert signed is not None
    assert signed.to_plain_s() == "1h-30m"
    assert parse_duration(90) is not None
    assert parse_duration(True) is None
    assert parse_duration("soon") is None


def test_value_methods() -> None:
    cron = Cron("0 9 * * 1-5 Europe/Paris")
    assert cron.to_cron_s() == "0 9 * * 1,2,3,4,5 Europe/Paris"
    assert str(cron) == "0 9 * * 1-5 Europe/Paris"
    assert cron == Cron("0 9 * * mon-fri")  # Fugit's == compares the sets only
    assert len({cron, Cron("0 9 * * mon-fri"), Cron("0 9 * * *")}) == 2
    assert cron != "0 9 * * 1-5"
    assert cron.matches(datetime(2026, 1, 5, 8, tzinfo=UTC))  # 09:00 in Paris
    assert not cron.matches(datetime(2026, 1, 5, 9, tzinfo=UTC))
    assert Cron("0 0 * * *") != Cron("0 0 * * *", dialect="fugit-1.11")  # other rules


def test_frequencies() -> None:
    assert Cron("*/15 * * * *").rough_frequency() == 900
    with pytest.raises(InvalidArgument, match="brute_frequency"):
        Cron("0 0 * * sun%2").rough_frequency()
    frequency = Cron("0 0 * * sun%2").brute_frequency()
    assert (frequency.delta_min, frequency.delta_max) == (14 * 86_400, 14 * 86_400)


def test_the_vixie_dialect_has_no_fugit_sets() -> None:
    vixie = Cron("0 9 * * 1-5", dialect="vixie")
    assert vixie.matches(datetime(2026, 1, 5, 9, tzinfo=UTC))
    assert not vixie.matches(datetime(2026, 1, 5, 9, 0, 1, tzinfo=UTC))
    assert vixie == Cron("0  9 * * 1-5", dialect="vixie")
    with pytest.raises(InvalidArgument, match="vixie dialect"):
        vixie.to_cron_s()
    with pytest.raises(InvalidArgument, match="vixie dialect"):
        vixie.brute_frequency()


def test_tilde_picks_once_and_deterministically() -> None:
    first = Cron("~ 3 * * *", dialect="fugit-1.11")
    assert first.to_cron_s() == Cron("~ 3 * * *", dialect="fugit-1.11").to_cron_s()
    assert Cron("10~20 3 * * *", dialect="fugit-1.11", random=False).to_cron_s() == "10 3 * * *"
    assert Cron("~ 3 * * *", dialect="fugit-1.11", random=lambda n: n - 1).to_cron_s() == (
        "59 3 * * *"
    )
    with pytest.raises(CronSyntaxError):
        Cron("~ 3 * * *")  # Fugit 1.5 has no ~


def test_modern_rules_change_fire_times() -> None:
    both_days = Cron("0 0 1-7 * 1&", dialect="fugit-1.11")
    assert [t.date().isoformat() for t in both_days.take(NOW, 2)] == ["2026-02-02", "2026-03-02"]
    hours = Cron("0 8/1 * * *", dialect="fugit-1.11")
    assert hours.fields.hours == tuple(range(8, 24))
    assert Cron("0 8/1 * * *").fields.hours == (8,)
    assert Cron("@daily America/New_York", dialect="fugit-1.11").to_cron_s() == (
        "0 0 * * * America/New_York"
    )


def _run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="jobsim")
    command.add_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["cron", *argv])
    result: int = args.run(args)
    return result


def test_compare_versions(capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(["every day at 5:00pm", "--compare-versions", "--count", "1"]) == 1
    out = capsys.readouterr().out
    assert "fugit-1.5   0 5 * * *" in out
    assert "* 1                    2026-01-01T05:00:00Z   2026-01-01T17:00:00Z" in out
    assert _run(["0 0 * * *", "--compare-versions", "--format", "json", "--count", "1"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["same"] is True
    assert document["versions"]["fugit-1.11"] == {
        "cron": "0 0 * * *",
        "next": ["2026-01-02T00:00:00Z"],
    }
    assert _run(["0 0 1-7 * 1&", "--compare-versions", "--format", "json"]) == 1
    refused = json.loads(capsys.readouterr().out)["versions"]["fugit-1.5"]
    assert "unexpected '&'" in refused["error"]
    assert _run(["* * * * *", "--compare-versions", "--after", "soon"]) == 2
    assert _run(["* * * * *", "--dialect", "fugit-1.11", "--count", "1"]) == 0


def test_zone_arguments_still_apply_to_phrases() -> None:
    cron = Cron("every day at noon", tz=timezone(timedelta(hours=9)))
    assert cron.next_after(NOW).astimezone(UTC) == datetime(2026, 1, 6, 3, tzinfo=UTC)
    assert parse_cron("0 0 31 2 *") is None  # never fires: Fugit's nil
    assert parse_cron(["* * * * *"]) is None
