"""The config-file rows of issue #15: typos in sidekiq.yml / schedule.yml / jobs.py are errors
naming what was meant, and YAML from elsewhere is read within named limits."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import jobsim
from jobsim.cron.recurring import Recurring
from jobsim.replay import run_scenario
from jobsim.sidekiq_config import parse_sidekiq_yml
from jobsim.yaml_input import MAX_YAML_BYTES, MAX_YAML_DEPTH, MAX_YAML_NODES, load_yaml


def refused(text: str, **options: str) -> str:
    with pytest.raises(jobsim.InvalidArgument) as caught:
        parse_sidekiq_yml(text, source="config/sidekiq.yml", **options)
    return str(caught.value)


def test_a_misspelt_sidekiq_yml_key_names_the_key_meant() -> None:
    assert refused(":concurency: 5\n") == (
        "config/sidekiq.yml: unknown key :concurency:; did you mean :concurrency:? Sidekiq "
        "ignores keys it does not know, so the setting would silently not apply"
    )
    assert refused(":queus:\n  - default\n") == (
        "config/sidekiq.yml: unknown key :queus:; did you mean :queues:? Sidekiq ignores keys "
        "it does not know, so the setting would silently not apply"
    )


def test_a_misspelt_key_inside_the_environment_s_section_is_refused_too() -> None:
    text = ":concurrency: 5\nproduction:\n  :concurrncy: 20\n"
    assert refused(text, environment="production") == (
        "config/sidekiq.yml: unknown key :concurrncy: in the 'production' section; did you "
        "mean :concurrency:? Sidekiq ignores keys it does not know, so the setting would "
        "silently not apply"
    )


def test_a_misspelt_environment_names_the_section_meant() -> None:
    text = ":concurrency: 5\nproduction:\n  :concurrency: 20\nstaging:\n  :concurrency: 8\n"
    assert refused(text, environment="prodution") == (
        "config/sidekiq.yml: environment='prodution' has no section; did you mean "
        "'production'? sections: production, staging (an environment without a section uses "
        "the top-level options, as Sidekiq does)"
    )
    # An environment that is simply different uses the top level, as Sidekiq does.
    assert parse_sidekiq_yml(text, environment="development") == {"concurrency": 5}
    assert parse_sidekiq_yml(text, environment="production") == {"concurrency": 20}


def test_keys_sidekiq_or_its_gems_read_are_accepted_and_an_unknown_one_is_a_warning() -> None:
    text = ":concurrency: 5\n:verbose: true\n:dead_max_jobs: 100\n:cron_poll_interval: 10\n"
    assert parse_sidekiq_yml(text) == {"concurrency": 5}
    with pytest.warns(jobsim.JobsimWarning) as caught:
        assert parse_sidekiq_yml(":concurrency: 5\n:my_own_flag: 1\n") == {"concurrency": 5}
    assert str(caught[0].message) == (
        "yml: key :my_own_flag: is not one Sidekiq or the gems jobsim knows read; jobsim "
        "ignores it (it simulates concurrency, queues, poll_interval_average, max_retries, "
        "timeout)"
    )


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "schedule.yml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_misspelt_schedule_yml_key_names_the_key_meant(tmp_path: Path) -> None:
    path = write(tmp_path, "daily:\n  cron: '0 9 * * *'\n  clas: Report\n")
    with pytest.raises(jobsim.InvalidArgument) as caught:
        Recurring(jobsim.Simulator()).load_yaml(path)
    assert str(caught.value) == (
        f"{path}: cron job 'daily' has the key 'clas', which sidekiq-cron does not read; did "
        f"you mean 'class'? sidekiq-cron ignores unknown keys, so the setting would silently "
        f"not apply (keys: active_job, args, class, cron, date_as_argument, description, "
        f"fetch_missing_args, klass, last_enqueue_time, message, name, namespace, queue, "
        f"queue_name_delimiter, queue_name_prefix, retry, source, status, symbolize_args)"
    )


def test_a_misspelt_schedule_environment_names_the_section_meant(tmp_path: Path) -> None:
    path = write(tmp_path, "production:\n  daily:\n    cron: '0 9 * * *'\n    class: Report\n")
    with pytest.raises(jobsim.InvalidArgument) as caught:
        Recurring(jobsim.Simulator()).load_yaml(path, environment="prodution")
    assert str(caught.value) == (
        f"{path}: environment='prodution' has no section; did you mean 'production'? "
        f"sections: production"
    )
    loaded = Recurring(jobsim.Simulator()).load_yaml(path, environment="production")
    assert [job.name for job in loaded.all()] == ["daily"]


def alias_bomb(levels: int) -> str:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, levels + 1):
        lines.append(f"a{level}: &a{level} [{', '.join([f'*a{level - 1}'] * 9)}]")
    return "\n".join(lines) + "\n"


def test_an_alias_bomb_is_refused_before_it_is_built(tmp_path: Path) -> None:
    path = write(tmp_path, alias_bomb(9))
    with pytest.raises(jobsim.InvalidArgument) as caught:  # unbounded: 2 s and 300 MB
        Recurring(jobsim.Simulator()).load_yaml(path)
    assert str(caught.value) == (
        f"{path}: holds more than {MAX_YAML_NODES} values once its aliases (*name) are "
        f"followed (MAX_YAML_NODES), as an alias bomb does; write the values out or use fewer "
        f"aliases"
    )
    assert "MAX_YAML_NODES" in refused(alias_bomb(9))


def test_a_few_aliases_are_fine() -> None:
    assert load_yaml("base: &b {x: 1}\nother: *b\n", source="s")["other"] == {"x": 1}
    assert len(load_yaml(alias_bomb(3), source="s")["a3"]) == 9


def test_deep_nesting_is_refused_with_its_line() -> None:
    text = "a: 1\nb: " + "[" * (MAX_YAML_DEPTH + 5) + "]" * (MAX_YAML_DEPTH + 5) + "\n"
    with pytest.raises(jobsim.InvalidArgument) as caught:
        load_yaml(text, source="sidekiq.yml")
    assert str(caught.value) == (
        f"sidekiq.yml: nested more than {MAX_YAML_DEPTH} levels deep at line 2 "
        f"(MAX_YAML_DEPTH); a config nests a few levels: check its indentation and brackets"
    )


def test_deep_nesting_through_aliases_is_refused() -> None:
    depth = MAX_YAML_DEPTH // 2 + 2
    text = "a: &a " + "[" * depth + "]" * depth + "\nb: " + "[" * depth + "*a" + "]" * depth
    with pytest.raises(jobsim.InvalidArgument, match=r"once its aliases are followed, at line"):
        load_yaml(text, source="s")


def test_a_self_containing_alias_is_refused() -> None:
    with pytest.raises(jobsim.InvalidArgument) as caught:
        load_yaml("a: &loop [1, *loop]\n", source="s.yml")
    assert str(caught.value) == (
        "s.yml: an alias refers to the node that contains it (the anchor at line 1); a config "
        "cannot hold itself: copy the values instead"
    )


def test_a_huge_file_is_refused_by_size() -> None:
    text = "# " + "x" * MAX_YAML_BYTES + "\n"
    assert refused(text) == (
        f"config/sidekiq.yml: {len(text)} bytes, more than the {MAX_YAML_BYTES} jobsim reads "
        f"from a YAML file (MAX_YAML_BYTES); pass the config file itself"
    )


def test_yaml_that_does_not_parse_is_one_line() -> None:
    message = refused(":queues: [default\n")
    assert message.startswith("config/sidekiq.yml is not valid YAML: while parsing a flow")
    assert "\n" not in message


def scenario(tmp_path: Path, jobs: str, schedule: str | None = None) -> Path:
    folder = tmp_path / "app"
    folder.mkdir()
    (folder / "jobs.py").write_text(jobs, encoding="utf-8")
    if schedule is not None:
        (folder / "schedule.yml").write_text(schedule, encoding="utf-8")
    return folder


JOB = "import jobsim\n\n\nclass Report(jobsim.Job):\n    def perform(self):\n        pass\n"


def test_a_jobs_py_without_tick_and_without_cron_is_refused(tmp_path: Path) -> None:
    folder = scenario(tmp_path, JOB)
    with pytest.raises(jobsim.InvalidArgument) as caught:
        run_scenario(folder, period=3600)
    assert str(caught.value) == (
        f"scenario {folder}: jobs.py defines no tick(ctx) and there is no schedule.yml, so "
        f"nothing would ever be enqueued; define def tick(ctx): to enqueue each step's traffic"
    )


def test_a_misspelt_tick_names_the_function(tmp_path: Path) -> None:
    folder = scenario(tmp_path, JOB + "\n\ndef tik(ctx):\n    Report.perform_async()\n")
    with pytest.raises(jobsim.InvalidArgument) as caught:
        run_scenario(folder, period=3600)
    assert str(caught.value) == (
        f"scenario {folder}: jobs.py has no tick(ctx) but defines tik(); did you mean tick? "
        f"rename it so each step's traffic is enqueued"
    )


def test_a_cron_only_scenario_needs_no_tick(tmp_path: Path) -> None:
    folder = scenario(tmp_path, JOB, "hourly:\n  cron: '0 * * * *'\n  class: Report\n")
    run = run_scenario(folder, period=3 * 3600)
    assert run.summary["processed"] == 3


@pytest.mark.parametrize("step", ["0", "float('nan')", "-60"])
def test_a_step_that_never_reaches_the_end_is_refused(tmp_path: Path, step: str) -> None:
    folder = scenario(tmp_path, JOB + f"\nSTEP = {step}\n\ndef tick(ctx):\n    pass\n")
    with pytest.raises(jobsim.InvalidArgument, match=re.escape(f"{folder}/jobs.py: STEP=")):
        run_scenario(folder, period=3600)
