"""``examples/day_of_a_small_app.py``: a virtual day with three weighted queues
(Sidekiq's weighted fetch, lib/sidekiq/fetch.rb).

The example runs in a subprocess as a user would run it (``python -W error``, so a warning
fails it). The counters it prints depend only on the app's own seeded traffic and on which
jobs fail (by their arguments), so they are pinned exactly; the latencies depend on the drawn
durations and the weighted fetch, so the test checks what the weights must produce: the
``critical`` queue (weight 6) waits less than ``low`` (weight 1).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "examples" / "day_of_a_small_app.py"

KEY_LINES = [
    "Monday 2026-03-02: 10,802 orders, concurrency 5, weighted queues critical 6, default 3, "
    "low 1 (sidekiq-8)",
    "queue     weight    jobs    p50 s    p95 s     max s   busy",
    "processed=49,597 failed=1,421 dead=202 retries pending=0",
    "  dead: 202 x DeliverWebhook: partner-b: 503 Service Unavailable",
    "after midnight: 0 executions to drain; clock at 2026-03-03 00:00:00",
]

ROW = re.compile(
    r"^(?P<queue>critical|default|low|all) +(?P<weight>\d*) +(?P<jobs>[\d,]+) +"
    r"(?P<p50>[\d,]+\.\d) +(?P<p95>[\d,]+\.\d) +(?P<max>[\d,]+\.\d) +(?P<busy>\d+\.\d)%$"
)


@cache
def output() -> str:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "PYTHONHASHSEED": "random"}
    done = subprocess.run(
        [sys.executable, "-W", "error", str(SCRIPT)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, f"the example exited {done.returncode}:\n{done.stderr}"
    assert not done.stderr, f"the example wrote to stderr:\n{done.stderr}"
    return done.stdout


def rows() -> dict[str, dict[str, float]]:
    """The latency table: per queue (and "all"), its numbers."""
    table: dict[str, dict[str, float]] = {}
    for line in output().splitlines():
        match = ROW.match(line)
        if match:
            table[match["queue"]] = {
                key: float(match[key].replace(",", "") or "nan")
                for key in ("weight", "jobs", "p50", "p95", "max", "busy")
            }
    return table


def test_prints_its_key_lines() -> None:
    lines = output().splitlines()
    missing = [line for line in KEY_LINES if line not in lines]
    assert not missing, "missing lines:\n" + "\n".join(missing) + f"\n---\n{output()}"


def test_one_row_per_weighted_queue_and_the_counts_add_up() -> None:
    table = rows()
    assert list(table) == ["critical", "default", "low", "all"], output()
    assert [table[q]["weight"] for q in ("critical", "default", "low")] == [6, 3, 1]
    per_queue = sum(table[q]["jobs"] for q in ("critical", "default", "low"))
    assert per_queue == table["all"]["jobs"] == 49_597  # every execution has one latency
    for name, row in table.items():
        assert 0 <= row["p50"] <= row["p95"] <= row["max"], (name, row)


def test_the_heavier_queue_waits_less() -> None:
    table = rows()
    critical, low = table["critical"], table["low"]
    assert critical["p95"] < low["p95"], output()
    assert critical["p50"] <= low["p50"], output()
    assert critical["max"] < low["max"], output()
