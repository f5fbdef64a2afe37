"""Reading a real ``config/sidekiq.yml`` (layer 2): concurrency and queues, per environment.

Sidekiq merges the section named after the environment over the top level
(``opts.merge(opts.delete(environment))``) and accepts keys with or without a leading colon
(``:concurrency:`` or ``concurrency:``). Like Sidekiq, it renders ERB first, but only the safe
subset of :mod:`jobsim.erb` (``<%= ENV.fetch('SIDEKIQ_CONCURRENCY', 10) %>`` and its kin), with
the variables of an explicit mapping (by default the process environment). Needs PyYAML
(``pip install 'jobsim[yaml]'``).
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from jobsim import validate
from jobsim.erb import render
from jobsim.errors import InvalidArgument, JobsimWarning
from jobsim.yaml_input import load_yaml

__all__ = ["KNOWN_KEYS", "SIMULATED_KEYS", "load_sidekiq_yml", "parse_sidekiq_yml"]


#: The keys jobsim turns into Simulator options.
SIMULATED_KEYS = ("concurrency", "queues", "poll_interval_average", "max_retries", "timeout")
#: Every key Sidekiq 6.4 to 8 (``Sidekiq::DEFAULTS`` and the CLI's options) or a common gem
#: (sidekiq-cron, sidekiq-scheduler, sidekiq-limit_fetch) reads from sidekiq.yml. jobsim
#: simulates :data:`SIMULATED_KEYS`; the others are accepted and have no effect here. A key
#: close to one of these is a typo Sidekiq would ignore in silence, so it is refused.
KNOWN_KEYS = frozenset(
    {
        *SIMULATED_KEYS,
        "average_scheduled_poll_interval",
        "backtrace_cleaner",
        "capsules",
        "death_handlers",
        "dead_max_jobs",
        "dead_timeout_in_seconds",
        "environment",
        "error_handlers",
        "index",
        "labels",
        "lifecycle_events",
        "logfile",
        "max_iteration_runtime",
        "on_complex_arguments",
        "pidfile",
        "redis",
        "reloader",
        "require",
        "skip_default_job_logging",
        "strict",
        "tag",
        "verbose",
        # gems
        "cron_poll_interval",
        "cron_schedule_file",
        "schedule",
        "scheduler",
        "dynamic",
        "dynamic_every",
        "enabled",
        "listened_queues_only",
        "limits",
        "process_limits",
        "blocking",
    }
)


def _key(raw: Any) -> str:
    return str(raw).lstrip(":")


def _check_keys(options: Mapping[str, Any], source: str, where: str, sections: set[str]) -> None:
    """Refuse a key that misspells a known one; warn about one that matches nothing."""
    for key in options:
        if key in KNOWN_KEYS or key in sections:
            continue
        meant = validate.close_match(key, KNOWN_KEYS)
        if meant is not None:
            msg = (
                f"{source}: unknown key :{key}:{where}; did you mean :{meant}:? Sidekiq ignores "
                f"keys it does not know, so the setting would silently not apply"
            )
            raise InvalidArgument(msg)
        warnings.warn(
            JobsimWarning(
                f"{source}: key :{key}:{where} is not one Sidekiq or the gems jobsim knows "
                f"read; jobsim ignores it (it simulates {', '.join(SIMULATED_KEYS)})"
            ),
            stacklevel=4,
        )


def _environment_section(
    options: dict[str, Any], environment: str, sections: set[str], source: str
) -> dict[str, Any]:
    """The section named ``environment`` (removed from ``options``); a near miss is refused."""
    section = options.pop(environment, None)
    if isinstance(section, dict):
        return {_key(key): value for key, value in section.items()}
    if section is not None:
        msg = (
            f"{source}: environment {environment!r} names the key :{environment}: = "
            f"{section!r}, not a section of options; pass an environment the file has a "
            f"section for"
        )
        raise InvalidArgument(msg)
    meant = validate.close_match(environment, sections)
    if meant is not None:
        msg = (
            f"{source}: environment={environment!r} has no section; did you mean {meant!r}? "
            f"sections: {', '.join(sorted(sections))} (an environment without a section uses "
            f"the top-level options, as Sidekiq does)"
        )
        raise InvalidArgument(msg)
    return {}


def parse_sidekiq_yml(
    text: str,
    *,
    environment: str | None = None,
    source: str = "yml",
    env: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The Simulator keyword arguments a ``sidekiq.yml`` text stands for.

    Returns a dict with any of ``concurrency``, ``queues``, ``poll_interval_average``,
    ``max_retries`` and ``shutdown_timeout`` (Sidekiq's ``timeout``). ``env`` holds the
    variables its ERB may read (default: the process environment, ``os.environ``).

    A key that misspells one Sidekiq reads (``:concurency:``) and an ``environment`` that
    misspells one of the file's sections are refused with the name meant; the text is read
    within :mod:`jobsim.yaml_input`'s limits.
    """
    text = render(text, os.environ if env is None else env, source=source).text
    loaded = load_yaml(text, source=source) or {}
    if not isinstance(loaded, dict):
        msg = (
            f"{source} must hold a mapping of options at the top level, not {type(loaded).__name__}"
        )
        raise InvalidArgument(msg)
    options = {_key(key): value for key, value in loaded.items()}
    # A mapping under a name Sidekiq does not read is an environment's section.
    sections = {
        key for key, value in options.items() if isinstance(value, dict) and key not in KNOWN_KEYS
    }
    _check_keys(options, source, "", sections)
    if environment is not None:
        section = _environment_section(options, environment, sections, source)
        _check_keys(section, source, f" in the {environment!r} section", set())
        options.update(section)
    result: dict[str, Any] = {}
    if "concurrency" in options:
        result["concurrency"] = options["concurrency"]
    if "queues" in options:
        queues = options["queues"]
        if not isinstance(queues, list):
            msg = (
                f"{source}: queues must be a list of names or [name, weight] pairs, not {queues!r}"
            )
            raise InvalidArgument(msg)
        # Only the -q command line splits "name,weight"; a YAML entry is a name or a pair.
        result["queues"] = [[item] if isinstance(item, str) else list(item) for item in queues]
    if "poll_interval_average" in options:
        result["poll_interval_average"] = options["poll_interval_average"]
    if "max_retries" in options:
        result["max_retries"] = options["max_retries"]
    if "timeout" in options:
        result["shutdown_timeout"] = options["timeout"]
    return result


def load_sidekiq_yml(
    path: str | Path, *, environment: str | None = None, env: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """:func:`parse_sidekiq_yml` of the file at ``path``."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as error:
        msg = f"cannot read {file}: {error.strerror}; pass the path of your config/sidekiq.yml"
        raise InvalidArgument(msg) from None
    return parse_sidekiq_yml(text, environment=environment, source=str(file), env=env)
