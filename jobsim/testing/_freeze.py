"""Virtual time for the code under test: freezegun, moved by the simulator's clock.

``with virtual_time(sim):`` starts freezegun once at the simulator's time; from then on
``datetime.now()``, ``date.today()`` and ``time.time()`` return the virtual time, and every move
of the simulator's clock (``advance``, ``run_until``, ``drain`` jumping to the next retry) moves
freezegun along with ``move_to``. Libraries that read ``time.time()``, such as fakeredis for key
expiry, follow the same clock.

freezegun is imported only when the bridge starts (the ``time`` extra: ``pip install
'jobsim[time]'``).
"""

from __future__ import annotations

from types import TracebackType
from typing import Any

from jobsim.clock import to_datetime
from jobsim.errors import InvalidArgument
from jobsim.simulator import Simulator

__all__ = ["VirtualTime", "freezegun_available", "virtual_time"]


def freezegun_available() -> bool:
    """Whether freezegun can be imported."""
    try:
        import freezegun  # noqa: F401 - only asking whether it is there
    except ImportError:
        return False
    return True


class VirtualTime:
    """The bridge between one simulator's clock and freezegun (start once, move on each tick)."""

    def __init__(self, sim: Simulator) -> None:
        if not isinstance(sim, Simulator):
            raise InvalidArgument(f"virtual_time({sim!r}): pass a jobsim.Simulator")
        self.sim = sim
        self._freezer: Any = None
        self._factory: Any = None

    @property
    def active(self) -> bool:
        """Whether freezegun is running for this bridge."""
        return self._freezer is not None

    def start(self) -> VirtualTime:
        """Freeze time at the simulator's now and follow its clock."""
        if self._freezer is not None:
            raise InvalidArgument("virtual_time(): already started; stop() it first")
        try:
            import freezegun
        except ImportError:
            msg = (
                "the virtual-time bridge needs freezegun, which is not installed: run "
                "pip install 'jobsim[time]', or turn the bridge off (pytest: "
                "@pytest.mark.jobsim(freeze_time=False) or jobsim_freeze_time = false in the ini)"
            )
            raise InvalidArgument(msg) from None
        # pytest's own timing module keeps the real clock, so test durations stay true.
        freezer = freezegun.freeze_time(self.sim.now, tick=False, ignore=["_pytest.timing"])
        self._factory = freezer.start()
        self._freezer = freezer
        self.sim.clock.listeners.append(self._move)
        return self

    def _move(self, ts: float) -> None:
        self._factory.move_to(to_datetime(ts))

    def stop(self) -> None:
        """Let time run again (idempotent)."""
        freezer, self._freezer = self._freezer, None
        if freezer is None:
            return
        listeners = self.sim.clock.listeners
        if self._move in listeners:
            listeners.remove(self._move)
        self._factory = None
        freezer.stop()

    def __enter__(self) -> VirtualTime:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def virtual_time(sim: Simulator) -> VirtualTime:
    """A context manager: the code inside sees ``sim``'s clock as the time of day."""
    return VirtualTime(sim)
