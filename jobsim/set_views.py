"""The sorted sets of the data API (layer 6): Sidekiq's ``ScheduledSet``, ``RetrySet`` and
``DeadSet`` as views over a simulation.

Iterating a set, ``find_job``, ``fetch`` and ``scan`` hand out
:class:`~jobsim.records.SortedEntry` records whose verbs act on that very entry; the by-jid
verbs here (``sim.dead.retry(jid)``) find the entry first. Every move goes through the client
or the processor, so it appears in the trace like any other.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from jobsim.clock import as_epoch
from jobsim.errors import InvalidArgument, InvalidPayload
from jobsim.payload import dumps, loads
from jobsim.records import JobRecord, SortedEntry

if TYPE_CHECKING:
    from jobsim.client import Client
    from jobsim.processor import Processor
    from jobsim.sets import SetEntry, SortedJobSet
    from jobsim.state import SimState

__all__ = ["DeadSetView", "JobSetView"]

#: A score, or an inclusive ``(low, high)`` range of scores (Sidekiq takes a Ruby Range).
Score = datetime | float | tuple[datetime | float, datetime | float]
EntryVerb = Literal["retry", "add_to_queue", "kill"]


class JobSetView:
    """``Sidekiq::JobSet``: the schedule, retry or dead set, iterated highest score first."""

    __slots__ = ("_client", "_processor", "_set", "_state")

    def __init__(
        self, state: SimState, sorted_set: SortedJobSet, client: Client, processor: Processor
    ) -> None:
        self._state = state
        self._set = sorted_set
        self._client = client
        self._processor = processor

    @property
    def name(self) -> str:
        """The Redis key: ``schedule``, ``retry`` or ``dead``."""
        return self._set.name

    @property
    def size(self) -> int:
        """How many entries."""
        return len(self._set)

    def __len__(self) -> int:
        return len(self._set)

    def _record(self, entry: SetEntry) -> SortedEntry:
        return SortedEntry(entry, self, self._state.profile.legacy_backtraces)

    def __iter__(self) -> Iterator[SortedEntry]:
        """Entries highest score first (listed when iteration starts, so a loop may delete)."""
        return iter([self._record(entry) for entry in self._set])

    @property
    def jobs(self) -> list[Mapping[str, Any]]:
        """The job hashes, highest score first."""
        return [entry.job for entry in self._set]

    def find_job(self, jid: str) -> SortedEntry | None:
        """The entry with ``jid``, or None."""
        entry = self._set.find(jid)
        return None if entry is None else self._record(entry)

    def fetch(self, score: Score, jid: str | None = None) -> list[SortedEntry]:
        """Entries with ``score`` (or within an inclusive ``(low, high)``), lowest first,
        only those with ``jid`` if given (``JobSet#fetch``)."""
        if isinstance(score, tuple):
            bounds: tuple[Any, ...] = score
            if len(bounds) != 2:
                msg = f"fetch(score={score!r}): a range of scores is a (low, high) pair"
                raise InvalidArgument(msg)
            low = as_epoch(bounds[0], name="fetch(score) low")
            high = as_epoch(bounds[1], name="fetch(score) high")
        else:
            low = high = as_epoch(score, name="fetch(score)")
        return [
            self._record(entry)
            for entry in self._set.ascending()
            if low <= entry.score <= high and (jid is None or entry.job.get("jid") == jid)
        ]

    def scan(self, pattern: str) -> Iterator[SortedEntry]:
        """Entries whose JSON matches the glob ``pattern`` (``SortedSet#scan``: a pattern
        without ``*`` matches anywhere in the JSON), lowest score first."""
        given: object = pattern
        if not isinstance(given, str):
            msg = f"scan(pattern={pattern!r}): pass a glob string such as 'HardJob' or '*jid*'"
            raise InvalidArgument(msg)
        glob = pattern if "*" in pattern else f"*{pattern}*"
        matching = [e for e in self._set.ascending() if fnmatch.fnmatchcase(dumps(e.job), glob)]
        return iter([self._record(entry) for entry in matching])

    # -- by jid ------------------------------------------------------------------------------

    def _take(self, jid: str) -> SetEntry:
        entry = self._set.find(jid)
        if entry is None or not self._set.remove(entry):
            msg = f"no job with jid {jid!r} in the {self.name} set ({self.size} entries)"
            raise InvalidArgument(msg)
        return entry

    def retry(self, jid: str) -> None:
        """Push the job to its queue now, ``retry_count`` lowered by one (``SortedEntry#retry``)."""
        self._retry_entry(self._removed(self._take(jid), "SortedEntry#remove_job"))

    def _retry_entry(self, entry: SetEntry) -> None:
        job = dict(entry.job)
        if "retry_count" in job:
            job["retry_count"] = int(job["retry_count"]) - 1
        self._client.requeue(job, f"{self.name} set (manual retry)")

    def add_to_queue(self, jid: str) -> None:
        """Push the job to its queue now, unchanged (``SortedEntry#add_to_queue``)."""
        entry = self._removed(self._take(jid), "SortedEntry#remove_job")
        self._client.requeue(entry.job, f"{self.name} set (add_to_queue)")

    def kill(self, jid: str) -> None:
        """Move the job to the dead set; death handlers see ``Job killed by API``."""
        entry = self._removed(self._take(jid), "SortedEntry#remove_job")
        self._processor.kill(entry.job, "killed through the API", notify=True)

    def delete(self, score_or_jid: datetime | float | str, jid: str | None = None) -> bool:
        """Remove a job for good: ``delete(jid)``, or ``delete(score, jid)`` as Sidekiq spells
        it (``delete_by_jid``). By jid alone an unknown jid is an error; by score and jid the
        answer is whether an entry was removed."""
        if jid is None:
            if not isinstance(score_or_jid, str):
                msg = (
                    f"{self.name} set delete({score_or_jid!r}): a score needs the jid too, "
                    f"delete(score, jid) (Sidekiq raises ArgumentError); or pass the jid alone"
                )
                raise InvalidArgument(msg)
            self._discard(self._removed(self._take(score_or_jid), "SortedEntry#delete"))
            return True
        if isinstance(score_or_jid, str):
            msg = f"{self.name} set delete({score_or_jid!r}, {jid!r}): the first is the score"
            raise InvalidArgument(msg)
        return self._delete_by_jid(score_or_jid, jid, "JobSet#delete")

    def delete_by_jid(self, score: datetime | float, jid: str) -> bool:
        """Remove the entry with ``score`` and ``jid``; False if there is none."""
        return self._delete_by_jid(score, jid, "JobSet#delete_by_jid")

    def _delete_by_jid(self, score: datetime | float, jid: str, method: str) -> bool:
        wanted = as_epoch(score, name="delete(score)")
        for entry in self._set.ascending():
            if entry.score == wanted and entry.job.get("jid") == jid:
                self._set.remove(entry)
                self._discard(self._removed(entry, method))
                return True
        return False

    def _removed(self, entry: SetEntry, method: str) -> SetEntry:
        """Tell the API-removal listeners that Sidekiq's ``method`` took ``entry`` out."""
        self._state.removed_by_api(entry.job, method, self.name)
        return entry

    def _discard(self, entry: SetEntry) -> None:
        self._processor.discard(entry.job, f"deleted from the {self.name} set")

    def reschedule(self, jid: str, at: datetime | float) -> None:
        """Give the entry a new score (``SortedEntry#reschedule``)."""
        score = as_epoch(at, name="at")  # checked before the entry leaves its set
        entry = self._take(jid)
        self._set.add(score, entry.job)

    # -- what a SortedEntry record calls -----------------------------------------------------

    def _now(self) -> float:
        return self._state.clock.now

    def _delete_record(self, record: JobRecord) -> bool:
        assert isinstance(record, SortedEntry)
        if not self._set.remove(record.entry):
            return False
        self._discard(self._removed(record.entry, "SortedEntry#delete"))
        return True

    def _entry_verb(self, entry: SetEntry, verb: EntryVerb) -> bool:
        if not self._set.remove(entry):
            return False  # it left the set meanwhile: Sidekiq's remove_job finds nothing
        self._removed(entry, "SortedEntry#remove_job")
        if verb == "retry":
            self._retry_entry(entry)
        elif verb == "add_to_queue":
            self._client.requeue(entry.job, f"{self.name} set (add_to_queue)")
        else:
            self._processor.kill(entry.job, "killed through the API", notify=True)
        return True

    def _reschedule_entry(self, entry: SetEntry, at: datetime | float) -> SetEntry | None:
        score = as_epoch(at, name="reschedule(at)")
        if not self._set.remove(entry):
            return None
        return self._set.add(score, entry.job)

    # -- all at once -------------------------------------------------------------------------

    def retry_all(self) -> int:
        """Retry every entry; returns how many.

        Up to Sidekiq 7.3.4 this walks the set highest score first; from 7.3.5 it pops the
        lowest first (``ZPOPMIN``). The profile's ``kill_all_notifies`` marks that change.
        """
        entries = self._set.clear()
        if self._state.profile.kill_all_notifies:
            entries.reverse()
        for entry in entries:
            self._retry_entry(self._removed(entry, self._each_or_pop()))
        return len(entries)

    def kill_all(self) -> int:
        """Kill every entry: with death handlers up to 7.3.4, silently from 7.3.5."""
        entries = self._set.clear()
        notify = self._state.profile.kill_all_notifies
        if notify:
            entries.reverse()
        for entry in entries:
            self._removed(entry, self._each_or_pop())
            self._processor.kill(entry.job, "killed through the API (kill_all)", notify=notify)
        return len(entries)

    def _each_or_pop(self) -> str:
        # Up to 7.3.4 retry_all/kill_all call each entry's retry/kill (its remove_job); from
        # 7.3.5 they pop the set (pop_each) without a SortedEntry.
        return (
            "SortedEntry#remove_job" if self._state.profile.kill_all_notifies else "JobSet#pop_each"
        )

    def clear(self) -> int:
        """Remove every entry for good; returns how many."""
        entries = self._set.clear()
        for entry in entries:
            self._removed(entry, "JobSet#clear")
            self._processor.discard(entry.job, f"{self.name} set cleared")
        return len(entries)

    def __repr__(self) -> str:
        return f"<JobSetView {self.name!r} size={self.size}>"


class DeadSetView(JobSetView):
    """``Sidekiq::DeadSet``: its ``kill`` adds a job, the others act as on every set."""

    __slots__ = ()

    def kill(  # type: ignore[override]
        self,
        job: Mapping[str, Any] | str,
        *,
        notify_failure: bool = True,
        ex: BaseException | None = None,
    ) -> bool:
        """``DeadSet#kill(message, notify_failure:, ex:)``: add ``job`` (a job hash or its
        JSON) to the dead set now, trimmed as Sidekiq trims it. A jid instead kills that dead
        entry again (``SortedEntry#kill``), as ``kill(jid)`` does on every set. Death
        handlers run unless ``notify_failure`` is False; they receive ``ex`` (7.0+; 6.x
        ignores it and, like later versions without ``ex``, passes
        ``RuntimeError("Job killed by API")``)."""
        if isinstance(job, str) and not job.lstrip().startswith("{"):
            # A jid: the by-jid verb every set has (SortedEntry#kill: it dies again, now).
            super().kill(job)
            return True
        hash_ = self._job_hash(job)
        flag: object = notify_failure
        if not isinstance(flag, bool):
            msg = f"dead.kill(notify_failure={notify_failure!r}): pass True or False"
            raise InvalidArgument(msg)
        cause: object = ex
        if cause is not None and not isinstance(cause, BaseException):
            msg = f"dead.kill(ex={ex!r}): pass an exception instance for the death handlers"
            raise InvalidArgument(msg)
        error = ex if self._state.profile.dead_kill_takes_error else None
        self._processor.kill(hash_, "killed through the API", notify=notify_failure, error=error)
        return True

    @staticmethod
    def _job_hash(given: Mapping[str, Any] | str) -> dict[str, Any]:
        job: object = given
        if isinstance(job, Mapping):
            return dict(job)
        if isinstance(job, str):
            try:
                parsed = loads(job)
            except ValueError:
                parsed = None
            if isinstance(parsed, dict):
                return parsed
            msg = (
                f"dead.kill({job[:60]!r}): DeadSet#kill takes the job hash, its JSON, or the "
                f"jid of a dead entry; this text starts like JSON but does not parse as a hash"
            )
            raise InvalidPayload(msg)
        msg = f"dead.kill({job!r}): pass the job hash (a dict) or its JSON text"
        raise InvalidArgument(msg)
