"""ActiveJob on top of jobsim's Sidekiq (layer 4): ``perform_later``, ``retry_on``, ``discard_on``.

::

    from jobsim.active_job import ActiveJob

    class SyncAccount(ActiveJob, queue_as="sync"):
        def perform(self, account_id):
            ...

    SyncAccount.retry_on(TimeoutError, wait="polynomially_longer", attempts=10)
    SyncAccount.discard_on(PermissionError)

    with jobsim.Simulator(seed=1) as sim:
        SyncAccount.perform_later(42)
        sim.drain()

Jobs run inside Sidekiq's ActiveJob wrapper, as with Rails' Sidekiq adapter: ActiveJob's retries
are new pushes of the wrapper, and an error no handler takes goes to Sidekiq's own retry. The
Rails version (6.1 … 8.0) decides the delay forms and callbacks; see
``docs/how-to/active-job.md``.
"""

from __future__ import annotations

from typing import Any

from jobsim.active_job._arguments import deserialize_arguments
from jobsim.active_job._base import ActiveJob, ConfiguredJob
from jobsim.active_job._callbacks import Abort
from jobsim.active_job._declarations import RailsDeprecationWarning
from jobsim.active_job._delay import Wait, determine_delay
from jobsim.active_job._delivery_jobs import DeliveryJob, MailDeliveryJob, ParameterizedDeliveryJob
from jobsim.active_job._mailer import Mailer, Message, MessageDelivery
from jobsim.active_job._runtime import Instrumented, Settings, settings
from jobsim.active_job._serialize import (
    DeserializationError,
    SerializationError,
    serialize_arguments,
)
from jobsim.active_job._serializers import GlobalID, Keywords, ObjectSerializer, Symbol
from jobsim.active_job._versions import DEFAULT_RAILS, RAILS_VERSIONS, RailsVersion, get_rails
from jobsim.active_job._wrapper import JobWrapper, SidekiqWrapper, execute, wrapper_for

__all__ = [
    # Jobs
    "ActiveJob",
    "Base",
    "ConfiguredJob",
    # Callbacks
    "Abort",
    # ActionMailer
    "DeliveryJob",
    "MailDeliveryJob",
    "Mailer",
    "Message",
    "MessageDelivery",
    "ParameterizedDeliveryJob",
    # Arguments as ActiveJob writes them
    "DeserializationError",
    "GlobalID",
    "Keywords",
    "ObjectSerializer",
    "SerializationError",
    "Symbol",
    "serialize_arguments",
    # Per-simulator settings
    "Instrumented",
    "Settings",
    "register",
    "settings",
    # Rails versions and the delay formula
    "DEFAULT_RAILS",
    "RAILS_VERSIONS",
    "RailsDeprecationWarning",
    "RailsVersion",
    "Wait",
    "determine_delay",
    "get_rails",
    # The Sidekiq side
    "JobWrapper",
    "SidekiqWrapper",
    "deserialize_arguments",
    "execute",
    "wrapper_for",
]

#: ``ActiveJob::Base``'s name, for readers coming from Rails.
Base = ActiveJob


def register(sim: Any, *job_classes: type[ActiveJob]) -> None:
    """Make ActiveJob classes known to ``sim`` by name, for payloads it did not enqueue
    itself (loaded or pushed raw); the wrapper classes are registered too."""
    config = settings(sim)
    sim.register(JobWrapper, SidekiqWrapper)
    for job_class in job_classes:
        config.register(job_class)
