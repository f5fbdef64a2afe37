"""The ``Limiters`` plugin: Sidekiq Enterprise's rate limiters, installed per simulator."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from jobsim import validate
from jobsim.limiters._runtime import LimiterRuntime
from jobsim.stash import StashKey

if TYPE_CHECKING:
    from jobsim.simulator import Simulator

__all__ = ["RUNTIME", "LimiterServer", "Limiters"]

#: Where the plugin keeps its state on a simulator.
RUNTIME = StashKey[LimiterRuntime]("sidekiq-ent-limiters")


class LimiterServer:
    """The Enterprise server middleware: an over-limit error reschedules the job."""

    def __init__(self, runtime: LimiterRuntime) -> None:
        self.runtime = runtime

    def call(
        self, job_instance: Any, job: dict[str, Any], queue: str, call_next: Callable[[], Any]
    ) -> Any:
        runtime = self.runtime
        frame = runtime.enter(job)
        try:
            return call_next()
        except Exception as error:
            if not runtime.errors.matches(error) or not runtime.over_limit(frame, job, error):
                raise
            return None  # rescheduled: Sidekiq counts the execution as processed
        finally:
            runtime.leave(frame)


class Limiters:
    """Sidekiq Enterprise's limiters (``Sidekiq::Limiter``) on one simulator.

    Args:
        backoff: ``backoff(limiter, job, exception) -> seconds`` for every limiter that has
            none of its own (``Sidekiq::Limiter.backoff =``); ``limiter`` is None for an error
            of ``limiter_errors(sim)`` that is not an ``OverLimit``. None: the default,
            ``300 × overrated + rand(300) + 1`` seconds.
        reschedule: How many times an over-limit job is rescheduled before the error goes to
            ordinary retries (20; 0 hands it to retries at once).
        key_prefix: The prefix of every limiter's key (``"lmtr"``: ``lmtr:concurrent:erp``).
        errors: Exception classes that count as over a limit besides ``OverLimit``
            (``Sidekiq::Limiter.errors``).
    """

    name = "limiters"
    honours = ()

    def __init__(
        self,
        *,
        backoff: Callable[..., Any] | None = None,
        reschedule: int = 20,
        key_prefix: str = "lmtr",
        errors: Iterable[type[BaseException]] = (),
    ) -> None:
        where = "Limiters"
        if backoff is not None and not callable(backoff):
            raise validate.refuse(
                f"{where}(backoff)", backoff, "a callable (limiter, job, exception) -> seconds"
            )
        self.backoff = backoff
        self.reschedule = validate.whole(reschedule, name=f"{where}(reschedule)", low=0)
        self.key_prefix = validate.name(key_prefix, name=f"{where}(key_prefix)", what="prefix")
        given_errors: object = errors
        if isinstance(given_errors, str | bytes) or not isinstance(given_errors, Iterable):
            raise validate.refuse(f"{where}(errors)", errors, "a list of exception classes")
        self.errors = tuple(errors)
        for klass in self.errors:  # checked here, where they enter, not at the first error
            given: object = klass
            if not isinstance(given, type) or not issubclass(given, Exception):
                raise validate.refuse(f"{where}(errors)", klass, "exception classes only")

    def install(self, sim: Simulator) -> None:
        """The server middleware, the execution listener and the wait seam, on ``sim``."""
        state = sim._fetch_gate_state()
        runtime = LimiterRuntime(
            state,
            backoff=self.backoff,
            reschedule=self.reschedule,
            key_prefix=self.key_prefix,
            errors=self.errors,
        )
        sim.stash[RUNTIME] = runtime
        sim.server_middleware.add(LimiterServer, runtime)
        state.execution_listeners.append(runtime.ended)
        state.duration_adjusters.append(runtime.adjust)

    def __repr__(self) -> str:
        return f"Limiters(reschedule={self.reschedule}, key_prefix={self.key_prefix!r})"
