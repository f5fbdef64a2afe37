"""rspec-rails' own failure messages for ``have_enqueued_mail`` (v5.0.2's wording).

rspec-rails' ``HaveEnqueuedMail`` says, for example::

    expected to enqueue TestMailer.email_with_args exactly 1 time with [1, 2], but enqueued 0
    Queued deliveries:
      TestMailer.test_email
      TestMailer.email_with_args with [3, 4], on queue urgent_mail, at 2026-01-02 12:00:00 +0000

jobsim's mail matcher leads its report with these lines (and ``expected not to enqueue ...``
when ``assert not`` fails), so a test or a reader that knows rspec-rails finds them; jobsim's
own field-by-field report follows. Values are written as Ruby's ``inspect`` writes them (Ruby
3.1: ``{"foo"=>"bar"}``, ``:symbol``, ``nil``); a delivery's arguments are its job data's, as
rspec-rails lists them (``job[:args][3..]``). Source: rspec-rails
``lib/rspec/rails/matchers/have_enqueued_mail.rb`` and ``active_job.rb`` at v5.0.2.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from jobsim.active_job import Symbol
from jobsim.testing._expectations import AT_LEAST_ONE, Count, TimeExpectation
from jobsim.testing._records import JobRecord

__all__ = ["MailWording", "ruby_inspect"]

#: The queue rspec-rails leaves out of a delivery's line (ActionMailer's old default).
_QUIET_QUEUE = "mailers"


def ruby_time(epoch: float) -> str:
    """``Time.at(epoch).to_s`` on a UTC machine: ``2026-01-02 12:00:00 +0000``."""
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M:%S +0000")


def _ruby_time_inspect(epoch: float) -> str:
    # Time#inspect shows the fraction of a second when there is one.
    whole = ruby_time(epoch)
    fraction = f"{epoch % 1:.9f}".rstrip("0").rstrip(".")[1:]
    return whole if not fraction else whole.replace(" +0000", f"{fraction} +0000")


def ruby_inspect(value: Any) -> str:
    """``value.inspect`` as Ruby 3.1 writes the same data."""
    if value is None:
        return "nil"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Symbol):
        text = str(value)
        return f":{text}" if text.isidentifier() else f":{json.dumps(text)}"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, Mapping):
        pairs = (f"{ruby_inspect(key)}=>{ruby_inspect(item)}" for key, item in value.items())
        return "{" + ", ".join(pairs) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(ruby_inspect(item) for item in value) + "]"
    if isinstance(value, datetime) and value.tzinfo is not None:
        return _ruby_time_inspect(value.timestamp())
    return repr(value)


def _job_data_arguments(record: JobRecord) -> list[Any]:
    """The job's arguments as its job data holds them (rspec-rails' ``job[:args]``)."""
    wrapped = record.job.get("args")
    if isinstance(wrapped, list) and wrapped and isinstance(wrapped[0], Mapping):
        arguments = wrapped[0].get("arguments")
        if isinstance(arguments, list):
            return arguments
    return record.args


def _modifier(count: Count) -> tuple[str, int]:
    if count.high is None:
        return "at least", count.low
    if count.low == 0 and count.high > 0:
        return "at most", count.high
    return "exactly", count.high


class MailWording:
    """What a ``have_enqueued_mail`` matcher says in rspec-rails' words."""

    def __init__(
        self,
        mailer: str | None,
        method: str | None,
        mail_args: Sequence[Any] = (),
        queue: Any = None,
        time: TimeExpectation | None = None,
    ) -> None:
        self.mailer = mailer or "ActionMailer::Base"
        self.method = method
        self.mail_args = tuple(mail_args)
        self.queue = queue
        self.time = time

    def base(self, count: Count, matched: int) -> str:
        """rspec-rails' ``base_message``."""
        modifier, number = _modifier(count)
        parts = [".".join(part for part in (self.mailer, self.method) if part)]
        parts.append(f" {modifier} {number} {'time' if number == 1 else 'times'}")
        if self.mail_args:
            parts.append(f" with {ruby_inspect(list(self.mail_args))},")
        if self.queue is not None:
            parts.append(f" on queue {self.queue},")
        if self.time is not None and self.time.mode == "at":
            parts.append(f" at {_ruby_time_inspect(float(self.time.value))},")
        elif self.time is not None and self.time.mode == "at_match":
            parts.append(f" at {ruby_inspect(self.time.value)},")
        parts.append(f" but enqueued {matched}")
        return "".join(parts)

    def failure(self, count: Count, matched: int, unmatched_mails: Sequence[JobRecord]) -> str:
        """``failure_message``: the expectation, then the deliveries that did not match."""
        lines = [f"expected to enqueue {self.base(count, matched)}"]
        if unmatched_mails:
            lines.append("Queued deliveries:")
            lines += [f"  {self.delivery(record)}" for record in unmatched_mails]
        return "\n".join(lines)

    def negated_failure(self, matched: int) -> str:
        """``failure_message_when_negated``: ``not_to`` means "none", whatever the count
        (rspec-rails' ``does_not_match?`` sets ``at_least(1)``)."""
        return f"expected not to enqueue {self.base(AT_LEAST_ONE, matched)}"

    @staticmethod
    def delivery(record: JobRecord) -> str:
        """rspec-rails' ``mail_job_message``: one queued delivery."""
        arguments = _job_data_arguments(record)
        head = ".".join(str(part) for part in arguments[:2])
        parts: list[str] = []
        if arguments[3:]:
            parts.append(f"with {ruby_inspect(arguments[3:])}")
        if record.queue and record.queue != _QUIET_QUEUE:
            parts.append(f"on queue {record.queue}")
        if record.run_ts is not None:
            parts.append(f"at {ruby_time(record.run_ts)}")
        return f"{head} {', '.join(parts)}".strip()
