"""``be_unique`` (rspec-sidekiq's matcher) and ``assert_unique``, for unique jobs.

rspec-sidekiq chooses its backend by what is loaded; here the class's own options choose:
``unique_for`` means Sidekiq Enterprise, ``lock`` (or the pre-7 ``unique``) sidekiq-unique-jobs.
``be_unique().for_(600)`` checks Enterprise's ``unique_for`` or the gem's ``lock_ttl`` (``for``
is a Python keyword); ``.until("start")`` checks Enterprise's ``unique_until`` as declared
(rspec-sidekiq compares the declared value: unset is "not specified", not "success"). The lock
type chains (``.until_executed()``, ``.while_executing()``…) check the gem's ``lock``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from jobsim import validate
from jobsim.errors import InvalidArgument
from jobsim.gem_options import LOCK_TYPES
from jobsim.testing._option_matchers import OptionCheck, job_options, ruby_text

__all__ = ["UniqueMatcher", "assert_unique", "be_unique"]


def _seconds(value: Any, call: str) -> float:
    seconds = validate.seconds(value, name="interval", above=0, subject=call)
    # A number stays as written (600, not 600.0), for the failure messages that show it.
    return seconds if isinstance(value, timedelta) else value


def _declared(options: Mapping[str, Any]) -> tuple[str | None, Any, Any, Any]:
    """(backend, interval, unique_until, lock) as the class declares them."""
    if options.get("unique_for") is not None:
        return "enterprise", options.get("unique_for"), options.get("unique_until"), None
    lock = options.get("lock") or options.get("unique")
    if lock:
        ttl = options.get("lock_ttl", options.get("unique_expiration"))
        return "gem", ttl, None, lock
    return None, None, None, None


class UniqueMatcher:
    """``be_unique`` with its chains; ``~matcher`` negates, ``.matches(cls)`` checks."""

    __slots__ = ("_interval", "_lock", "_negated", "_until")

    def __init__(
        self,
        *,
        interval: float | None = None,
        until: str | None = None,
        lock: str | None = None,
        negated: bool = False,
    ) -> None:
        self._interval = interval
        self._until = until
        self._lock = lock
        self._negated = negated

    def _with(self, **changes: Any) -> UniqueMatcher:
        fields: dict[str, Any] = {
            "interval": self._interval,
            "until": self._until,
            "lock": self._lock,
        }
        fields.update(changes)
        return UniqueMatcher(**fields, negated=self._negated)

    def for_(self, interval: float | timedelta) -> UniqueMatcher:
        """Unique for ``interval`` seconds (rspec-sidekiq's ``.for``)."""
        return self._with(interval=_seconds(interval, f"be_unique().for_({interval!r})"))

    def until(self, expiration: str) -> UniqueMatcher:
        """Unique until ``"success"`` or ``"start"`` (Enterprise's ``unique_until``)."""
        if expiration not in ("success", "start"):
            raise InvalidArgument(f"be_unique().until({expiration!r}): pass 'success' or 'start'")
        return self._with(until=expiration)

    def until_executing(self) -> UniqueMatcher:
        """With ``lock: :until_executing``."""
        return self._with(lock="until_executing")

    def until_executed(self) -> UniqueMatcher:
        """With ``lock: :until_executed``."""
        return self._with(lock="until_executed")

    def until_expired(self) -> UniqueMatcher:
        """With ``lock: :until_expired``."""
        return self._with(lock="until_expired")

    def while_executing(self) -> UniqueMatcher:
        """With ``lock: :while_executing``."""
        return self._with(lock="while_executing")

    def until_and_while_executing(self) -> UniqueMatcher:
        """With ``lock: :until_and_while_executing``."""
        return self._with(lock="until_and_while_executing")

    def description(self) -> str:
        """``be unique in the queue`` (rspec-sidekiq's description)."""
        return ("not " if self._negated else "") + "be unique in the queue"

    def matches(self, job_class: Any) -> OptionCheck:
        """Check ``job_class``; the result is truthy when it passed."""
        klass, options = job_options(job_class, "be_unique()")
        backend, interval, until, lock = _declared(options)
        if backend == "gem" and self._until is not None:
            msg = (
                f"be_unique().until({self._until!r}): until is not supported for "
                f"sidekiq-unique-jobs ({klass} declares lock=); use .until_executed() and the "
                f"other lock-type chains"
            )
            raise InvalidArgument(msg)
        if backend == "enterprise" and self._lock is not None:
            msg = (
                f"be_unique().{self._lock}(): {klass} uses Sidekiq Enterprise's unique_for, "
                f"which has no lock types; use .until('success') or .until('start')"
            )
            raise InvalidArgument(msg)
        message = f"expected {klass} to be unique in the queue"
        holds = backend is not None
        if holds and self._interval is not None and interval != self._interval:
            holds = False
            message = (
                f"expected {klass} to be unique for {self._interval:g} seconds, but its "
                f"interval was {ruby_text(interval)} seconds"
            )
        elif holds and self._until is not None and until != self._until:
            holds = False
            message = (
                f"expected {klass} to be unique until {self._until}, but its unique_until "
                f"was {until or 'not specified'}"
            )
        elif holds and self._lock is not None and lock != self._lock:
            holds = False
            message = (
                f"expected {klass} to be unique with lock: :{self._lock}, but its lock was :{lock}"
            )
        if self._negated:
            return OptionCheck(not holds, f"expected {klass} to not be unique in the queue")
        return OptionCheck(holds, message)

    def verify(self, job_class: Any) -> None:
        """Raise AssertionError with the failure message unless ``job_class`` matches."""
        __tracebackhide__ = True
        check = self.matches(job_class)
        if not check:
            raise AssertionError(check.message)

    def __invert__(self) -> UniqueMatcher:
        return UniqueMatcher(
            interval=self._interval, until=self._until, lock=self._lock, negated=not self._negated
        )

    def __repr__(self) -> str:
        return f"<{'~' if self._negated else ''}be_unique: {self.description()}>"


def be_unique() -> UniqueMatcher:
    """rspec-sidekiq's ``be_unique``: the class declares a unique lock."""
    return UniqueMatcher()


def assert_unique(
    job_class: Any,
    *,
    lock: str | None = None,
    ttl: float | timedelta | None = None,
    until: str | None = None,
) -> None:
    """Assert ``job_class`` is unique (with this ``lock`` type, ``ttl`` and ``until`` if given)."""
    __tracebackhide__ = True
    matcher = be_unique()
    if lock is not None:
        if lock not in LOCK_TYPES:
            raise InvalidArgument(
                f"assert_unique(lock={lock!r}): pass one of {', '.join(LOCK_TYPES)}"
            )
        matcher = matcher._with(lock=lock)
    if ttl is not None:
        matcher = matcher.for_(ttl)
    if until is not None:
        matcher = matcher.until(until)
    matcher.verify(job_class)
