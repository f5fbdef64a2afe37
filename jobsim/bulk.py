"""``Sidekiq::Client.push_bulk(items)`` in its hash form (layer 4).

``items`` is one job hash whose ``"args"`` is a list of argument lists: ``"class"`` (a job
class or its name as a string), ``"args"``, and any options. ``"at"`` is one epoch time for
all, or a list of them, one per job. Per profile, as Sidekiq's client does:

* every job gets a fresh jid; a ``"jid"`` in ``items`` is ignored (6.x) or refused when more
  than one job is pushed (7.0+);
* ``"spread_interval"`` (8.0.8+) schedules each job at ``now + rand * max(spread, 5)``, the
  draw from the simulator's seeded ``bulk_spread`` stream;
* ``"batch_size"`` only slices the Redis writes (7.0+ takes it out of the hash; 6.x has no
  such key and stores it in each job, as any unknown key);
* a job client middleware drops is left out of the jids (6.x) or stands as None (7.1+).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from jobsim.errors import InvalidArgument

if TYPE_CHECKING:
    from jobsim.client import Client
    from jobsim.state import SimState

__all__ = ["push_bulk"]

#: Sidekiq's texts (its ArgumentError messages), so a search for them finds these.
_NOT_ARRAYS = "Bulk arguments must be an Array of Arrays: [[1], [2]]"
_BAD_AT = "Job 'at' must be a Numeric or an Array of Numeric timestamps"
_AT_SIZE = "Job 'at' Array must have same size as 'args' Array"
_JID = "Explicitly passing 'jid' when pushing more than one job is not supported"
_BAD_SPREAD = "Jobs 'spread_interval' must be a positive Numeric"
_BOTH = "Only one of 'at' or 'spread_interval' can be provided"
#: Sidekiq never spreads jobs over less than the scheduler's average poll interval.
_MIN_SPREAD = 5.0


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _refuse(text: str, detail: str) -> InvalidArgument:
    return InvalidArgument(f"push_bulk: {text}; {detail}")


def push_bulk(client: Client, state: SimState, items: Any) -> list[str | None]:
    """Push one job per argument list of ``items``; returns the jids (see the module doc)."""
    if not isinstance(items, Mapping) or "class" not in items or "args" not in items:
        msg = f"push_bulk({items!r}): pass a hash with 'class' and 'args' (a list of lists)"
        raise InvalidArgument(msg)
    profile = state.profile
    rest = dict(items)
    all_args = rest.pop("args")
    if not isinstance(all_args, list | tuple) or not all(
        isinstance(args, list | tuple) for args in all_args
    ):
        raise _refuse(_NOT_ARRAYS, f"got 'args' => {all_args!r}")
    at: Any = rest.pop("at", None)
    if at is not None and (
        (isinstance(at, list | tuple) and (not at or not all(_number(one) for one in at)))
        or (not isinstance(at, list | tuple) and not _number(at))
    ):
        raise _refuse(_BAD_AT, f"got 'at' => {at!r}")
    if isinstance(at, list | tuple) and len(at) != len(all_args):
        raise _refuse(_AT_SIZE, f"{len(at)} times for {len(all_args)} jobs")
    if profile.bulk_refuses_jid:
        if rest.pop("jid", None) is not None and len(all_args) > 1:
            raise _refuse(_JID, f"{len(all_args)} jobs share one hash (profile {profile.name})")
    else:
        rest.pop("jid", None)  # Sidekiq 6.x overwrites it with each job's fresh jid
    if not all_args:
        return []
    at = _spread(state, rest, at, len(all_args))
    if profile.bulk_refuses_jid:
        rest.pop("batch_size", None)
    keep_dropped = profile.bulk_keeps_dropped
    jids: list[str | None] = []
    for index, args in enumerate(all_args):
        job = {**rest, "args": list(args)}
        if at is not None:
            job["at"] = at[index] if isinstance(at, list | tuple) else at
        jid = client.push(job)
        if jid is not None or keep_dropped:
            jids.append(jid)
    return jids


def _spread(state: SimState, rest: dict[str, Any], at: Any, count: int) -> Any:
    """``at`` as given, or one time per job drawn over ``spread_interval`` (8.0.8+)."""
    if "spread_interval" not in rest:
        return at
    if not state.profile.bulk_spread_interval:
        msg = (
            f"push_bulk: 'spread_interval' arrived in Sidekiq 8.0.8 and profile "
            f"{state.profile.name!r} would store it in every job as an unknown key; use "
            f"profile='sidekiq-8', or pass 'at' as a list of times"
        )
        raise InvalidArgument(msg)
    spread = rest.pop("spread_interval")
    if not _number(spread) or spread <= 0:
        raise _refuse(_BAD_SPREAD, f"got {spread!r}")
    if at is not None:
        raise _refuse(_BOTH, f"got 'at' => {at!r} and 'spread_interval' => {spread!r}")
    width = max(float(spread), _MIN_SPREAD)
    now = state.clock.now
    draw = state.rng.stream("bulk_spread").random
    return [now + draw() * width for _ in range(count)]
