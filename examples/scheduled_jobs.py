"""Scheduling an onboarding email sequence, and moving virtual time with ``advance()``.

A user signs up on a Monday at 09:00 UTC with a 7-day trial. The signup code enqueues a welcome
email now, tips in an hour (``perform_in``), a trial-ending reminder at 09:00 the day before the
trial ends (``perform_at``), a survey two days later on the low-priority queue
(``set(queue=..., wait=...)``), and shows Sidekiq's rule for numbers: below 1,000,000,000 they
are seconds from now, above they are an epoch timestamp. Then the script moves the clock
forward in steps and prints what ran in each step. Nothing sleeps: a week passes in
milliseconds, and runs are identical every time.

Run it: ``python examples/scheduled_jobs.py``
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jobsim

SIGNUP = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)  # a Monday
OUTBOX: list[str] = []


class SendEmail(jobsim.Job, queue="mailers"):
    """Sends one templated email."""

    def perform(self, user_id: int, template: str) -> None:
        OUTBOX.append(f"{template} -> user {user_id}")


def sign_up(user_id: int, trial_days: int = 7) -> None:
    """What the application does when a user signs up."""
    trial_end = SIGNUP + timedelta(days=trial_days)
    SendEmail.perform_async(user_id, "welcome")
    SendEmail.perform_in(timedelta(hours=1), user_id, "getting-started tips")
    SendEmail.perform_at(trial_end - timedelta(days=1), user_id, "trial ends tomorrow")
    SendEmail.set(queue="low", wait=timedelta(days=2)).perform_async(user_id, "survey")
    # Sidekiq's number rule: 1800 is "in 30 minutes", an epoch is an absolute time.
    SendEmail.perform_in(1800, user_id, "half-hour check-in")
    SendEmail.perform_at(int((SIGNUP + timedelta(hours=3)).timestamp()), user_id, "3h nudge")


def show_schedule(sim: jobsim.Simulator) -> None:
    for entry in reversed(list(sim.scheduled)):  # the API iterates latest first
        job = entry.job
        when = entry.at.strftime("%a %Y-%m-%d %H:%M")
        print(f"  {when}  queue={job['queue']:<8} {job['args'][1]}")


def step(sim: jobsim.Simulator, label: str, delta: timedelta) -> None:
    """Advance the clock and print each job that ran, at the virtual time it ran."""
    seen = sim.trace.total
    performed = sim.advance(delta)
    print(f"{label}: performed {performed}, clock now {sim.now.strftime('%a %H:%M')}")
    for event in sim.trace.of_kind("succeeded"):
        if event.seq > seen:
            print(f"  {event.at.strftime('%a %H:%M')}  sent {event.job['args'][1]!r}")


def main() -> None:
    sim = jobsim.Simulator(seed=5, start=SIGNUP)
    with sim:
        sign_up(42)
    print(f"signed up {sim.now.strftime('%a %Y-%m-%d %H:%M %Z')}")
    print(f"queued now: {[job['args'][1] for job in sim.queue('mailers').jobs]}")
    print("scheduled:")
    show_schedule(sim)

    step(sim, "advance(0)", timedelta(0))
    step(sim, "advance(1 hour)", timedelta(hours=1))
    step(sim, "advance(3 hours)", timedelta(hours=3))
    step(sim, "advance(2 days)", timedelta(days=2))
    print(f"still scheduled: {sim.scheduled.size}")
    step(sim, "advance(5 days)", timedelta(days=5))
    print(f"outbox: {len(OUTBOX)} emails; stats: {sim.stats.as_dict()}")


if __name__ == "__main__":
    main()
