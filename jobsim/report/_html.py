"""The HTML report of ``jobsim simulate --report`` (layer 7): one self-contained file.

Inline SVG and CSS only: no script, no CDN, no font or image fetched, so the report opens
offline and can be attached to a ticket. Sections carry ids (``summary``, ``queue-depth``,
``retry-timeline``, ``dead-timeline``, ``lifecycles``, ``classes``, ``latency``, ``errors``,
``dead-set``) for readers and tests.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jobsim.clock import to_datetime
from jobsim.report._svg import PALETTE, Chart, duration_label

if TYPE_CHECKING:
    from jobsim.replay._scenario import ScenarioRun
    from jobsim.trace import Trace

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
h1 { font-size: 22px; } h2 { font-size: 17px; margin-top: 28px; }
table { border-collapse: collapse; margin: 8px 0; font-size: 13px; }
th, td { border-bottom: 1px solid #ddd; padding: 3px 10px; text-align: right; }
th:first-child, td:first-child { text-align: left; }
td.text { text-align: left; }
.figures span { display: inline-block; margin-right: 18px; }
.note { color: #666; font-size: 12px; }
svg { display: block; margin: 6px 0 14px 0; }
"""


def _table(table_id: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    head = "".join(f"<th>{escape(name)}</th>" for name in header)
    body = []
    for row in rows:
        cells = []
        for value in row:
            if isinstance(value, float):
                cells.append(f"<td>{value:,.3f}</td>")
            elif isinstance(value, int):
                cells.append(f"<td>{value:,}</td>")
            else:
                cells.append(f'<td class="text">{escape(str(value))}</td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    rows_html = "".join(body)
    return (
        f'<table id="{table_id}"><thead><tr>{head}</tr></thead><tbody>{rows_html}</tbody></table>'
    )


def _day_ticks(days: float) -> list[float]:
    step = 1 if days <= 10 else 7
    return [float(day * 24) for day in range(0, int(days) + 1, step)]


def _hours(run: ScenarioRun, ts: float) -> float:
    return (ts - run.start) / 3600


def _queue_depth(run: ScenarioRun) -> str:
    samples = run.samples
    hours = [_hours(run, sample.ts) for sample in samples]
    names = list(samples[-1].queues) if samples else []
    peak = max([max(s.queues.values(), default=0) for s in samples] + [1])
    days = (run.end - run.start) / 86400
    chart = Chart(
        title="Queue depth over time",
        x_label="virtual time (hours since start)",
        y_label="jobs waiting",
        x_range=(0, days * 24),
        y_range=(0, peak * 1.1),
        css_class="queue-depth",
    )
    for index, name in enumerate(names):
        depth = [float(sample.queues.get(name, 0)) for sample in samples]
        chart.polyline(hours, depth, PALETTE[index % len(PALETTE)], name)
    return chart.render(x_ticks=_day_ticks(days), x_format=lambda h: f"day {h / 24:g}")


def _per_hour(run: ScenarioRun, trace: Trace, kind: str) -> tuple[list[float], list[float]]:
    hours = max(int((run.end - run.start) // 3600) + 1, 1)
    counts = [0.0] * hours
    for event in trace.of_kind(kind):
        index = int((event.ts - run.start) // 3600)
        if 0 <= index < hours:
            counts[index] += 1
    return [float(hour) for hour in range(hours)], counts


def _timeline(run: ScenarioRun, kind: str, title: str, css: str, size_of: str) -> str:
    xs, counts = _per_hour(run, run.sim.trace, kind)
    sizes = [float(getattr(sample, size_of)) for sample in run.samples]
    peak = max([*counts, *sizes, 1.0])
    days = (run.end - run.start) / 86400
    chart = Chart(
        title=title,
        x_label="virtual time (hours since start)",
        y_label="jobs",
        x_range=(0, days * 24),
        y_range=(0, peak * 1.1),
        css_class=css,
    )
    chart.bars(xs, counts, 1.0, PALETTE[1] if kind != "died" else PALETTE[3], f"{kind} per hour")
    chart.polyline(
        [_hours(run, sample.ts) for sample in run.samples], sizes, PALETTE[0], f"{size_of} set size"
    )
    return chart.render(x_ticks=_day_ticks(days), x_format=lambda h: f"day {h / 24:g}")


def _pick_jobs(trace: Trace) -> list[str]:
    """Up to 12 telling jobs: dead ones, then retried ones, then a few plain ones."""
    picked: list[str] = []
    for kinds, share in ((("died",), 4), (("retry_scheduled",), 6), (("succeeded",), 2)):
        for event in trace.of_kind(*kinds):
            if event.jid not in picked:
                picked.append(event.jid)
                share -= 1
                if share == 0:
                    break
    return picked[:LIFECYCLES]


def _lifecycles(run: ScenarioRun) -> str:
    trace = run.sim.trace
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
        y_label="job",
        x_range=(0, span * 1.05),
        y_range=(-0.7, len(jids) - 0.3),
        height=max(240, 90 + 24 * len(jids)),
        css_class="lifecycles",
        left=150,
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


def scenario_report_html(run: ScenarioRun) -> str:
    """The report of a finished :func:`jobsim.replay.run_scenario` as an HTML document."""
    summary = run.summary
    title = f"jobsim report: {summary['scenario']} (seed {summary['seed']})"
    figures = (
        f"<span>profile <b>{escape(summary['profile'])}</b></span>"
        f"<span>concurrency <b>{summary['concurrency']}</b></span>"
        f"<span>{escape(summary['start'])} → {escape(summary['end'])}</span>"
        f"<span>jobs <b>{summary['jobs']:,}</b></span>"
        f"<span>executions <b>{summary['processed']:,}</b></span>"
        f"<span>failed <b>{summary['failed']:,}</b></span>"
        f"<span>dead <b>{summary['pending']['dead']:,}</b></span>"
    )
    classes = _table(
        "classes",
        ["class", "processed", "succeeded", "failed", "retried", "dead", "discarded"],
        [
            [
                c["class"],
                c["processed"],
                c["succeeded"],
                c["failed"],
                c["retried"],
                c["dead"],
                c["discarded"],
            ]
            for c in summary["classes"]
        ],
    )
    latency = _table(
        "latency",
        ["queue", "executions", "p50 s", "p95 s", "max s"],
        [[q["queue"], q["jobs"], q["p50"], q["p95"], q["max"]] for q in summary["latency"]],
    )
    errors = _table(
        "errors",
        ["class", "error", "count", "example message"],
        [[e["class"], e["error_class"], e["count"], e["example"]] for e in summary["top_errors"]],
    )
    dead_rows = summary["dead"][:50]
    dead = _table(
        "dead-set",
        ["class", "jid", "died at", "retry_count", "error"],
        [
            [
                d["class"],
                d["jid"],
                d["died_at"],
                d["retry_count"] if d["retry_count"] is not None else "",
                f"{d['error_class']}: {d['error_message']}",
            ]
            for d in dead_rows
        ],
    )
    more = len(summary["dead"]) - len(dead_rows)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>
<style>{_CSS}</style></head>
<body>
<h1>{escape(title)}</h1>
<section id="summary"><div class="figures">{figures}</div>
<p class="note">{escape(summary["cron"])}. Everything here ran on a virtual clock; the same
seed gives the same report.</p></section>
<section id="queue-depth"><h2>Queue depth</h2>{_queue_depth(run)}</section>
<section id="retry-timeline"><h2>Retries</h2>
{_timeline(run, "retry_scheduled", "Retries per hour, retry set size", "retries", "retry")}
</section>
<section id="dead-timeline"><h2>Deaths</h2>
{_timeline(run, "died", "Jobs died per hour, dead set size", "deaths", "dead")}</section>
<section id="lifecycles"><h2>Job lifecycles</h2>{_lifecycles(run)}</section>
<section><h2>Per job class</h2>{classes}</section>
<section><h2>Queue latency (enqueue to start)</h2>{latency}</section>
<section><h2>Top errors</h2>{errors}</section>
<section><h2>Dead set ({len(summary["dead"]):,})</h2>{dead}
{f'<p class="note">and {more:,} more</p>' if more > 0 else ""}</section>
</body></html>
"""


def write_report(run: ScenarioRun, path: str | Path) -> Path:
    """Write :func:`scenario_report_html` to ``path``."""
    target = Path(path)
    target.write_text(scenario_report_html(run), encoding="utf-8")
    return target
