"""Guide 003, "Sidekiq & Async Patterns Skill", every snippet.

``shared/seeds/003_85777e007b3c74a5.txt``. ``config/003_sidekiq.yml`` is its sidekiq.yml
byte for byte (the ERB included); ``config/003_recurring.yml`` its sidekiq-scheduler file.
``UniqueProcessingJob`` (``lock: :until_executed``) runs under the ``UniqueJobs`` plugin.
Its spec ("Testing Jobs") is ``tests/guides/test_guide_003.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any, ClassVar

import jobsim
from examples.guides.world import WORLD, RecordNotFound, UserMailer, find_user, time_current
from jobsim.active_job import ActiveJob, DeserializationError, Symbol

CONFIG = Path(__file__).resolve().parent / "config"
SIDEKIQ_YML = CONFIG / "003_sidekiq.yml"
RECURRING_YML = CONFIG / "003_recurring.yml"
LOG: list[str] = []


# -- "config/initializers/sidekiq.rb": the death handler ---------------------------------------
def death_handler(job: dict[str, Any], ex: BaseException) -> None:
    """``config.death_handlers << ->(job, ex) do ... end`` (logger and Sentry)."""
    LOG.append(f"Job {job['class']} died: {ex}")


def configure_server(sim: jobsim.Simulator) -> None:
    """``Sidekiq.configure_server``: the death handler. (``Sidekiq.strict_args!`` is the
    simulator's ``strict_args="raise"``.)"""
    sim.death_handlers.append(death_handler)


# -- "1. Idempotency (CRITICAL)": SendWelcomeEmailJob, WRONG then CORRECT ----------------------
class SendWelcomeEmailJobWrong(ActiveJob):
    """WRONG - Not idempotent (sends duplicate emails)."""

    def perform(self, user_id: int) -> None:
        UserMailer.welcome(find_user(user_id)).deliver_now()


class SendWelcomeEmailJob(ActiveJob):
    """CORRECT - Idempotent (checks before sending)."""

    def perform(self, user_id: int) -> None:
        user = find_user(user_id)
        if user.welcome_email_sent_at is not None:
            return
        UserMailer.welcome(user).deliver_now()
        user.welcome_email_sent_at = time_current()  # Time.current


# -- "Job Structure Template": TaskNotificationJob --------------------------------------------
class NetOpenTimeout(Exception):
    """``Net::OpenTimeout``."""


class SmsService:
    SENT: ClassVar[list[tuple[str, str]]] = []

    @staticmethod
    def send(to: str, message: str) -> None:
        SmsService.SENT.append((to, message))


CREATED = Symbol("created")  # the default ``notification_type = :created``


class TaskNotificationJob(ActiveJob, queue_as="notifications", rails="7.1"):
    def perform(self, task_id: int, notification_type: Any = CREATED) -> None:
        task = find_user(task_id)  # Task.find: the world's users stand in for tasks
        if str(notification_type) == "created":
            self.send_creation_notification(task)

    def send_creation_notification(self, task: Any) -> None:
        if not task.email:  # return unless task.recipient.phone.present?
            return
        if task.welcome_email_sent_at is not None:  # Idempotency check
            return
        SmsService.send(to=task.email, message=f"task {task.id} created")
        task.welcome_email_sent_at = time_current()


TaskNotificationJob.retry_on(RecordNotFound, wait=5, attempts=3)
TaskNotificationJob.retry_on(NetOpenTimeout, wait="polynomially_longer", attempts=5)
TaskNotificationJob.discard_on(DeserializationError)


# -- "Built-in Retry Configuration": ExternalApiJob ---------------------------------------------
class ApiRateLimitError(Exception):
    pass


class CustomError(Exception):
    pass


class UnrecoverableError(Exception):
    pass


class ExternalApiJob(ActiveJob, rails="7.1"):
    FAILS_WITH: type[Exception] | None = None

    def perform(self, task_id: int) -> None:
        if self.FAILS_WITH is not None:
            raise self.FAILS_WITH(f"task {task_id}")


ExternalApiJob.retry_on(NetOpenTimeout, wait=5, attempts=3)
# Exponential backoff: 3s, 18s, 83s, 258s, 627s
ExternalApiJob.retry_on(ApiRateLimitError, wait="polynomially_longer", attempts=5)
# Custom wait calculation
wait_for: Callable[[int], float] = lambda executions: executions * 10  # noqa: E731
ExternalApiJob.retry_on(CustomError, wait=wait_for)
# Don't retry these - discard instead
ExternalApiJob.discard_on(DeserializationError)
ExternalApiJob.discard_on(UnrecoverableError)


# -- "Manual Retry Control": ManualRetryJob -----------------------------------------------------
class RateLimitError(Exception):
    pass


class PermanentError(Exception):
    pass


class ManualRetryJob(ActiveJob, rails="7.1"):
    PLAN: ClassVar[list[type[Exception]]] = []

    def perform(self, task_id: int) -> None:
        try:
            if ManualRetryJob.PLAN:
                raise ManualRetryJob.PLAN.pop(0)(f"task {task_id}")  # external_service.process
            WORLD.calls.append(f"processed {task_id}")
        except RateLimitError:
            # Re-enqueue with delay
            type(self).set(wait=timedelta(minutes=1)).perform_later(task_id)
        except PermanentError as e:
            LOG.append(f"Permanent failure: {e}")  # Don't retry, log and notify


# -- "Scheduled Jobs (with sidekiq-scheduler)": config/recurring.yml (RECURRING_YML) -------------
class DailyCleanupJob(jobsim.Job):
    def perform(self) -> None: ...


class HourlySyncJob(jobsim.Job):
    def perform(self) -> None: ...


class WeeklyReportJob(jobsim.Job):
    def perform(self) -> None: ...


# -- "Comprehensive Error Wrapper": app/jobs/concerns/error_handling.rb --------------------------
def with_error_handling(job: ActiveJob, block: Callable[[], Any]) -> None:
    """``around_perform :with_error_handling``."""
    try:
        block()
    except RecordNotFound as e:
        LOG.append(f"{type(job).__name__}: Record not found - {e}")  # Log but don't re-raise
    except Exception as e:
        LOG.append(f"{type(job).__name__} failed: {e}")  # Log, notify, and re-raise
        raise


class MyJob(ActiveJob, rails="7.1"):
    """``include ErrorHandling``."""

    def perform(self, task_id: int) -> None:
        find_user(task_id)


MyJob.around_perform(with_error_handling)


# -- "Dynamic queue selection": FlexibleJob ------------------------------------------------------
def _queue_for(job: Any) -> str:
    return "critical" if job.arguments[0]["priority"] == "high" else "default"


class FlexibleJob(ActiveJob, queue_as=_queue_for, rails="7.1"):
    def perform(self, item: dict[str, Any]) -> None: ...


# -- "Unique Jobs (with sidekiq-unique-jobs)": UniqueProcessingJob (``plugins=[UniqueJobs()]``) ---
class UniqueProcessingJob(
    ActiveJob,
    queue_as="default",
    # Prevent duplicate jobs for same arguments
    sidekiq_options={"lock": "until_executed", "lock_args_method": "lock_args"},
):
    LOCK_ARGS_CALLS: ClassVar[list[list[Any]]] = []

    @classmethod
    def lock_args(cls, args: list[Any]) -> list[Any]:
        cls.LOCK_ARGS_CALLS.append(args)
        return [args[0]]  # Lock on first argument only

    def perform(self, resource_id: int, options: dict[str, Any] | None = None) -> None:
        # Only one job per resource_id at a time (the guide's claim; on ActiveJob it does not
        # hold: see tests/guides/test_guide_003.py)
        WORLD.calls.append(f"process {resource_id}")
