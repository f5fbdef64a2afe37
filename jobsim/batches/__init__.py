"""Sidekiq Pro's batches on the virtual clock: callbacks, status and nested batches.

::

    sim = jobsim.Simulator(plugins=[jobsim.batches.Batches()])
    with sim:
        batch = Batch(description="Newsletter")
        batch.on("success", Report, {"users": 100})
        with batch.jobs():
            for user_id in range(100):
                Deliver.perform_async(user_id)
    sim.drain()
    sim.batches[batch.bid].success        # True once every job succeeded

Sidekiq Pro's code is not public: the rules follow Sidekiq's wiki and changelog as summarised
in docs/how-to/batches.md, which marks what is inferred.
"""

from __future__ import annotations

from ._batch import Batch
from ._errors import BatchError, BatchImmutable, EmptyBatch, NoSuchBatch
from ._jobs import BatchCallback, BatchEmpty
from ._plugin import Batches, BatchesView
from ._redis import load_batches, save_batches
from ._status import Status, status_of
from ._timeline import TimelineEntry, timeline

__all__ = [
    "Batch",
    "BatchCallback",
    "BatchEmpty",
    "BatchError",
    "BatchImmutable",
    "Batches",
    "BatchesView",
    "EmptyBatch",
    "NoSuchBatch",
    "Status",
    "TimelineEntry",
    "load_batches",
    "save_batches",
    "status_of",
    "timeline",
]
