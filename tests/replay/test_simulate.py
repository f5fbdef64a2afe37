"""``jobsim simulate``: scenarios, the summary, the trace export, determinism, model helpers."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from jobsim.cli import main
from jobsim.errors import InvalidArgument
from jobsim.replay import run_scenario

ROOT = Path(__file__).resolve().parents[2]
SHOP = ROOT / "examples" / "shop"

SMALL = """
from datetime import timedelta
import jobsim
from jobsim.replay.model import fails, rate_limited, takes

STEP = timedelta(minutes=10)

class Flaky(jobsim.Job, queue="critical", retry=2):
    duration = takes(2, 5)

    @fails(0.5, TimeoutError, "upstream timed out")
    def perform(self, n):
        return None

class Limited(jobsim.Job, retry=1):
    @rate_limited(2, 60, RuntimeError, "429")
    def perform(self, n):
        return None

def tick(ctx):
    for n in range(5):
        Flaky.perform_in(ctx.rng.uniform(0, 600), n)
        Limited.perform_async(n)
"""


@pytest.fixture
def scenario(tmp_path: Path) -> Path:
    (tmp_path / "jobs.py").write_text(textwrap.dedent(SMALL))
    (tmp_path / "sidekiq.yml").write_text(":concurrency: 2\n:queues:\n  - critical\n  - default\n")
    return tmp_path


def test_summary_counts_per_class(scenario: Path) -> None:
    run = run_scenario(scenario, seed=3, period=6 * 3600)
    summary = run.summary
    classes = {row["class"]: row for row in summary["classes"]}
    flaky, limited = classes["Flaky"], classes["Limited"]
    assert flaky["processed"] == flaky["succeeded"] + flaky["failed"]
    assert 0.3 < flaky["failed"] / flaky["processed"] < 0.7  # fails(0.5)
    assert flaky["failed"] == flaky["retried"] + flaky["dead"]
    assert limited["failed"] > 0  # five at once against two a minute
    assert summary["concurrency"] == 2
    assert [row["queue"] for row in summary["latency"]] == ["critical", "default"]
    assert summary["top_errors"][0]["error_class"] in ("TimeoutError", "RuntimeError")
    assert len(summary["dead"]) == summary["pending"]["dead"]
    assert len(run.samples) == 36  # one per 10-minute step
    assert summary["cron"] == "no schedule.yml"


def test_same_seed_same_trace_other_seed_differs(scenario: Path) -> None:
    def kinds(seed: int) -> list[tuple[str, float, str]]:
        run = run_scenario(scenario, seed=seed, period=3 * 3600)
        return [(event.kind, event.ts, event.jid) for event in run.sim.trace]

    first = kinds(1)
    assert first == kinds(1)
    assert first != kinds(2)


def test_cli_summary_trace_and_json(
    scenario: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    trace = tmp_path / "trace.jsonl"
    assert main(["simulate", str(scenario), "--for", "2h", "--seed", "1",
                 "--trace", str(trace)]) == 0  # fmt: skip
    captured = capsys.readouterr()
    assert "per job class" in captured.out
    assert "queue latency" in captured.out
    assert "dead set" in captured.out
    assert "\r[" not in captured.err  # no progress bar when stderr is not a terminal
    lines = trace.read_text().splitlines()
    assert lines
    assert {json.loads(line)["kind"] for line in lines} >= {"scheduled", "started", "failed"}
    assert main(["simulate", str(scenario), "--for", "2h", "--format", "json",
                 "--progress", "always"]) == 0  # fmt: skip
    captured = capsys.readouterr()
    assert json.loads(captured.out)["days"] == pytest.approx(2 / 24)
    assert "100%" in captured.err


def test_bad_scenarios_say_what_to_do(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["simulate", str(tmp_path)]) == 2
    assert "no jobs.py" in capsys.readouterr().err
    assert main(["simulate", str(tmp_path / "missing")]) == 2
    assert "not a directory" in capsys.readouterr().err
    (tmp_path / "jobs.py").write_text("")
    assert main(["simulate", str(tmp_path), "--for", "soon"]) == 2
    assert "--for 'soon'" in capsys.readouterr().err


def test_model_helpers_refuse_bad_input() -> None:
    from jobsim.replay.model import fails, rate_limited

    with pytest.raises(InvalidArgument, match="probability"):
        fails(1.5, TimeoutError)
    with pytest.raises(InvalidArgument, match="not an exception"):
        fails(0.1, "boom")  # type: ignore[arg-type]
    with pytest.raises(InvalidArgument, match="per="):
        rate_limited(1, 0, RuntimeError)


def test_shop_day_is_deterministic_and_realistic() -> None:
    first = run_scenario(SHOP, seed=7, period=86400)
    again = run_scenario(SHOP, seed=7, period=86400)
    assert first.summary == again.summary
    classes = {row["class"]: row for row in first.summary["classes"]}
    assert set(classes) == {"ChargePayment", "NightlyReport", "ReserveStock", "SendReceipt",
                            "SendSignupMail", "SyncToCrm"}  # fmt: skip
    assert classes["NightlyReport"]["succeeded"] == 1
    assert classes["ChargePayment"]["dead"] > 0  # declined cards end dead
    errors = {row["error_class"] for row in first.summary["top_errors"]}
    assert {"shop.GatewayTimeout", "shop.CardDeclined", "shop.RateLimited"} <= errors
    assert 20_000 < first.summary["jobs"] < 30_000  # about 14,000 a day, and the sale
    capacity = first.summary["capacity"]
    assert capacity["busy_peak"] == 10  # the sale's evening takes every thread...
    assert capacity["saturated_seconds"] > 3600  # ...for over an hour
    latency = {row["queue"]: row for row in first.summary["latency"]}
    assert latency["default"]["p95"] > 5 * 60  # stock reservations wait minutes


def test_a_scenario_chooses_its_plugins(tmp_path: Path) -> None:
    (tmp_path / "jobs.py").write_text(
        textwrap.dedent(
            """
            import jobsim

            class Noter:
                name = "noter"
                honours = ("lock",)

                def install(self, sim):
                    sim.stash[KEY] = "installed"

            KEY = jobsim.StashKey[str]()
            PLUGINS = [Noter()]

            class Once(jobsim.Job, lock="until_executed"):
                def perform(self):
                    pass

            def tick(ctx):
                Once.perform_async()
            """
        )
    )
    run = run_scenario(tmp_path, seed=1, period=600)
    assert [plugin.name for plugin in run.sim.plugins] == ["noter"]
    (tmp_path / "jobs.py").write_text("PLUGINS = ['nope']\n")
    with pytest.raises(InvalidArgument, match="unknown plugin 'nope'"):
        run_scenario(tmp_path, seed=1, period=600)
