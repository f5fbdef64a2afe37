"""Sidekiq's ``JobRecord`` and ``SortedEntry`` (layer 6): one job as the data API hands it out.

A record reads as the job hash itself (``record["retry_count"]``, ``dict(record)``), as
Sidekiq's ``JobRecord#[]`` does, and adds the accessors (``jid``, ``klass``, ``args``,
``queue``, ``enqueued_at``, ``created_at``, ``tags``, ``error_backtrace``, ``latency``) and the
verbs that act on where it stands. A :class:`SortedEntry` also has its ``score`` (``at``) and the
verbs of ``Sidekiq::SortedEntry``: ``retry()``, ``add_to_queue()``, ``kill()``, ``delete()``,
``reschedule(at)``. As in Sidekiq, a verb on an entry that already left its set does nothing
and returns False.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from jobsim.backtraces import decode_backtrace
from jobsim.clock import format_time, to_datetime
from jobsim.queues import enqueued_seconds

if TYPE_CHECKING:
    from jobsim.set_views import JobSetView
    from jobsim.sets import SetEntry

__all__ = ["JobRecord", "SortedEntry"]


class RecordHome(Protocol):
    """Where a record was read from: a queue view or a set view."""

    def _now(self) -> float: ...

    def _delete_record(self, record: JobRecord) -> bool: ...


#: The job classes Rails' adapter pushes (Sidekiq 8 names its own wrapper).
_WRAPPERS = ("ActiveJob::QueueAdapters::SidekiqAdapter::JobWrapper", "Sidekiq::ActiveJob::Wrapper")
#: ActionMailer's delivery jobs (Rails 5 and 6+), shown as ``Mailer#method``.
_MAIL_JOBS = (
    "ActionMailer::DeliveryJob",
    "ActionMailer::Parameterized::DeliveryJob",
    "ActionMailer::MailDeliveryJob",
)


def _time(value: Any) -> datetime | None:
    # enqueued_at / created_at: float seconds (6.x, 7.x) or integer milliseconds (8.x).
    seconds = enqueued_seconds({"enqueued_at": value}) if value is not None else None
    return None if seconds is None else to_datetime(seconds)


class JobRecord(Mapping[str, Any]):
    """A queued job (``Sidekiq::JobRecord``): the hash, read-only, with accessors and ``delete``."""

    __slots__ = ("_home", "_legacy", "job")

    def __init__(self, job: Mapping[str, Any], home: RecordHome, legacy: bool) -> None:
        #: The job hash itself.
        self.job = job
        self._home = home
        self._legacy = legacy

    # -- the hash --------------------------------------------------------------------------

    def __getitem__(self, key: str) -> Any:
        return self.job[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.job)

    def __len__(self) -> int:
        return len(self.job)

    # -- accessors -------------------------------------------------------------------------

    @property
    def jid(self) -> str:
        """The job's jid."""
        return str(self.job.get("jid"))

    @property
    def klass(self) -> str:
        """``job["class"]``: the class name as pushed (the ActiveJob wrapper for Rails jobs)."""
        return str(self.job.get("class"))

    def _wrapped(self) -> str | None:
        # The ActiveJob class inside the adapter's wrapper (either version's wrapper name).
        if self.klass not in _WRAPPERS:
            return None
        wrapped = self.job.get("wrapped")
        if wrapped:
            return str(wrapped)
        first = self.args[0] if self.args else None
        return first if isinstance(first, str) else None

    def _active_job_arguments(self) -> list[Any]:
        first = self.args[0] if self.args and self.job.get("wrapped") else None
        found = first.get("arguments") if isinstance(first, dict) else None
        return list(found) if isinstance(found, list) else []

    @property
    def display_class(self) -> str:
        """The class a person thinks of, as Sidekiq's Web UI shows it: the ActiveJob class
        for a wrapped job, ``Mailer#method`` for a mail delivery, else ``klass``."""
        shown = self.job.get("display_class")
        if shown:
            return str(shown)
        wrapped = self._wrapped()
        if wrapped is None:
            return self.klass
        if wrapped in _MAIL_JOBS:
            return "#".join(str(part) for part in self._active_job_arguments()[:2])
        return wrapped

    @property
    def display_args(self) -> list[Any]:
        """The arguments a person thinks of: the ActiveJob arguments (a mail's own, without
        mailer, method and delivery), ``"[encrypted data]"`` for an encrypted last one."""
        wrapped = self._wrapped()
        if wrapped is None:
            args = self.args
            if self.job.get("encrypt") and args:
                args[-1] = "[encrypted data]"
            return args
        arguments = self._active_job_arguments()
        if wrapped == "ActionMailer::DeliveryJob":
            return arguments[3:]
        if wrapped == "ActionMailer::Parameterized::DeliveryJob":  # the params hash first
            return arguments[4:]
        if wrapped == "ActionMailer::MailDeliveryJob":
            params = arguments[3] if len(arguments) > 3 else None
            found = params.get("args") if isinstance(params, dict) else None
            return list(found) if isinstance(found, list) else []
        return arguments

    @property
    def args(self) -> list[Any]:
        """``job["args"]``."""
        return list(self.job.get("args") or [])

    @property
    def queue(self) -> str:
        """``job["queue"]``."""
        return str(self.job.get("queue"))

    @property
    def enqueued_at(self) -> datetime | None:
        """When it was last pushed to a queue (None for a job that is only scheduled)."""
        return _time(self.job.get("enqueued_at"))

    @property
    def created_at(self) -> datetime | None:
        """When it was first pushed (falls back to ``enqueued_at``, as Sidekiq's does)."""
        return _time(self.job.get("created_at", self.job.get("enqueued_at")))

    @property
    def tags(self) -> list[Any]:
        """``job["tags"]``, or ``[]``."""
        return list(self.job.get("tags") or [])

    @property
    def error_backtrace(self) -> list[str] | None:
        """The stored backtrace decoded (see :mod:`jobsim.backtraces`), or None."""
        value = self.job.get("error_backtrace")
        if value is None:
            return None
        return decode_backtrace(value, legacy=self._legacy, jid=self.jid)

    @property
    def has_error(self) -> bool:
        """Whether the job carries an ``error_class`` (Sidekiq's ``error?``)."""
        return bool(self.job.get("error_class"))

    @property
    def latency(self) -> float:
        """Seconds since it was enqueued (or created), on the virtual clock."""
        since = enqueued_seconds(self.job)
        now = self._home._now()
        return 0.0 if since is None else now - since

    # -- verbs -----------------------------------------------------------------------------

    def delete(self) -> bool:
        """Remove this job from where it waits; False if it is no longer there."""
        return self._home._delete_record(self)

    def __repr__(self) -> str:
        return f"<JobRecord {self.klass} jid={self.jid} queue={self.queue}>"


class SortedEntry(JobRecord):
    """A job in the schedule, retry or dead set (``Sidekiq::SortedEntry``)."""

    __slots__ = ("_parent", "entry")

    def __init__(self, entry: SetEntry, parent: JobSetView, legacy: bool) -> None:
        super().__init__(entry.job, parent, legacy)
        self._parent = parent
        #: The set's own entry (score and insertion order).
        self.entry = entry

    @property
    def score(self) -> float:
        """When it runs (schedule, retry) or when it died (dead), in epoch seconds."""
        return self.entry.score

    @property
    def seq(self) -> int:
        """Its insertion order in the set (breaks ties between equal scores)."""
        return self.entry.seq

    @property
    def at(self) -> datetime:
        """The score as an aware UTC datetime."""
        return to_datetime(self.entry.score)

    @property
    def parent(self) -> JobSetView:
        """The set it was read from."""
        return self._parent

    def retry(self) -> bool:
        """Push it to its queue now, ``retry_count`` lowered by one."""
        return self.parent._entry_verb(self.entry, "retry")

    def add_to_queue(self) -> bool:
        """Push it to its queue now, unchanged."""
        return self.parent._entry_verb(self.entry, "add_to_queue")

    def kill(self) -> bool:
        """Move it to the dead set (death handlers see ``Job killed by API``)."""
        return self.parent._entry_verb(self.entry, "kill")

    def reschedule(self, at: datetime | float) -> bool:
        """Give it a new score ``at`` (aware datetime or epoch seconds); this record then
        reads the new score (as Sidekiq 8.1's entry does; earlier ones kept the old one)."""
        moved = self.parent._reschedule_entry(self.entry, at)
        if moved is None:
            return False
        self.entry = moved
        return True

    def __repr__(self) -> str:
        return f"<SortedEntry {self.klass} jid={self.jid} at {format_time(self.score)}>"
