"""Guide 001, "Background Jobs with Sidekiq", every snippet.

``shared/seeds/001_3682da1cebd5c746.txt``. ``ParentJob``'s ``Sidekiq::Batch`` ("Batch
Processing") runs under the ``Batches`` plugin and ``GenerateReportJob``'s ``lock:
:until_executed`` ("Unique jobs") under the ``UniqueJobs`` plugin. The spec of "Testing"
is ``tests/guides/test_guide_001.py``, as pytest tests.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import jobsim
from examples.guides.world import WORLD, UserMailer, find_order, find_user
from jobsim.active_job import ActiveJob, Symbol
from jobsim.batches import Batch

CONFIG = Path(__file__).resolve().parent / "config"
SIDEKIQ_YML = CONFIG / "001_sidekiq.yml"
SCHEDULE_YML = CONFIG / "001_schedule.yml"


# -- "Basic Job Design": app/jobs/email_sender_job.rb ------------------------------------------
class EmailSenderJob(ActiveJob, queue_as="default"):
    def perform(self, user_id: int, email_type: Symbol) -> None:
        user = find_user(user_id)
        # UserMailer.send(email_type, user).deliver_now
        getattr(UserMailer, str(email_type))(user).deliver_now()


def usage(user_id: int, tomorrow_noon: Any) -> None:
    """The guide: "# Usage": now, in an hour, and at tomorrow noon."""
    EmailSenderJob.perform_later(user_id, Symbol("welcome"))
    EmailSenderJob.set(wait=timedelta(hours=1)).perform_later(user_id, Symbol("reminder"))
    EmailSenderJob.set(wait_until=tomorrow_noon).perform_later(user_id, Symbol("welcome"))


# -- "Queue Priority" ---------------------------------------------------------------------------
class CriticalJob(ActiveJob, queue_as="critical"):
    def perform(self) -> None: ...  # High priority work


class ReportGenerationJob(ActiveJob, queue_as="low"):
    def perform(self) -> None: ...  # Can wait


# -- "Retry Strategy": ImportJob -----------------------------------------------------------------
class NetworkError(Exception):
    pass


class RateLimitError(Exception):
    pass


class ImportJob(ActiveJob, sidekiq_options={"retry": 5}):  # Retry up to 5 times
    FAILS_WITH: type[Exception] = NetworkError

    @staticmethod
    def sidekiq_retry_in(count: int, exception: Exception, job: dict[str, Any]) -> Any:
        """Custom retry logic (``sidekiq_retry_in do |count, exception|``)."""
        if isinstance(exception, NetworkError):
            return 10 * (count + 1)  # 10, 20, 30 seconds
        if isinstance(exception, RateLimitError):
            return timedelta(hours=1)
        return "default"  # :default -- Use Sidekiq's default exponential backoff

    def perform(self, data_url: str) -> None:
        raise self.FAILS_WITH(data_url)  # Import logic: here, the import fails


# -- "Error Handling": ProcessPaymentJob -------------------------------------------------------
class PaymentError(Exception):
    pass


FAILED_PAYMENTS: list[dict[str, Any]] = []
LOG: list[str] = []


class ProcessPaymentJob(ActiveJob, sidekiq_options={"retry": 3}):
    @staticmethod
    def sidekiq_retries_exhausted(msg: dict[str, Any], exception: Exception) -> None:
        """Called when job fails after all retries."""
        LOG.append(f"Payment job failed: {msg['jid']}")
        FAILED_PAYMENTS.append({"args": msg["args"], "error": str(exception)})

    def perform(self, user_id: int, amount: int) -> None:
        find_user(user_id)
        try:
            raise PaymentError(f"card declined for {amount}")  # PaymentProcessor.charge
        except PaymentError as e:
            LOG.append(f"Payment failed: {e}")  # Log and re-raise to trigger retry
            raise


# -- "Batch Processing": BulkEmailJob (in_groups_of(100, false)) --------------------------------
class BulkEmailJob(ActiveJob):
    def perform(self, user_ids: list[int]) -> None:
        for start in range(0, len(user_ids), 100):  # Process in batches
            for user_id in user_ids[start : start + 100]:
                UserMailer.welcome(find_user(user_id)).deliver_now()  # newsletter


# -- "Batch Processing": ParentJob with Sidekiq::Batch (run with ``plugins=[Batches()]``) --------
class ChildJob(ActiveJob):
    """The guide names it and leaves it out: one user's share of the work."""

    def perform(self, user_id: int) -> None:
        WORLD.calls.append(f"child {user_id}")


class ParentJob(ActiveJob):
    def perform(self, user_ids: list[int]) -> None:
        batch = Batch()
        batch.on("success", type(self), {"user_ids": user_ids})
        with batch.jobs():
            for user_id in user_ids:
                ChildJob.perform_later(user_id)

    def on_success(self, status: Any, options: dict[str, Any]) -> None:
        # All child jobs completed
        LOG.append(f"Processed {len(options['user_ids'])} users")  # Rails.logger.info


# -- "Scheduled Jobs": config/schedule.yml (SCHEDULE_YML) -----------------------------------
class DailyReportJob(jobsim.Job):
    def perform(self) -> None: ...


class CleanupJob(jobsim.Job):
    def perform(self) -> None: ...


# -- "Job Patterns": Idempotent jobs -----------------------------------------------------------
class ProcessOrderJob(ActiveJob):
    def perform(self, order_id: int) -> None:
        order = find_order(order_id)
        if order.processed:  # Check if already processed
            return
        WORLD.calls.append(f"process {order_id}")  # Process order
        order.processed = True


# -- "Unique jobs": GenerateReportJob (run with ``plugins=[UniqueJobs()]``) ----------------------
class GenerateReportJob(
    ActiveJob, sidekiq_options={"lock": "until_executed", "on_conflict": "log"}
):
    def perform(self, user_id: int, report_type: str) -> None:
        # Only one instance of this job per user+report_type (the guide's claim; on ActiveJob
        # it does not hold: see tests/guides/test_guide_001.py)
        WORLD.calls.append(f"report {user_id} {report_type}")
