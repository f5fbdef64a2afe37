"""Runs every ``examples/*.py`` as a user would, and checks what it prints.

Each script runs in a subprocess (``sys.executable -W error``, so a warning fails it), must exit
0, must have a module docstring saying what it shows, and must print the same thing twice
(examples are deterministic). The key lines below are real expectations: they change only if
jobsim's behaviour changes. When the README shows an example's output, every line it shows must
appear in the real output too.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.py"))

#: Lines (or, ending in "…", line prefixes) each example must print.
KEY_LINES: dict[str, list[str]] = {
    "batches.py": [
        "after an hour: 100 batches, 10000 child jobs",
        "  on_success ran 99 times; first: Processed 100 users (newsletter 101-200)",
        "  newsletter 1-100 (user 7 timed out twice): complete at 0.0 min, success at 0.8 min",
        "  death on day 20.4; 1 batch left (the others lingered out)",
        "after the retry by hand: Processed 100 users (newsletter 4201-4300); delivered to 10000 "
        "users",
    ],
    "unique_jobs.py": [
        "report clicks: 180, refused as duplicates: 98, strategies: {'log'}",
        "lock_args_method pushes kept: [True, False, True]",
        "pre-7 unique_args pushes kept: [True, False]",
        "duplicate pushed after the TTL: accepted; order 42 charged 2 times, at ['00:10', '00:10']",
        "ActiveJob: 3 of 3 pushes kept, 3 distinct digests (the lock args include each push's …",
    ],
    "unique_lock_not_idempotent.py": [
        "until_executing, pushed again while waiting: passes",
        "until_executing, lock expired first: charge(order_id=7) ran 2× (1× in one clean run)",
        "until_executed, lock expired first: passes",
        "while_executing, pushed again while waiting: charge(order_id=7) ran 2× (1× in one "
        "clean run)",
        "while_executing, crash after the charge: charge(order_id=7) ran 2× (1× in one clean "
        "run); its lock uniquejobs:…",
        "until_executed, every fault searched: charge(order_id=7) ran 2× (1× in one clean run) "
        "(schedule: 2 deliveries, basic fetch, seed 0)",
    ],
    "rate_limits.py": [
        "6000 contacts enqueued at 09:00, 25 threads, limit 5 at once and 100/min",
        "  drained at 09:59:39 (59.7 min)",
        "  median wait 30.0 min, longest 59.6 min",
        "  starts in the busiest minute: 100",
        "  dead: 0, retries: 0",
        "schedule requeue: job [2] refused, a new job scheduled in 62.9 s; scheduled set now "
        "holds 1",
    ],
    "redis_rate_limit.py": [
        "150 reports enqueued at 09:00:00, 10 threads, limit 100 a minute per class",
        "  by 09:00:30: 100 succeeded, 100 attempts failed ['Rate limit exceeded'], 50 jobs in "
        "the retry set",
        "  counter 200, TTL 30 s",
        "  at 09:01:00: counter still there: True",
        "  at 09:01:00.001: counter still there: False",
        "  drained at 09:01:57: performed 150, failed attempts 149, dead 0",
        "same seed, same trace: True",
    ],
    "cron_redeploy.py": [
        "first load: saved ['cleanup', 'nightly_report'], errors for ['invoices']",
        "cleanup after the reload: disabled",
        "enqueued: ['nightly_report at 02:00:30', 'invoices at 06:00:30']",
        "sidekiq-cron-1.8  down 05:50-06:20, enqueued: ['cleanup at 01:30:30', 'nightly_report…",
        "sidekiq-cron-2    down 05:50-06:20, enqueued: ['cleanup at 01:30:30', 'nightly_report at "
        "02:00:30', 'invoices at 06:20:30']",
    ],
    "capacity.py": [
        "concurrency 10: all threads busy for 2h 8m; p95 latency critical 12s, mailers 2m 57s, …",
        "concurrency 20: all threads busy for 1m 43s; p95 latency critical 1.0ms, …",
        "seeds [1, 2, 3, 4], 10 threads, p50 / max across seeds:",
        "  saturated_seconds       2h 7m / 2h 8m",
    ],
    "plugin_per_simulator.py": [
        "shop ran 3 jobs, warehouse ran 1",
        "shop's audit log: ['Refund(1,)', 'Refund(2,)', 'Refund(3,)']",
        "warehouse's audit log: ['Refund(99,)']",
        "without the plugin: Refund: option audited=True has no effect on this simulator: …",
    ],
    "fugit_upgrade.py": [
        "  first move  2026-01-05T05:30:00+00:00 -> 2026-01-05T17:30:00+00:00",
        "  fugit-1.5   0 9 * * 3#2#0",
        "  first move  2026-01-14T09:00:00+00:00 -> 2026-01-07T09:00:00+00:00",
        "  fugit-1.5   refused (neither a cron nor a phrase Fugit 1.5.2 reads)",
        "3 of 6 jobs change on the upgrade",
    ],
    "sidekiq_testing.py": [
        "ProcessOrderJob.jobs: 1 waiting, args [1]",
        "SendReceiptJob.jobs: [([1], True)]",
        "drain_all() performed 1; clock at 2026-01-01T01:00:00+00:00",
        "  receipt for order 1",
    ],
    "active_job_mailer.py": [
        "queue 'default': ActionMailer::MailDeliveryJob ['UserMailer', 'receipt', 'deliver_now', …",
        "queue 'mailers': WelcomeEmailJob [{'_aj_globalid': 'gid://shop/User/1'}]",
        "delivered to ada@example.com: 'Your receipt: 12.50 EUR' (UserMailer.receipt)",
        "clock at 2026-01-01T01:00:00Z",
    ],
    "active_job_test_adapter.py": [
        "delivered: ['ada@example.com', 'bob@example.com']",
        "still enqueued after the block: 0",
        "after performing: 0 enqueued, 2 delivered",
        "discarded: [('WelcomeEmailJob', 'DeserializationError')]",
        "have_enqueued_mail(UserMailer, 'welcome_email').with_args(user) passed",
        "clock at 2026-01-01T00:00:00Z",
    ],
    "active_job_records.py": [
        "job data arguments: [{'_aj_globalid': 'gid://shop/Task/1'}, {'_aj_serialized': …",
        "  notify completed: 'write the report'",
        "discarded: [('TaskNotificationJob', 'DeserializationError')]",
        "retries: 0, dead: 0",
    ],
    "cron_week.py": [
        "a week from Mon 2026-01-26 UTC: 93 enqueues",
        "  2026-01-26T14:00:00Z  weekly_digest    enqueued at 14:00:06",
        "  2026-01-31T23:00:00Z  month_end        enqueued at 23:00:27",
        "enqueues per job: {'month_end': 1, 'nightly_report': 7, 'sync_inventory': 84, …",
        "Wednesday runs skipped while down: 10:00, 10:30, 12:30",
        "legacy_cleanup status: disabled",
    ],
    "retries_and_dead_set.py": [
        "  death handler: RefundOrder refund of order 8 rejected",
        "2026-01-01 00:00:36    succeeded          ChargeCard…",
        "2026-01-01 00:01:22    died               RefundOrder  retries exhausted (retry_count 3 …",
        "performed 7 executions: processed=7 failed=6",
        "dead set: ['RefundOrder']; clock at 2026-01-01T00:01:22+00:00",
    ],
    "backoff_table.py": [
        "sidekiq-6.4 (v6.4.1), jitter rand(10) * (count + 1)",
        "    0        15        15        24  15s – 24s",
        "    3        96        96       132  2m 38s – 4m 8s",
        "   24   331,791   331,791   332,016  20d 9h 49m 55s – 20d 10h 38m 40s",
        "dead after 26 executions, 20d 9h 49m 55s – 20d 10h 38m 40s after the first failure",
        "sidekiq-7 (v7.3.10), jitter rand(10) * (count + 1)",
        "  the same schedule as sidekiq-6.4",
        "sidekiq-8 (v8.1.7), jitter rand(10 * (count + 1))",
        "    1        16        16        35  31s – 59s",
        "    3        96        96       135  2m 38s – 4m 14s",
        "   24   331,791   331,791   332,040  20d 9h 49m 55s – 20d 10h 43m 40s",
    ],
    "custom_retry_in.py": [
        "  ALERT: INV-1002 is dead: AccountClosed: invoice INV-1002: account is closed",
        "  00:00:00  INV-1001  failed           RateLimited: 429 Too Many Requests …120)",
        "  00:00:00  INV-1001  retry_scheduled  retry_count=0, in 120s + …",
        "  00:00:00  INV-1002  died             retry_in returned 'kill'",
        "  …INV-1001  retry_scheduled  retry_count=1, in 300s + …",
        "  …INV-1001  retry_scheduled  retry_count=2, in 31s + …",
        "  synced: ['INV-1001']; dead: ['INV-1002']",
        "sidekiq-6.4: the same job, but 'kill' is not understood",
        "  INV-1002 ran 6 times; its retry payloads say error_class ['NoMethodError']; …",
    ],
    "scheduled_jobs.py": [
        "signed up Mon 2026-01-05 09:00 UTC",
        "queued now: ['welcome']",
        "  Mon 2026-01-05 09:30  queue=mailers  half-hour check-in",
        "  Mon 2026-01-05 12:00  queue=mailers  3h nudge",
        "  Wed 2026-01-07 09:00  queue=low      survey",
        "  Sun 2026-01-11 09:00  queue=mailers  trial ends tomorrow",
        "advance(0): performed 1, clock now Mon 09:00",
        "advance(1 hour): performed 2, clock now Mon 10:00",
        "  Mon 09:30  sent 'half-hour check-in'",
        "still scheduled: 1",
        "  Sun 09:00  sent 'trial ends tomorrow'",
        "outbox: 6 emails; …",
    ],
    "redis_round_trip.py": [
        "saved 5 jobs: processed=2 failed=2",
        "  dead                         zset   Refund[1000] score=1767225600.0 (2026-01-01 …",
        "  queue:mailers                list   ['SendReceipt[1002]', 'SendReceipt[1001]']  …",
        "  queues                       set    ['default', 'mailers', 'payments']",
        "  retry                        zset   ChargeCard[1001] score=1767225622.0 … retry_count=0",
        "  schedule                     zset   SendReceipt[1003] score=1767312000.0 (2026-01-02 …",
        "  stat:processed:2026-01-01    string 2",
        "loaded 5 jobs: {'queue:default': 0, 'queue:mailers': 2, 'queue:payments': 0, …",
        "lossless: True",
        "two days later: 6 processed, 4 succeeded, 0 failed",
        "queued=0 scheduled=0 retry=0 dead=['Refund']",
    ],
}


@cache
def run_example(name: str) -> str:
    """The stdout of ``examples/NAME`` (it must exit 0 with nothing on stderr)."""
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "PYTHONHASHSEED": "random"}
    done = subprocess.run(
        [sys.executable, "-W", "error", str(ROOT / "examples" / name)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, f"{name} exited {done.returncode}:\n{done.stderr}"
    assert not done.stderr, f"{name} wrote to stderr:\n{done.stderr}"
    return done.stdout


def _matches(line: str, wanted: str) -> bool:
    pattern = ".*".join(re.escape(part) for part in wanted.split("…"))
    return re.fullmatch(pattern, line.rstrip()) is not None


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda path: path.name)
def test_example_runs_and_prints_its_key_lines(path: Path) -> None:
    output = run_example(path.name)
    assert output.strip(), f"{path.name} printed nothing"
    lines = output.splitlines()
    missing = [
        wanted
        for wanted in KEY_LINES.get(path.name, [])
        if not any(_matches(line, wanted) for line in lines)
    ]
    assert not missing, f"{path.name} did not print:\n" + "\n".join(missing) + f"\n---\n{output}"


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda path: path.name)
def test_example_says_what_it_shows_and_is_deterministic(path: Path) -> None:
    docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
    assert docstring, f"{path.name} needs a module docstring saying what it shows"
    assert f"python examples/{path.name}" in docstring, "say how to run it"
    first = run_example(path.name)
    run_example.cache_clear()
    assert run_example(path.name) == first, f"{path.name} printed something else the second time"


def test_every_example_has_key_lines() -> None:
    names = {path.name for path in EXAMPLES}
    assert set(KEY_LINES) <= names, f"examples gone: {set(KEY_LINES) - names}"


_README_BLOCK = re.compile(
    r"`python (?P<script>examples/[\w.]+\.py)`[^`]*?\n\n```\n(?P<body>.*?)\n```", re.DOTALL
)


def test_output_shown_in_the_readme_is_real() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for match in _README_BLOCK.finditer(readme):
        name = Path(match["script"]).name
        output = [line.rstrip() for line in run_example(name).splitlines()]
        shown = [line.rstrip() for line in match["body"].splitlines()]
        missing = [line for line in shown if line not in output]
        assert not missing, f"README shows lines {name} does not print:\n" + "\n".join(missing)
