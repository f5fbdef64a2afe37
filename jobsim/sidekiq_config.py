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
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from jobsim.erb import render
from jobsim.errors import InvalidArgument

__all__ = ["load_sidekiq_yml", "parse_sidekiq_yml"]


def _key(raw: Any) -> str:
    return str(raw).lstrip(":")


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
    """
    text = render(text, os.environ if env is None else env, source=source).text
    try:
        import yaml
    except ImportError as missing:  # pragma: no cover - yaml ships with the dev extra
        msg = "reading sidekiq.yml needs PyYAML: pip install 'jobsim[yaml]'"
        raise InvalidArgument(msg) from missing
    try:
        loaded = yaml.safe_load(text) or {}
    except yaml.YAMLError as error:
        msg = f"{source} is not valid YAML: {error}"
        raise InvalidArgument(msg) from None
    if not isinstance(loaded, dict):
        msg = (
            f"{source} must hold a mapping of options at the top level, not {type(loaded).__name__}"
        )
        raise InvalidArgument(msg)
    options = {_key(key): value for key, value in loaded.items()}
    if environment is not None:
        section = options.pop(environment, None)
        if isinstance(section, dict):
            options.update({_key(key): value for key, value in section.items()})
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
