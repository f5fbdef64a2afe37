"""The cron package's errors (layer 2).

``CronSyntaxError`` is an :class:`~jobsim.errors.InvalidArgument` (so also a ``TypeError``) and a
``ValueError``: an expression that cannot be parsed is a bad value. ``CronNeverFires`` is raised
by iteration when a search gives up, as Fugit's ``MAX_ITERATION_COUNT`` guard does.
"""

from __future__ import annotations

from jobsim.errors import InvalidArgument, SimulationError

__all__ = ["CronNeverFires", "CronSyntaxError"]


class CronSyntaxError(InvalidArgument, ValueError):
    """A cron expression that cannot be parsed, or that can never fire.

    Attributes:
        expression: The text as given.
        position: The 0-based character offset of the problem (None when it is the whole text).
        reason: What is wrong there, without the expression.
    """

    def __init__(self, expression: str, position: int | None, reason: str) -> None:
        self.expression = expression
        self.position = position
        self.reason = reason
        where = "" if position is None else f" at position {position}"
        super().__init__(f"cron expression {expression!r}{where}: {reason}")


class CronNeverFires(SimulationError):
    """A next/previous search gave up (Fugit's "too many loops" RuntimeError)."""
