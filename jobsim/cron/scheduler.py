"""sidekiq-scheduler's forms on a simulator (layer 7): ``cron``, ``every``, ``at`` and ``in``.

sidekiq-scheduler hands each entry to rufus-scheduler, which runs in the Sidekiq process and
fires on time (it checks about three times a second, so jobsim fires at the instant):

* ``cron: "0 * * * *"`` — every fire time of the expression (Fugit, as rufus uses);
* ``every: "30m"`` (or ``["30m", {"first_in": "5m"}]``) — first one interval after start
  (or after ``first_in``), then every interval;
* ``in: "1h"`` — once, that long after start;
* ``at: "2026-01-03T10:00:00Z"`` — once, at that time (a time already past never fires).

Durations are rufus-style: ``"90"`` or ``90`` seconds, ``"30s"``, ``"5m"``, ``"1h30m"``,
``"2d"``, ``"1w"``. Each enqueue records a ``cron_enqueued`` event with the entry's name.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Any

from jobsim.clock import as_epoch, format_time, to_datetime
from jobsim.cron._cron import Cron
from jobsim.errors import InvalidArgument

if TYPE_CHECKING:
    from jobsim.simulator import Simulator

__all__ = ["SidekiqScheduler", "parse_duration"]

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_PART = re.compile(r"(\d+(?:\.\d+)?)([smhdw])")


def parse_duration(value: Any, *, where: str = "duration") -> float:
    """Seconds of a rufus-scheduler duration (``"1h30m"``, ``"45s"``, ``90``)."""
    if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
        return float(value)
    text = str(value).strip().lower()
    if re.fullmatch(r"\d+(?:\.\d+)?", text) and float(text) > 0:
        return float(text)
    parts = _PART.findall(text)
    if not parts or "".join(number + unit for number, unit in parts) != text.replace(" ", ""):
        msg = f"{where}={value!r}: pass a duration such as '30s', '5m', '1h30m', '2d' or seconds"
        raise InvalidArgument(msg)
    seconds = sum(float(number) * _UNITS[unit] for number, unit in parts)
    if seconds <= 0:
        msg = f"{where}={value!r}: a duration must be longer than zero"
        raise InvalidArgument(msg)
    return seconds


class SidekiqScheduler:
    """``SidekiqScheduler(sim).load(schedule).start()``: sidekiq-scheduler's entries firing."""

    def __init__(self, sim: Simulator) -> None:
        self._sim = sim
        self.entries: dict[str, dict[str, Any]] = {}
        self._started = False

    def load(self, schedule: Mapping[str, Any]) -> SidekiqScheduler:
        """Add entries keyed by name, each with one of ``cron``, ``every``, ``at``, ``in``."""
        for name, spec in schedule.items():
            self.entries[str(name)] = _checked(str(name), spec)
        return self

    def start(self) -> SidekiqScheduler:
        """Arm every entry from the simulator's current time."""
        if self._started:
            return self
        self._started = True
        now = self._sim.time
        for name in sorted(self.entries):
            entry = self.entries[name]
            kind = entry["kind"]
            if kind == "cron":
                self._arm_cron(name, entry, now)
            elif kind == "every":
                self._arm_every(name, entry, now + entry["first_in"])
            elif kind == "in":
                self._sim.call_at(now + entry["seconds"], partial(self._fire, name))
            elif entry["at"] > now:  # "at" in the past never fires
                self._sim.call_at(entry["at"], partial(self._fire, name))
        return self

    def _arm_cron(self, name: str, entry: dict[str, Any], after: float) -> None:
        cron: Cron = entry["cron"]
        when = cron.next_after(to_datetime(after)).timestamp()

        def fire() -> None:
            self._fire(name)
            self._arm_cron(name, entry, when)

        self._sim.call_at(when, fire, background=True)

    def _arm_every(self, name: str, entry: dict[str, Any], when: float) -> None:
        def fire() -> None:
            self._fire(name)
            self._arm_every(name, entry, when + entry["seconds"])

        self._sim.call_at(when, fire, background=True)

    def _fire(self, name: str) -> None:
        sim = self._sim
        if sim.stopped:  # rufus-scheduler lives in the process: down means silent
            return
        entry = self.entries[name]
        job: dict[str, Any] = {"class": entry["class"], "args": list(entry["args"])}
        if entry["queue"] is not None:
            job["queue"] = entry["queue"]
        with sim:
            jid = sim.push(job)
        detail = {"name": name, "cron": entry["text"], "slot": format_time(sim.time)}
        recorded = {
            "class": entry["class"],
            "args": job["args"],
            "queue": entry["queue"] or "default",
        }
        sim.trace.record("cron_enqueued", sim.time, str(jid), recorded, detail)


def _checked(name: str, spec: Any) -> dict[str, Any]:
    where = f"scheduler entry {name!r}"
    if not isinstance(spec, Mapping) or not isinstance(spec.get("class"), str):
        msg = f"{where}: expected a mapping with 'class' and one of cron/every/at/in"
        raise InvalidArgument(msg)
    forms = [form for form in ("cron", "every", "at", "in") if form in spec]
    if len(forms) != 1:
        msg = f"{where}: give exactly one of 'cron', 'every', 'at' or 'in' (got {forms or 'none'})"
        raise InvalidArgument(msg)
    form = forms[0]
    value = spec[form]
    args = spec.get("args", [])
    entry: dict[str, Any] = {
        "kind": form,
        "class": spec["class"],
        "args": args if isinstance(args, list) else [args],
        "queue": None if spec.get("queue") is None else str(spec["queue"]),
        "text": f"{form}: {value}",
    }
    if form == "cron":
        entry["cron"] = Cron(str(value[0] if isinstance(value, list) else value))
    elif form == "every":
        interval, options = (value[0], value[1]) if isinstance(value, list) else (value, {})
        entry["seconds"] = parse_duration(interval, where=f"{where} every")
        first_in = options.get("first_in") if isinstance(options, Mapping) else None
        entry["first_in"] = (
            entry["seconds"] if first_in is None else parse_duration(first_in, where="first_in")
        )
    elif form == "in":
        entry["seconds"] = parse_duration(value, where=f"{where} in")
    else:
        when = value
        if isinstance(value, str):
            try:
                when = datetime.fromisoformat(value.replace("Z", "+00:00"))
            except ValueError:
                msg = f"{where}: at={value!r} is not an ISO-8601 time; e.g. 2026-01-03T10:00:00Z"
                raise InvalidArgument(msg) from None
        entry["at"] = as_epoch(when, name=f"{where} at")
    return entry
