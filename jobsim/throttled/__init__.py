"""sidekiq-throttled on the virtual clock: ``throttle=`` limits, admitted at fetch.

::

    class SyncContact(jobsim.Job, throttle={
        "concurrency": {"limit": 5},
        "threshold": {"limit": 100, "period": 60},
    }):
        def perform(self, contact_id): ...

    sim = jobsim.Simulator(plugins=[jobsim.throttled.Throttled()])

The guide is ``docs/how-to/rate-limits.md``.
"""

from __future__ import annotations

from jobsim.throttled._gate import ClassCounts
from jobsim.throttled._plugin import Throttled
from jobsim.throttled._views import ThrottleView, throttles

__all__ = ["ClassCounts", "ThrottleView", "Throttled", "throttles"]
