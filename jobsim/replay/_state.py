"""A live Sidekiq state (or a dump of one) run forward in virtual time (layer 7).

:func:`replay_state` is what ``jobsim replay`` runs: it reads the queues and sorted sets from a
Redis URL or a dump file (:mod:`jobsim.redis` does the reading and never evaluates anything
from Redis), loads them into a :class:`~jobsim.Simulator`, advances it and summarises the run.
Job classes come from importable modules; a class not imported gets a stand-in chosen by
``unknown``: ``"fail"`` (keeps failing, to show when retries run and when jobs die),
``"succeed"``, or ``"name-error"`` (no stand-in: Sidekiq's NameError).
"""

from __future__ import annotations

import importlib
import os
import sys
import types
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

from jobsim import validate
from jobsim.clock import format_time
from jobsim.errors import InvalidArgument
from jobsim.job import Job
from jobsim.profiles import DEFAULT_PROFILE
from jobsim.redis._decode import DEFAULT_MAX_MEMBER_BYTES
from jobsim.redis._dump import parse_dump
from jobsim.redis._layout import Layout
from jobsim.redis._read import decode_raw, read_raw
from jobsim.redis._state import apply_layout
from jobsim.replay._input import LAST_SHOWN_TIME
from jobsim.simulator import Simulator

__all__ = ["UNKNOWN_CHOICES", "replay_state"]

Unknown = Literal["fail", "succeed", "name-error"]
#: What jobs of classes not imported do.
UNKNOWN_CHOICES: tuple[Unknown, ...] = ("fail", "succeed", "name-error")


def _stand_in(name: str, fails: bool) -> type[Job]:
    def perform(self: Job, *args: Any) -> None:
        if fails:
            msg = f"{name}: stand-in for a class not imported (replay --unknown fail)"
            raise RuntimeError(msg)

    def body(namespace: dict[str, Any]) -> None:
        namespace["perform"] = perform

    # The name is data: it only labels the class, nothing is evaluated.
    return types.new_class("StandIn", (Job,), {"name": name}, body)


def _latest_time(layout: Layout) -> float | None:
    """The latest timestamp in the payloads (a dump without a header starts there)."""
    stamps: list[float] = []
    jobs = [job for jobs in layout.queues.values() for job in jobs]
    jobs += [job for entries in layout.sets.values() for _, job in entries]
    for job in jobs:
        for key in ("enqueued_at", "failed_at", "retried_at", "created_at"):
            value = job.get(key)
            if isinstance(value, int | float) and not isinstance(value, bool):
                stamps.append(value / 1000.0 if isinstance(value, int) else value)
    return max(stamps) if stamps else None


def _from_redis(url: str, limit: int) -> tuple[Layout, float | None]:
    try:
        import redis as redis_py
    except ImportError:
        msg = f"redis_url={url!r}: reading a live Redis needs redis-py: pip install 'jobsim[redis]'"
        raise InvalidArgument(msg) from None
    from jobsim.redis import redis_time

    try:
        client = redis_py.Redis.from_url(url)
        return decode_raw(read_raw(client), max_member_bytes=limit), redis_time(client)
    except (ValueError, redis_py.RedisError) as error:
        msg = f"redis_url={url!r}: cannot read Sidekiq's keys ({error}); check the URL and that "
        msg += "the server is up (redis://host:6379/0)"
        raise InvalidArgument(msg) from None


def _from_dump(path: Path, limit: int) -> tuple[Layout, float | None]:
    try:
        with path.open(encoding="utf-8") as lines:
            raw, when = parse_dump(lines, max_line_bytes=2 * limit + 4096)
    except OSError as error:
        msg = f"dump={str(path)!r}: cannot read it ({error.strerror}); pass a dump_state() file"
        raise InvalidArgument(msg) from None
    except UnicodeDecodeError as error:
        msg = f"dump={str(path)!r}: not UTF-8 text ({error.reason} at byte {error.start}); "
        msg += "pass a dump_state() file"
        raise InvalidArgument(msg) from None
    return decode_raw(raw, max_member_bytes=limit), when


def _import_jobs(sim: Simulator, modules: Sequence[str]) -> None:
    """Register every Job subclass defined in ``modules`` (the working folder is on the path,
    as with ``python -m``, so a project's own job modules import from its root)."""
    here = os.getcwd()
    if here not in sys.path:
        sys.path.insert(0, here)
    for name in modules:
        try:
            module = importlib.import_module(name)
        except (ImportError, ValueError, TypeError) as error:  # also "" and relative names
            msg = f"modules: cannot import {name!r} ({error}); pass a module importable from "
            msg += "the working folder, such as app.jobs"
            raise InvalidArgument(msg) from None
        except Exception as error:  # the module's own code raised: its error, not jobsim's
            msg = f"modules: importing {name!r} raised {type(error).__name__}: {error}"
            raise InvalidArgument(msg) from error
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, Job) and value is not Job:
                sim.register(value)


def replay_state(
    *,
    redis_url: str | None = None,
    dump: str | Path | None = None,
    period: float = 86400.0,
    profile: str = DEFAULT_PROFILE,
    seed: int = 0,
    start: float | None = None,
    modules: Sequence[str] = (),
    unknown: Unknown = "fail",
    max_member_bytes: int = DEFAULT_MAX_MEMBER_BYTES,
) -> dict[str, Any]:
    """Load a Sidekiq state, run it for ``period`` virtual seconds, summarise as JSON-native data.

    Args:
        redis_url: A live Redis (``redis://host:6379/0``); exactly one of this and ``dump``.
        dump: A file written by :func:`jobsim.redis.dump_state` (JSON lines).
        period: Virtual seconds to run.
        profile: The Sidekiq profile whose rules apply.
        seed: The simulator's seed.
        start: Epoch seconds to start at (default: the server's or dump's time, else the
            latest time in the payloads).
        modules: Modules whose Job subclasses are registered.
        unknown: What jobs of classes not imported do: ``"fail"``, ``"succeed"`` or
            ``"name-error"``.
        max_member_bytes: The largest queue entry or set member read.

    Returns:
        ``start``, ``end``, ``loaded`` (counts per queue and set), ``stand_ins``, ``performed``,
        ``events`` (counts per event kind), ``before`` and ``after`` (the simulator's stats).
    """
    if (redis_url is None) == (dump is None):
        msg = f"replay_state(redis_url={redis_url!r}, dump={dump!r}): pass exactly one of them"
        raise InvalidArgument(msg)
    if unknown not in UNKNOWN_CHOICES:
        msg = f"unknown={unknown!r}: pass one of {', '.join(map(repr, UNKNOWN_CHOICES))}"
        raise InvalidArgument(msg)
    validate.whole(
        max_member_bytes, name="max_member_bytes", low=1, expected="a whole number of bytes >= 1"
    )
    if redis_url is not None:
        layout, when = _from_redis(redis_url, max_member_bytes)
    else:
        assert dump is not None
        layout, when = _from_dump(Path(dump), max_member_bytes)
    begin = start if start is not None else (when or _latest_time(layout))
    if not (begin or 0.0) + period <= LAST_SHOWN_TIME:  # also NaN and inf
        msg = (
            f"period={period:g}: a run from {format_time(begin or 0.0)} would end after "
            f"{format_time(LAST_SHOWN_TIME)}; pass a shorter period"
        )
        raise InvalidArgument(msg)
    sim = Simulator(seed=seed, profile=profile, start=begin if begin else 0.0)
    _import_jobs(sim, modules)
    names = sorted(
        {job["class"] for jobs in layout.queues.values() for job in jobs}
        | {job["class"] for entries in layout.sets.values() for _, job in entries}
    )
    stand_ins = []
    if unknown != "name-error":
        for name in names:
            if not sim._restore.knows(name):
                sim.register(_stand_in(name, unknown == "fail"))
                stand_ins.append(name)
    report = apply_layout(layout, sim)
    before = sim.stats.as_dict()
    performed = sim.advance(period, max_steps=None)
    kinds = Counter(event.kind for event in sim.trace)
    return {
        "start": format_time(sim.time - period),
        "end": format_time(sim.time),
        "loaded": report.counts,
        "stand_ins": stand_ins,
        "performed": performed,
        "events": dict(sorted(kinds.items())),
        "before": before,
        "after": sim.stats.as_dict(),
    }
