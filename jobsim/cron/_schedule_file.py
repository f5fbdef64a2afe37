"""Reading a ``config/schedule.yml`` (layer 7, private): ERB, YAML, a per-environment section.

sidekiq-cron's schedule loader renders the file with ERB before reading the YAML since 1.9.0
(``ERB.new(IO.read(schedule_file)).result``, PR #373); 1.8.0's reads it with
``YAML.load_file``, so a tag there stays text (and its cron fails), unless the app's own
initializer renders it (``load_from_hash YAML.load(ERB.new(File.read(path)).result)``, as many
do). jobsim renders the same safe subset as ``sidekiq.yml`` (:mod:`jobsim.erb`: ``ENV`` lookups
with defaults, ``.to_i``), with the variables of an explicit mapping, and reports the names read.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from jobsim.cron._schedule_keys import check_schedule, environment_section
from jobsim.erb import render
from jobsim.errors import InvalidArgument
from jobsim.yaml_input import load_yaml

__all__ = ["read_schedule_file"]


def read_schedule_file(
    path: str | Path,
    *,
    environment: str | None,
    env: Mapping[str, str] | None,
    erb: bool,
    loader: str,
) -> tuple[Any, dict[str, str | None]]:
    """The schedule the file at ``path`` holds, and the environment variables its ERB read.

    ``erb`` says whether to render it; ``loader`` names who reads it, for the message when a
    file with ERB is read without rendering.
    """
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as error:
        msg = f"cannot read {file}: {error.strerror}"
        raise InvalidArgument(msg) from None
    variables: dict[str, str | None] = {}
    if erb:
        rendered = render(text, os.environ if env is None else env, source=str(file))
        text, variables = rendered.text, rendered.variables
    elif "<%" in text:
        line = text.count("\n", 0, text.index("<%")) + 1
        msg = (
            f"{file}, line {line}: ERB in a schedule that {loader} reads without rendering it "
            f"(its loader renders ERB from sidekiq-cron 1.9.0 on); pass erb=True if your "
            f"initializer renders the file, or sidekiq_cron='sidekiq-cron-2'"
        )
        raise InvalidArgument(msg)
    # Bounded (jobsim.yaml_input); unknown keys and misspelt environments refused.
    loaded = load_yaml(text, source=str(file)) or {}
    loaded = environment_section(loaded, environment, str(file))
    if not isinstance(loaded, Mapping | list):
        msg = f"{file}: expected a mapping of cron jobs or a list of them"
        raise InvalidArgument(msg)
    check_schedule(loaded, str(file))
    return loaded, variables
