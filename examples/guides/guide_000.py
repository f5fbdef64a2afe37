"""Guide 000, "Sidekiq – Background Jobs" (Spanish), every snippet.

``shared/seeds/000_a5424fef685efe0a.txt``. The sidekiq-throttled ``ApiWorker`` ("Rate
Limiting", opción 1) runs under the ``Throttled`` plugin; its Redis middleware (opción 2) too.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jobsim
from examples.guides.world import (
    WORLD,
    PaymentGateway,
    User,
    UserMailer,
    find_order,
    find_user,
)
from jobsim.active_job import ActiveJob

CONFIG = Path(__file__).resolve().parent / "config"
SCHEDULE_YML = CONFIG / "000_schedule.yml"
SIDEKIQ_YML = CONFIG / "000_sidekiq.yml"
#: ``Time.zone`` of the guide's app (a Spanish-speaking team; the guide names none).
ZONE = ZoneInfo("Europe/Madrid")


# -- "Worker Básico": app/workers/email_worker.rb ----------------------------------------------
class EmailWorker(jobsim.Job, queue="mailers", retry=3):
    def perform(self, user_id: int) -> None:
        user = find_user(user_id)
        UserMailer.welcome_email(user).deliver_now()


def enqueue_email_worker(user: User) -> None:
    """The guide: "# Encolar": now, in 5 minutes, at 2024-01-01 09:00 in ``Time.zone``."""
    EmailWorker.perform_async(user.id)  # Inmediato
    EmailWorker.perform_in(timedelta(minutes=5), user.id)  # Después de 5 min
    EmailWorker.perform_at(datetime(2024, 1, 1, 9, 0, tzinfo=ZONE), user.id)


# -- "Worker Básico": "Con ActiveJob (abstracción sobre el adapter)" --------------------------
class WelcomeEmailJob(ActiveJob, queue_as="mailers"):
    def perform(self, user: User) -> None:
        UserMailer.welcome_email(user).deliver_now()


def enqueue_welcome_email_job(user: User) -> None:
    WelcomeEmailJob.perform_later(user)
    WelcomeEmailJob.set(wait=timedelta(hours=1)).perform_later(user)


# -- "Jobs Idempotentes": the ❌ ChargeWorker (named so beside the ✅ one) --------------------
class ChargeWorkerNotIdempotent(jobsim.Job):
    """❌ NO idempotente: cada ejecución crea un registro nuevo (cobra N veces)."""

    def perform(self, order_id: int) -> None:
        order = find_order(order_id)
        PaymentGateway.charge(order.id, order.amount)  # Cobra N veces si se reintenta
        order.charged = True


# -- "Jobs Idempotentes": ✅ Idempotente: verifica estado antes de actuar --------------------
class ChargeWorker(jobsim.Job):
    def perform(self, order_id: int) -> None:
        order = find_order(order_id)
        if order.charged:  # Ya fue procesado, no hacer nada
            return
        result = PaymentGateway.charge(order.id, order.amount)
        order.charged, order.payment_id = True, result


# -- "Jobs Idempotentes": ✅ Idempotente con find_or_create -----------------------------------
class SyncUserWorker(jobsim.Job):
    def perform(self, external_id: str, data: dict[str, Any]) -> None:
        for user in WORLD.users.values():
            if user.external_id == external_id:
                return  # find_or_create_by: found, the block does not run
        new_id = max(WORLD.users, default=0) + 1
        WORLD.users[new_id] = User(new_id, data["name"], data["email"], external_id)


# -- "Retries y Dead Queue" ---------------------------------------------------------------------
class ExternalApiError(Exception):
    """What ``ExternalApi.call`` raises when the API is down."""


FAILED_JOBS: list[dict[str, Any]] = []


class RiskyWorker(jobsim.Job, retry=5):  # Reintentar hasta 5 veces con backoff exponencial
    def perform(self, id: int) -> None:
        raise ExternalApiError(f"API down for {id}")  # Si lanza una excepción, Sidekiq reintenta

    def retries_exhausted(self, job: dict[str, Any], exc: BaseException) -> None:
        """``sidekiq_retries_exhausted do |msg, ex|``: FailedJob.create!(...)."""
        FAILED_JOBS.append({"worker": job["class"], "args": job["args"], "error": str(exc)})


class RiskyWorkerNoRetry(jobsim.Job, retry=False):
    """``sidekiq_options retry: false``: "Sin reintentos (fallo → dead queue directamente)"."""

    def perform(self, id: int) -> None:
        raise ExternalApiError(f"API down for {id}")


def guide_backoff(retry_count: int, rand30: int) -> int:
    """The guide: "Backoff por defecto" as the guide writes it: Sidekiq ≤ 6.2.1's jitter
    ``rand(30)``."""
    return retry_count**4 + 15 + rand30 * (retry_count + 1)


# -- "Scheduling", opción 1: perform_in / perform_at ----------------------------------------
class ReportWorker(jobsim.Job):
    def perform(self, user_id: int) -> None: ...


def schedule_reports(user: User, now: datetime) -> None:
    ReportWorker.perform_in(timedelta(hours=24), user.id)
    tomorrow = (now.astimezone(ZONE) + timedelta(days=1)).date()  # Date.tomorrow
    ReportWorker.perform_at(datetime(tomorrow.year, tomorrow.month, tomorrow.day, tzinfo=ZONE))


# -- "Scheduling", opción 2: sidekiq-cron, config/schedule.yml --------------------------------
class DailyReportWorker(jobsim.Job):
    def perform(self) -> None: ...


class CleanupWorker(jobsim.Job):
    def perform(self) -> None: ...


# -- "Concurrency": config/sidekiq.yml (SIDEKIQ_YML); any worker on each queue ---------------
class CriticalWorker(jobsim.Job, queue="critical"):
    def perform(self, n: int) -> None: ...


class DefaultWorker(jobsim.Job, queue="default"):
    def perform(self, n: int) -> None: ...


class MailersWorker(jobsim.Job, queue="mailers"):
    def perform(self, n: int) -> None: ...


class LowWorker(jobsim.Job, queue="low"):
    def perform(self, n: int) -> None: ...


# -- "Rate Limiting", opción 1: sidekiq-throttled (run with ``plugins=[Throttled()]``) ----------
class ApiWorker(
    jobsim.Job,
    throttle={
        "concurrency": {"limit": 5},  # Máx 5 jobs simultáneos
        "threshold": {"limit": 100, "period": 60},  # Máx 100 jobs por minuto
    },
):
    duration = 1.5  # seconds per ExternalApi.call (the guide gives none)

    def perform(self, record_id: int) -> None:
        WORLD.calls.append(f"ExternalApi.call({record_id})")


# -- "Rate Limiting", opción 2: Middleware personalizado con Redis -----------------------------
class FakeRedis:
    """The two commands the middleware uses, with keys expiring on the simulator's clock."""

    def __init__(self, sim: jobsim.Simulator) -> None:
        self.sim = sim
        self.values: dict[str, int] = {}
        self.expires: dict[str, float] = {}

    def incr(self, key: str) -> int:
        if key in self.expires and self.sim.time >= self.expires[key]:
            del self.values[key], self.expires[key]
        self.values[key] = self.values.get(key, 0) + 1
        return self.values[key]

    def expire(self, key: str, seconds: int) -> None:
        self.expires[key] = self.sim.time + seconds


class RateLimitExceeded(RuntimeError):
    """``raise "Rate limit exceeded"`` (a RuntimeError in Ruby)."""


class RateLimitMiddleware:
    """Server middleware: at most 100 jobs of a class per 60 s window, else raise."""

    def __init__(self, redis: FakeRedis) -> None:
        self.redis = redis

    def call(self, worker: Any, job: dict[str, Any], queue: str, call_next: Any) -> Any:
        key = f"rate_limit:{type(worker).__name__}"
        count = self.redis.incr(key)
        if count == 1:
            self.redis.expire(key, 60)
        if count > 100:
            raise RateLimitExceeded("Rate limit exceeded")
        return call_next()
