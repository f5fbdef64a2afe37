"""A ``retry_in`` hook that reads the exception: wait out rate limits, give up on permanent errors.

``SyncInvoice`` pushes invoices to a billing provider. When the provider answers
"429 Too Many Requests" the job retries after the ``Retry-After`` seconds the provider asked
for; when the customer's account is closed, retrying cannot help, so ``retry_in`` returns
``"kill"`` (Sidekiq's ``:kill``) and the job goes straight to the dead set, where a death handler
raises an alert. Any other error gets Sidekiq's default backoff. Sidekiq adds its random jitter
to custom delays too, so the trace shows ``Retry-After + jitter``.

The last part runs the same job under the ``sidekiq-6.4`` profile, where ``sidekiq_retry_in``
cannot return symbols: the ``"kill"`` raises ``NoMethodError`` inside Sidekiq, which then
schedules an ordinary retry, so the closed account is retried until ``retry=5`` runs out.

Run it: ``python examples/custom_retry_in.py``
"""

from __future__ import annotations

from typing import Any

import jobsim


class RateLimited(Exception):
    """HTTP 429 from the billing provider."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"429 Too Many Requests (Retry-After: {retry_after})")
        self.retry_after = retry_after


class AccountClosed(Exception):
    """The customer's account no longer exists; no retry can fix that."""


class FakeBillingAPI:
    """Answers from a script: planned errors per invoice, and accounts that are closed."""

    def __init__(self) -> None:
        self.planned: dict[str, list[Exception]] = {}
        self.closed: set[str] = set()
        self.synced: list[str] = []

    def push_invoice(self, invoice_id: str) -> None:
        if invoice_id in self.closed:
            raise AccountClosed(f"invoice {invoice_id}: account is closed")
        planned = self.planned.get(invoice_id)
        if planned:
            raise planned.pop(0)
        self.synced.append(invoice_id)


API = FakeBillingAPI()


class SyncInvoice(jobsim.Job, queue="billing", retry=5):
    """Pushes one invoice to the billing provider."""

    def perform(self, invoice_id: str) -> None:
        API.push_invoice(invoice_id)

    def retry_in(self, count: int, exc: Exception, job: dict[str, Any]) -> int | str | None:
        if isinstance(exc, RateLimited):
            return exc.retry_after  # as the provider asked
        if isinstance(exc, AccountClosed):
            return "kill"  # straight to the dead set
        return None  # Sidekiq's default: count ** 4 + 15 seconds


def describe(event: jobsim.Event) -> str:
    detail = event.detail
    if event.kind == "failed":
        return f"{detail['error_class'].rsplit('.', 1)[-1]}: {detail['error_message']}"
    if event.kind == "retry_scheduled":
        base = detail["delay"] - detail["jitter"]
        return f"retry_count={detail['retry_count']}, in {base:g}s + {detail['jitter']}s jitter"
    if event.kind in ("died", "discarded"):
        return str(detail["reason"])
    return ""


def run(profile: str) -> jobsim.Simulator:
    API.planned = {"INV-1001": [RateLimited(120), RateLimited(300), TimeoutError("read timeout")]}
    API.closed = {"INV-1002"}
    API.synced = []
    sim = jobsim.Simulator(seed=7, profile=profile)
    sim.death_handlers.append(
        lambda job, exc: print(f"  ALERT: {job['args'][0]} is dead: {type(exc).__name__}: {exc}")
    )
    with sim:
        SyncInvoice.perform_async("INV-1001")
        SyncInvoice.perform_async("INV-1002")
    sim.drain()
    return sim


def main() -> None:
    print("sidekiq-8")
    sim = run("sidekiq-8")
    shown = ("failed", "retry_scheduled", "succeeded", "died")
    for event in sim.trace.of_kind(*shown):
        stamp = event.at.strftime("%H:%M:%S")
        line = f"  {stamp}  {event.job['args'][0]}  {event.kind:<16} {describe(event)}"
        print(line.rstrip())
    print(f"  synced: {API.synced}; dead: {[job['args'][0] for job in sim.dead.jobs]}")

    print("sidekiq-6.4: the same job, but 'kill' is not understood")
    old = run("sidekiq-6.4")
    (died,) = old.trace.of_kind("died")
    events = old.trace.for_job(died.jid)
    runs = sum(event.kind == "started" for event in events)
    recorded = sorted({e.job["error_class"] for e in events if e.kind == "retry_scheduled"})
    print(
        f"  {died.job['args'][0]} ran {runs} times; its retry payloads say error_class "
        f"{recorded}; dead at {died.at.strftime('%H:%M:%S')} "
        f"with retry_count={died.job['retry_count']}"
    )


if __name__ == "__main__":
    main()
