"""rspec-sidekiq's ``have_enqueued_sidekiq_job``: ``have_enqueued_job`` with its defaults.

``have_enqueued_sidekiq_job(AwesomeJob, "a", 1)`` is rspec-sidekiq's
``expect(AwesomeJob).to have_enqueued_sidekiq_job("a", 1)``: the job class comes first, then
the expected arguments (none: any arguments, as since rspec-sidekiq 5.0); the default count is
at least one (rspec-sidekiq's "a job"), not rspec-rails' exactly one. Its chains: ``on(queue)``,
``at(...)``, ``in_(...)``, ``immediately()``, ``with_context(**keys)`` (any job-hash keys, such
as ``retry`` or ``tags``) and the counts; every chain of ``have_enqueued_job`` works too.

One deliberate difference: rspec-sidekiq reads ``AwesomeJob.jobs`` (jobs still waiting), while
this matcher, like every jobsim matcher, counts each push so far, also those already performed.
Check ``AwesomeJob.jobs`` for what is still waiting.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, Self

from jobsim.active_job import Symbol
from jobsim.errors import InvalidArgument
from jobsim.job import Job
from jobsim.simulator import Simulator
from jobsim.testing._arguments import call_text, equal
from jobsim.testing._expectations import AT_LEAST_ONE
from jobsim.testing._matchers import JobMatcher
from jobsim.testing._records import JobRecord

__all__ = ["SidekiqJobMatcher", "have_enqueued_sidekiq_job"]

#: The key ActionMailer's MailDeliveryJob gives its arguments (a Ruby Symbol).
_ARGS_KEY = Symbol("args")

#: Keys that other chains own (rspec-sidekiq refuses them in with_context when set already).
_OWN_CHAINS = {"queue": "on()", "at": "at() / in_() / immediately()"}


def _unwrapped(record: JobRecord) -> JobRecord:
    """rspec-sidekiq's ``unwrapped_arguments``: an ActiveJob's hash carrying ``args:`` (what
    ActionMailer's MailDeliveryJob passes) is taken out and its arguments appended, so a mail
    matches ``("Mailer", "action", "deliver_now", *args)``."""
    if not record.job.get("wrapped"):
        return record
    for index, arg in enumerate(record.args):
        if isinstance(arg, Mapping) and _ARGS_KEY in arg and isinstance(arg[_ARGS_KEY], list):
            rest = record.args[:index] + record.args[index + 1 :]
            return dataclasses.replace(record, args=[*rest, *arg[_ARGS_KEY]])
    return record


class SidekiqJobMatcher(JobMatcher):
    """``have_enqueued_job`` with rspec-sidekiq's name, defaults and extra chains."""

    def _verb(self) -> str:
        return "have_enqueued_sidekiq_job"

    def differences(self, record: JobRecord) -> list[str]:
        """As ``have_enqueued_job``'s, on the arguments rspec-sidekiq compares (a mail
        delivery's ``args:`` hash flattened into the list)."""
        return super().differences(_unwrapped(record))

    def on(self, queue: Any) -> Self:
        """Expect the job pushed to ``queue`` (rspec-sidekiq's ``on``)."""
        return self.on_queue(queue)

    def with_context(self, **keys: Any) -> Self:
        """Expect these keys in the job hash (values or matchers), e.g. ``retry=False``."""
        if not keys:
            raise InvalidArgument("with_context(): name at least one job-hash key, e.g. retry=5")
        for key, owner in _OWN_CHAINS.items():
            if key in keys:
                msg = f"with_context({key}=...): use {owner} for {key!r}"
                raise InvalidArgument(msg)
        wanted = dict(keys)

        def context_matches(record: JobRecord) -> bool:
            return all(key in record.job and equal(v, record.job[key]) for key, v in wanted.items())

        text = f"job hash has {call_text((), wanted)}"
        return self.where(context_matches, text)


def have_enqueued_sidekiq_job(
    job: Any, *args: Any, sim: Simulator | None = None
) -> SidekiqJobMatcher:
    """Expect ``job`` (a class or its name; ``jobsim.Job`` for any class) pushed with ``args``
    (none: any), at least once."""
    if job is None:
        msg = (
            "have_enqueued_sidekiq_job(None): pass the job class first, then its arguments "
            "(jobsim.Job itself for any class, as rspec-sidekiq's Sidekiq::Worker)"
        )
        raise InvalidArgument(msg)
    # expect(Sidekiq::Worker).to have_enqueued_sidekiq_job(...): any class.
    matcher = SidekiqJobMatcher("enqueued", None if job is Job else job, sim=sim)
    matcher._count = AT_LEAST_ONE  # the default, so a chained count may still replace it
    if args:
        matcher = matcher.with_args(*args)
    return matcher
