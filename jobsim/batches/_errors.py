"""The errors batches raise, under jobsim's one root (:class:`jobsim.errors.JobsimError`)."""

from __future__ import annotations

from jobsim.errors import InvalidArgument, JobsimError

__all__ = ["BatchError", "BatchImmutable", "EmptyBatch", "NoSuchBatch"]


class BatchError(JobsimError):
    """Something about a batch cannot be done as asked."""


class BatchImmutable(BatchError, RuntimeError):
    """A batch that has succeeded was changed (``Sidekiq::Batch::Immutable``, Pro 5.2.2+)."""


class NoSuchBatch(BatchError, LookupError):
    """A bid names no batch on this simulator (never created, expired, or lingered out)."""


class EmptyBatch(BatchError, InvalidArgument):
    """A jobs block pushed nothing under a Pro version older than 7.1, where that is undefined."""
