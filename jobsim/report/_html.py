"""The HTML report of ``jobsim simulate --report`` (layer 7): one self-contained file.

Inline SVG, CSS and one small script (the job search); no CDN, no font or image fetched, so
the report opens offline and can be attached to a ticket. It answers a Sidekiq operator's
first question, *do the workers keep up?*: busy threads against the concurrency, queue depth
and latency over time, throughput, execution time per class, and the state at the end (queues,
retry and scheduled sets, cron tab, dead set), with a searchable job list that drills down
from a jid to every event. The numbers behind the charts are embedded as JSON
(``#report-data``). Sections carry ids for readers and tests.

Charts are hand-drawn SVG (``_svg``) rather than a vendored plotting library: text stays in
the DOM (searchable, testable for overlaps), the file needs no script to show its charts, and
small multiples with UTC ticks keep one hour to thirty days legible.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jobsim.clock import to_datetime
from jobsim.report import _charts
from jobsim.report._batches import batch_section
from jobsim.report._jobs import SEARCH_SCRIPT, job_list
from jobsim.report._series import report_data
from jobsim.report._svg import PALETTE, Chart, duration_label
from jobsim.report._tables import (
    cron_tab,
    end_queues,
    job_link,
    rate_limit_section,
    set_table,
    table,
)

if TYPE_CHECKING:
    from jobsim.events import Event
    from jobsim.replay._scenario import ScenarioRun

__all__ = ["KIND_COLORS", "scenario_report_html", "write_report"]

#: Marker colour of each event kind in the lifecycle chart.
KIND_COLORS = {
    "enqueued": "#999999",
    "scheduled": "#bbbbbb",
    "started": PALETTE[0],
    "succeeded": PALETTE[2],
    "failed": PALETTE[1],
    "retry_scheduled": PALETTE[6],
    "died": PALETTE[3],
    "discarded": PALETTE[4],
}
LIFECYCLES = 12

_CSS = """
body { font-family: sans-serif; margin: 24px; color: #222; max-width: 1100px; }
nav a { margin-right: 12px; font-size: 13px; }
.verdict { font-size: 15px; padding: 8px 12px; border-left: 4px solid #0072B2;
  background: #f3f7fb; }
.verdict.behind { border-color: #D55E00; background: #fdf3ee; }
.unserved td { background: #fdf3ee; }
details { border-bottom: 1px solid #eee; padding: 3px 0; font-size: 13px; }
details table { font-size: 12px; }
code { font-size: 12px; }
h1 { font-size: 22px; } h2 { font-size: 17px; margin-top: 28px; }
table { border-collapse: collapse; margin: 8px 0; font-size: 13px; }
th, td { border-bottom: 1px solid #ddd; padding: 3px 10px; text-align: right; white-space: nowrap; }
th:first-child, td:first-child { text-align: left; }
td.text { text-align: left; }
.figures span { display: inline-block; margin-right: 18px; }
.note { color: #666; font-size: 12px; }
svg { display: block; margin: 6px 0 14px 0; }
"""


def _pick_jobs(trace: Sequence[Event]) -> list[str]:
    """Up to 12 telling jobs: dead ones, then retried ones, then a few plain ones."""
    picked: list[str] = []
    for kind, share in (("died", 4), ("retry_scheduled", 6), ("succeeded", 2)):
        for event in (e for e in trace if e.kind == kind):
            if event.jid not in picked:
                picked.append(event.jid)
                share -= 1
                if share == 0:
                    break
    return picked[:LIFECYCLES]


def _lifecycles(trace: Sequence[Event]) -> str:
    jids = _pick_jobs(trace)
    wanted = dict.fromkeys(jids)
    events: dict[str, list[Any]] = {jid: [] for jid in jids}
    for event in trace:
        if event.jid in wanted:
            events[event.jid].append(event)
    span = max([ev[-1].ts - ev[0].ts for ev in events.values() if ev] + [1.0])
    chart = Chart(
        title="Job lifecycles (time since first enqueue)",
        x_label="time since the job was first pushed",
        y_label="",
        x_range=(0, span * 1.05),
        y_range=(-0.7, len(jids) - 0.3),
        height=max(240, 90 + 24 * len(jids)),
        css_class="lifecycles",
        left=160,
    )
    labels = {}
    for row, jid in enumerate(jids):
        line = events[jid]
        if not line:
            continue
        first = line[0].ts
        chart.segment(0, line[-1].ts - first, row, "#888")
        for event in line:
            tip = f"{event.kind} {to_datetime(event.ts):%Y-%m-%d %H:%M:%S} {event.job.get('class')}"
            chart.dot(event.ts - first, row, KIND_COLORS.get(event.kind, "#000"), tip, 4)
        labels[row] = f"{line[0].job.get('class')} {jid[:6]}"
    for kind in ("started", "failed", "retry_scheduled", "succeeded", "died"):
        chart.add_legend(kind, KIND_COLORS[kind])
    return chart.render(
        x_format=duration_label,
        y_ticks=[float(row) for row in labels],
        y_format=lambda value: labels.get(int(value), ""),
    )


def _verdict(summary: dict[str, Any]) -> tuple[str, bool]:
    """One sentence: did the threads keep up, and where did jobs wait longest?"""
    worst = max(summary["latency"], key=lambda q: q["p95"], default=None)
    waits = (
        f"worst p95 latency {duration_label(worst['p95'])} on queue {worst['queue']} "
        f"(max {duration_label(worst['max'])})"
        if worst is not None
        else "no queue latency measured"
    )
    capacity = summary["capacity"]
    limit, saturated = capacity["concurrency"], capacity["saturated_seconds"]
    # A minute of full threads is a blip a queue absorbs; more is jobs waiting for a thread.
    behind = saturated >= 60
    head = (
        f"all {limit} threads busy for {duration_label(saturated)}: the workers fell behind"
        if behind
        else f"kept up: at most {capacity['busy_peak']} of {limit} threads busy at once"
    )
    return f"{head}; {waits}.", behind


def _sections(
    run: ScenarioRun, data: dict[str, Any], events: Sequence[Event]
) -> list[tuple[str, str, str]]:
    """``(id, heading, html)`` of every section after the summary, in page order."""
    summary = run.summary
    per = duration_label(data["bin"])
    queues = end_queues(run)
    queue_rows = [
        [q["queue"], q["size"], duration_label(q["latency"]), "yes" if q["served"] else "NO"]
        for q in queues
    ]
    queue_table = table("queues", ["queue", "size", "oldest waits", "served"], queue_rows)
    unserved = [q["queue"] for q in queues if not q["served"] and q["size"]]
    if unserved:
        queue_table += (
            f'<p class="unserved note">No process serves {escape(", ".join(unserved))}: '
            f"its jobs wait for ever. Add it to sidekiq.yml's :queues.</p>"
        )
    retry_html, retry_size, retry_jids = set_table(run, "retry")
    scheduled_html, scheduled_size, scheduled_jids = set_table(run, "scheduled")
    crons = cron_tab(run)
    cron_html = (
        table(
            "cron",
            ["name", "cron", "class", "queue", "status", "last run", "next run", "description"],
            [
                [
                    c[k]
                    for k in (
                        "name",
                        "cron",
                        "class",
                        "queue",
                        "status",
                        "last_run",
                        "next_run",
                        "description",
                    )
                ]
                for c in crons
            ],
        )
        if crons
        else f'<p class="note" id="cron">{escape(summary["cron"])}</p>'
    )
    dead_rows = summary["dead"][:50]
    dead = table(
        "dead-set",
        ["class", "jid", "died at", "retry_count", "error"],
        [
            [
                d["class"],
                job_link(d["jid"]),
                d["died_at"],
                d["retry_count"] if d["retry_count"] is not None else "",
                f"{d['error_class']}: {d['error_message']}",
            ]
            for d in dead_rows
        ],
    )
    linked = [str(d["jid"]) for d in dead_rows] + retry_jids + scheduled_jids
    more = len(summary["dead"]) - len(dead_rows)
    if more > 0:
        dead += f'<p class="note">and {more:,} more</p>'
    execution = table(
        "execution",
        ["class", "executions", "p50", "p95", "max", "busy total"],
        [
            [
                e["class"],
                e["executions"],
                duration_label(e["p50"]),
                duration_label(e["p95"]),
                duration_label(e["max"]),
                duration_label(e["busy_seconds"]),
            ]
            for e in data["execution"]
        ],
    )
    columns = ("class", "processed", "succeeded", "failed", "retried", "dead", "discarded")
    sections = [
        ("busy", "Busy threads (is concurrency enough?)", _charts.busy_charts(data)),
        ("queue-depth", "Queue depth", _charts.depth_charts(data)),
        ("latency-over-time", "Queue latency over time", _charts.latency_charts(data)),
        (
            "throughput",
            f"Processed and failed per {per}",
            _charts.count_chart(data, "processed", f"executions started per {per}", PALETTE[0])
            + _charts.count_chart(data, "failed", f"executions failed per {per}", PALETTE[1]),
        ),
        (
            "retry-timeline",
            "Retries",
            _charts.count_chart(data, "retries", f"retries scheduled per {per}", PALETTE[6])
            + _charts.set_size_chart(data, "retry", "retry set size", PALETTE[0]),
        ),
        (
            "dead-timeline",
            "Deaths",
            _charts.count_chart(data, "deaths", f"jobs died per {per}", PALETTE[3])
            + _charts.set_size_chart(data, "dead", "dead set size", PALETTE[7]),
        ),
        ("execution-time", "Execution time per class", execution),
        (
            "per-class",
            "Per job class",
            table("classes", list(columns), [[c[k] for k in columns] for c in summary["classes"]]),
        ),
        (
            "latency-table",
            "Queue latency (enqueue to start, whole run)",
            table(
                "latency",
                ["queue", "executions", "p50 s", "p95 s", "max s"],
                [[q["queue"], q["jobs"], q["p50"], q["p95"], q["max"]] for q in summary["latency"]],
            ),
        ),
        ("end-queues", "Queues at the end", queue_table),
        ("retry-set-end", f"Retry set at the end ({retry_size:,}; soonest first)", retry_html),
        (
            "scheduled-set-end",
            f"Scheduled set at the end ({scheduled_size:,}; soonest first)",
            scheduled_html,
        ),
        ("cron-tab", "Cron tab (sidekiq-cron)", cron_html),
        (
            "errors-section",
            "Top errors",
            table(
                "errors",
                ["class", "error", "count", "example message"],
                [
                    [e["class"], e["error_class"], e["count"], e["example"]]
                    for e in summary["top_errors"]
                ],
            ),
        ),
        ("dead", f"Dead set ({len(summary['dead']):,})", dead),
        ("lifecycles", "Job lifecycles", _lifecycles(events)),
        ("jobs", "Jobs", job_list(events, summary["jobs"], linked)),
    ]
    rates = rate_limit_section(summary)
    if rates is not None:
        after = next(i for i, section in enumerate(sections) if section[0] == "per-class")
        sections.insert(after + 1, rates)
    return sections


def scenario_report_html(run: ScenarioRun) -> str:
    """The report of a finished :func:`jobsim.replay.run_scenario` as an HTML document."""
    summary = run.summary
    events = list(run.sim.trace)  # walked several times: build the events once
    data = report_data(run, events)
    title = f"jobsim report: {summary['scenario']} (seed {summary['seed']})"
    settings = ", ".join(f"{k}={v}" for k, v in summary.get("settings", {}).items())
    figures = (
        f"<span>profile <b>{escape(summary['profile'])}</b></span>"
        f"<span>concurrency <b>{summary['concurrency']}</b></span>"
        f"<span>{escape(summary['start'])} → {escape(summary['end'])}</span>"
        f"<span>jobs <b>{summary['jobs']:,}</b></span>"
        f"<span>executions <b>{summary['processed']:,}</b></span>"
        f"<span>failed <b>{summary['failed']:,}</b></span>"
        f"<span>dead <b>{summary['pending']['dead']:,}</b></span>"
        + (f"<span>settings <b>{escape(settings)}</b></span>" if settings else "")
    )
    verdict, behind = _verdict(summary)
    sections = _sections(run, data, events)
    batches = batch_section(run.sim, events)
    if batches is not None:
        sections.insert(-2, batches)  # before the lifecycles and the job list
    nav = "".join(
        f'<a href="#{key}">{escape(head.split(" (")[0])}</a>' for key, head, _ in sections
    )
    body = "".join(
        f'<section id="{key}"><h2>{escape(head)}</h2>{html}</section>'
        for key, head, html in sections
    )
    embedded = json.dumps(data, separators=(",", ":")).replace("</", "<\\/")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>
<style>{_CSS}</style></head>
<body>
<h1>{escape(title)}</h1>
<section id="summary"><div class="figures">{figures}</div>
<p class="verdict{" behind" if behind else ""}">{escape(verdict)}</p>
<p class="note">{escape(summary["cron"])}. Everything here ran on a virtual clock; the same
seed gives the same report. Charts bin time by {duration_label(data["bin"])}.</p>
<nav>{nav}</nav></section>
{body}
<script type="application/json" id="report-data">{embedded}</script>
<script>{SEARCH_SCRIPT}</script>
</body></html>
"""


def write_report(run: ScenarioRun, path: str | Path) -> Path:
    """Write :func:`scenario_report_html` to ``path``."""
    target = Path(path)
    target.write_text(scenario_report_html(run), encoding="utf-8")
    return target
