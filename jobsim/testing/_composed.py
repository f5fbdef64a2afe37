"""``m1 & m2`` and ``m1 | m2``: matchers composed as rspec's ``.and`` / ``.or``.

A composed matcher is checked the three ways a single one is: ``assert m1 & m2``,
``(m1 | m2).verify()`` and ``with m1 & m2:`` (each part counts the block's jobs). Its report
holds the report of each part that failed.
"""

from __future__ import annotations

import sys
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal, Self

from jobsim.errors import InvalidArgument
from jobsim.testing import _report

if TYPE_CHECKING:
    from jobsim.testing._matchers import Evaluation

__all__ = ["ComposedMatcher", "compose"]


class ComposedMatcher:
    """Two or more matchers joined by ``&`` (all must hold) or ``|`` (one must)."""

    def __init__(self, op: Literal["and", "or"], parts: list[Any]) -> None:
        self.op: Literal["and", "or"] = op
        self.parts: list[Any] = parts

    def __and__(self, other: Any) -> ComposedMatcher:
        return compose("and", self, other)

    def __or__(self, other: Any) -> ComposedMatcher:
        return compose("or", self, other)

    def _evaluations(self) -> list[tuple[bool, list[Evaluation]]]:
        return [part._verdict() for part in self.parts]

    def _verdict(self) -> tuple[bool, list[Evaluation]]:
        results = self._evaluations()
        verdicts = [passed for passed, _ in results]
        passed = all(verdicts) if self.op == "and" else any(verdicts)
        # Explain with the parts that failed (for `or`: every part, since all failed).
        failed = [evaluation for ok, found in results if not ok for evaluation in found]
        return passed, failed

    def description(self) -> str:
        """``(have_enqueued_job(A) & have_enqueued_job(B))``."""
        joiner = " & " if self.op == "and" else " | "
        return "(" + joiner.join(part.description() for part in self.parts) + ")"

    def message(self) -> str:
        """The report: which parts failed and each one's own report."""
        passed, failed = self._verdict()
        head = f"{self.description()} {'holds' if passed else 'does not hold'}"
        return "\n\n".join([head, *(evaluation.message() for evaluation in failed)])

    def __bool__(self) -> bool:
        passed, failed = self._verdict()
        frame = sys._getframe(1)
        for evaluation in failed:
            _report.note(evaluation, frame)
        return passed

    def verify(self) -> None:
        """Raise ``AssertionError`` with the failed parts' reports unless it holds."""
        __tracebackhide__ = True
        passed, _ = self._verdict()
        if not passed:
            raise AssertionError(self.message())

    def __enter__(self) -> Self:
        for part in self.parts:
            part.__enter__()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        __tracebackhide__ = True
        for part in self.parts:
            part._close_scope()
        if exc_type is None:
            self.verify()

    def _close_scope(self) -> None:
        for part in self.parts:
            part._close_scope()

    def __repr__(self) -> str:
        return f"<{self.description()}>"


def compose(op: Literal["and", "or"], left: Any, right: Any) -> ComposedMatcher:
    """``left & right`` (op "and") or ``left | right`` (op "or"), flattening like joins."""
    if not hasattr(right, "_verdict"):
        joiner = "&" if op == "and" else "|"
        msg = f"{left.description()} {joiner} {right!r}: compose jobsim matchers only"
        raise InvalidArgument(msg)
    parts = [*left.parts] if isinstance(left, ComposedMatcher) and left.op == op else [left]
    parts += [*right.parts] if isinstance(right, ComposedMatcher) and right.op == op else [right]
    return ComposedMatcher(op, parts)
