"""Which Sidekiq Pro version's batch rules apply (from Pro-Changes.md, as the reference cites)."""

from __future__ import annotations

from typing import NamedTuple

from jobsim.errors import InvalidArgument

__all__ = ["DEFAULT_VERSION", "ProVersion", "parse_version"]

#: The newest rules the reference describes (Sidekiq Pro-Changes.md at 8.1.7).
DEFAULT_VERSION = "8.1.7"


class ProVersion(NamedTuple):
    """The Pro version in force and the batch rules that follow from it."""

    text: str
    number: tuple[int, int, int]

    @property
    def has_death(self) -> bool:
        """``:death`` callbacks exist (Pro 4.0.3)."""
        return self.number >= (4, 0, 3)

    @property
    def death_reaches_parent(self) -> bool:
        """A child's ``:death`` fires its parents' too (Pro 5.2.1)."""
        return self.number >= (5, 2, 1)

    @property
    def has_linger(self) -> bool:
        """``batch.linger=`` exists (Pro 5.2.1)."""
        return self.number >= (5, 2, 1)

    @property
    def linger_floor(self) -> float:
        """The shortest linger honoured: 30 s since Pro 8.1.4, none before."""
        return 30.0 if self.number >= (8, 1, 4) else 0.0

    @property
    def empty_gets_a_job(self) -> bool:
        """An empty jobs block pushes ``Sidekiq::Batch::Empty`` (Pro 7.1.0); before, undefined."""
        return self.number >= (7, 1, 0)

    @property
    def has_event_times(self) -> bool:
        """``complete_at``/``success_at``/``death_at`` on the status (Pro 7.1)."""
        return self.number >= (7, 1, 0)

    @property
    def created_at_ms(self) -> bool:
        """``created_at`` is integer milliseconds (Pro 8.0); float seconds before."""
        return self.number >= (8, 0, 0)

    @property
    def has_autoflush(self) -> bool:
        """``batch.autoflush = N`` (Pro 8.1.2)."""
        return self.number >= (8, 1, 2)


def parse_version(text: object) -> ProVersion:
    """``"8.1"``, ``"7.1.0"`` or ``"5.2.1"`` as a :class:`ProVersion`, or a clear error."""
    if isinstance(text, str):
        parts = text.strip().split(".")
        if 1 <= len(parts) <= 3 and all(part.isdigit() for part in parts):
            numbers = [int(part) for part in parts] + [0] * (3 - len(parts))
            if (3, 0, 0) <= tuple(numbers) < (10, 0, 0):
                return ProVersion(text.strip(), (numbers[0], numbers[1], numbers[2]))
    msg = (
        f"Batches(version={text!r}): give the Sidekiq Pro version as a string from '3.0' to "
        f"'9.x', e.g. version='8.1' or version='7.0.2'"
    )
    raise InvalidArgument(msg)
