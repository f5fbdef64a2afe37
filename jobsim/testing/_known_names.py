"""Whether a job class *name* given to a matcher names anything (layer 7).

``assert not have_enqueued_job("SendWelcom")`` passes for ever when the name is misspelt: no
such job is ever enqueued. A name is known when a job class has it (a ``jobsim.Job`` or an
``ActiveJob`` subclass defined anywhere, registered or not) or the simulator recorded a job
under it (a raw ``push``); otherwise the matcher refuses it, with the closest known name.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from jobsim import validate
from jobsim.active_job import ActiveJob
from jobsim.errors import InvalidArgument
from jobsim.job import Job
from jobsim.simulator import Simulator

__all__ = ["error_names", "recorded_name", "refuse_unknown_name"]


def _class_names() -> set[str]:
    """The names of every job class defined in this process (walked, not stored)."""
    names: set[str] = set()
    for base, attribute in ((Job, "job_name"), (ActiveJob, "job_class_name")):
        pending: list[type] = [base]
        seen: set[type] = set()
        while pending:
            cls = pending.pop()
            subclasses: list[type] = cls.__subclasses__()
            for sub in subclasses:
                if sub not in seen:
                    seen.add(sub)
                    pending.append(sub)
                    value = getattr(sub, attribute, None)
                    if isinstance(value, str):
                        names.add(value)
    return names


def refuse_unknown_name(verb: str, name: str, sim: Simulator, recorded: Iterable[Any]) -> None:
    """Raise ``InvalidArgument`` when ``name`` names no job class and no recorded job."""
    if sim.job_class(name) is not None:
        return
    seen = {str(record.job_class) for record in recorded}
    known = _class_names() | seen
    if name in known:
        return
    meant = validate.close_match(name, known)
    hint = f"did you mean {meant!r}? " if meant is not None else ""
    msg = (
        f"{verb}({name!r}): no job class is named {name!r} and no job of that name was "
        f"recorded, so this expectation could never fail; {hint}pass the job class itself "
        f"to catch a misspelt name at import"
    )
    raise InvalidArgument(msg)


def error_names(error: type[BaseException]) -> frozenset[str]:
    """The recorded names (``error_class``) of ``error`` and of every subclass defined now,
    so ``failed(LookupError)`` matches a job that raised ``KeyError``, as ``except`` would."""
    names = {recorded_name(error)}
    pending: list[type[BaseException]] = [error]
    seen: set[type[BaseException]] = set()
    while pending:
        subclasses: list[type[BaseException]] = pending.pop().__subclasses__()
        for sub in subclasses:
            if sub not in seen:
                seen.add(sub)
                pending.append(sub)
                names.add(recorded_name(sub))
    return frozenset(names)


def recorded_name(error: type[BaseException]) -> str:
    """The ``error_class`` a failure of class ``error`` records (as
    :func:`jobsim.retry.error_class_name` names an instance)."""
    ruby_name = getattr(error, "sidekiq_error_class", None)
    if isinstance(ruby_name, str):
        return ruby_name
    module = error.__module__
    return error.__qualname__ if module == "builtins" else f"{module}.{error.__qualname__}"
