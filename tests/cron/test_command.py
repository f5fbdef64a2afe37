"""``jobsim cron``: the command module, driven through its own argparse parser."""

from __future__ import annotations

import argparse
import json

import pytest

from jobsim.cron import command


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="jobsim")
    command.add_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["cron", *argv])
    result: int = args.run(args)
    return result


def test_json_lists_next_fire_times_in_utc(capsys: pytest.CaptureFixture[str]) -> None:
    code = run(
        [
            "0 9 * * *",
            "--tz",
            "America/New_York",
            "--after",
            "2024-03-09T00:00:00Z",
            "--count",
            "2",
            "--format",
            "json",
        ]
    )
    assert code == 0
    document = json.loads(capsys.readouterr().out)
    assert document == {
        "expression": "0 9 * * *",
        "timezone": "America/New_York",
        "dialect": "fugit",
        "next": ["2024-03-09T14:00:00Z", "2024-03-10T13:00:00Z"],
    }


def test_table_and_vixie(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        run(
            [
                "30 2 * * *",
                "--tz",
                "America/New_York",
                "--after",
                "2024-03-09T17:00:00Z",
                "--count",
                "1",
                "--dialect",
                "vixie",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "2024-03-10T03:00:00-04:00" in out
    assert "2024-03-10T07:00:00Z" in out


def test_bad_expression_points_at_the_problem(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["61 * * * *"]) == 2
    err = capsys.readouterr().err
    assert err == (
        "jobsim cron: cron expression '61 * * * *' at position 0: minute 61 is outside 0-59\n"
    )
