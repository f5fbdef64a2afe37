"""Shared helpers for the benchmark scripts: timing, machine facts, tables, JSON and profiling.

Not a benchmark itself. The scripts in this folder import it as ``_harness`` (Python puts the
script's own folder first on ``sys.path``), so they stay runnable as
``python benchmarks/NAME.py`` without installing anything beyond jobsim.

Everything here measures wall-clock time with :func:`time.perf_counter`; the benchmarks compare
peers measured in the same process and the same run, and report ratios rather than judging
absolute numbers.
"""

from __future__ import annotations

import contextlib
import cProfile
import gc
import io
import json
import os
import platform
import pstats
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "Phases",
    "best_of",
    "machine_info",
    "print_table",
    "profile_call",
    "progress",
    "rate",
    "rss_bytes",
    "write_json",
]


@dataclass
class Phases:
    """Wall-clock seconds of one measured run, split into named phases (enqueue, drain…)."""

    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def total(self) -> float:
        """All phases together."""
        return sum(self.seconds.values())


def progress(message: str) -> None:
    """A progress line on stderr, so long runs show life without cluttering the tables."""
    print(f"... {message}", file=sys.stderr, flush=True)


def best_of(
    repeats: int, run: Callable[[], Phases], label: str | None = None
) -> tuple[Phases, list[float]]:
    """Run ``run`` ``repeats`` times and keep the fastest (by total); also every total.

    A full garbage collection runs before each repeat (untimed), so one repeat's garbage is not
    collected on the next one's clock. The collector stays enabled while timing, as in real use.
    """
    if label is not None:
        progress(f"{label} (best of {max(repeats, 1)})")
    best: Phases | None = None
    totals: list[float] = []
    for _ in range(max(repeats, 1)):
        gc.collect()
        phases = run()
        totals.append(phases.total)
        if best is None or phases.total < best.total:
            best = phases
    assert best is not None
    return best, totals


def rate(count: int, seconds: float) -> float:
    """Items per second (0.0 for a zero duration, which only a broken clock gives)."""
    return count / seconds if seconds > 0 else 0.0


def rss_bytes() -> int | None:
    """This process's resident set size now, from /proc (Linux); None elsewhere."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            pages = int(statm.read().split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return pages * os.sysconf("SC_PAGE_SIZE")


def machine_info() -> dict[str, Any]:
    """What the numbers were measured on (so a JSON result can be read later)."""
    info: dict[str, Any] = {
        "python": sys.version.split()[0],
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpu_count": os.cpu_count(),
        "started_at_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    with contextlib.suppress(OSError, AttributeError):  # not on every platform
        info["loadavg_at_start"] = [round(x, 2) for x in os.getloadavg()]
    try:
        from importlib.metadata import version

        info["jobsim_version"] = version("jobsim")
    except Exception:  # pragma: no cover - an uninstalled checkout
        info["jobsim_version"] = None
    import jobsim

    package = Path(jobsim.__file__).resolve().parent
    info["jobsim_path"] = str(package)
    info["git_commit"] = _git_commit(package.parent)
    return info


def _git_commit(root: Path) -> str | None:
    """The commit of the checkout jobsim was imported from (``+dirty`` with local changes)."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "jobsim"],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return f"{head}+dirty" if dirty else head


def print_table(title: str, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Print an aligned plain-text table (numbers right-aligned, text left-aligned)."""
    cells = [[str(c) for c in header], *[[_cell(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    numeric = [all(_is_number(row[i]) for row in rows) and bool(rows) for i in range(len(header))]
    print(f"\n{title}")
    for index, row in enumerate(cells):
        parts = [
            cell.rjust(widths[i]) if numeric[i] else cell.ljust(widths[i])
            for i, cell in enumerate(row)
        ]
        print("  " + "  ".join(parts).rstrip())
        if index == 0:
            print("  " + "  ".join("-" * w for w in widths))


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _cell(value: Any) -> str:
    if isinstance(value, bool) or not _is_number(value):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.3f}"


def write_json(path: str | None, payload: dict[str, Any]) -> None:
    """Write ``payload`` as indented JSON to ``path`` (nothing when ``path`` is None)."""
    if path is None:
        return
    target = Path(path)
    if target.parent != Path():
        target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(payload, indent=2, default=_jsonable) + "\n", encoding="utf-8")
    print(f"\nwrote {target}")


def _jsonable(value: Any) -> Any:
    if isinstance(value, Phases):
        return asdict(value)
    return str(value)


def profile_call(call: Callable[[], Any], *, top: int = 20) -> str:
    """Run ``call`` under cProfile; the ``top`` functions by own time, as text."""
    profiler = cProfile.Profile()
    profiler.enable()
    try:
        call()
    finally:
        profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(top)
    return out.getvalue()
