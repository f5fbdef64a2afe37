"""What a ``config/schedule.yml`` may say (layer 2): sidekiq-cron's keys, checked on load.

sidekiq-cron's ``Job#initialize`` reads the keys below and ignores every other, so a typo
(``clas:``, ``crom:``) silently loses the setting. jobsim refuses a key it does not know,
naming the one meant, and an environment that misspells one of the file's sections.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jobsim import validate
from jobsim.errors import InvalidArgument

__all__ = ["SCHEDULE_KEYS", "check_schedule", "environment_section"]

#: The keys sidekiq-cron 1.8 and 2.x read from one job's entry.
SCHEDULE_KEYS = frozenset(
    {
        "active_job",
        "args",
        "class",
        "cron",
        "date_as_argument",
        "description",
        "fetch_missing_args",
        "klass",
        "last_enqueue_time",
        "message",
        "name",
        "namespace",
        "queue",
        "queue_name_delimiter",
        "queue_name_prefix",
        "retry",
        "source",
        "status",
        "symbolize_args",
    }
)


def environment_section(loaded: Any, environment: str | None, source: str) -> Any:
    """The section named ``environment``, the whole file when it has none; a near miss of a
    section's name is refused with the name meant."""
    if environment is None or not isinstance(loaded, Mapping):
        return loaded
    if environment in loaded:
        return loaded[environment]
    sections = {str(key) for key, value in loaded.items() if _is_section(value)}
    meant = validate.close_match(environment, sections)
    if meant is not None:
        msg = (
            f"{source}: environment={environment!r} has no section; did you mean {meant!r}? "
            f"sections: {', '.join(sorted(sections))}"
        )
        raise InvalidArgument(msg)
    return loaded


def _is_section(value: Any) -> bool:
    """A mapping of job entries, not one job's entry (which has a ``cron`` or a ``class``)."""
    return isinstance(value, Mapping) and all(isinstance(item, Mapping) for item in value.values())


def check_schedule(schedule: Any, source: str) -> None:
    """Refuse an entry key sidekiq-cron does not read, with the key it most likely meant."""
    if isinstance(schedule, Mapping):
        entries = [(str(name), spec) for name, spec in schedule.items()]
    elif isinstance(schedule, list):
        entries = [(f"entry {index}", spec) for index, spec in enumerate(schedule)]
    else:
        return
    for name, spec in entries:
        if not isinstance(spec, Mapping):
            continue  # the loader reports an entry that is not a mapping
        for key in spec:
            if str(key) in SCHEDULE_KEYS:
                continue
            meant = validate.close_match(key, SCHEDULE_KEYS, cutoff=0.6)
            hint = f"did you mean {meant!r}? " if meant is not None else ""
            msg = (
                f"{source}: cron job {name!r} has the key {key!r}, which sidekiq-cron does not "
                f"read; {hint}sidekiq-cron ignores unknown keys, so the setting would silently "
                f"not apply (keys: {', '.join(sorted(SCHEDULE_KEYS))})"
            )
            raise InvalidArgument(msg)
