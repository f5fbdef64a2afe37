"""Is concurrency 10 enough for the shop's sale? The sale evening at 10 and 20 threads, then
the same question over several seeds.

Runs ``examples/shop`` from 17:00 to 21:00 UTC on its first day (the sale is 18:00–20:00),
once as its sidekiq.yml says (10 threads) and once with ``concurrency=20`` (what
``jobsim simulate examples/shop --set concurrency=20`` does), and prints how long every thread
was busy and the p95 queue latency. Then ``jobsim.sweep`` runs the evening for seeds 1–4 (here,
one after another; pass an executor or ``workers=`` to spread them) and prints the spread.

Run it with ``python examples/capacity.py`` (about ten seconds).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import jobsim
from jobsim.replay import run_scenario
from jobsim.report import duration_label

SHOP = Path(__file__).resolve().parent / "shop"
EVENING = datetime(2026, 1, 1, 17, tzinfo=UTC)
HOURS = 4 * 3600


def show(threads: int) -> None:
    run = run_scenario(SHOP, seed=1, start=EVENING, period=HOURS, settings={"concurrency": threads})
    capacity = run.summary["capacity"]
    waits = ", ".join(
        f"{row['queue']} {duration_label(row['p95'])}" for row in run.summary["latency"]
    )
    print(
        f"concurrency {threads}: all threads busy for "
        f"{duration_label(capacity['saturated_seconds'])}; p95 latency {waits}"
    )


def main() -> None:
    show(10)
    show(20)
    spread = jobsim.sweep(SHOP, range(1, 5), workers=1, start=EVENING, period=HOURS)
    print(f"seeds {spread.seeds}, 10 threads, p50 / max across seeds:")
    for figure in ("saturated_seconds", "latency_p95.default", "latency_max.default"):
        row = spread.distribution[figure]
        print(f"  {figure:20} {duration_label(row['p50']):>8} / {duration_label(row['max'])}")


if __name__ == "__main__":
    main()
