"""Assertions on a job class's own options, in the spirit of rspec-sidekiq's option matchers.

They read the options declared on the class (``class Charge(jobsim.Job, retry=5)``), not the
options of one enqueue (``Charge.set(queue=...)``; ``have_enqueued_job(...).on_queue`` checks
those). Unlike ``be_retryable(25)`` in rspec-sidekiq, ``assert_retryable(Charge, 25)`` passes
for the default ``retry=True``, because that is what the option means.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jobsim import routing, validate
from jobsim.errors import InvalidArgument
from jobsim.job import Job
from jobsim.profiles import DEFAULT_PROFILE, PROFILES
from jobsim.simulator import Simulator
from jobsim.testing._arguments import equal, explain, short

__all__ = [
    "assert_job_options",
    "assert_processed_in",
    "assert_retryable",
    "assert_saves_backtrace",
]


def _job_class(job_class: Any, where: str) -> type[Job]:
    if isinstance(job_class, type) and issubclass(job_class, Job):
        return job_class
    msg = f"{where}: {short(job_class)} is not a jobsim.Job subclass; pass the job class itself"
    raise InvalidArgument(msg)


def _name(job_class: type[Job]) -> str:
    return job_class.job_name


def _declare(job_class: type[Job], option: str, value: Any) -> str:
    return f"declare it as class {job_class.__qualname__}(jobsim.Job, {option}={value!r})"


def _default_retries() -> int:
    target = routing.active()
    profile = target.profile if isinstance(target, Simulator) else PROFILES[DEFAULT_PROFILE]
    return profile.max_retries


def assert_retryable(job_class: type[Job], expected: bool | int = True) -> None:
    """Assert how often ``job_class`` retries: ``True`` (at all), ``False`` (never) or N times.

    ``retry=True`` means the profile's default number of retries (25).
    """
    __tracebackhide__ = True
    cls = _job_class(job_class, "assert_retryable()")
    if not isinstance(expected, bool):  # True and False are flags; anything else is a count
        validate.whole(
            expected,
            name="expected",
            low=0,
            subject=f"assert_retryable({_name(cls)}, {short(expected)})",
            expected="True, False or N >= 0",
        )
    option = cls.sidekiq_options.get("retry", True)
    default = _default_retries()
    retries = default if option is True else 0 if option is False else int(option)
    meaning = (
        f"retry=True ({retries} retries, the default)"
        if option is True
        else f"retry={option!r} ({retries} retries)"
    )
    if expected is True:
        if retries > 0:
            return
        wanted, fix = "to retry", _declare(cls, "retry", True)
    elif expected is False:
        if retries == 0:
            return
        wanted, fix = "not to retry", _declare(cls, "retry", False)
    else:
        if retries == expected:
            return
        wanted, fix = f"to retry {expected} times", _declare(cls, "retry", expected)
    raise AssertionError(f"expected {_name(cls)} {wanted}, but it has {meaning}; {fix}")


def assert_processed_in(job_class: type[Job], queue: str) -> None:
    """Assert that ``job_class`` is declared for ``queue`` (its ``queue`` option)."""
    __tracebackhide__ = True
    cls = _job_class(job_class, "assert_processed_in()")
    actual = cls.sidekiq_options.get("queue", "default")
    if actual == queue:
        return
    msg = (
        f"expected {_name(cls)} to be processed in queue {queue!r}, but its queue option is "
        f"{actual!r}; {_declare(cls, 'queue', queue)}"
    )
    raise AssertionError(msg)


def assert_saves_backtrace(job_class: type[Job], expected: bool | int = True) -> None:
    """Assert the ``backtrace`` option: ``True`` (any), ``False`` (none) or N lines."""
    __tracebackhide__ = True
    cls = _job_class(job_class, "assert_saves_backtrace()")
    actual = cls.sidekiq_options.get("backtrace", False)
    saves = actual is True or (not isinstance(actual, bool) and int(actual) > 0)
    if expected is True and saves:
        return
    if expected is False and not saves:
        return
    if not isinstance(expected, bool) and actual == expected:
        return
    wanted = (
        "to save the error backtrace"
        if expected is True
        else "not to save the error backtrace"
        if expected is False
        else f"to save {expected} backtrace lines"
    )
    msg = (
        f"expected {_name(cls)} {wanted}, but its backtrace option is {actual!r}; "
        f"{_declare(cls, 'backtrace', expected)}"
    )
    raise AssertionError(msg)


def assert_job_options(
    job_class: type[Job], options: Mapping[str, Any] | None = None, /, **more: Any
) -> None:
    """Assert that ``job_class`` declares these options (values or matchers; others ignored)."""
    __tracebackhide__ = True
    cls = _job_class(job_class, "assert_job_options()")
    wanted = {**(options or {}), **more}
    if not wanted:
        raise InvalidArgument("assert_job_options(): name at least one option, e.g. retry=5")
    declared = cls.sidekiq_options
    missing = [key for key in wanted if key not in declared]
    wrong = [
        f"{key}: {explain(value, declared[key])}"
        for key, value in wanted.items()
        if key in declared and not equal(value, declared[key])
    ]
    if not missing and not wrong:
        return
    lines = [f"expected {_name(cls)} to have job options {short(wanted, 200)}"]
    if missing:
        lines.append(f"  missing: {', '.join(missing)}")
    lines += [f"  {line}" for line in wrong]
    lines.append(f"  declared: {short(dict(declared), 200)}")
    raise AssertionError("\n".join(lines))
