"""One sidekiq-cron job (layer 7, private): what ``Sidekiq::Cron::Job.new`` reads from an entry.

``job_from_entry`` turns one schedule entry into a :class:`CronJob`, or into the list of
messages ``Job#valid?`` would give (``'name' must be set``, ``'cron' -> ... -> ...``,
``'klass' (or class) must be set``), which a load collects per job as the gem's errors hash.
Input that the gem would take but that can only be a mistake in a simulation (a status other
than ``enabled``/``disabled``, an entry that is not a mapping) raises ``InvalidArgument``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any, Literal

from jobsim import validate
from jobsim.clock import to_datetime
from jobsim.cron._cron import Cron, Dialect
from jobsim.cron._errors import CronNeverFires, CronSyntaxError
from jobsim.cron.fugit import parse_cron, parse_nat
from jobsim.cron.sidekiq_cron import SidekiqCronProfile
from jobsim.errors import InvalidArgument

__all__ = ["GRACE_SECONDS", "REMEMBER_SECONDS", "CronJob", "job_from_entry"]

#: How far behind a fire time may be and still be enqueued (``not_past_scheduled_time?``).
GRACE_SECONDS = 60
#: ``REMEMBER_THRESHOLD``: how long enqueued fire times are kept (a day).
REMEMBER_SECONDS = 24 * 60 * 60
#: How long a cached previous fire time is trusted at most (the shortest fall-back shift).
_WINDOW_CAP = 30 * 60
_TRUE = ("true", "t", "yes", "y", "1")
#: ``LAST_ENQUEUE_TIME_FORMAT``, as Python's strptime spells it.
_LAST_ENQUEUE_FORMAT = "%Y-%m-%d %H:%M:%S %z"


@dataclass(slots=True)
class CronJob:
    """One sidekiq-cron job: when, what to push, and what it remembers."""

    name: str
    cron: Cron
    klass: str
    args: list[Any]
    queue: str | None = None
    #: None when the entry gives none (Redis then stores, and every poll reads back, "").
    description: str | None = None
    status: Literal["enabled", "disabled"] = "enabled"
    date_as_argument: bool = False
    active_job: bool = False
    #: ``queue_name_prefix`` / ``queue_name_delimiter``: put in front of the queue when the
    #: entry says ``active_job`` but no ActiveJob class is behind the name.
    queue_name_prefix: str | None = None
    queue_name_delimiter: str | None = None
    #: sidekiq-cron 2.x: the namespace (1.8.0 has one set of jobs: always "default").
    namespace: str = "default"
    #: sidekiq-cron 2.x: the entry's ``retry``, copied into the job it pushes (None: the
    #: class's own).
    retry: bool | int | None = None
    #: sidekiq-cron 2.x: ``"schedule"`` (from the schedule file) or ``"dynamic"``.
    source: Literal["schedule", "dynamic"] = "dynamic"
    #: Epoch seconds of the last enqueue (sidekiq-cron keeps the poll time, to the second).
    last_enqueue_time: float | None = None
    jid_history: list[dict[str, Any]] = field(default_factory=list)
    #: Fire times already enqueued (Redis's sorted set ``cron_job:NAME:enqueued``), each with
    #: its score: the fire time itself, except the one a first save adds (the fire time
    #: before the save, so the job does not run right after it), scored with the save time.
    enqueued_slots: dict[float, float] = field(default_factory=dict)
    # The last answer of previous_fire and how long it surely holds: until the next fire,
    # but never more than 30 min, because on a fall-back day Fugit's previous_time (with a
    # UTC time, as sidekiq-cron passes) also returns the repeated wall time, which can come
    # as soon as 30 min later (Lord Howe) and which next_after does not report.
    _window: tuple[float, float] | None = None

    def previous_fire(self, now: float) -> float:
        """The cron's fire time strictly before ``now`` (Fugit's ``previous_time``)."""
        window = self._window
        if window is not None and window[0] < now <= window[1]:
            return window[0]
        previous = self.cron.previous_before(to_datetime(now))
        start = previous.timestamp()
        following = min(self.cron.next_after(previous).timestamp(), start + _WINDOW_CAP)
        self._window = (start, following)
        return start

    def should_enqueue(self, now: float, grace: float = GRACE_SECONDS) -> bool:
        """sidekiq-cron's ``should_enque?`` at poll time ``now``."""
        if self.status != "enabled":
            return False
        last = self.previous_fire(now)
        if int(now) - int(last) > grace:
            return False  # missed: the process was down when it was due
        if self.last_enqueue_time is not None and int(self.last_enqueue_time) >= int(last):
            return False
        return last not in self.enqueued_slots  # the ZADD on the enqueued key must be new

    def forget_before(self, now: float) -> None:
        """``remove_previous_enques``: drop fire times scored more than a day ago."""
        oldest = now - REMEMBER_SECONDS
        kept = {slot: score for slot, score in self.enqueued_slots.items() if score >= oldest}
        self.enqueued_slots = kept


def _flag(value: Any) -> bool:
    return value is True or str(value).strip().lower() in _TRUE


def _args(value: Any) -> list[Any]:
    """``parse_args``: a list as is, a hash in a list, JSON text parsed, else one argument."""
    if value is None:
        return []
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return [value]  # not JSON: the text is the one argument
        if isinstance(value, dict):
            # The gem keeps the parsed Hash as @args and enqueues perform_async(*hash):
            # the job gets its [key, value] pairs (checked on sidekiq-cron 1.8.0).
            return [[key, item] for key, item in value.items()]
    if isinstance(value, list):
        return list(value)
    if isinstance(value, Mapping):
        return [dict(value)]
    return [value]


def _class_name(klass: Any) -> str | None:
    """A class name, a jobsim job class's name, or None when neither."""
    if isinstance(klass, str):
        return klass or None
    if isinstance(klass, type):
        name = getattr(klass, "job_class_name", None) or getattr(klass, "job_name", None)
        return name if isinstance(name, str) and name else None
    return None


def _time(where: str, value: Any) -> float | None:
    """A ``last_enqueue_time``: epoch seconds, a datetime, or the gem's stored text."""
    if value is None or value == "":
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.timestamp()
    if isinstance(value, str):
        text = value.strip()
        for parsed in (_strptime(text), _isoformat(text)):
            if parsed is not None and parsed.tzinfo is not None:
                return parsed.timestamp()
    msg = (
        f"{where}: last_enqueue_time={value!r}; pass epoch seconds, an aware datetime or "
        f"text such as '2026-01-01 02:00:00 +0000'"
    )
    raise InvalidArgument(msg)


def _strptime(text: str) -> datetime | None:
    try:
        return datetime.strptime(text, _LAST_ENQUEUE_FORMAT)
    except ValueError:
        return None


def _isoformat(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def _strict_cron(expression: str, dialect: Dialect) -> Cron:
    """sidekiq-cron 2.x's ``:strict`` ``do_parse_cron``: a cron, else a one-cron phrase.

    ``Fugit.parse_cron(cron) || Fugit.parse_nat(cron, multi: :fail) || fail(ArgumentError)``:
    a phrase that reads as several crons ("every Wednesday at 5:30 and 6:45") raises, where
    ``:single`` (``Fugit.do_parse_cronish``) quietly keeps the first.
    """
    found = parse_cron(expression, dialect=dialect) or parse_nat(
        expression, dialect=dialect, multi="fail"
    )
    if not isinstance(found, Cron):
        raise CronSyntaxError(expression, None, f"invalid cron string {json.dumps(expression)}")
    return found


def _cron_errors(
    expression: Any, dialect: Dialect, mode: str = "single", tz: tzinfo | None = None
) -> tuple[Cron | None, list[str]]:
    if expression is None or expression == "":
        return None, ["'cron' must be set"]
    if not isinstance(expression, str):
        return None, [f"'cron' -> {expression!r} -> not a cron string"]
    try:
        if mode == "strict":
            _strict_cron(expression, dialect)  # refuses what :strict refuses
        return Cron(expression, tz=tz, dialect=dialect), []
    except (CronSyntaxError, CronNeverFires) as error:
        return None, [f"'cron' -> {json.dumps(expression)} -> {type(error).__name__}: {error}"]


def job_from_entry(
    name: Any,
    spec: Any,
    profile: SidekiqCronProfile,
    *,
    default_namespace: str = "default",
    parsing_mode: str = "single",
    tz: tzinfo | None = None,
) -> tuple[CronJob | None, list[str]]:
    """``Job.new(spec)`` then ``valid?``: the job, or None and the gem's error messages.

    ``parsing_mode`` is 2.x's ``natural_cron_parsing_mode`` (``"single"`` or ``"strict"``);
    ``tz`` the zone a cron that names none runs in (the process's, Rails' ``Time.zone``).
    """
    where = f"cron job {name!r}"
    if not isinstance(spec, Mapping):
        msg = f"{where}: expected a mapping with cron and class, got {spec!r}"
        raise InvalidArgument(msg)
    errors = []
    if not isinstance(name, str) or not name:
        errors.append("'name' must be set")
    namespace = default_namespace
    if profile.namespaces:
        given = spec.get("namespace")
        namespace = default_namespace if given is None else str(given)
        if not namespace:
            errors.append("'namespace' must be set")
        elif namespace == "*":
            errors.append("'namespace' cannot be '*'")
    # Each version reads crons with the Fugit it runs on: 1.5.2 under 1.8.0, >= 1.11 under 2.x.
    dialect: Dialect = "fugit-1.5" if profile.fugit_dialect == "fugit-1.5" else "fugit-1.11"
    cron, cron_errors = _cron_errors(spec.get("cron"), dialect, parsing_mode, tz)
    errors.extend(cron_errors)
    klass = _class_name(spec.get("class") or spec.get("klass"))
    if klass is None:
        errors.append("'klass' (or class) must be set")
    status = spec.get("status", "enabled")
    if status not in ("enabled", "disabled"):
        msg = f"{where}: status={status!r}; pass 'enabled' or 'disabled'"
        raise InvalidArgument(msg)
    retry = spec.get("retry") if profile.copies_retry else None
    if retry is not None and not isinstance(retry, bool):  # a flag, or else a count
        validate.whole(
            retry,
            name="retry",
            subject=f"{where}: retry={retry!r}",
            expected="true, false or a number of retries",
        )
    last = _time(where, spec.get("last_enqueue_time"))
    if errors or cron is None or klass is None or not isinstance(name, str):
        return None, errors
    queue = spec.get("queue")
    prefix = spec.get("queue_name_prefix")
    delimiter = spec.get("queue_name_delimiter")
    description = spec.get("description")
    job = CronJob(
        name=name,
        cron=cron,
        klass=klass,
        args=_args(spec.get("args")),
        queue=None if queue is None else str(queue),
        description=None if description is None else str(description),
        status=status,
        date_as_argument=_flag(spec.get("date_as_argument", False)),
        active_job=_flag(spec.get("active_job", False)),
        queue_name_prefix=None if prefix is None else str(prefix),
        queue_name_delimiter=None if delimiter is None else str(delimiter),
        namespace=namespace,
        retry=retry,
        source="schedule" if spec.get("source") == "schedule" else "dynamic",
        last_enqueue_time=last,
    )
    return job, []
