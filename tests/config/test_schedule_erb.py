"""ERB in ``schedule.yml`` as sidekiq-cron users write it, and the names a run read."""

from __future__ import annotations

import textwrap
from datetime import UTC, datetime
from pathlib import Path

import pytest

import jobsim
from jobsim.cron.recurring import Recurring
from jobsim.replay import run_scenario

START = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)  # a Monday

SCHEDULE = """\
nightly_report:
  cron: "<%= ENV.fetch('REPORT_CRON', '0 8 * * *') %>"
  class: "DailyReportWorker"
  queue: <%= ENV['REPORT_QUEUE'] || 'low' %>
  args: [<%= ENV.fetch('REPORT_DAYS') { 7 }.to_i %>]
"""


class DailyReportWorker(jobsim.Job):
    def perform(self, days: int) -> None: ...


def _load(tmp_path: Path, text: str, **options: object) -> Recurring:
    path = tmp_path / "schedule.yml"
    path.write_text(text, encoding="utf-8")
    sim = jobsim.Simulator(start=START)
    sim.register(DailyReportWorker)
    profile = options.pop("sidekiq_cron", "sidekiq-cron-2")
    return Recurring(sim, sidekiq_cron=str(profile)).load_yaml(path, **options)  # type: ignore[arg-type]


def test_defaults_when_the_variables_are_unset(tmp_path: Path) -> None:
    recurring = _load(tmp_path, SCHEDULE, env={})
    job = recurring.find("nightly_report")
    assert job.cron.expression == "0 8 * * *"
    assert job.queue == "low"
    assert job.args == [7]
    assert recurring.environment_read == {
        "REPORT_CRON": None,
        "REPORT_DAYS": None,
        "REPORT_QUEUE": None,
    }


def test_the_variables_given_win(tmp_path: Path) -> None:
    env = {"REPORT_CRON": "30 6 * * 1-5", "REPORT_QUEUE": "scheduled", "REPORT_DAYS": "30"}
    recurring = _load(tmp_path, SCHEDULE, env=env)
    job = recurring.find("nightly_report")
    assert job.cron.expression == "30 6 * * 1-5"
    assert (job.queue, job.args) == ("scheduled", [30])
    assert recurring.environment_read == env


def test_the_process_environment_is_the_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REPORT_CRON", "0 9 * * 1")
    recurring = _load(tmp_path, SCHEDULE)
    assert recurring.find("nightly_report").cron.expression == "0 9 * * 1"


def test_sidekiq_cron_1_8_does_not_render_unless_told(tmp_path: Path) -> None:
    # 1.8.0's loader is YAML.load_file: the tag would stay text. ERB came with 1.9.0.
    with pytest.raises(jobsim.InvalidArgument, match=r"schedule.yml, line 2: ERB .* erb=True"):
        _load(tmp_path, SCHEDULE, env={}, sidekiq_cron="sidekiq-cron-1.8")
    rendered = _load(tmp_path, SCHEDULE, env={}, sidekiq_cron="sidekiq-cron-1.8", erb=True)
    assert rendered.find("nightly_report").cron.expression == "0 8 * * *"


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("<% require 'x' %>", "line 2, column 10: .* is ERB that jobsim does not evaluate"),
        ("<%= File.read('/etc/passwd') %>", "line 2, column 10: .*unexpected 'File'"),
        ("<%= ENV.fetch('CRON') %>", "CRON is not set and has no default"),
    ],
)
def test_anything_else_is_refused_with_its_position(
    tmp_path: Path, template: str, message: str
) -> None:
    text = f'job:\n  cron: "{template}"\n  class: DailyReportWorker\n'
    with pytest.raises(jobsim.InvalidArgument, match=message):
        _load(tmp_path, text, env={})


JOBS = """
import jobsim

class DailyReportWorker(jobsim.Job, queue="low"):
    def perform(self, days):
        return None
"""


def test_a_runs_summary_names_the_environment_it_read(tmp_path: Path) -> None:
    (tmp_path / "jobs.py").write_text(textwrap.dedent(JOBS), encoding="utf-8")
    (tmp_path / "schedule.yml").write_text(SCHEDULE, encoding="utf-8")
    (tmp_path / "sidekiq.yml").write_text(
        ":concurrency: <%= ENV.fetch('SIDEKIQ_CONCURRENCY', 10) %>\n", encoding="utf-8"
    )
    env = {"SIDEKIQ_CONCURRENCY": "3", "REPORT_CRON": "0 */6 * * *", "UNRELATED": "x"}
    run = run_scenario(tmp_path, period=86400, env=env)
    assert run.summary["environment"] == {
        "REPORT_CRON": "0 */6 * * *",
        "REPORT_DAYS": None,
        "REPORT_QUEUE": None,
        "SIDEKIQ_CONCURRENCY": "3",
    }
    assert run.summary["concurrency"] == 3
    assert len(run.sim.trace.of_kind("cron_enqueued")) == 4  # every six hours, one day
    again = run_scenario(tmp_path, period=86400, env=env)
    assert [(e.kind, e.ts) for e in again.sim.trace] == [(e.kind, e.ts) for e in run.sim.trace]


def test_the_cli_summary_prints_the_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from jobsim.cli import main

    (tmp_path / "jobs.py").write_text(textwrap.dedent(JOBS), encoding="utf-8")
    (tmp_path / "schedule.yml").write_text(SCHEDULE, encoding="utf-8")
    monkeypatch.setenv("REPORT_QUEUE", "scheduled")
    monkeypatch.delenv("REPORT_CRON", raising=False)
    monkeypatch.delenv("REPORT_DAYS", raising=False)
    assert main(["simulate", str(tmp_path), "--for", "1d", "--progress", "never"]) == 0
    out = capsys.readouterr().out
    assert "environment read by the ERB of sidekiq.yml/schedule.yml: " in out
    assert "REPORT_CRON unset, REPORT_DAYS unset, REPORT_QUEUE=scheduled" in out
