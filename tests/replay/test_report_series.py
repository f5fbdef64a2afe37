"""The report's numbers agree with the trace: every chart's series recomputed from JSON lines.

The report embeds what its charts draw (``#report-data``). These tests export the same run's
trace with ``--trace``-style JSON lines and work every series out again with code of their
own, so a slip in the report's arithmetic (a bin edge, a percentile, an execution that spans
bins) shows up as a mismatch.
"""

from __future__ import annotations

import io
import json
import math
import re
from pathlib import Path
from typing import Any

import pytest

from jobsim.replay import run_scenario
from jobsim.report import scenario_report_html

ROOT = Path(__file__).resolve().parents[2]
SHOP = ROOT / "examples" / "shop"
ENDS = {"succeeded", "failed", "discarded", "interrupted", "lost"}


def _embedded(html: str) -> dict[str, Any]:
    found = re.search(r'<script type="application/json" id="report-data">(.*?)</script>', html)
    assert found is not None
    data: dict[str, Any] = json.loads(found.group(1).replace("<\\/", "</"))
    return data


def _rank(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(math.ceil(share * len(ordered)) - 1, 0)] if ordered else 0.0


def _enqueued(job: dict[str, Any]) -> float | None:
    value = job.get("enqueued_at", job.get("created_at"))
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return value / 1000.0 if isinstance(value, int) else value


class Recomputed:
    """The series, from JSON lines only."""

    def __init__(self, lines: list[dict[str, Any]], start: float, width: int, count: int):
        self.start, self.width, self.count = start, width, count
        self.lines = lines

    def bin(self, ts: float) -> int:
        return min(max(math.floor((ts - self.start) / self.width), 0), self.count - 1)

    def counts(self, kind: str) -> list[float]:
        out = [0.0] * self.count
        for line in self.lines:
            if line["kind"] == kind:
                out[self.bin(line["ts"])] += 1
        return out

    def executions(self) -> list[tuple[float, float, str]]:
        started: dict[str, tuple[float, str]] = {}
        done = []
        for line in self.lines:
            if line["kind"] == "started":
                started[line["jid"]] = (line["ts"], line["class"])
            elif line["kind"] in ENDS and line["jid"] in started:
                begin, klass = started.pop(line["jid"])
                done.append((begin, line["ts"], klass))
        return done

    def busy_mean(self) -> list[float]:
        out = [0.0] * self.count
        for begin, end, _ in self.executions():
            for index in range(self.bin(begin), self.bin(end) + 1):
                low = max(begin, self.start + index * self.width)
                high = min(end, self.start + (index + 1) * self.width)
                out[index] += max(high - low, 0.0)
        return [value / self.width for value in out]

    def busy_peak(self) -> list[float]:
        out = [0.0] * self.count
        level = 0
        last_bin = 0
        for line in self.lines:
            here = self.bin(line["ts"])
            for index in range(last_bin + 1, here + 1):
                out[index] = max(out[index], level)  # carried into bins with no start
            last_bin = max(last_bin, here)
            if line["kind"] == "started":
                level += 1
                out[here] = max(out[here], level)
            elif line["kind"] in ENDS:
                level -= 1
        for index in range(last_bin + 1, self.count):
            out[index] = level
        return out

    def latency(self, queue: str) -> dict[str, list[float]]:
        per_bin: list[list[float]] = [[] for _ in range(self.count)]
        for line in self.lines:
            if line["kind"] == "started" and line["queue"] == queue:
                since = _enqueued(line["job"])
                if since is not None:
                    per_bin[self.bin(line["ts"])].append(max(line["ts"] - since, 0.0))
        return {
            "count": [len(values) for values in per_bin],
            "p50": [_rank(values, 0.5) for values in per_bin],
            "p95": [_rank(values, 0.95) for values in per_bin],
            "max": [max(values, default=0.0) for values in per_bin],
        }

    def depths(self, times: list[float]) -> list[dict[str, int]]:
        """Jobs waiting per queue at each of ``times``: pushed minus fetched, from the trace."""
        sizes: dict[str, int] = {}
        out = []
        lines = iter(self.lines)
        pending = next(lines, None)
        for ts in times:
            while pending is not None and pending["ts"] <= ts:
                queue = pending["queue"]
                if pending["kind"] == "enqueued":
                    sizes[queue] = sizes.get(queue, 0) + 1
                elif pending["kind"] == "started":
                    sizes[queue] = sizes.get(queue, 0) - 1
                pending = next(lines, None)
            out.append(dict(sizes))
        return out


@pytest.fixture(scope="module")
def shop_day() -> tuple[dict[str, Any], Recomputed, Any]:
    run = run_scenario(SHOP, seed=5, period=86400)
    data = _embedded(scenario_report_html(run))
    out = io.StringIO()
    run.sim.trace.to_jsonl(out)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert len(lines) == run.sim.trace.total  # the whole trace, nothing dropped
    return data, Recomputed(lines, data["start"], data["bin"], data["bins"]), run


def test_bins_cover_the_run(shop_day: tuple[dict[str, Any], Recomputed, Any]) -> None:
    data, _, run = shop_day
    assert data["bin"] * data["bins"] >= run.end - run.start
    assert data["bin"] * (data["bins"] - 1) < run.end - run.start
    assert 50 <= data["bins"] <= 300


@pytest.mark.parametrize(
    ("series", "kind"),
    [("processed", "started"), ("failed", "failed"), ("retries", "retry_scheduled"),
     ("deaths", "died")],
)  # fmt: skip
def test_counts_per_bin_match_the_trace(
    shop_day: tuple[dict[str, Any], Recomputed, Any], series: str, kind: str
) -> None:
    data, again, _ = shop_day
    assert data[series] == again.counts(kind)
    assert sum(data[series]) > 0


def test_busy_threads_match_the_trace(shop_day: tuple[dict[str, Any], Recomputed, Any]) -> None:
    data, again, run = shop_day
    process = data["processes"][0]
    assert process["busy_mean"] == pytest.approx(again.busy_mean(), abs=1e-5)
    assert process["busy_peak"] == again.busy_peak()
    assert max(process["busy_peak"]) == run.sim.concurrency  # the sale saturates ten threads
    assert process["utilisation"] == pytest.approx(
        [value / run.sim.concurrency for value in again.busy_mean()], abs=1e-5
    )


def test_latency_percentiles_match_the_trace(
    shop_day: tuple[dict[str, Any], Recomputed, Any],
) -> None:
    data, again, run = shop_day
    assert list(data["latency"]) == run.sim.queues
    for queue, series in data["latency"].items():
        expected = again.latency(queue)
        assert series["count"] == expected["count"], queue
        for key in ("p50", "p95", "max"):
            assert series[key] == pytest.approx(expected[key], abs=1e-9), (queue, key)


def test_execution_time_per_class_matches_the_trace(
    shop_day: tuple[dict[str, Any], Recomputed, Any],
) -> None:
    data, again, _ = shop_day
    per_class: dict[str, list[float]] = {}
    for begin, end, klass in again.executions():
        per_class.setdefault(klass, []).append(end - begin)
    assert [row["class"] for row in data["execution"]] == sorted(per_class)
    for row in data["execution"]:
        values = per_class[row["class"]]
        assert row["executions"] == len(values)
        assert row["p50"] == pytest.approx(_rank(values, 0.5))
        assert row["p95"] == pytest.approx(_rank(values, 0.95))
        assert row["max"] == pytest.approx(max(values))


def test_queue_depth_matches_the_trace(shop_day: tuple[dict[str, Any], Recomputed, Any]) -> None:
    data, again, run = shop_day
    # Each bin's depth is the largest sample in it; every sample agrees with the trace.
    replayed = again.depths([sample.ts for sample in run.samples])
    for sample, sizes in zip(run.samples, replayed, strict=True):
        for queue, size in sample.queues.items():
            assert sizes.get(queue, 0) == size, (queue, sample.ts)
    for queue, series in data["depth"].items():
        expected = [0.0] * data["bins"]
        for sample in run.samples:
            index = again.bin(sample.ts - 1e-9)
            expected[index] = max(expected[index], float(sample.queues.get(queue, 0)))
        assert series == expected, queue
    assert max(data["depth"]["default"]) > 100  # the sale's stock reservations pile up
