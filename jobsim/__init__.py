"""jobsim: test and simulate background jobs the way Sidekiq really runs them.

A deterministic in-memory engine runs Sidekiq's real retry, backoff and scheduling logic on a
virtual clock. See the README for a tour and ``docs/`` for the guides.
"""

from __future__ import annotations

from jobsim.clock import DEFAULT_START, ClockView, VirtualClock
from jobsim.cron import Cron, CronSyntaxError
from jobsim.errors import (
    ClockError,
    EmptyQueueError,
    InvalidArgument,
    InvalidOption,
    InvalidPayload,
    JobsimDeprecationWarning,
    JobsimError,
    JobsimWarning,
    NoActiveSimulator,
    SimulatedCrash,
    SimulationError,
    StepLimitExceeded,
    UnknownJob,
)
from jobsim.events import EVENT_KINDS, Event
from jobsim.job import Job, JobSetter, job
from jobsim.plugins import Plugin
from jobsim.points import checkpoint
from jobsim.profiles import DEFAULT_PROFILE, PROFILES, Profile
from jobsim.replay import sweep
from jobsim.retry import default_delay
from jobsim.sets import SetEntry
from jobsim.simulator import Simulator
from jobsim.stash import Stash, StashKey
from jobsim.trace import Trace

__version__ = "0.1.0"

__all__ = [
    # Simulation
    "DEFAULT_START",
    "Simulator",
    "VirtualClock",
    "ClockView",
    # Jobs
    "Job",
    "JobSetter",
    "job",
    "checkpoint",
    # Plugins (the ecosystem gems, chosen per simulator) and their state
    "Plugin",
    "Stash",
    "StashKey",
    # Recurring jobs
    "Cron",
    # Capacity: one scenario over many seeds
    "sweep",
    # Semantics profiles
    "DEFAULT_PROFILE",
    "PROFILES",
    "Profile",
    "default_delay",
    # What happened
    "EVENT_KINDS",
    "Event",
    "SetEntry",
    "Trace",
    # Errors
    "ClockError",
    "CronSyntaxError",
    "EmptyQueueError",
    "InvalidArgument",
    "InvalidOption",
    "InvalidPayload",
    "JobsimDeprecationWarning",
    "JobsimError",
    "JobsimWarning",
    "NoActiveSimulator",
    "SimulatedCrash",
    "SimulationError",
    "StepLimitExceeded",
    "UnknownJob",
]
