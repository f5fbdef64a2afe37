"""``OverLimit``, what ``within_limit`` raises when no room comes within ``wait_timeout``, and
``LimiterErrors``, the classes that count as it (``Sidekiq::Limiter.errors``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from jobsim import validate
from jobsim.errors import InvalidArgument

if TYPE_CHECKING:
    from jobsim.limiters._limiter import Limiter

__all__ = ["LimiterErrors", "OverLimit"]


class OverLimit(RuntimeError):
    """``Sidekiq::Limiter::OverLimit``: a limiter had no room within its ``wait_timeout``.

    It is the simulated gem's exception, raised inside job code as the real one is, not a
    mistake in how jobsim is used, so it is no :class:`~jobsim.errors.JobsimError`. The
    ``Limiters`` plugin's server middleware catches it and reschedules the job.
    """

    #: The name Sidekiq records in ``error_class`` (jobsim.retry.error_class_name).
    sidekiq_error_class = "Sidekiq::Limiter::OverLimit"

    def __init__(self, limiter: Limiter | None, waited: float = 0.0) -> None:
        self.limiter = limiter
        #: Virtual seconds the caller waited before giving up.
        self.waited = waited
        what = "a limiter" if limiter is None else f"{limiter.kind} limiter {limiter.name!r}"
        super().__init__(f"{what} is over its limit (waited {waited:g} s)")


class LimiterErrors:
    """``Sidekiq::Limiter.errors``: the exception classes that count as over a limit.

    ``OverLimit`` is in it from the start; add an HTTP client's "429 Too Many Requests"
    error so the job is rescheduled like an ``OverLimit`` rather than retried.
    """

    __slots__ = ("_classes", "_matched")

    def __init__(self, classes: tuple[type[BaseException], ...] = ()) -> None:
        self._classes: list[type[BaseException]] = [OverLimit]
        self._matched: tuple[type[BaseException], ...] = (OverLimit,)
        for klass in classes:
            self.append(klass)

    def append(self, klass: type[BaseException]) -> None:
        """Count ``klass`` (and its subclasses) as over a limit (Ruby's ``errors << Klass``)."""
        given: object = klass
        if not isinstance(given, type) or not issubclass(given, Exception):
            raise validate.refuse(
                "limiter_errors(sim).append(klass)",
                klass,
                "an exception class, e.g. TooManyRequests",
            )
        if klass not in self._classes:
            self._classes.append(klass)
            self._matched = tuple(self._classes)

    def remove(self, klass: type[BaseException]) -> None:
        """Stop counting ``klass`` as over a limit."""
        if klass not in self._classes:
            known = ", ".join(item.__name__ for item in self._classes)
            msg = f"limiter_errors(sim).remove({klass!r}): not in the list; it holds {known}"
            raise InvalidArgument(msg)
        self._classes.remove(klass)
        self._matched = tuple(self._classes)

    def matches(self, error: BaseException) -> bool:
        """Whether ``error`` counts as over a limit."""
        return isinstance(error, self._matched)

    def __iter__(self) -> Iterator[type[BaseException]]:
        return iter(list(self._classes))

    def __contains__(self, klass: object) -> bool:
        return klass in self._classes

    def __len__(self) -> int:
        return len(self._classes)

    def __repr__(self) -> str:
        return f"<LimiterErrors [{', '.join(item.__name__ for item in self._classes)}]>"
