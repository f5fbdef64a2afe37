"""Which queues a process serves and in what order it tries them (layer 2).

Sidekiq takes queues as names or ``[name, weight]`` pairs. Strict mode tries them in the order
given; weighted and random modes build, on every fetch, the list with each queue repeated
``max(weight, 1)`` times, shuffle it and keep each queue's first occurrence, so a queue of
weight 3 is tried first three times as often as one of weight 1 and an empty heavy queue never
blocks the others (``lib/sidekiq/fetch.rb``, ``capsule.rb``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from jobsim.errors import InvalidArgument
from jobsim.profiles import Profile

if TYPE_CHECKING:
    from jobsim.rng import Stream

__all__ = ["QueueConfig", "parse_queues", "unserved_message", "unserved_queues"]

Mode = Literal["strict", "weighted", "random"]


@dataclass(frozen=True, slots=True)
class QueueConfig:
    """Queue names in configured order, their weights and the fetch mode."""

    names: tuple[str, ...]
    weights: tuple[int, ...]
    mode: Mode

    @property
    def expanded(self) -> tuple[str, ...]:
        """Each queue repeated ``max(weight, 1)`` times (Sidekiq's expanded list)."""
        return tuple(
            n for n, w in zip(self.names, self.weights, strict=True) for _ in range(max(w, 1))
        )

    def pick(self, rng: Stream, has_jobs: Callable[[str], bool]) -> str | None:
        """The queue one fetch takes from: the first queue with jobs in a fetch order.

        Shuffling the expanded list and keeping first occurrences draws queues without
        replacement in proportion to their weights; this draws that same order one queue at
        a time and stops at the first queue with jobs, so a fetch usually costs one draw
        instead of a shuffle. Strict mode tries the names in order.
        """
        if self.mode == "strict":
            for name in self.names:
                if has_jobs(name):
                    return name
            return None
        names = list(self.names)
        weights = [max(weight, 1) for weight in self.weights]
        total = sum(weights)
        while names:
            point = rng.random() * total
            index = 0
            while index < len(weights) - 1 and point >= weights[index]:
                point -= weights[index]
                index += 1
            if has_jobs(names[index]):
                return names[index]
            total -= weights.pop(index)
            names.pop(index)
        return None

    def fetch_order(self, rng: Stream) -> list[str]:
        """The order to try queues for one fetch (``list.shuffle.uniq`` unless strict)."""
        if self.mode == "strict":
            return list(self.names)
        shuffled = list(self.expanded)
        rng.shuffle(shuffled)
        return list(dict.fromkeys(shuffled))


def _entry(item: Any) -> tuple[str, int]:
    if isinstance(item, str):
        name, _, weight = item.partition(",")
        return _checked(name.strip(), weight.strip() or "0", item)
    if isinstance(item, list | tuple) and 1 <= len(item) <= 2:
        return _checked(item[0], item[1] if len(item) == 2 else 0, item)
    msg = f"queues: {item!r} is not a queue; pass a name, 'name,weight' or [name, weight]"
    raise InvalidArgument(msg)


def _checked(name: Any, weight: Any, item: Any) -> tuple[str, int]:
    if not isinstance(name, str) or not name.strip():
        msg = f"queues: {item!r} has no queue name; pass a non-empty string"
        raise InvalidArgument(msg)
    try:
        number = int(weight)
    except (TypeError, ValueError):
        msg = f"queues: {item!r} has weight {weight!r}; pass a whole number >= 0"
        raise InvalidArgument(msg) from None
    if number < 0 or isinstance(weight, bool):
        msg = f"queues: {item!r} has weight {weight!r}; pass a whole number >= 0"
        raise InvalidArgument(msg)
    return name, number


def parse_queues(queues: Iterable[Any], profile: Profile) -> QueueConfig:
    """Read a queue list the way the profile's Sidekiq reads ``-q`` / ``:queues:``."""
    if isinstance(queues, str):
        msg = f"queues={queues!r} is one string; pass a list of queue names, e.g. [{queues!r}]"
        raise InvalidArgument(msg)
    if not isinstance(queues, list | tuple):
        msg = f"queues={queues!r}: pass a list of queue names, e.g. ['critical', 'default']"
        raise InvalidArgument(msg)
    names: list[str] = []
    weights: list[int] = []
    for item in queues:
        name, weight = _entry(item)
        if name in names:
            # Sidekiq's CLI refuses the same queue twice with this message.
            msg = f"queues: {name} cannot be defined twice"
            raise InvalidArgument(msg)
        names.append(name)
        weights.append(weight)
    if not names:
        msg = "queues=[] serves nothing; pass at least one queue name (Sidekiq uses ['default'])"
        raise InvalidArgument(msg)
    mode: Mode
    if profile.queue_mode_rule == "any_weight":
        mode = "weighted" if any(w > 0 for w in weights) else "strict"
    elif all(w == 0 for w in weights):
        mode = "strict"
    elif all(w == 1 for w in weights):
        mode = "random"
    else:
        mode = "weighted"
    return QueueConfig(tuple(names), tuple(weights), mode)


def unserved_queues(sizes: Mapping[str, int], served: Iterable[str]) -> dict[str, int]:
    """Queues holding jobs that no name in ``served`` fetches: {name: size}, by name."""
    wanted = set(served)
    return {name: size for name, size in sorted(sizes.items()) if name not in wanted and size}


def unserved_message(unserved: Mapping[str, int], served: Iterable[str]) -> str:
    """What a run that went idle with jobs in unserved queues says (no process fetches them,
    as in Sidekiq, where they wait in Redis for ever)."""
    listed = ", ".join(
        f"{name} ({size:,} job{'' if size == 1 else 's'})" for name, size in unserved.items()
    )
    return (
        f"jobs wait in queues no process serves: {listed}; this simulator serves "
        f"{', '.join(served)}: add the queues to queues= (sidekiq.yml's :queues:) or pass "
        f"queues=None to serve every queue"
    )
