"""Remembering the last matcher checks, so a failed plain ``assert`` can be explained.

``assert have_enqueued_job(X)`` fails with only the matcher's ``repr`` (pytest cuts it to one
line, and ``--assert=plain`` shows nothing). So every truth test of a matcher is noted here with
the frame it happened in; when a test fails, a test runner passes the traceback to
:func:`explain_failure`, which returns the full report of the check made at the failing line.
"""

from __future__ import annotations

from collections import deque
from contextvars import ContextVar
from dataclasses import dataclass
from types import FrameType, TracebackType
from typing import Protocol

from jobsim.testing._records import mark_test_start


class Evaluation(Protocol):
    """A matcher check, as far as a note needs it (the matchers module builds on this one)."""

    def message(self) -> str:
        """The check's full report."""
        ...


__all__ = ["begin_test", "clear", "explain_failure", "note"]

#: How far below the failing line a multi-line ``assert (...)`` may have evaluated its matcher.
_LINE_SPAN = 30


@dataclass(frozen=True, slots=True)
class _Note:
    frame_id: int
    code_id: int
    line: int
    evaluation: Evaluation


#: The notes of this thread or task (a test's checks and its failure report share both).
_notes: ContextVar[deque[_Note] | None] = ContextVar("jobsim_matcher_notes", default=None)


def _mine() -> deque[_Note]:
    notes = _notes.get()
    if notes is None:
        notes = deque(maxlen=16)
        _notes.set(notes)
    return notes


def note(evaluation: Evaluation, frame: FrameType | None) -> None:
    """Remember that ``evaluation`` was made in ``frame`` (at its current line)."""
    if frame is None:
        return
    _mine().append(_Note(id(frame), id(frame.f_code), frame.f_lineno, evaluation))


def clear() -> None:
    """Forget every note."""
    _mine().clear()


def begin_test() -> None:
    """Start a new test: forget old notes, and look at routing history from here on.

    The pytest plugin calls this before each test. Without it, diagnostics such as "the job
    went to another simulator" consider everything since the process started.
    """
    _mine().clear()
    mark_test_start()


def explain_failure(tb: TracebackType | None) -> str | None:
    """The report of the matcher checked at a line of ``tb``, or None.

    The check must have been made in one of the traceback's frames, at the failing line or a
    few lines below it (a multi-line ``assert``); the most recent such check wins.
    """
    places: list[tuple[int, int, int]] = []
    while tb is not None:
        frame = tb.tb_frame
        places.append((id(frame), id(frame.f_code), tb.tb_lineno))
        tb = tb.tb_next
    for recorded in reversed(_mine()):
        for frame_id, code_id, line in places:
            if (
                recorded.frame_id == frame_id
                and recorded.code_id == code_id
                and line <= recorded.line <= line + _LINE_SPAN
            ):
                return recorded.evaluation.message()
    return None
