"""Failure reports: what was expected, what was there, how each candidate differs, and why
nothing may have arrived.

Every time is written the same way on both sides (ISO-8601 UTC, sub-seconds when there are
any), and every duration in seconds with a readable form beside it.
"""

from __future__ import annotations

import difflib
import threading
from collections.abc import Iterable
from typing import Protocol

from jobsim import routing
from jobsim.clock import format_time
from jobsim.simulator import Simulator
from jobsim.testing._records import JobRecord, Scope, class_counts, enqueued_records


# What a report reads of a matcher check, as protocols: the matchers module builds on this one,
# so this one names what it needs instead of importing it back.
class _Count(Protocol):
    @property
    def low(self) -> int: ...
    @property
    def high(self) -> int | None: ...
    @property
    def text(self) -> str: ...
    @property
    def implicit(self) -> bool: ...
    def accepts(self, found: int) -> bool: ...


class _Matcher(Protocol):
    @property
    def kind(self) -> str: ...
    @property
    def job_name(self) -> str | None: ...
    @property
    def exclusive(self) -> bool: ...
    def description(self) -> str: ...
    def expectation_lines(self) -> Iterable[tuple[str, str]]: ...


class Evaluation(Protocol):
    """One check of a matcher (``jobsim.testing._matchers.Evaluation``), as a report reads it."""

    @property
    def matcher(self) -> _Matcher: ...
    @property
    def scope(self) -> Scope: ...
    @property
    def records(self) -> list[JobRecord]: ...
    @property
    def matching(self) -> list[JobRecord]: ...
    @property
    def misses(self) -> list[tuple[JobRecord, list[str]]]: ...
    @property
    def count(self) -> _Count: ...
    @property
    def passed(self) -> bool: ...


__all__ = [
    "at_but_immediate",
    "at_difference",
    "counts_text",
    "delay_difference",
    "delay_expectation",
    "duration",
    "report",
    "scheduled_text",
    "simulator_line",
    "summary",
    "time_expectation",
    "where_now",
]

#: How many candidate jobs a report lists before "… and N more".
MAX_LISTED = 5


def duration(seconds: float) -> str:
    """``0s``, ``1.5s``, ``90s (1m 30s)``, ``3600s (1h)``."""
    text = f"{int(seconds)}s" if float(seconds).is_integer() else f"{seconds:.6g}s"
    whole = int(abs(seconds))
    if whole < 60:
        return text
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if whole >= size:
            parts.append(f"{whole // size}{unit}")
            whole %= size
    return f"{text} ({' '.join(parts)})"


def _tolerance_text(tolerance: float) -> str:
    return "exactly" if tolerance == 0 else f"± less than {duration(tolerance)}"


def time_expectation(when: float, tolerance: float) -> str:
    """``2026-01-01T01:00:00Z (± less than 1s)``."""
    return f"{format_time(when)} ({_tolerance_text(tolerance)})"


def delay_expectation(delay: float, tolerance: float) -> str:
    """``3600s (1h) after its own enqueue (± less than 1s)``."""
    return f"{duration(delay)} after its own enqueue ({_tolerance_text(tolerance)})"


def scheduled_text(record: JobRecord) -> str:
    """``scheduled for … (300s (5m) after its enqueue)``."""
    run = record.run_ts if record.run_ts is not None else record.ts
    return f"scheduled for {format_time(run)} ({duration(run - record.ts)} after its enqueue)"


def _offset(difference: float) -> str:
    return f"{duration(abs(difference))} {'later' if difference > 0 else 'earlier'}"


def at_difference(expected: float, tolerance: float, actual: float) -> str:
    """The ``at:`` line for a job at another time."""
    return (
        f"at: expected {format_time(expected)}, got {format_time(actual)} "
        f"({_offset(actual - expected)})"
    )


def at_but_immediate(expected: float, tolerance: float, record: JobRecord) -> str:
    """The ``at:`` line for a job that was not scheduled at all."""
    return (
        f"at: expected {format_time(expected)}, got none: it was enqueued to run at once "
        f"({format_time(record.ts)})"
    )


def delay_difference(expected: float, tolerance: float, delay: float, record: JobRecord) -> str:
    """The ``in:`` line: the delay measured from the job's own enqueue."""
    if record.run_ts is None:
        return (
            f"in: expected {duration(expected)} after its enqueue, got none: it was enqueued "
            f"to run at once ({format_time(record.ts)})"
        )
    return (
        f"in: expected {duration(expected)} after its enqueue, got {duration(delay)} "
        f"(enqueued {format_time(record.ts)}, runs {format_time(record.run_ts)})"
    )


def counts_text(counts: dict[str, int]) -> str:
    """``Charge ×2, Cleanup ×1``."""
    return ", ".join(f"{name} ×{count}" for name, count in counts.items())


def _jobs(n: int) -> str:
    return f"{n} job" if n == 1 else f"{n} jobs"


def simulator_line(sim: Simulator) -> str:
    """The simulator's identity: seed, profile and virtual time."""
    return f"simulator: seed={sim.seed}, profile {sim.profile.name}, now {format_time(sim.time)}"


def where_now(sim: Simulator, record: JobRecord) -> str:
    """Where an enqueued job is now and what would run it."""
    place = sim.locate(record.jid)
    if place.startswith("queue:"):
        return (
            f"is waiting in queue {place[6:]!r}: run it with jobsim.drain(), "
            f"jobsim.perform_one() or perform_enqueued_jobs()"
        )
    if place == "schedule" and record.run_ts is not None:
        return (
            f"is scheduled for {format_time(record.run_ts)}: jobsim.advance(...), "
            f"jobsim.run_until(...) or jobsim.drain() reaches it"
        )
    if place in ("retry", "dead"):
        return f"is in the {place} set"
    return f"is {place}"


def _listing(records: Iterable[JobRecord], lines_for: dict[int, list[str]]) -> list[str]:
    out = []
    items = list(records)
    for number, record in enumerate(items[:MAX_LISTED], start=1):
        out.append(f"  {number}) {record.summary()}")
        out += [f"       {line}" for line in lines_for.get(record.seq, [])]
    if len(items) > MAX_LISTED:
        out.append(f"  … and {len(items) - MAX_LISTED} more")
    return out


def _header(evaluation: Evaluation) -> list[str]:
    matcher = evaluation.matcher
    count = evaluation.count.text
    noun = "job" if count.endswith(" 1") else "jobs"
    what = f"{matcher.job_name} {noun}" if matcher.job_name else f"{noun} of any class"
    lines = [
        matcher.description(),
        f"Expected {count} {what} {matcher.kind} {evaluation.scope.where()}",
    ]
    if evaluation.count.implicit:
        lines[-1] += " (the default count, as in rspec-rails)"
    expectations = list(matcher.expectation_lines())
    width = max((len(label) for label, _ in expectations), default=0)
    lines += [f"  {label.ljust(width)}  {text}" for label, text in expectations]
    return lines


def report(evaluation: Evaluation) -> str:
    """The full report of one evaluation (failed, or passed for an ``assert not``)."""
    matcher = evaluation.matcher
    scope = evaluation.scope
    kind = matcher.kind
    where = scope.where()
    lines = _header(evaluation)
    matching = evaluation.matching
    if evaluation.passed:
        lines.append(f"and found {len(matching)}, so `assert not …` fails:")
        lines += _listing(matching, {})
        lines.append(
            "To assert that no such job exists, write .never() (or keep `assert not` and "
            "change the code under test)."
        )
        lines.append("")
        lines.append(simulator_line(scope.sim))
        return "\n".join(lines)

    # Jobs that only a where()/only=/except_= filter leaves out are summed up, not listed.
    # A where() that raised is a difference worth showing, not a filter.
    filtered = [record for record, diff in evaluation.misses if _only_filtered(diff)]
    same_class = [
        (record, diff)
        for record, diff in evaluation.misses
        if (matcher.job_name is None or record.job_class == matcher.job_name)
        and not _only_filtered(diff)
    ]
    others = [
        (record, diff)
        for record, diff in evaluation.misses
        if matcher.job_name is not None
        and record.job_class != matcher.job_name
        and record not in filtered
    ]
    count_ok = evaluation.count.accepts(len(matching))
    if not count_ok:
        if matching:
            lines.append(f"but found {len(matching)}:")
            lines += _listing(matching, {})
            if evaluation.count.implicit:
                lines.append(
                    "With no count chained, a matcher expects exactly one job and `assert not` "
                    "expects none; write .at_least(1), .twice() or .exactly(n) to accept more."
                )
        elif not evaluation.records:
            lines.append(f"but nothing was {kind} {where}.")
        elif matcher.job_name is not None and not any(
            record.job_class == matcher.job_name for record in evaluation.records
        ):
            lines.append(f"but no {matcher.job_name} job was {kind} {where}.")
        else:
            lines.append(f"but found none among {_jobs(len(evaluation.records))} {kind} {where}.")
    if matcher.exclusive and evaluation.misses:
        lead = "and" if not count_ok else "but"
        many = len(evaluation.misses) != 1
        lines.append(
            f"{lead} {_jobs(len(evaluation.misses))} that "
            f"{'do' if many else 'does'} not match {'were' if many else 'was'} {kind} too:"
        )
        lines += _listing(
            [r for r, _ in evaluation.misses], {r.seq: d for r, d in evaluation.misses}
        )
    elif not count_ok and (evaluation.count.high is None or len(matching) < evaluation.count.low):
        if same_class:
            label = f"{matcher.job_name} jobs" if matcher.job_name else "Jobs"
            ordered = sorted(same_class, key=lambda item: (len(item[1]), item[0].seq))
            lines.append("")
            lines.append(f"{label} that differ, nearest first:")
            lines += _listing([r for r, _ in ordered], {r.seq: d for r, d in ordered})
        close: list[str] = []
        if filtered:
            descriptions = ", ".join(
                text for _, text in matcher.expectation_lines() if _ == "where"
            )
            lines.append("")
            lines.append(f"Not counted ({descriptions}): {counts_text(class_counts(filtered))}.")
        if others:
            counts = class_counts(record for record, _ in others)
            lines.append("")
            lines.append(f"Other jobs {kind} {where}: {counts_text(counts)}.")
            if not same_class and matcher.job_name is not None:
                close = difflib.get_close_matches(matcher.job_name, list(counts), n=1)
                if close:
                    lines.append(f"Did you mean {close[0]}?")
        has_class = bool(matching or same_class)
        waiting = _not_performed(evaluation) if kind == "performed" and not matching else []
        lines += waiting
        before = _before_block(evaluation) if scope.inside else []
        lines += before
        if not has_class and not waiting:
            lines += _reasons(evaluation, fallback=not before and not close and not filtered)
    lines.append("")
    lines.append(simulator_line(scope.sim))
    return "\n".join(lines)


def _only_filtered(diff: list[str]) -> bool:
    return all(line.startswith("where:") and line.endswith(" is false") for line in diff)


def _not_performed(evaluation: Evaluation) -> list[str]:
    matcher = evaluation.matcher
    scope = evaluation.scope
    started = {record.jid for record in evaluation.records}
    waiting = [
        record
        for record in enqueued_records(scope.sim, scope.after_seq)
        if record.jid not in started
        and (matcher.job_name is None or record.job_class == matcher.job_name)
    ]
    if not waiting:
        return []
    what = f"{matcher.job_name} " if matcher.job_name else ""
    noun = "job was" if len(waiting) == 1 else "jobs were"
    lines = ["", f"{len(waiting)} {what}{noun} enqueued {scope.where()} but not performed yet:"]
    for record in waiting[:MAX_LISTED]:
        lines.append(f"  {record.summary()}")
        lines.append(f"    {where_now(scope.sim, record)}")
    if len(waiting) > MAX_LISTED:
        lines.append(f"  … and {len(waiting) - MAX_LISTED} more")
    return lines


def _before_block(evaluation: Evaluation) -> list[str]:
    """Jobs of the expected class enqueued before the ``with`` block (not counted)."""
    scope = evaluation.scope
    wanted = evaluation.matcher.job_name
    before = [
        record
        for record in enqueued_records(scope.sim)
        if record.seq <= scope.after_seq and (wanted is None or record.job_class == wanted)
    ]
    if not before:
        return []
    verb = "was" if len(before) == 1 else "were"
    return [
        "",
        f"Not counted: {_jobs(len(before))} ({counts_text(class_counts(before))}) {verb} "
        f"enqueued before the `with` block began.",
    ]


def _reasons(evaluation: Evaluation, *, fallback: bool) -> list[str]:
    """Why the expected class may never have reached this scope."""
    matcher = evaluation.matcher
    scope = evaluation.scope
    sim = scope.sim
    wanted = matcher.job_name
    reasons = []
    missed: dict[tuple[str, str], int] = {}
    for miss in routing.missed_since(scope.since_generation):
        if wanted is None or miss.job_name == wanted:
            key = (miss.job_name, miss.thread)
            missed[key] = missed.get(key, 0) + 1
    for (name, thread), times in missed.items():
        reasons.append(
            f"{name} was enqueued {times} time{'s' if times != 1 else ''} with no active "
            f"simulator (thread {thread!r}); the NoActiveSimulator error was caught on the way, "
            f"so the job went nowhere: enqueue while the simulator is active."
        )
    for other in routing.activated_since(scope.since_generation):
        if other is sim or not isinstance(other, Simulator):
            continue
        found = [r for r in enqueued_records(other) if wanted is None or r.job_class == wanted]
        if found:
            reasons.append(
                f"{_jobs(len(found))} ({counts_text(class_counts(found))}) went to another "
                f"simulator (seed={other.seed}, profile {other.profile.name}) that was active "
                f"then; check that one with "
                f"{matcher.description().split('(')[0]}(..., sim=that_simulator)."
            )
    threads = [
        thread.name
        for thread in threading.enumerate()
        if thread is not threading.current_thread() and not thread.daemon
    ]
    if threads:
        reasons.append(
            f"other threads are running ({', '.join(repr(n) for n in threads[:5])}); a job they "
            f"have not enqueued yet cannot be counted: join them before asserting."
        )
    if not reasons and not fallback:
        return []
    if not reasons and matcher.kind == "performed":
        reasons.append(
            "nothing was enqueued to perform: check that the code under test enqueues the "
            "job; jobs run only when the simulator runs them (jobsim.drain(), advance(), "
            "perform_one() or perform_enqueued_jobs())."
        )
    elif not reasons:
        reasons.append(
            "nothing points to a cause: check that the code under test ran and that it "
            "enqueues with perform_async / perform_in / set(...).perform_async; calling a "
            "job's perform() directly runs it without enqueueing it."
        )
    return ["", "Why nothing may have arrived:", *[f"  - {reason}" for reason in reasons]]


def summary(evaluation: Evaluation) -> str:
    """One line for ``repr``: the count found and the nearest difference."""
    matcher = evaluation.matcher
    found = len(evaluation.matching)
    text = f"found {found}, expected {evaluation.count.text}"
    if matcher.exclusive and evaluation.misses and evaluation.count.accepts(found):
        record, lines = evaluation.misses[0]
        text = f"{len(evaluation.misses)} other jobs too, e.g. {record.job_class} jid={record.jid}"
    elif not evaluation.records:
        text += f"; nothing was {matcher.kind} {evaluation.scope.where()}"
    elif (
        matcher.job_name is not None
        and found == 0
        and not any(record.job_class == matcher.job_name for record in evaluation.records)
    ):
        counts = counts_text(class_counts(evaluation.records))
        text += f"; no {matcher.job_name} job was {matcher.kind}, only {counts}"
    elif evaluation.misses and found < evaluation.count.low:
        record, lines = min(evaluation.misses, key=lambda item: (len(item[1]), item[0].seq))
        text += f"; nearest {record.job_class} jid={record.jid}: {'; '.join(lines)}"
    return text + " (full report: .verify() or the 'jobsim' report section)"
