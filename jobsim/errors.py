"""The error tree of jobsim (layer 0).

Every error jobsim raises derives from :class:`JobsimError`; where the meaning matches a
builtin, the error inherits that builtin too, so ``except ValueError`` keeps working::

    JobsimError
     ├─ InvalidArgument (also TypeError)        bad argument to a jobsim API
     │   ├─ InvalidOption (also ValueError)     unknown or ill-typed job option
     │   └─ InvalidPayload (also ValueError)    job arguments that are not JSON-native
     ├─ UnknownJob (also LookupError)           a job class name the registry does not know
     ├─ NoActiveSimulator (also RuntimeError)   enqueue with no simulator to receive it
     ├─ SimulationError (also RuntimeError)     something went wrong while running
     │   ├─ ClockError                          time cannot go backwards
     │   ├─ EmptyQueueError                     perform_one() with nothing queued
     │   └─ StepLimitExceeded                   a run that does not go idle
     └─ JobsimWarning (also UserWarning)        e.g. Sidekiq 6.x's strict-args warning
         └─ JobsimDeprecationWarning (also DeprecationWarning)  an option's old spelling

    SimulatedCrash (a BaseException, outside the tree on purpose)

``SimulatedCrash`` stands for the process being killed while a job runs. It is not an
``Exception`` because nothing in a real process can catch SIGKILL: job code's
``except Exception`` must not swallow it.

Messages follow one pattern: what went wrong, where, which value, and what to do.
"""

from __future__ import annotations

__all__ = [
    "ClockError",
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


class JobsimError(Exception):
    """Root of every error jobsim raises."""


class InvalidArgument(JobsimError, TypeError):
    """A jobsim API was called with an argument it cannot take."""


class InvalidOption(InvalidArgument, ValueError):
    """A job option is unknown or has a value of the wrong kind."""


class InvalidPayload(InvalidArgument, ValueError):
    """Job arguments that do not survive Sidekiq's JSON round trip."""


class UnknownJob(JobsimError, LookupError):
    """A payload names a job class that the simulator's registry does not know.

    Sidekiq records this failure as Ruby's ``NameError``; the two attributes hold what goes
    into the payload's ``error_class`` and ``error_message``.
    """

    sidekiq_error_class: str = "NameError"
    sidekiq_error_message: str = ""


class NoActiveSimulator(JobsimError, RuntimeError):
    """A job was enqueued while no simulator was active to receive it."""


class SimulationError(JobsimError, RuntimeError):
    """Something went wrong while the simulation was running."""


class ClockError(SimulationError):
    """The virtual clock was asked to move backwards."""


class EmptyQueueError(SimulationError):
    """``perform_one()`` found no job to run (Sidekiq's ``Sidekiq::EmptyQueueError``)."""


class StepLimitExceeded(SimulationError):
    """A run went past its step limit without becoming idle."""


class JobsimWarning(JobsimError, UserWarning):
    """A warning jobsim emits where Sidekiq would log one (for example strict args in 6.x)."""


class JobsimDeprecationWarning(JobsimWarning, DeprecationWarning):
    """An old spelling jobsim still reads, such as sidekiq-unique-jobs' pre-7 ``unique=``."""


class SimulatedCrash(BaseException):
    """Raise inside a job to kill the simulated Sidekiq process at that point.

    Side effects made so far stay made. With basic fetch the running jobs are lost; with
    reliable fetch they go back to their queues. Processing stops until ``sim.start()``.
    """
