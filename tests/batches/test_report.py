"""The scenario report shows a batch timeline when the run made batches, and none otherwise."""

from __future__ import annotations

import textwrap
from pathlib import Path

from jobsim.replay import run_scenario
from jobsim.report import scenario_report_html

JOBS = """
from datetime import timedelta
import jobsim
from jobsim.batches import Batch

STEP = timedelta(hours=1)
PLUGINS = ["batches"]

class Notify:
    def on_success(self, status, options):
        pass

class Mail(jobsim.Job):
    def perform(self, n):
        return None

def tick(ctx):
    batch = Batch(description=f"hour {ctx.index}")
    batch.on("success", Notify)
    with batch.jobs():
        for n in range(3):
            Mail.perform_async(n)
"""


def _report(folder: Path, jobs: str) -> str:
    (folder / "jobs.py").write_text(textwrap.dedent(jobs))
    (folder / "sidekiq.yml").write_text(":concurrency: 2\n")
    return scenario_report_html(run_scenario(folder, seed=1, period=3 * 3600))


def test_the_report_has_a_batch_timeline(tmp_path: Path) -> None:
    html = _report(tmp_path, JOBS)
    section = html[html.index('<section id="batches">') :].split("</section>")[0]
    assert "<h2>Batches (3)</h2>" in section
    assert '<td class="text">hour 0</td><td class="text">success</td>' in section
    assert "callback success succeeded" in section
    assert html.index('id="batches"') < html.index('id="lifecycles"')


def test_a_run_without_batches_has_no_batch_section(tmp_path: Path) -> None:
    jobs = JOBS.replace('PLUGINS = ["batches"]', "").split("def tick")[0]
    html = _report(tmp_path, jobs + "\ndef tick(ctx):\n    Mail.perform_async(1)\n")
    assert 'id="batches"' not in html
