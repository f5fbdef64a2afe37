"""Guide 002, "Sidekiq Background Jobs" (AnKhangCRM, Vietnamese), every snippet that needs no
plugin.

``shared/seeds/002_dd6b6aebc48ba55f.txt``. The Rails model callback (``after_create_commit
:notify_sales``), the Web UI and the Procfile have no jobsim counterpart beyond the job they
enqueue. The app runs in Vietnam (``Asia/Ho_Chi_Minh``), where the cron times below are read.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jobsim
from examples.guides.world import WORLD, RecordNotFound, UserMailer, find_user
from jobsim.active_job import ActiveJob

CONFIG = Path(__file__).resolve().parent / "config"
SIDEKIQ_YML = CONFIG / "002_sidekiq.yml"
ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


# -- "Basic Job": app/jobs/send_notification_job.rb --------------------------------------------
class SendNotificationJob(ActiveJob, queue_as="default"):
    def perform(self, user_id: int, message: str) -> None:
        WORLD.calls.append(f"notify {find_user(user_id).name}: {message}")


# -- "With Retries": ZaloMessageJob ---------------------------------------------------------------
class ZaloRateLimitError(Exception):
    """``ZaloAPI::RateLimitError``."""


class ZaloInvalidTokenError(Exception):
    """``ZaloAPI::InvalidTokenError``."""


class ZaloMessageJob(ActiveJob, queue_as="critical"):
    FAILS_WITH: type[Exception] | None = None

    def perform(self, contact_id: int, template_id: str) -> None:
        if self.FAILS_WITH is not None:  # ZaloService.send_template(contact.phone, ...)
            raise self.FAILS_WITH(f"contact {contact_id}")
        WORLD.calls.append(f"zalo {contact_id} {template_id}")


ZaloMessageJob.retry_on(ZaloRateLimitError, wait="exponentially_longer", attempts=5)
ZaloMessageJob.discard_on(ZaloInvalidTokenError)


# -- "Sidekiq Worker (Direct API)": app/workers/broadcast_contact_created_worker.rb --------------
class BroadcastContactCreatedWorker(jobsim.Job, queue="critical", retry=3):
    def perform(self, contact_id: int) -> None:
        for user in WORLD.users.values():  # User.sales.find_each
            WORLD.calls.append(f"web push to {user.name}: contact {contact_id}")


# -- "Scheduled Jobs": config/initializers/sidekiq_cron.rb ------------------------------------
SCHEDULE: dict[str, dict[str, Any]] = {
    "daily_report": {"cron": "0 8 * * *", "class": "DailyReportJob"},  # 8 AM daily
    "cleanup_old_logs": {"cron": "0 2 * * 0", "class": "CleanupLogsJob"},  # 2 AM every Sunday
    "cskh_reminder": {"cron": "0 9 * * 1-5", "class": "CskhReminderJob"},  # 9 AM weekdays
}


class DailyReportJob(jobsim.Job):
    def perform(self) -> None: ...


class CleanupLogsJob(jobsim.Job):
    def perform(self) -> None: ...


class CskhReminderJob(jobsim.Job):
    def perform(self) -> None: ...


# -- "Zalo OA Message (CSKH)": app/jobs/send_zalo_message_job.rb ----------------------------
class FaradayTimeoutError(Exception):
    """``Faraday::TimeoutError``."""


class SendZaloMessageJob(ActiveJob, queue_as="critical"):
    TIMEOUTS = 0

    def perform(self, contact_id: int, template_id: str, params: Any = None) -> None:
        if SendZaloMessageJob.TIMEOUTS > 0:  # ZaloOAService.send_zns(...) timing out
            SendZaloMessageJob.TIMEOUTS -= 1
            raise FaradayTimeoutError("execution expired")
        WORLD.calls.append(f"zalo_sent {contact_id} {template_id}")  # ActivityLog.create!


SendZaloMessageJob.retry_on(FaradayTimeoutError, wait=5, attempts=3)


# -- "Email Notification": app/jobs/send_email_job.rb --------------------------------------
class SendEmailJob(ActiveJob, queue_as="default"):
    def perform(self, user_id: int, email_type: Any, options: Any = None) -> None:
        user = find_user(user_id)
        kind = str(email_type)  # email_type.to_sym
        if kind == "password_reset":
            UserMailer.reminder(user).deliver_now()  # UserMailer.password_reset(user)
        elif kind == "daily_summary":
            UserMailer.welcome(user).deliver_now()  # UserMailer.daily_summary(user, date)


# -- "Bulk Processing" ---------------------------------------------------------------------------
class BulkNotifyJob(ActiveJob):
    def perform(self, user_ids: list[int]) -> None:
        for user_id in user_ids:  # User.where(id: user_ids).find_each(batch_size: 100)
            WORLD.calls.append(f"bulk {user_id}")


# -- "Error Handling": ReliableJob -----------------------------------------------------------------
class CustomError(Exception):
    pass


ADMIN_NOTIFIED: list[tuple[str, str]] = []


class ReliableJob(ActiveJob):
    FAILS_WITH: type[Exception] | None = None

    def perform(self, *args: Any) -> None:
        if self.FAILS_WITH is not None:
            raise self.FAILS_WITH("boom")


# Retry with exponential backoff
ReliableJob.retry_on(Exception, wait="exponentially_longer", attempts=5)  # StandardError
# Don't retry for specific errors
ReliableJob.discard_on(RecordNotFound)


# Custom error handling
@ReliableJob.rescue_from(CustomError)
def notify_admin(job: ActiveJob, exception: BaseException) -> None:
    ADMIN_NOTIFIED.append((type(job).__name__, str(exception)))  # AdminNotifier.job_failed
