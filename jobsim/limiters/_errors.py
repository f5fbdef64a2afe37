"""``OverLimit``: what ``within_limit`` raises when no room comes within ``wait_timeout``."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from jobsim.limiters._limiter import Limiter

__all__ = ["OverLimit"]


class OverLimit(RuntimeError):
    """``Sidekiq::Limiter::OverLimit``: a limiter had no room within its ``wait_timeout``.

    It is the simulated gem's exception, raised inside job code as the real one is, not a
    mistake in how jobsim is used, so it is no :class:`~jobsim.errors.JobsimError`. The
    ``Limiters`` plugin's server middleware catches it and reschedules the job.
    """

    #: The name Sidekiq records in ``error_class`` (jobsim.retry.error_class_name).
    sidekiq_error_class = "Sidekiq::Limiter::OverLimit"

    def __init__(self, limiter: Limiter | None, waited: float = 0.0) -> None:
        self.limiter = limiter
        #: Virtual seconds the caller waited before giving up.
        self.waited = waited
        what = "a limiter" if limiter is None else f"{limiter.kind} limiter {limiter.name!r}"
        super().__init__(f"{what} is over its limit (waited {waited:g} s)")
