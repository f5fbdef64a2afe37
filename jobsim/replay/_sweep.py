"""Seed sweeps (layer 7): one scenario run per seed, on any ``concurrent.futures.Executor``.

One seed is one sample of a random workload; a capacity decision wants the distribution. A
sweep runs the scenario once per seed and keeps a few figures of each run
(:func:`seed_metrics`), then reports each figure's spread across seeds (p50, p95, max).

Each seed runs in a fresh scenario module on its own simulator, so its figures depend on the
seed alone: the same whether it runs here, in a process pool (the default, ``spawn``ed so no
state is inherited) or on a Dask cluster (``distributed.Client(...).get_executor()``). Results
are put back in seed order whatever order they finish in.
"""

from __future__ import annotations

import math
import multiprocessing
import os
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Executor, Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from jobsim.clock import DEFAULT_START
from jobsim.errors import InvalidArgument
from jobsim.replay._scenario import run_scenario

__all__ = ["SweepResult", "parse_seeds", "run_seed", "seed_metrics", "sweep"]


def seed_metrics(summary: Mapping[str, Any]) -> dict[str, float]:
    """The figures a sweep compares across seeds, from one run's summary (flat, sorted keys).

    Per queue: ``latency_p95.Q`` and ``latency_max.Q`` (seconds); and ``deaths``,
    ``retries``, ``failed``, ``processed``, ``busy_peak`` (threads), ``saturated_seconds``
    (time all threads were busy).
    """
    classes = summary["classes"]
    capacity = summary["capacity"]
    metrics: dict[str, float] = {
        "busy_peak": float(capacity["busy_peak"]),
        "saturated_seconds": float(capacity["saturated_seconds"]),
        "deaths": float(sum(row["dead"] for row in classes)),
        "retries": float(sum(row["retried"] for row in classes)),
        "failed": float(summary["failed"]),
        "processed": float(summary["processed"]),
    }
    for queue in summary["latency"]:
        metrics[f"latency_p95.{queue['queue']}"] = float(queue["p95"])
        metrics[f"latency_max.{queue['queue']}"] = float(queue["max"])
    return dict(sorted(metrics.items()))


def run_seed(
    path: str,
    seed: int,
    period: float,
    settings: Mapping[str, Any] | None = None,
    start: datetime | float = DEFAULT_START,
) -> dict[str, float]:
    """One seed's figures (a module-level function, so any executor can ship it)."""
    run = run_scenario(path, seed=seed, period=period, settings=settings, start=start)
    return seed_metrics(run.summary)


def _rank(ordered: list[float], share: float) -> float:
    """Nearest rank, as :class:`jobsim.views.Summary`."""
    return ordered[max(math.ceil(share * len(ordered)) - 1, 0)]


@dataclass
class SweepResult:
    """Per-seed figures in seed order, and each figure's distribution across seeds."""

    scenario: str
    period: float
    settings: dict[str, Any]
    seeds: list[int]
    per_seed: list[dict[str, float]]
    distribution: dict[str, dict[str, float]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """JSON-native: ``jobsim sweep --format json`` prints this."""
        return {
            "scenario": self.scenario,
            "period": self.period,
            "settings": dict(self.settings),
            "seeds": list(self.seeds),
            "per_seed": [dict(row) for row in self.per_seed],
            "distribution": {key: dict(value) for key, value in self.distribution.items()},
        }


def distribution(per_seed: list[dict[str, float]]) -> dict[str, dict[str, float]]:
    """Nearest-rank p50 and p95, min, max and mean of every figure across seeds."""
    keys = sorted({key for row in per_seed for key in row})
    out = {}
    for key in keys:
        ordered = sorted(row[key] for row in per_seed if key in row)
        out[key] = {
            "p50": _rank(ordered, 0.5),
            "p95": _rank(ordered, 0.95),
            "min": ordered[0],
            "max": ordered[-1],
            "mean": sum(ordered) / len(ordered),
        }
    return out


def parse_seeds(text: str) -> list[int]:
    """``1-200``, ``7``, ``1,2,5-9``: the seeds, in the order given, without repeats."""
    seeds: dict[int, None] = {}
    for part in text.split(","):
        piece = part.strip()
        low, dash, high = piece.partition("-")
        try:
            first = int(low)
            last = int(high) if dash else first
        except ValueError:
            msg = f"--seeds {text!r}: pass seeds like 1-200, 7 or 1,2,5-9"
            raise InvalidArgument(msg) from None
        if last < first or first < 0:
            msg = f"--seeds {text!r}: {piece!r} is not a range of seeds >= 0 (low-high)"
            raise InvalidArgument(msg)
        seeds.update(dict.fromkeys(range(first, last + 1)))
    return list(seeds)


def sweep(
    scenario: str | Path,
    seeds: Iterable[int],
    executor: Executor | None = None,
    *,
    period: float = 86400.0,
    start: datetime | float = DEFAULT_START,
    settings: Mapping[str, Any] | None = None,
    workers: int | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> SweepResult:
    """Run ``scenario`` once per seed on ``executor`` and gather each figure's spread.

    ``period``, ``start`` and ``settings`` are :func:`run_scenario`'s, the same for every seed.
    Without an executor a process pool of ``workers`` (default: every CPU) runs the seeds;
    ``workers=1`` runs them here, one after another. ``on_progress(done, total)`` is called
    as seeds finish.
    """
    chosen = list(dict.fromkeys(seeds))
    if not chosen:
        msg = "sweep(seeds=[]): pass at least one seed"
        raise InvalidArgument(msg)
    where = Path(scenario)
    run_scenario_check(where, period, settings, start)
    total = len(chosen)
    plain = dict(settings or {})
    results: dict[int, dict[str, float]] = {}
    if executor is None and (workers or os.cpu_count() or 1) <= 1:
        for seed in chosen:
            results[seed] = run_seed(str(where), seed, period, plain, start)
            if on_progress is not None:
                on_progress(len(results), total)
    else:
        own = executor is None
        pool = executor or ProcessPoolExecutor(
            max_workers=workers, mp_context=multiprocessing.get_context("spawn")
        )
        try:
            futures: dict[Future[dict[str, float]], int] = {
                pool.submit(run_seed, str(where), seed, period, plain, start): seed
                for seed in chosen
            }
            for future in as_completed(futures):
                results[futures[future]] = future.result()
                if on_progress is not None:
                    on_progress(len(results), total)
        finally:
            if own:
                pool.shutdown()
    per_seed = [results[seed] for seed in chosen]
    return SweepResult(where.name, period, plain, chosen, per_seed, distribution(per_seed))


def run_scenario_check(
    where: Path, period: float, settings: Mapping[str, Any] | None, start: datetime | float
) -> None:
    """Refuse a bad scenario, period, start or setting here, before any worker starts."""
    run_scenario(where, seed=0, period=min(period, 1.0), settings=settings, start=start)
