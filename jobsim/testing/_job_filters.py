"""Choosing jobs by class: what the ``only=`` / ``except_=`` filters of the test helpers take.

``assert_enqueued_jobs``, ``assert_performed_jobs``, their ``assert_no_*`` forms and
``perform_enqueued_jobs`` all filter the same way, so they share :func:`job_selector`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from jobsim.errors import InvalidArgument
from jobsim.testing._arguments import short
from jobsim.testing._records import JobRecord

__all__ = ["JobFilter", "job_class_name", "job_selector"]

#: What ``only=`` / ``except_=`` take: a job class (jobsim or ActiveJob), its name, several of
#: those, or a predicate receiving a :class:`JobRecord`.
JobFilter = type | str | Iterable[type | str] | Callable[[JobRecord], object]


def job_class_name(job: Any) -> str:
    """The name a job class goes by (a jobsim job's ``job_name``, an ActiveJob's
    ``job_class_name``), or a name given as a string."""
    for attribute in ("job_name", "job_class_name"):
        name = getattr(job, attribute, None)
        if isinstance(job, type) and isinstance(name, str):
            return name
    if isinstance(job, str) and job:
        return job
    msg = f"{short(job)} is not a job class or a job class name"
    raise InvalidArgument(msg)


def job_selector(
    only: JobFilter | None, except_: JobFilter | None, where: str
) -> tuple[Callable[[JobRecord], bool], str] | None:
    """A predicate for ``only=``/``except_=`` and its text (None: everything passes)."""
    if only is not None and except_ is not None:
        raise InvalidArgument(f"{where}: cannot specify both only= and except_=; pass one")
    given, word = (only, "only") if only is not None else (except_, "except_")
    if given is None:
        return None
    keep = word == "only"
    if callable(given) and not isinstance(given, type):
        function = given
        label = getattr(function, "__qualname__", None) or short(function)

        def by_predicate(record: JobRecord) -> bool:
            return bool(function(record)) == keep

        return by_predicate, f"{word}={label}"
    items: list[Any] = [given] if isinstance(given, type | str) else list(given)
    try:
        names = {job_class_name(item) for item in items}
    except InvalidArgument as exc:
        raise InvalidArgument(f"{where}: {word}={short(given)}: {exc}") from None
    shown = ", ".join(sorted(names))

    def by_class(record: JobRecord) -> bool:
        return (record.job_class in names) == keep

    return by_class, f"{word}={shown}"
