"""The report's end-of-run sections and helpers: unserved queues, the sets with their next run
times, the cron tab, time ticks from an hour to a month, and the sweep's histograms."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from jobsim.clock import DEFAULT_START
from jobsim.replay import run_scenario
from jobsim.report import scenario_report_html
from jobsim.report._series import bin_width
from jobsim.report._svg import time_ticks
from jobsim.report._sweep import histogram

ROOT = Path(__file__).resolve().parents[2]

JOBS = """
from datetime import timedelta
import jobsim
from jobsim.replay.model import fails, takes

STEP = timedelta(minutes=10)

class Export(jobsim.Job, queue="reports"):
    def perform(self, n):
        return None

class Flaky(jobsim.Job, retry=10):
    duration = takes(1, 2)

    @fails(1.0, TimeoutError, "upstream timed out")
    def perform(self, n):
        return None

def tick(ctx):
    Export.perform_async(ctx.index)
    Flaky.perform_async(ctx.index)
    Flaky.perform_in(86400, ctx.index)
"""


@pytest.fixture(scope="module")
def html(tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("unserved")
    (folder / "jobs.py").write_text(textwrap.dedent(JOBS))
    (folder / "sidekiq.yml").write_text(":concurrency: 2\n:queues:\n  - default\n")
    return scenario_report_html(run_scenario(folder, seed=2, period=3 * 3600))


def test_a_queue_nobody_serves_is_called_out(html: str) -> None:
    row = html[html.index('<table id="queues">') :].split("</table>")[0]
    assert '<td class="text">reports</td><td>18</td>' in row  # one Export per 10 minutes
    assert ">NO<" in row
    assert "No process serves reports" in html


def test_sets_at_the_end_show_next_run_times_soonest_first(html: str) -> None:
    retry = html[html.index('<table id="retry-set">') :].split("</table>")[0]
    assert "TimeoutError: upstream timed out" in retry
    assert 'href="#job-' in retry
    scheduled = html[html.index('<table id="scheduled-set">') :].split("</table>")[0]
    times = [cell for cell in scheduled.split('<td class="text">') if cell.startswith("2026-")]
    assert len(times) == 18
    assert times == sorted(times)  # soonest first
    assert "Scheduled set at the end (18; soonest first)" in html


def test_shop_has_a_cron_tab_with_last_and_next_run() -> None:
    run = run_scenario(ROOT / "examples" / "shop", seed=1, period=3 * 3600)
    page = scenario_report_html(run)
    cron = page[page.index('<table id="cron">') :].split("</table>")[0]
    assert "nightly_report" in cron
    assert "0 2 * * *" in cron
    assert "2026-01-01T02:00:" in cron  # last run, at the first poll after 02:00
    assert "2026-01-02T02:00:00Z" in cron  # next run


@pytest.mark.parametrize(
    ("period", "first", "count"),
    [
        (3600, "Jan 01", 7),
        (86400, "Jan 01", 9),
        (7 * 86400, "Jan 01", 8),
        (30 * 86400, "Jan 01", 5),
    ],
)
def test_time_ticks_stay_few_and_short(period: int, first: str, count: int) -> None:
    start = DEFAULT_START.timestamp()
    ticks = time_ticks(start, start + period)
    assert len(ticks) == count
    assert ticks[0] == (start, first)
    assert all(len(label) <= 6 for _, label in ticks)
    assert 12 <= period / bin_width(period, 300) <= 240


def test_histogram_counts_every_value_once() -> None:
    edges, counts = histogram([1.0, 2.0, 2.0, 3.0, 10.0], bins=3)
    assert edges == [1.0, 4.0, 7.0]
    assert counts == [4, 0, 1]
    assert histogram([5.0, 5.0]) == ([5.0], [2])
