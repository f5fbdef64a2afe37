"""The retry schedule of a job that always fails, with retry=25, on each Sidekiq profile.

Sidekiq waits ``count ** 4 + 15`` seconds before retry number ``count + 1``, plus a random
jitter whose formula changed in Sidekiq 8.0. Rather than evaluate formulas, this script runs the
job on the simulator twice per profile, once with ``jitter="min"`` and once with
``jitter="max"``, and reads the delays from the trace. For every retry the table shows the base
delay, the smallest and largest delay the jitter allows (in seconds), and when that retry runs,
counted from the first failure (earliest – latest). The last line says when the job lands in
the dead set. Three weeks of retries take a few milliseconds, and a profile whose schedule
equals an earlier one's is not printed twice.

Run it: ``python examples/backoff_table.py``
"""

from __future__ import annotations

import jobsim


class NightlyExport(jobsim.Job, retry=25):
    """Exports yesterday's orders to the warehouse, which is down."""

    def perform(self, day: str) -> None:
        raise ConnectionError(f"warehouse unreachable, export of {day} failed")


JITTER_TEXT = {
    "per_count": "rand(10) * (count + 1)",
    "range": "rand(10 * (count + 1))",
}


def duration(seconds: float) -> str:
    """Seconds as a short human duration: ``15s``, ``2m 38s``, ``20d 9h 49m 55s``."""
    rest = int(seconds)
    parts = []
    for unit, size in (("d", 86_400), ("h", 3_600), ("m", 60)):
        if rest >= size:
            parts.append(f"{rest // size}{unit}")
            rest %= size
    if rest or not parts:
        parts.append(f"{rest}s")
    return " ".join(parts)


def schedule(profile: str, jitter: str) -> tuple[list[dict[str, float]], float]:
    """Each retry's details (delay, jitter, retry_count, and ``after``: when it runs, counted
    from the first failure), and the seconds from the first failure to the job's death."""
    sim = jobsim.Simulator(profile=profile, jitter=jitter)
    with sim:
        NightlyExport.perform_async("2025-12-31")
    sim.drain()
    first_failure = sim.trace.of_kind("failed")[0].ts
    retries = [
        {**event.detail, "after": event.detail["retry_at"] - first_failure}
        for event in sim.trace.of_kind("retry_scheduled")
    ]
    died = sim.trace.of_kind("died")[0].ts
    return retries, died - first_failure


def table(profile: str) -> list[str]:
    """The lines of one profile's table (without its title)."""
    low, died_early = schedule(profile, "min")
    high, died_late = schedule(profile, "max")
    header = f"{'count':>5}  {'base s':>8}  {'min s':>8}  {'max s':>8}  retry runs"
    lines = [f"{header} (since first failure)"]
    for fast, slow in zip(low, high, strict=True):
        count = int(fast["retry_count"])
        base = fast["delay"] - fast["jitter"]
        assert base == jobsim.default_delay(count)  # the trace agrees with Sidekiq's formula
        lines.append(
            f"{count:>5}  {base:>8,.0f}  {fast['delay']:>8,.0f}  {slow['delay']:>8,.0f}  "
            f"{duration(fast['after'])} – {duration(slow['after'])}"
        )
    lines.append(
        f"dead after {len(low) + 1} executions, "
        f"{duration(died_early)} – {duration(died_late)} after the first failure"
    )
    return lines


def main() -> None:
    printed: dict[str, list[str]] = {}
    for profile, info in jobsim.PROFILES.items():
        print(f"{profile} ({info.reference_tag}), jitter {JITTER_TEXT[info.jitter]}")
        lines = table(profile)
        same = [name for name, shown in printed.items() if shown == lines]
        if same:
            print(f"  the same schedule as {same[0]}")
        else:
            print("\n".join(lines))
        printed[profile] = lines
        print()


if __name__ == "__main__":
    main()
