"""Issue #19: the run summary, ``jobsim simulate`` and the HTML report show what rate limits did
per class (throttled fetches, requeued, rescheduled, the wait they added), only in runs with
sidekiq-throttled or Enterprise limiters installed.

The expected numbers are counted here from the trace events (``throttled`` and ``limiter``),
not read from the plugins' own counters, so a counter that drifts from what happened fails.
"""

from __future__ import annotations

import json
import textwrap
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from jobsim.cli import main
from jobsim.replay import ScenarioRun, run_scenario
from jobsim.report import duration_label, scenario_report_html

THROTTLED = """
from datetime import timedelta
import jobsim

STEP = timedelta(minutes=10)
PLUGINS = ["throttled"]

class CrmSync(jobsim.Job, throttle={"threshold": {"limit": 2, "period": 60}}):
    duration = 1.0
    def perform(self, n):
        return None

class Invoice(
    jobsim.Job,
    throttle={"threshold": {"limit": 1, "period": 60}, "requeue": {"with": "schedule"}},
):
    def perform(self, n):
        return None

class Plain(jobsim.Job):
    def perform(self, n):
        return None

def tick(ctx):
    for n in range(3):
        CrmSync.perform_async(n)
    for n in range(2):
        Invoice.perform_async(n)
    Plain.perform_async(ctx.index)
"""

LIMITERS = """
from datetime import timedelta
import jobsim
from jobsim.limiters import limiters

STEP = timedelta(minutes=10)
PLUGINS = ["limiters"]
ERP = {}

class ErpSync(jobsim.Job):
    duration = 2.0
    def perform(self, n):
        with ERP["erp"].within_limit():
            return None

def tick(ctx):
    if "erp" not in ERP:
        ERP["erp"] = limiters(ctx.sim).concurrent("erp", 1, wait_timeout=3, lock_timeout=30)
    for n in range(4):
        ErpSync.perform_async(n)
"""

PLAIN = """
from datetime import timedelta
import jobsim

STEP = timedelta(minutes=10)

class Plain(jobsim.Job):
    def perform(self, n):
        return None

def tick(ctx):
    Plain.perform_async(ctx.index)
"""


def _folder(root: Path, jobs: str) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "jobs.py").write_text(textwrap.dedent(jobs))
    (root / "sidekiq.yml").write_text(":concurrency: 3\n")
    return root


def _run(root: Path, jobs: str) -> ScenarioRun:
    return run_scenario(_folder(root, jobs), seed=4, period=3600)


def _throttled_from_trace(run: ScenarioRun) -> dict[str, dict[str, Any]]:
    """Per class, from the events: refusals by requeue kind, and each delayed job's wait from
    its first refusal (carried to the job a schedule requeue pushed) to its next start."""
    counts: dict[str, Counter[str]] = {}
    waits: dict[str, float] = {}
    first_refused: dict[str, tuple[str, float]] = {}
    for event in run.sim.trace:
        if event.kind == "throttled":
            name = str(event.job.get("wrapped", event.job.get("class")))
            column = "rescheduled" if event.detail["requeue"] == "schedule" else "requeued"
            counts.setdefault(name, Counter())["throttled"] += 1
            counts[name][column] += 1
            first_refused.setdefault(event.jid, (name, event.ts))
            new_jid = event.detail.get("new_jid")
            if new_jid is not None:
                first_refused[str(new_jid)] = first_refused.pop(event.jid)
        elif event.kind == "started" and event.jid in first_refused:
            name, since = first_refused.pop(event.jid)
            waits[name] = waits.get(name, 0.0) + event.ts - since
    return {
        name: {
            "class": name,
            "throttled": counts[name]["throttled"],
            "requeued": counts[name]["requeued"],
            "rescheduled": counts[name]["rescheduled"],
            "wait": waits.get(name, 0.0),
        }
        for name in sorted(counts)
    }


def _limiters_from_trace(run: ScenarioRun) -> dict[str, dict[str, Any]]:
    """Per class, from the ``limiter`` events: OverLimit reschedules and the seconds waited."""
    rows: dict[str, dict[str, Any]] = {}
    for event in run.sim.trace.of_kind("limiter"):
        name = str(event.job.get("class"))
        row = rows.setdefault(
            name, {"class": name, "throttled": 0, "requeued": 0, "rescheduled": 0, "wait": 0.0}
        )
        if event.detail["event"] == "waited":
            row["wait"] += event.detail["seconds"]
        elif event.detail["event"] == "over_limit" and event.detail["action"] == "reschedule":
            row["rescheduled"] += 1
    return dict(sorted(rows.items()))


@pytest.fixture(scope="module")
def throttled_run(tmp_path_factory: pytest.TempPathFactory) -> ScenarioRun:
    return _run(tmp_path_factory.mktemp("throttled"), THROTTLED)


@pytest.fixture(scope="module")
def limiter_run(tmp_path_factory: pytest.TempPathFactory) -> ScenarioRun:
    return _run(tmp_path_factory.mktemp("limiters"), LIMITERS)


def _section(html: str) -> str:
    return html[html.index('<section id="rate-limits">') :].split("</section>")[0]


def _html_row(row: dict[str, Any]) -> str:
    return (
        f'<tr><td class="text">{row["class"]}</td><td>{row["throttled"]:,}</td>'
        f"<td>{row['requeued']:,}</td><td>{row['rescheduled']:,}</td>"
        f'<td class="text">{duration_label(row["wait"])}</td><td>{row["wait"]:,.3f}</td></tr>'
    )


def test_a_throttled_run_summarises_refusals_per_class(throttled_run: ScenarioRun) -> None:
    expected = _throttled_from_trace(throttled_run)
    # The scenario exercises both requeue kinds and some wait, or the check below is empty.
    assert expected["CrmSync"]["requeued"] > 0
    assert expected["CrmSync"]["rescheduled"] == 0
    assert expected["Invoice"]["rescheduled"] > 0
    assert expected["Invoice"]["requeued"] == 0
    assert expected["CrmSync"]["wait"] > 0
    assert expected["Invoice"]["wait"] > 0
    rows = throttled_run.summary["rate_limits"]
    assert [row["class"] for row in rows] == ["CrmSync", "Invoice"]  # Plain was never held
    for row in rows:
        assert row == pytest.approx(expected[row["class"]])


def test_a_limiter_run_summarises_reschedules_and_waits(limiter_run: ScenarioRun) -> None:
    expected = _limiters_from_trace(limiter_run)
    erp = expected["ErpSync"]
    assert erp["rescheduled"] > 0
    assert erp["wait"] > 0
    assert limiter_run.summary["rate_limits"] == [pytest.approx(erp)]


@pytest.mark.parametrize("which", ["throttled_run", "limiter_run"])
def test_the_report_has_a_rate_limits_table(which: str, request: pytest.FixtureRequest) -> None:
    run: ScenarioRun = request.getfixturevalue(which)
    expected = (_throttled_from_trace if which == "throttled_run" else _limiters_from_trace)(run)
    html = scenario_report_html(run)
    assert "<h2>Rate limits (sidekiq-throttled, Enterprise limiters)</h2>" in html
    section = _section(html)
    for row in expected.values():
        assert _html_row(row) in section
    assert html.index('id="per-class"') < html.index('id="rate-limits"')
    assert '<a href="#rate-limits">Rate limits</a>' in html


def test_both_plugins_add_up_per_class(tmp_path: Path) -> None:
    # A throttled class whose executions also wait on an Enterprise limiter: one row, the
    # throttled refusals and the limiter's reschedules and waits added together.
    jobs = (
        LIMITERS.replace('PLUGINS = ["limiters"]', 'PLUGINS = ["throttled", "limiters"]')
        .replace(
            "class ErpSync(jobsim.Job):",
            'class ErpSync(jobsim.Job, throttle={"threshold": {"limit": 3, "period": 60}}):',
        )
        .replace("range(4)", "range(5)")
    )
    run = _run(tmp_path, jobs)
    throttled = _throttled_from_trace(run)["ErpSync"]
    limited = _limiters_from_trace(run)["ErpSync"]
    assert throttled["throttled"] > 0
    assert limited["rescheduled"] > 0
    expected = {
        "class": "ErpSync",
        "throttled": throttled["throttled"],
        "requeued": throttled["requeued"],
        "rescheduled": throttled["rescheduled"] + limited["rescheduled"],
        "wait": throttled["wait"] + limited["wait"],
    }
    assert run.summary["rate_limits"] == [pytest.approx(expected)]


def test_without_the_plugins_there_is_no_rate_limit_section(tmp_path: Path) -> None:
    run = _run(tmp_path, PLAIN)
    assert "rate_limits" not in run.summary
    assert 'id="rate-limits"' not in scenario_report_html(run)


def test_a_plugin_that_held_nothing_says_so(tmp_path: Path) -> None:
    run = _run(tmp_path, PLAIN.replace("STEP =", 'PLUGINS = ["throttled", "limiters"]\nSTEP ='))
    assert run.summary["rate_limits"] == []
    html = scenario_report_html(run)
    assert "No limit held a job back in this run." in html


def test_jobsim_simulate_prints_and_emits_the_rate_limits(
    tmp_path: Path, throttled_run: ScenarioRun, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _folder(tmp_path / "cli", THROTTLED)
    args = ["simulate", str(folder), "--for", "1h", "--seed", "4"]
    assert main(args) == 0
    out = capsys.readouterr().out
    title = "rate limits (throttled fetches, requeued, rescheduled, wait they added)"
    assert title in out
    out = out[out.index(title) :].split("queue latency")[0]  # this table only
    for row in _throttled_from_trace(throttled_run).values():
        # rich draws the table's borders with "│"; the plain fallback has none
        rows = [line.replace("│", " ").split() for line in out.splitlines()]
        cells = next(cells for cells in rows if cells and cells[0] == row["class"])
        assert cells[:4] == [
            row["class"],
            f"{row['throttled']:,}",
            f"{row['requeued']:,}",
            f"{row['rescheduled']:,}",
        ]
        assert " ".join(cells[4:]) == duration_label(row["wait"])
    assert main([*args, "--format", "json"]) == 0
    emitted = json.loads(capsys.readouterr().out)
    assert emitted["rate_limits"] == throttled_run.summary["rate_limits"]


def test_jobsim_simulate_prints_no_rate_limits_without_the_plugins(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["simulate", str(_folder(tmp_path, PLAIN)), "--for", "1h"]) == 0
    assert "rate limits" not in capsys.readouterr().out
