"""ActiveJob with records: GlobalID arguments, callbacks and a deleted record discarded.

Run it: ``python examples/active_job_records.py``. A ``TaskNotificationJob`` takes a task
record (written into the job data as ``{"_aj_globalid": "gid://shop/Task/1"}``), wraps
``perform`` in an ``around_perform`` that logs, and declares
``discard_on(DeserializationError)`` as the seeds' Rails job does
(``discard_on ActiveJob::DeserializationError``): the task deleted before its job runs is
discarded, not retried.
"""

from __future__ import annotations

from typing import Any

import jobsim
from jobsim.active_job import ActiveJob, DeserializationError, GlobalID, Symbol, settings


class Task:
    """A stored record: ``to_global_id()`` is what GlobalID::Identification gives Rails'."""

    def __init__(self, id: int, title: str) -> None:
        self.id = id
        self.title = title

    def to_global_id(self) -> GlobalID:
        return GlobalID("shop", "Task", self.id)


TASKS: dict[int, Task] = {}
LOG: list[str] = []


class TaskNotificationJob(ActiveJob, queue_as="notifications", rails="7.1"):
    def perform(self, task: Task, notification_type: str = Symbol("created")) -> None:
        LOG.append(f"  notify {notification_type}: {task.title!r}")


TaskNotificationJob.discard_on(DeserializationError)


@TaskNotificationJob.around_perform
def log_timing(job: ActiveJob, block: Any) -> None:
    LOG.append(f"  start {job.job_class_name} ({job.executions})")
    block()
    LOG.append("  done")


def main() -> None:
    sim = jobsim.Simulator(seed=3)
    settings(sim).finders["Task"] = lambda id: TASKS.get(int(id))
    with sim:
        TASKS[1] = Task(1, "write the report")
        TASKS[2] = Task(2, "water the plants")
        TaskNotificationJob.perform_later(TASKS[1], Symbol("completed"))
        TaskNotificationJob.perform_later(TASKS[2])
        (first, _) = sim.queue("notifications").jobs
        print("job data arguments:", first["args"][0]["arguments"])
        del TASKS[2]  # deleted before its job runs
        sim.drain()
    print("\n".join(LOG))
    discards = [event for event in settings(sim).events if event.name == "discard"]
    print(f"discarded: {[(e.job_class, e.error_class) for e in discards]}")
    print(f"retries: {len(sim.retries)}, dead: {len(sim.dead)}")


if __name__ == "__main__":
    main()
