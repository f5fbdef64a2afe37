"""What upgrading Fugit (sidekiq-cron 1.8 to 2.x) does to a schedule, before you upgrade.

Reads a ``config/schedule.yml``'s cron strings with Fugit 1.5 (what sidekiq-cron 1.8 runs)
and with Fugit 1.11+ (what sidekiq-cron 2.x needs), and prints, job by job, the cron each
version makes of the text, whether the job still loads, and the first fire time that moves.
Three of the six jobs change: a 12-hour time Fugit 1.5 misread, an every-other-week job whose
weeks now start on Monday, and a phrase only the new version reads.

Run: ``python examples/fugit_upgrade.py``
"""

from __future__ import annotations

from datetime import UTC, datetime

from jobsim.cron import Cron, CronSyntaxError, Dialect

#: The cron strings of a schedule.yml (job name -> cron).
SCHEDULE = {
    "nightly_report": "0 2 * * *",
    "evening_digest": "every day at 5:30pm",
    "biweekly_payroll": "0 9 * * wed%2",
    "quarter_hours": "every 15 minutes starting at minute 5",
    "weekday_sync": "*/30 9-17 * * 1-5",
    "month_end": "0 23 L * *",
}
START = datetime(2026, 1, 5, tzinfo=UTC)
HORIZON = 60  # fire times compared per job


def reading(expression: str, dialect: Dialect) -> tuple[str, list[datetime]]:
    """The cron a version makes of the text and its next fire times (none if refused)."""
    try:
        cron = Cron(expression, dialect=dialect)
    except CronSyntaxError as error:
        return f"refused ({error.reason.split(' (')[0]})", []
    return cron.to_cron_s(), cron.take(START, HORIZON)


def main() -> None:
    changed = 0
    for name, expression in SCHEDULE.items():
        old_cron, old_times = reading(expression, "fugit-1.5")
        new_cron, new_times = reading(expression, "fugit-1.11")
        moved = next(
            (
                (old, new)
                for old, new in zip(old_times or [None] * HORIZON, new_times, strict=False)
                if old != new
            ),
            None,
        )
        status = "unchanged" if moved is None and old_cron == new_cron else "CHANGES"
        changed += status == "CHANGES"
        print(f"{name:<17} {status}")
        print(f"  fugit-1.5   {old_cron}")
        print(f"  fugit-1.11  {new_cron}")
        if moved is not None:
            old, new = moved
            before = old.isoformat() if old is not None else "(never: does not load)"
            print(f"  first move  {before} -> {new.isoformat() if new else '(never)'}")
    print(f"{changed} of {len(SCHEDULE)} jobs change on the upgrade")


if __name__ == "__main__":
    main()
