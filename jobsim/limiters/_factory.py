"""``limiters(sim)``: make limiters on one simulator and read what they hold."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from jobsim import validate
from jobsim.errors import InvalidArgument
from jobsim.limiters._kinds import Bucket, Concurrent, Leaky, Window
from jobsim.limiters._limiter import Limiter, LimiterStatus, interval_seconds, limiter_name

if TYPE_CHECKING:
    from jobsim.limiters._errors import LimiterErrors
    from jobsim.limiters._runtime import ClassCounts, LimiterRuntime

__all__ = ["LimiterFactory", "limiter_errors", "limiters"]

#: ``ttl``'s default: Sidekiq keeps a limiter's data 90 days after its last use.
_NINETY_DAYS = 90 * 86400.0


class LimiterFactory:
    """``Sidekiq::Limiter``'s constructors and views, for one simulator.

    Every constructor takes ``wait_timeout`` (seconds to wait for room, 5), ``backoff``
    (``backoff(limiter, job, exception) -> seconds``), ``reschedule`` (this limiter's cap) and
    ``ttl`` (seconds its data outlives its last use, 90 days).
    """

    __slots__ = ("_runtime",)

    def __init__(self, runtime: LimiterRuntime) -> None:
        self._runtime = runtime

    def concurrent(
        self,
        name: str,
        size: int,
        *,
        wait_timeout: float = 5,
        lock_timeout: float = 30,
        backoff: Callable[..., Any] | None = None,
        reschedule: int | None = None,
        ttl: float = _NINETY_DAYS,
    ) -> Limiter:
        """At most ``size`` blocks at once; a slot held past ``lock_timeout`` can be taken."""
        where = "limiters(sim).concurrent"
        size = validate.whole(size, name=f"{where}(size)", low=1)
        lock = validate.seconds(lock_timeout, name=f"{where}(lock_timeout)", above=0)
        limiter = self._make(where, "concurrent", name, size, None, wait_timeout, lock,
                             backoff, reschedule, ttl)  # fmt: skip
        return self._runtime.define(limiter, lambda: Concurrent(size, lock))

    def bucket(self, name: str, count: int, interval: Any, **options: Any) -> Limiter:
        """``count`` uses per calendar ``interval`` (``"second"``, ``"minute"``, ``"hour"``,
        ``"day"`` or seconds); the count starts again at each interval's boundary."""
        return self._per_interval("bucket", name, ("count", count), interval, options, Bucket)

    def window(self, name: str, count: int, interval: Any, **options: Any) -> Limiter:
        """``count`` uses in any rolling ``interval``."""
        return self._per_interval("window", name, ("count", count), interval, options, Window)

    def leaky(self, name: str, size: int, interval: Any, **options: Any) -> Limiter:
        """A burst of up to ``size``, then ``size`` per ``interval``, evenly."""
        return self._per_interval("leaky", name, ("size", size), interval, options, Leaky)

    def points(self, name: str, points: int, interval: Any, **options: Any) -> Limiter:
        """A budget of ``points``, refilled at ``points`` per ``interval``; a block spends
        ``within_limit(used=n)`` of them."""
        return self._per_interval(
            "points", name, ("points", points), interval, options,
            lambda size, seconds: Leaky(size, seconds, kind="points"),
        )  # fmt: skip

    def _per_interval(
        self,
        kind: str,
        name: str,
        amount: tuple[str, int],
        interval: Any,
        options: dict[str, Any],
        build: Callable[[int, float], Any],
    ) -> Limiter:
        """A limiter of ``amount`` (its argument's name and value) per ``interval``."""
        where = f"limiters(sim).{kind}"
        size = validate.whole(amount[1], name=f"{where}({amount[0]})", low=1)
        seconds = interval_seconds(interval, where=f"{where}(interval)")
        limiter = self._make(where, kind, name, size, seconds, **_options(where, options))
        return self._runtime.define(limiter, lambda: build(size, seconds))

    def unlimited(self) -> Limiter:
        """A limiter that always has room (``Sidekiq::Limiter.unlimited``), for tests."""
        runtime = self._runtime
        return Limiter("unlimited", "unlimited", 0, None, 0.0, None, None, None, _NINETY_DAYS,
                       f"{runtime.key_prefix}:unlimited", runtime)  # fmt: skip

    def _make(
        self,
        where: str,
        kind: str,
        name: Any,
        limit: int,
        interval: float | None,
        wait_timeout: Any = 5,
        lock_timeout: float | None = None,
        backoff: Any = None,
        reschedule: Any = None,
        ttl: Any = _NINETY_DAYS,
    ) -> Limiter:
        name = limiter_name(name, where=where)
        wait = validate.seconds(wait_timeout, name=f"{where}(wait_timeout)")
        if backoff is not None and not callable(backoff):
            raise validate.refuse(
                f"{where}(backoff)", backoff, "a callable (limiter, job, exception) -> seconds"
            )
        cap = validate.optional(reschedule, validate.whole, name=f"{where}(reschedule)", low=0)
        kept = validate.seconds(ttl, name=f"{where}(ttl)", above=0)
        key = f"{self._runtime.key_prefix}:{kind}:{name}"
        return Limiter(kind, name, limit, interval, wait, lock_timeout, backoff, cap, kept, key,
                       self._runtime)  # fmt: skip

    # -- views ---------------------------------------------------------------------------------

    def status(self) -> dict[str, LimiterStatus]:
        """Every limiter defined on this simulator, by key: its state and counts now."""
        runtime = self._runtime
        return {limiter.key: runtime.status_of(limiter) for limiter in runtime.limiters()}

    def counts(self, job_class: Any) -> ClassCounts:
        """What limiters did to ``job_class`` (a class or its name)."""
        from jobsim.limiters._runtime import ClassCounts

        name = str(getattr(job_class, "job_name", job_class))
        return self._runtime.classes.get(name, ClassCounts())

    def summary(self) -> dict[str, dict[str, float]]:
        """Counts per class name: over_limit, rescheduled, retried, waited (seconds)."""
        classes = self._runtime.classes
        return {name: classes[name].as_dict() for name in sorted(classes)}

    def __repr__(self) -> str:
        return f"<LimiterFactory of {len(self._runtime.limiters())} limiters>"


_OPTIONS = ("wait_timeout", "backoff", "reschedule", "ttl")


def _options(where: str, options: dict[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(options) - set(_OPTIONS))
    if unknown:
        guess = validate.close_match(unknown[0], _OPTIONS)
        hint = f"; did you mean {guess!r}" if guess else ""
        msg = (
            f"{where}: unknown option {unknown[0]}={options[unknown[0]]!r}{hint}; "
            f"options are {', '.join(_OPTIONS)}"
        )
        raise InvalidArgument(msg)
    return options


def _runtime_of(sim: Any, where: str) -> LimiterRuntime:
    from jobsim.limiters._plugin import RUNTIME

    stash = getattr(sim, "stash", None)
    runtime: LimiterRuntime | None = stash.get(RUNTIME, None) if stash is not None else None
    if runtime is None:
        msg = (
            f"{where}: {sim!r} does not run Sidekiq Enterprise's limiters; build it with "
            f"jobsim.Simulator(plugins=[jobsim.limiters.Limiters()]) (or plugins=['limiters'])"
        )
        raise InvalidArgument(msg)
    return runtime


def limiters(sim: Any) -> LimiterFactory:
    """The limiters of ``sim`` (a simulator with the ``Limiters`` plugin)."""
    return LimiterFactory(_runtime_of(sim, "limiters(sim)"))


def limiter_errors(sim: Any) -> LimiterErrors:
    """``Sidekiq::Limiter.errors`` of ``sim``: the exception classes that count as OverLimit."""
    return _runtime_of(sim, "limiter_errors(sim)").errors
