"""A typed place for extension state on one simulator (layer 1), after pytest's ``Stash``.

A plugin keeps its state (held locks, throttle windows, open batches) in the simulator it was
installed on, never in a module, so two simulators in one process cannot see each other's
state and a test cannot leak state into the next::

    LOCKS = StashKey[dict[str, str]]()

    def install(self, sim):
        sim.stash[LOCKS] = {}

    sim.stash[LOCKS]["digest"] = jid

A key is an object, not a string, so two plugins cannot collide on a name, and the value's
type travels with the key for the type checker.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar, cast

from jobsim.errors import InvalidArgument

__all__ = ["Stash", "StashKey"]

T = TypeVar("T")
D = TypeVar("D")
#: A key only names a type (it holds no value), so a key for list[str] may stand where a key
#: for Iterable[str] is wanted, as when the value is passed straight to sorted().
T_co = TypeVar("T_co", covariant=True)


class StashKey(Generic[T_co]):
    """A key into a :class:`Stash`; its type parameter is the type of the value it finds.

    Create one per kind of state, once, at module level (a key holds no state itself).
    """

    __slots__ = ("name",)

    def __init__(self, name: str = "") -> None:
        #: For messages only; keys are told apart by identity.
        self.name = name

    def __repr__(self) -> str:
        return f"<StashKey {self.name or hex(id(self))}>"


class Stash:
    """Values of any type, each found by its :class:`StashKey`."""

    __slots__ = ("_values",)

    def __init__(self) -> None:
        self._values: dict[StashKey[Any], object] = {}

    def __setitem__(self, key: StashKey[T], value: T) -> None:
        self._values[_checked(key)] = value

    def __getitem__(self, key: StashKey[T]) -> T:
        try:
            return cast("T", self._values[_checked(key)])
        except KeyError:
            msg = (
                f"the simulator's stash has nothing under {key!r}: install the plugin that "
                f"keeps it (jobsim.Simulator(plugins=[...])) or set it first"
            )
            raise KeyError(msg) from None

    def get(self, key: StashKey[T], default: D) -> T | D:
        """The value under ``key``, or ``default`` when there is none."""
        return cast("T | D", self._values.get(_checked(key), default))

    def setdefault(self, key: StashKey[T], default: T) -> T:
        """The value under ``key``, storing ``default`` there first if there is none."""
        return cast("T", self._values.setdefault(_checked(key), default))

    def __delitem__(self, key: StashKey[T]) -> None:
        del self._values[_checked(key)]

    def __contains__(self, key: object) -> bool:
        return key in self._values

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        return f"<Stash of {len(self._values)}>"


def _checked(key: object) -> StashKey[Any]:
    if not isinstance(key, StashKey):
        msg = f"stash keys are jobsim.stash.StashKey objects, not {key!r}: make one with StashKey()"
        raise InvalidArgument(msg)
    return key
