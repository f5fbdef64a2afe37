"""ERB in ``sidekiq.yml``: the safe subset Sidekiq users write, evaluated as Ruby would."""

from __future__ import annotations

from pathlib import Path

import pytest

import jobsim
from jobsim.erb import render
from jobsim.sidekiq_config import parse_sidekiq_yml


class AlwaysFails(jobsim.Job, queue="default"):
    def perform(self) -> None:
        raise RuntimeError("down")


#: The ``config/sidekiq.yml`` of the guide ``003_85777e007b3c74a5.txt``, verbatim.
GUIDE_003_SIDEKIQ_YML = """\
---
:concurrency: <%= ENV.fetch('SIDEKIQ_CONCURRENCY', 10) %>
:timeout: 25
:max_retries: 5

:queues:
  - [critical, 6]      # Highest priority
  - [default, 5]
  - [notifications, 4]
  - [integrations, 3]  # External API calls
  - [bulk, 2]          # Batch processing
  - [scheduled, 1]
  - [low, 1]           # Lowest priority

production:
  :concurrency: 20

development:
  :concurrency: 5
"""


@pytest.mark.parametrize(
    ("variables", "environment", "concurrency"),
    [
        ({}, None, 10),
        ({"SIDEKIQ_CONCURRENCY": "32"}, None, 32),
        ({}, "production", 20),
        ({"SIDEKIQ_CONCURRENCY": "32"}, "production", 20),
        ({}, "development", 5),
        ({"SIDEKIQ_CONCURRENCY": "32"}, "development", 5),
    ],
)
def test_the_guides_sidekiq_yml_loads_verbatim(
    tmp_path: Path, variables: dict[str, str], environment: str | None, concurrency: int
) -> None:
    path = tmp_path / "sidekiq.yml"
    path.write_text(GUIDE_003_SIDEKIQ_YML, encoding="utf-8")
    sim = jobsim.Simulator.from_sidekiq_yml(path, environment=environment, env=variables)
    assert sim.concurrency == concurrency
    assert sim.shutdown_timeout == 25
    assert sim.queues[:2] == ["critical", "default"]
    assert sim.queue_config is not None
    assert sim.queue_config.mode == "weighted"
    with sim:
        AlwaysFails.perform_async()
    sim.drain()
    assert len(sim.trace.of_kind("retry_scheduled")) == 5  # :max_retries: 5, then the dead set
    assert len(sim.dead) == 1


def test_the_process_environment_is_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIDEKIQ_CONCURRENCY", "7")
    assert parse_sidekiq_yml(GUIDE_003_SIDEKIQ_YML)["concurrency"] == 7


@pytest.mark.parametrize(
    ("template", "variables", "expected"),
    [
        ("<%= ENV['X'] %>", {"X": "a"}, "a"),
        ("[<%= ENV['X'] %>]", {}, "[]"),  # nil renders as nothing
        ('<%= ENV["X"] %>', {"X": "b"}, "b"),
        ("<%= ENV.fetch('X') %>", {"X": "c"}, "c"),
        ("<%= ENV.fetch('X', 10) %>", {}, "10"),
        ("<%= ENV.fetch('X', 10) %>", {"X": "3"}, "3"),
        ("<%= ENV.fetch('X', 'def') %>", {}, "def"),
        ("<%= ENV.fetch('X') { 25 } %>", {}, "25"),
        ("<%= ENV.fetch('X') { 25 } %>", {"X": "9"}, "9"),
        ("<%= ENV['X'] || 5 %>", {}, "5"),
        ("<%= ENV['X'] || 5 %>", {"X": ""}, ""),  # "" is truthy in Ruby
        ("<%= ENV['X'].to_i %>", {"X": "12abc"}, "12"),
        ("<%= ENV['X'].to_i %>", {}, "0"),
        ("<%= ENV.fetch('X', '2.5').to_f %>", {}, "2.5"),
        ("<%= (ENV['X'] || '4').to_i %>", {}, "4"),
        ("<%= ENV.fetch('X', nil) %>", {}, ""),
        ("<%= ENV.fetch('X', true) %>", {}, "true"),
        ("a: <%= ENV['A'] -%>\nb: <%= ENV['B'] %>", {"A": "1", "B": "2"}, "a: 1\nb: 2"),
        ("<%= 'it\\'s' %>", {}, "it's"),
        ("no tags at all", {}, "no tags at all"),
    ],
)
def test_the_safe_subset_renders_as_erb(
    template: str, variables: dict[str, str], expected: str
) -> None:
    assert render(template, variables).text == expected


def test_the_variables_read_are_reported() -> None:
    rendered = render("<%= ENV['B'] || ENV.fetch('A', 1) %>", {"A": "x"})
    assert rendered.variables == {"A": "x", "B": None}


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("x: <% if true %>", "line 1, column 4: '<% if true %>' is ERB that jobsim does not"),
        ("<%# a comment %>", "line 1, column 1: '<%# a comment %>' is ERB"),
        ("\n  <%= File.read('/etc/passwd') %>", "line 2, column 3: <%= File.read"),
        ("<%= `rm -rf /` %>", "unexpected '`rm -rf /`'"),
        ("<%= ENV.fetch('X') %>", "ENV.fetch('X'): X is not set and has no default"),
        ("<%= ENV['X'].upcase %>", "unsupported method .upcase"),
        ("<%= ENV['X' %>", "the expression ends too early"),
        ("<%= ENV['X'] 3 %>", "unexpected '3'"),
        ("<%= system('ls') %>", "unexpected 'system'"),
    ],
)
def test_anything_else_is_refused_with_its_position(template: str, message: str) -> None:
    with pytest.raises(jobsim.InvalidArgument, match="Render the file first") as raised:
        render(template, {}, source="config/sidekiq.yml")
    assert message in str(raised.value)
    assert str(raised.value).startswith("config/sidekiq.yml, line ")
