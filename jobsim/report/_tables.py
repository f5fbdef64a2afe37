"""The report's tables (layer 7): an HTML table helper and the state at the end of a run.

Queue sizes (with queues that hold jobs but that no process serves called out), the retry
and scheduled sets soonest first with their next run times, and the cron tab with each
entry's last and next run, as Sidekiq's Web UI shows them; and what rate limits
(sidekiq-throttled, Enterprise limiters) did per class, in runs that installed them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from html import escape
from typing import TYPE_CHECKING, Any

from jobsim.clock import format_time, to_datetime
from jobsim.report._svg import duration_label

if TYPE_CHECKING:
    from jobsim.replay._scenario import ScenarioRun

__all__ = [
    "SET_ROWS",
    "cron_tab",
    "end_queues",
    "job_link",
    "rate_limit_section",
    "set_table",
    "table",
]

#: Rows shown of the retry and scheduled sets (soonest first); the count says how many more.
SET_ROWS = 50


class Raw(str):
    """Markup a table cell shows as is (a link); everything else is escaped."""

    __slots__ = ()


def job_link(jid: Any) -> Raw:
    """A link to the job's drill-down in the job list."""
    text = escape(str(jid))
    return Raw(f'<a href="#job-{text}">{text}</a>')


def table(table_id: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """An HTML table: numbers right-aligned with thousands separators, text escaped."""
    head = "".join(f"<th>{escape(name)}</th>" for name in header)
    body = []
    for row in rows:
        cells = []
        for value in row:
            if isinstance(value, Raw):
                cells.append(f'<td class="text">{value}</td>')
            elif isinstance(value, float):
                cells.append(f"<td>{value:,.3f}</td>")
            elif isinstance(value, int) and not isinstance(value, bool):
                cells.append(f"<td>{value:,}</td>")
            else:
                cells.append(f'<td class="text">{escape(str(value))}</td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    rows_html = "".join(body)
    return (
        f'<table id="{table_id}"><thead><tr>{head}</tr></thead><tbody>{rows_html}</tbody></table>'
    )


def end_queues(run: ScenarioRun) -> list[dict[str, Any]]:
    """Every queue at the end: size, latency of its oldest job, and whether it is served."""
    served = run.sim.queues
    sizes = run.sim.stats.queues
    names = list(dict.fromkeys([*served, *sorted(sizes)]))
    return [
        {
            "queue": name,
            "size": sizes.get(name, 0),
            "latency": run.sim.queue(name).latency,
            "served": name in served,
        }
        for name in names
    ]


def set_table(run: ScenarioRun, name: str) -> tuple[str, int, list[str]]:
    """The retry or scheduled set at the end, soonest first; its size; the jids shown."""
    view = run.sim.retries if name == "retry" else run.sim.scheduled
    entries = sorted(view, key=lambda entry: (entry.score, entry.seq))
    rows = []
    for entry in entries[:SET_ROWS]:
        job = entry.job
        error = f"{job.get('error_class')}: {job.get('error_message')}" if name == "retry" else ""
        rows.append(
            [
                format_time(entry.score),
                "in " + _until(entry.score - run.end),
                job.get("class", ""),
                job_link(job.get("jid")),
                json.dumps(job.get("args", []))[:80],
                job.get("retry_count", "") if name == "retry" else job.get("queue", ""),
                *([error[:90]] if name == "retry" else []),
            ]
        )
    header = ["next run", "from the end", "class", "jid", "arguments"]
    header += ["retry_count", "error"] if name == "retry" else ["queue"]
    shown = [entry.jid for entry in entries[:SET_ROWS]]
    return table(f"{name}-set", header, rows), len(entries), shown


def _until(seconds: float) -> str:
    return duration_label(max(seconds, 0.0))


def cron_tab(run: ScenarioRun) -> list[dict[str, Any]]:
    """sidekiq-cron's entries at the end: expression, class, queue, last and next run."""
    recurring = run.cron.recurring
    if recurring is None:
        return []
    rows = []
    for name in sorted(recurring.jobs):
        job = recurring.jobs[name]
        last = job.last_enqueue_time
        following = job.cron.next_after(to_datetime(run.end)).timestamp()
        rows.append(
            {
                "name": name,
                "cron": job.cron.expression,
                "class": job.klass,
                "queue": job.queue or "default",
                "status": job.status,
                "last_run": format_time(last) if last is not None else "never",
                "next_run": format_time(following),
                "description": job.description,
            }
        )
    return rows


def rate_limit_section(summary: dict[str, Any]) -> tuple[str, str, str] | None:
    """``(id, heading, html)`` of the summary's ``rate_limits`` rows, or None when the run had
    neither sidekiq-throttled nor Enterprise limiters installed."""
    rates = summary.get("rate_limits")
    if rates is None:
        return None
    shown = table(
        "rate-limits-table",
        ["class", "throttled fetches", "requeued", "rescheduled", "wait added", "wait s"],
        [
            [
                r["class"],
                r["throttled"],
                r["requeued"],
                r["rescheduled"],
                duration_label(r["wait"]),
                float(r["wait"]),
            ]
            for r in rates
        ],
    )
    if not rates:
        shown += '<p class="note">No limit held a job back in this run.</p>'
    return ("rate-limits", "Rate limits (sidekiq-throttled, Enterprise limiters)", shown)
