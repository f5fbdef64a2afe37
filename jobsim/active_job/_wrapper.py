"""The Sidekiq side of ActiveJob (layer 4): the adapter's wrapper jobs and ``execute``.

Rails' Sidekiq adapter pushes a :class:`JobWrapper` (``SidekiqWrapper`` on the Sidekiq 8
profile, see :func:`wrapper_for`) whose one argument is the ActiveJob's serialized data; the
wrapper's ``perform`` hands that data to :func:`execute`, which finds the ActiveJob class by
name in the simulator's settings and performs it now.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jobsim import routing
from jobsim.active_job import _runtime
from jobsim.errors import UnknownJob
from jobsim.job import Job

__all__ = ["JobWrapper", "SidekiqWrapper", "execute", "wrapper_for"]


def execute(job_data: Mapping[str, Any]) -> Any:
    """``ActiveJob::Base.execute``: find the class named in the data and perform it now."""
    sim = routing.active()
    name = job_data.get("job_class")
    found = _runtime.settings(sim).classes.get(str(name)) if sim is not None else None
    if found is None:
        known = sorted(_runtime.settings(sim).classes) if sim is not None else []
        msg = (
            f"job data names ActiveJob class {name!r}, which this simulator does not know; "
            f"register it with jobsim.active_job.register(sim, {name}) (known: "
            f"{', '.join(known) or 'none'})"
        )
        error = UnknownJob(msg)
        error.sidekiq_error_class = "NameError"
        error.sidekiq_error_message = f"uninitialized constant {name}"
        raise error
    job = found.deserialize(job_data)
    # Under the test adapter an escaping error goes on to Sidekiq's processor, which
    # perform_for_test has told to record it as a failure and raise it to the test.
    return job.perform_now()


def _wrapped_class(job: Mapping[str, Any]) -> type[Any] | None:
    # The ActiveJob class registered under the wrapped name (typed loosely: _base builds on
    # this module, so naming ActiveJob here would be an import cycle).
    sim = routing.active()
    profile = getattr(sim, "profile", None)
    if sim is None or not getattr(profile, "retry_hooks_on_wrapped", False):
        return None
    return _runtime.settings(sim).classes.get(str(job.get("wrapped")))


class JobWrapper(Job, name="ActiveJob::QueueAdapters::SidekiqAdapter::JobWrapper"):
    """Rails' Sidekiq adapter job: performs the ActiveJob whose data is its argument.

    On Sidekiq 7.1.3+ profiles, ``sidekiq_retry_in`` / ``sidekiq_retries_exhausted`` are looked
    up on the wrapped ActiveJob class (define them there as static or class methods).
    """

    def perform(self, *args: Any) -> Any:
        (job_data,) = args
        return execute({**job_data, "provider_job_id": self.jid})

    def retry_in(self, count: int, exc: Exception, job: dict[str, Any]) -> Any:
        wrapped = _wrapped_class(job)
        hook = getattr(wrapped, "sidekiq_retry_in", None)
        return hook(count, exc, job) if hook is not None else None

    def retries_exhausted(self, job: dict[str, Any], exc: Exception) -> Any:
        wrapped = _wrapped_class(job)
        hook = getattr(wrapped, "sidekiq_retries_exhausted", None)
        return hook(job, exc) if hook is not None else None


class SidekiqWrapper(JobWrapper, name="Sidekiq::ActiveJob::Wrapper"):
    """Sidekiq 8's own adapter job (``Sidekiq::ActiveJob::Wrapper``)."""


#: The wrapper job classes by the name a profile's ``activejob_wrapper`` gives.
_WRAPPERS: dict[str, type[JobWrapper]] = {
    JobWrapper.job_name: JobWrapper,
    SidekiqWrapper.job_name: SidekiqWrapper,
}


def wrapper_for(sim: Any) -> type[JobWrapper]:
    """The wrapper job class the active profile's adapter pushes."""
    profile = getattr(sim, "profile", None)
    name = getattr(profile, "activejob_wrapper", JobWrapper.job_name)
    return _WRAPPERS.get(name, JobWrapper)
