"""The report's job list (layer 7): search it, open a jid, read every event of that job.

A run of a month has hundreds of thousands of jobs; the list keeps the telling ones (the
jobs other sections link to, every job that failed at least once, then the longest waits,
then the first plain ones, about :data:`JOB_ROWS`) and says how many it left out (the full
story is ``--trace``). Each job is a ``<details id="job-JID">`` with its arguments and a
table of its events, so links from the retry, scheduled and dead sets open it; a small inline
script filters the list as you type.
"""

from __future__ import annotations

import heapq
import json
from collections.abc import Sequence
from html import escape
from typing import TYPE_CHECKING

from jobsim.clock import format_time
from jobsim.report._series import wait_start

if TYPE_CHECKING:
    from jobsim.events import Event

__all__ = ["JOB_ROWS", "SEARCH_SCRIPT", "job_list", "pick_jobs"]

#: Jobs listed at most: failed ones first, then the longest waits, then plain ones.
JOB_ROWS = 600
_FAILED_SHARE, _SLOW_SHARE = 350, 150

#: Filters the job list by the text typed; opens the job a ``#job-JID`` link points at.
SEARCH_SCRIPT = """
(function () {
  var box = document.getElementById('job-search');
  var jobs = document.querySelectorAll('#job-list details');
  var shown = document.getElementById('job-shown');
  box.addEventListener('input', function () {
    var words = box.value.toLowerCase().split(/\\s+/).filter(Boolean);
    var count = 0;
    jobs.forEach(function (job) {
      var text = job.getAttribute('data-search');
      var hit = words.every(function (word) { return text.indexOf(word) >= 0; });
      job.hidden = !hit;
      if (hit) { count += 1; }
    });
    shown.textContent = count;
  });
  function openTarget() {
    var target = location.hash && document.getElementById(location.hash.slice(1));
    if (target && target.tagName === 'DETAILS') { target.hidden = false; target.open = true; }
  }
  window.addEventListener('hashchange', openTarget);
  openTarget();
})();
"""


def pick_jobs(events: Sequence[Event], linked: Sequence[str] = ()) -> list[str]:
    """The jids to list, in this order: ``linked`` (jids the report links to) first."""
    failed: dict[str, None] = {}
    waits: list[tuple[float, int, str]] = []
    plain: dict[str, None] = {}
    for event in events:
        kind = event.kind
        if kind == "failed":
            if len(failed) < _FAILED_SHARE:
                failed.setdefault(event.jid)
        elif kind == "started":
            since = wait_start(event.job)
            if since is not None:
                waits.append((event.ts - since, -event.seq, event.jid))
            if len(plain) < JOB_ROWS:
                plain.setdefault(event.jid)
    picked = dict.fromkeys(linked)
    picked.update(failed)
    wanted = len(picked) + _SLOW_SHARE
    for _, _, jid in heapq.nlargest(wanted, waits):
        if len(picked) >= wanted:
            break
        picked.setdefault(jid)
    for jid in plain:
        if len(picked) >= JOB_ROWS:
            break
        picked.setdefault(jid)
    return list(picked)


def _detail(event: Event) -> str:
    detail = dict(event.detail)
    for key in ("run_at", "retry_at"):
        if isinstance(detail.get(key), int | float):
            detail[key] = format_time(detail[key])
    return json.dumps(detail, default=str, sort_keys=True)[:200] if detail else ""


def _job_html(jid: str, events: list[Event]) -> str:
    first, last = events[0], events[-1]
    job = last.job
    klass = str(job.get("class", first.job.get("class", "")))
    args = json.dumps(job.get("args", first.job.get("args", [])), default=str)
    outcome = last.kind
    errors = sorted({str(e.detail.get("error_class")) for e in events if e.kind == "failed"})
    search = " ".join([jid, klass, str(job.get("queue", "")), args, outcome, *errors]).lower()
    rows = "".join(
        f"<tr><td>{escape(format_time(e.ts))}</td><td>{escape(e.kind)}</td>"
        f"<td>{escape(str(e.job.get('queue', '')))}</td>"
        f"<td>{escape(str(e.job.get('retry_count', '')))}</td>"
        f'<td class="text">{escape(_detail(e))}</td></tr>'
        for e in events
    )
    return (
        f'<details id="job-{escape(jid)}" data-search="{escape(search)}">'
        f"<summary><code>{escape(jid)}</code> {escape(klass)} <small>{escape(args[:80])}</small>"
        f" → <b>{escape(outcome)}</b></summary>"
        f'<p class="note">arguments: <code>{escape(args[:500])}</code>'
        f"{' — errors: ' + escape(', '.join(errors)) if errors else ''}</p>"
        f"<table><thead><tr><th>at</th><th>event</th><th>queue</th><th>retry_count</th>"
        f"<th>detail</th></tr></thead><tbody>{rows}</tbody></table></details>"
    )


def job_list(events: Sequence[Event], total: int, linked: Sequence[str] = ()) -> str:
    """The searchable job list with a drill-down per job (``events``: the trace as a list;
    ``total``: how many jobs the run had; ``linked``: jids other sections link to)."""
    jids = pick_jobs(events, linked)
    wanted: dict[str, list[Event]] = {jid: [] for jid in jids}
    for event in events:
        mine = wanted.get(event.jid)
        if mine is not None:
            mine.append(event)
    items = "".join(_job_html(jid, wanted[jid]) for jid in jids if wanted[jid])
    left_out = total - len(jids)
    note = (
        f"{len(jids):,} of {total:,} jobs: those the sets above link to, every job that failed "
        f"(up to {_FAILED_SHARE}), the {_SLOW_SHARE} longest waits, then the first ones. "
        + (f"{left_out:,} more are in the trace (--trace FILE.jsonl)." if left_out > 0 else "")
    )
    return (
        '<p><label for="job-search">Search jid, class, queue, arguments, error: </label>'
        '<input id="job-search" type="search" size="40"> '
        f'<span class="note"><span id="job-shown">{len(jids):,}</span> shown</span></p>'
        f'<p class="note">{escape(note)}</p><div id="job-list">{items}</div>'
    )
