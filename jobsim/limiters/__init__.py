"""Sidekiq Enterprise's rate limiters (``Sidekiq::Limiter``) on the virtual clock.

::

    sim = jobsim.Simulator(plugins=[jobsim.limiters.Limiters()])
    erp = jobsim.limiters.limiters(sim).concurrent("erp", 50, wait_timeout=5, lock_timeout=30)

    class CallErp(jobsim.Job):
        def perform(self, order_id):
            with erp.within_limit():
                ...

The guide is ``docs/how-to/enterprise-limiters.md``.
"""

from __future__ import annotations

from jobsim.limiters._errors import LimiterErrors, OverLimit
from jobsim.limiters._factory import LimiterFactory, limiter_errors, limiters
from jobsim.limiters._limiter import Limiter, LimiterStatus
from jobsim.limiters._plugin import Limiters
from jobsim.limiters._runtime import ClassCounts

__all__ = [
    "ClassCounts",
    "Limiter",
    "LimiterErrors",
    "LimiterFactory",
    "LimiterStatus",
    "Limiters",
    "OverLimit",
    "limiter_errors",
    "limiters",
]
