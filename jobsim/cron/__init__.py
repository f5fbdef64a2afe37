"""Cron expressions on any clock (layer 2, pure): Fugit's semantics, or Debian cron's.

::

    from jobsim.cron import Cron
    cron = Cron("30 2 * * * America/New_York")
    cron.next_after(datetime(2024, 3, 9, 12, tzinfo=UTC))   # skips the gap day, as Fugit

The ``"fugit"`` dialect (alias ``"fugit-1.5"``) is a port of Fugit 1.5.2 (what sidekiq-cron
1.8 and rufus-scheduler use), natural language included, checked against the real gem in
``tests/conformance``; ``"fugit-1.11"`` is Fugit 1.11+ (sidekiq-cron 2.x), checked against
Fugit's own tests; ``"vixie"`` follows Debian cron as cronsim implements it.
``jobsim.cron.fugit`` has Fugit's parse functions (``parse``, ``parse_nat``, ...);
``jobsim.cron.recurring`` runs sidekiq-cron on a simulator.
"""

from __future__ import annotations

from jobsim.cron._cron import DIALECTS, SPECIALS, TAKE_LIMIT, Cron, Dialect
from jobsim.cron._errors import CronNeverFires, CronSyntaxError
from jobsim.cron._frequency import Frequency

__all__ = [
    # Expressions
    "Cron",
    "Dialect",
    "DIALECTS",
    "Frequency",
    "SPECIALS",
    "TAKE_LIMIT",
    # Errors
    "CronNeverFires",
    "CronSyntaxError",
]
