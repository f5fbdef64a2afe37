"""``jobsim retries --activejob``: ``retry_on`` rows per Rails version, then Sidekiq's retry."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from typing import Any

import pytest

from jobsim.active_job import RAILS_VERSIONS, ActiveJob, settings
from jobsim.cli import main
from jobsim.errors import InvalidArgument
from jobsim.replay import active_job_schedule, parse_wait
from jobsim.retry import default_delay
from jobsim.simulator import Simulator

#: Rails' symbol backoff per version (rails/rails ``activejob/lib/active_job/exceptions.rb``), or
#: None where Rails
#: raises ``Couldn't determine a delay`` at the first failure.
POLY = {"6.1": None, "7.0": None, "7.1": "polynomially_longer", "7.2": "polynomially_longer",
        "8.0": "polynomially_longer"}  # fmt: skip
EXPO = {"6.1": "exponentially_longer", "7.0": "exponentially_longer",
        "7.1": "exponentially_longer", "7.2": None, "8.0": None}  # fmt: skip


def _json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, Any]:
    assert main(["retries", *argv, "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)  # type: ignore[no-any-return]


def _symbols(version: str) -> list[str]:
    return [form for form in (POLY[version], EXPO[version]) if form is not None]


@pytest.mark.parametrize("version", list(RAILS_VERSIONS))
def test_symbol_rows_follow_rails_formula(capsys: pytest.CaptureFixture[str], version: str) -> None:
    for wait in _symbols(version):
        data = _json(capsys, "--activejob", wait, "--rails", version, "--attempts", "6",
                     "--jitter-fraction", "0.2", "--seed", "7")  # fmt: skip
        rows = [row for row in data["rows"] if row["layer"] == "active_job"]
        assert [row["executions"] for row in rows] == [1, 2, 3, 4, 5]
        for row in rows:
            n = row["executions"]
            assert row["retry_count"] is None
            assert row["delay_min"] == n**4 + 2  # the +2 is never jittered
            assert row["delay_max"] == pytest.approx(n**4 * 1.2 + 2)
            assert row["delay_min"] <= row["delay"] < row["delay_max"]
        assert data["rails"] == version
        assert data["active_job_retries"] == 5


def test_seconds_and_durations_jitter_on_whole_seconds(capsys: pytest.CaptureFixture[str]) -> None:
    rows = _json(capsys, "--activejob", "30", "--attempts", "3", "--retry", "0")["rows"]
    assert [(row["delay_min"], row["delay_max"]) for row in rows] == [(30, 34.5)] * 2
    assert parse_wait("90") == 90
    assert parse_wait("2m") == timedelta(minutes=2)
    assert parse_wait(":polynomially_longer") == "polynomially_longer"
    assert parse_wait("1.5") == 1.5  # a Float, which Rails refuses at the first failure
    rows = _json(capsys, "--activejob", "1.5m", "--attempts", "2", "--jitter", "min")["rows"]
    assert rows[0]["delay"] == 90  # Duration#to_i


def test_attempts_then_sidekiq_25_retries(capsys: pytest.CaptureFixture[str]) -> None:
    data = _json(capsys, "--activejob", "polynomially_longer", "--attempts", "5")
    layers = [row["layer"] for row in data["rows"]]
    assert layers == ["active_job"] * 4 + ["sidekiq"] * 25
    assert [row["executions"] for row in data["rows"]] == list(range(1, 30))
    sidekiq = data["rows"][4:]
    assert [row["retry_count"] for row in sidekiq] == list(range(25))
    for row in sidekiq:  # Sidekiq 8's own formula after ActiveJob gave up
        count = row["retry_count"]
        assert row["delay_min"] == default_delay(count)
        assert row["delay_max"] == default_delay(count) + 10 * (count + 1) - 1
        assert row["delay_min"] <= row["delay"] <= row["delay_max"]
    assert data["executions"] == 5 + 25
    assert data["outcome"] == "dead"
    assert data["dies_at"] == data["rows"][-1]["at"]
    assert data["handed_to_sidekiq_at"] == data["rows"][3]["at"]  # the 5th run fails at once
    assert data["wrapper"] == "Sidekiq::ActiveJob::Wrapper"


def test_elapsed_adds_up_and_bounds_accumulate(capsys: pytest.CaptureFixture[str]) -> None:
    rows = _json(capsys, "--activejob", "exponentially_longer", "--rails", "7.0",
                 "--retry", "4", "--seed", "2")["rows"]  # fmt: skip
    elapsed = low = high = 0.0
    for row in rows:
        elapsed, low, high = elapsed + row["delay"], low + row["delay_min"], high + row["delay_max"]
        assert row["elapsed"] == pytest.approx(elapsed, abs=1e-5)
        assert (row["elapsed_min"], row["elapsed_max"]) == (pytest.approx(low), pytest.approx(high))


@pytest.mark.parametrize(("retry", "executions", "outcome"),
                         [("--no-retry", 3, "discarded"), ("2", 5, "dead")])  # fmt: skip
def test_the_wrapper_retry_option_sets_sidekiqs_part(
    capsys: pytest.CaptureFixture[str], retry: str, executions: int, outcome: str
) -> None:
    flag = ["--no-retry"] if retry == "--no-retry" else ["--retry", retry]
    data = _json(capsys, "--activejob", "10", "--attempts", "3", *flag)
    assert data["executions"] == executions
    assert data["outcome"] == outcome
    assert data["sidekiq_retries"] == executions - 3


def test_jitter_pins_both_layers(capsys: pytest.CaptureFixture[str]) -> None:
    low = _json(capsys, "--activejob", "polynomially_longer", "--jitter", "min", "--retry", "3")
    assert [row["delay"] for row in low["rows"]] == [row["delay_min"] for row in low["rows"]]
    high = _json(capsys, "--activejob", "polynomially_longer", "--jitter", "max", "--retry", "3")
    for row in high["rows"]:
        assert row["delay"] == pytest.approx(row["delay_max"])


def test_rows_are_what_a_simulator_with_the_seed_runs() -> None:
    class Sync(ActiveJob, rails="7.1"):
        def perform(self) -> None:
            raise TimeoutError("read timeout")

    Sync.retry_on(TimeoutError, wait="polynomially_longer", attempts=4)
    sim = Simulator(seed=9, profile="sidekiq-7")
    with sim:
        Sync.perform_later()
        sim.drain()
    waits = [event.wait for event in settings(sim).events if event.name == "enqueue_retry"]
    delays = [event.detail["delay"] for event in sim.trace.of_kind("retry_scheduled")]
    schedule = active_job_schedule("polynomially_longer", attempts=4, rails="7.1",
                                   profile="sidekiq-7", seed=9)  # fmt: skip
    assert [row["delay"] for row in schedule["rows"]] == [*waits, *delays]


@pytest.mark.parametrize("version", list(RAILS_VERSIONS))
def test_forms_a_version_lacks_are_refused_with_rails_message(
    capsys: pytest.CaptureFixture[str], version: str
) -> None:
    for wait in ("polynomially_longer", "exponentially_longer", "1.5"):
        status = main(["retries", "--activejob", wait, "--rails", version])
        err = capsys.readouterr().err
        if wait in _symbols(version):
            assert status == 0
            continue
        assert status == 2
        assert f"Couldn't determine a delay based on {':' + wait if '_' in wait else wait}" in err
        assert f"Rails {version}" in err


def test_exponentially_longer_on_7_1_notes_the_deprecation(
    capsys: pytest.CaptureFixture[str],
) -> None:
    data = _json(capsys, "--activejob", "exponentially_longer", "--rails", "7.1")
    assert any("deprecated in Rails 7.1" in note for note in data["notes"])
    assert data["rows"][0]["delay_min"] == 3


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--activejob", "soon"], "polynomially_longer or exponentially_longer"),
        (["--activejob", "5", "--attempts", "0"], "attempts=0"),
        (["--activejob", "5", "--jitter-fraction", "-1"], "jitter_fraction=-1"),
        (["--activejob", "5", "--samples", "3"], "does not combine with --samples"),
        (["--attempts", "3"], "give --activejob WAIT"),
    ],
)
def test_bad_input_exits_2(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    assert main(["retries", *argv]) == 2
    assert message in capsys.readouterr().err


def test_unknown_rails_version_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["retries", "--activejob", "5", "--rails", "5.2"]) == 2
    [line] = capsys.readouterr().err.splitlines()
    # argparse words the list of choices differently across Python versions.
    assert line.startswith("jobsim retries: argument --rails: invalid choice: '5.2' (choose")
    assert line.endswith(" (see jobsim retries --help)")
    with pytest.raises(InvalidArgument, match="did you mean"):
        active_job_schedule(5, rails="7.3")


def test_table_and_csv(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["retries", "--activejob", "polynomially_longer", "--retry", "2"]) == 0
    out = capsys.readouterr().out
    assert "wait: :polynomially_longer, attempts: 5" in out
    assert "active_job" in out
    assert "sidekiq" in out
    assert "3..3.15" in out
    assert "ActiveJob gives up at" in out
    assert "the error escapes to Sidekiq's retry (2 retries)" in out
    assert "7 executions" in out
    assert main(["retries", "--activejob", "20", "--attempts", "2", "--retry", "1",
                 "--format", "csv", "--seed", "4"]) == 0  # fmt: skip
    reader = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert list(reader[0])[:6] == ["executions", "layer", "retry_count", "delay", "delay_min",
                                   "delay_max"]  # fmt: skip
    assert [(row["layer"], row["retry_count"]) for row in reader] == [
        ("active_job", ""),
        ("sidekiq", "0"),
    ]
