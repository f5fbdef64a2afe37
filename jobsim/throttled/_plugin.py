"""The ``Throttled`` plugin: sidekiq-throttled's configuration, installed per simulator."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from jobsim import validate
from jobsim.active_job import settings as active_job_settings
from jobsim.errors import InvalidArgument
from jobsim.gem_options import check_gem_option
from jobsim.plugins import THROTTLES_VIEW
from jobsim.stash import StashKey
from jobsim.throttled._gate import ThrottleGate
from jobsim.throttled._spec import Strategy, Version, build_strategy
from jobsim.throttled._views import ThrottleView

if TYPE_CHECKING:
    from jobsim.simulator import Simulator

__all__ = ["GATE", "Throttled"]

#: Where the plugin keeps its state on a simulator.
GATE = StashKey[ThrottleGate]("sidekiq-throttled")


def active_job_classes(sim: Simulator) -> Mapping[str, Any]:
    """The ActiveJob classes ``sim`` knows by name (none when it never met one)."""
    return active_job_settings(sim).classes


def _throttled_by(job_class: Any, option: Any) -> str | None:
    """The name of the class that declared ``option``: a subclass that inherits its parent's
    ``throttle=`` shares the parent's strategy and counters (Registry.get walks ancestors)."""
    if option is None or not isinstance(job_class, type):
        return None
    for klass in reversed(job_class.__mro__):
        options = getattr(klass, "sidekiq_options", None)
        if isinstance(options, Mapping) and options.get("throttle") is option:
            name = getattr(klass, "job_name", None)
            return name if isinstance(name, str) else None
    return None


class Throttled:
    """sidekiq-throttled (ixti) on one simulator.

    Args:
        version: ``"2"`` (2.1.0: concurrency with ``avg_job_duration``, ``max_delay`` and the
            backlog estimate) or ``"1"`` (1.5.2: concurrency with ``ttl`` only; a scheduled
            requeue waits until the oldest slot is lost).
        cooldown_period: Seconds a queue goes unpolled after ``cooldown_threshold`` refusals
            in a row (``config.cooldown_period``, 1.0; None turns the cooldown off).
        cooldown_threshold: Refusals in a row that cool a queue down (100).
        default_requeue: ``config.default_requeue_options`` (``{"with": "enqueue"}``).
        shared: Throttles by name, for several classes (``Sidekiq::Throttled::Registry.add``).
        throttled_as: Job class name -> shared name (``sidekiq_throttle_as``).
    """

    name = "throttled"
    honours = ("throttle",)

    def __init__(
        self,
        *,
        version: Version = "2",
        cooldown_period: float | None = 1.0,
        cooldown_threshold: int = 100,
        default_requeue: Mapping[str, Any] | None = None,
        shared: Mapping[str, Mapping[str, Any]] | None = None,
        throttled_as: Mapping[str, str] | None = None,
    ) -> None:
        where = "Throttled"
        self.version: Version = validate.choice(version, ("1", "2"), name=f"{where}(version)")
        if cooldown_period is not None:
            cooldown_period = validate.seconds(cooldown_period, name=f"{where}(cooldown_period)")
            if cooldown_period <= 0:
                msg = f"{where}(cooldown_period={cooldown_period!r}): pass seconds > 0 or None"
                raise InvalidArgument(msg)
        self.cooldown_period = cooldown_period
        self.cooldown_threshold = validate.whole(
            cooldown_threshold, name=f"{where}(cooldown_threshold)", low=1
        )
        requeue = dict(default_requeue or {"with": "enqueue"})
        check_gem_option(
            "throttle",
            {"threshold": {"limit": 1, "period": 1}, "requeue": requeue},
            where=f"{where}(default_requeue)",
            stacklevel=2,
        )
        self.default_requeue = requeue
        self.shared: dict[str, Mapping[str, Any]] = {}
        for shared_name, option in (shared or {}).items():
            check_gem_option(
                "throttle", option, where=f"{where}(shared[{shared_name!r}])", stacklevel=2
            )
            self.shared[str(shared_name)] = option
        self.throttled_as = dict(throttled_as or {})
        for class_name, shared_name in self.throttled_as.items():
            if shared_name not in self.shared:
                known = ", ".join(sorted(self.shared)) or "none"
                msg = (
                    f"{where}(throttled_as={{{class_name!r}: {shared_name!r}}}): no shared "
                    f"throttle {shared_name!r}; add it with shared={{...}} (known: {known})"
                )
                raise InvalidArgument(msg)

    def install(self, sim: Simulator) -> None:
        state = sim._fetch_gate_state()
        cache: dict[str, Strategy | None] = {}

        def strategy_for(class_name: str) -> Strategy | None:
            if class_name in cache:
                return cache[class_name]
            found = cache[class_name] = self._strategy(sim, class_name)
            return found

        gate = ThrottleGate(
            state=state,
            strategy_for=strategy_for,
            version=self.version,
            cooldown_period=self.cooldown_period,
            cooldown_threshold=self.cooldown_threshold,
            jitter=state.rng.stream("throttled"),
            push=sim.push,
        )
        sim.stash[GATE] = gate
        sim.stash[THROTTLES_VIEW] = ThrottleView(gate)
        state.gates.append(gate)

    def _strategy(self, sim: Simulator, class_name: str) -> Strategy | None:
        shared = self.throttled_as.get(class_name)
        if shared is not None:
            option: Any = self.shared[shared]
            name = shared
        else:
            job_class: Any = sim.job_class(class_name)
            if job_class is None:  # an ActiveJob class, named by its wrapper's job["wrapped"]
                job_class = active_job_classes(sim).get(class_name)
            options = getattr(job_class, "sidekiq_options", None) or {}
            option = options.get("throttle")
            name = _throttled_by(job_class, option) or class_name
            if not option and class_name in self.shared:
                # Registry.get finds a strategy added under the class's own name.
                option = self.shared[class_name]
        if not option:
            return None
        return build_strategy(
            name,
            option,
            version=self.version,
            default_requeue=self.default_requeue,
            where=f"{class_name}",
        )

    def __repr__(self) -> str:
        return f"Throttled(version={self.version!r})"
