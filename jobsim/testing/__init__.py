"""Assertions about jobs, for pytest or any test runner.

::

    from jobsim.testing import have_enqueued_job, perform_enqueued_jobs

    def test_signup(jobsim):
        signup("ada@example.com")
        assert have_enqueued_job(SendWelcome).with_args("ada@example.com").on_queue("mailers")

        with have_enqueued_job(ChargeCard).once():
            checkout(order)

Everything here reads a simulator's trace (the active one unless ``sim=`` is given) and
builds its own failure messages, so it works without pytest's assertion rewriting. The guide
is ``docs/how-to/testing-with-pytest.md``.
"""

from __future__ import annotations

from jobsim.testing._argument_lists import ANY_ARGS as any_args
from jobsim.testing._argument_lists import dict_excluding
from jobsim.testing._arguments import (
    ANY,
    ArgumentMatcher,
    dict_containing,
    instance_of,
    list_containing,
    predicate,
    regex,
)
from jobsim.testing._batches import BatchMatcher, assert_batch_succeeded, have_batch
from jobsim.testing._class_verbs import clear_all, drain_all
from jobsim.testing._freeze import VirtualTime, freezegun_available, virtual_time
from jobsim.testing._mail import (
    assert_emails,
    assert_enqueued_emails,
    assert_no_emails,
    assert_no_enqueued_emails,
    deliveries,
)
from jobsim.testing._mail_matcher import MailMatcher, have_enqueued_mail
from jobsim.testing._mail_with import (
    assert_enqueued_email_with,
    capture_emails,
    deliver_enqueued_emails,
)
from jobsim.testing._matchers import (
    DEFAULT_TOLERANCE,
    Evaluation,
    JobMatcher,
    have_enqueued_job,
    have_performed_job,
)
from jobsim.testing._option_matchers import (
    OptionMatcher,
    be_expired_in,
    be_processed_in,
    be_retryable,
    save_backtrace,
)
from jobsim.testing._options import (
    assert_job_options,
    assert_processed_in,
    assert_retryable,
    assert_saves_backtrace,
)
from jobsim.testing._perform import PerformInside, perform_enqueued_jobs
from jobsim.testing._rails_assertions import (
    assert_enqueued_jobs,
    assert_enqueued_with,
    assert_no_enqueued_jobs,
    assert_no_performed_jobs,
    assert_performed_jobs,
    assert_performed_with,
    enqueued_jobs,
    performed_jobs,
)
from jobsim.testing._records import JobRecord
from jobsim.testing._report import begin_test, explain_failure
from jobsim.testing._set_matcher import SetJobMatcher, have_job
from jobsim.testing._sidekiq_job_matcher import SidekiqJobMatcher, have_enqueued_sidekiq_job
from jobsim.testing._throttle import (
    ThrottledMatcher,
    assert_max_concurrency,
    assert_starts_per_window,
    have_been_throttled,
)
from jobsim.testing._unique import UniqueMatcher, assert_unique, be_unique

__all__ = [
    # Matchers
    "DEFAULT_TOLERANCE",
    "JobMatcher",
    "have_enqueued_job",
    "have_performed_job",
    "SidekiqJobMatcher",
    "have_enqueued_sidekiq_job",
    "SetJobMatcher",
    "have_job",
    # Sidekiq Pro batches (jobsim.batches)
    "BatchMatcher",
    "assert_batch_succeeded",
    "have_batch",
    # Rate limits
    "ThrottledMatcher",
    "assert_max_concurrency",
    "assert_starts_per_window",
    "have_been_throttled",
    # Argument matchers
    "ANY",
    "ArgumentMatcher",
    "any_args",
    "dict_containing",
    "dict_excluding",
    "instance_of",
    "list_containing",
    "predicate",
    "regex",
    # ActiveJob::TestHelper style
    "PerformInside",
    "assert_enqueued_jobs",
    "assert_enqueued_with",
    "assert_no_enqueued_jobs",
    "assert_no_performed_jobs",
    "assert_performed_jobs",
    "assert_performed_with",
    "enqueued_jobs",
    "perform_enqueued_jobs",
    "performed_jobs",
    # Sidekiq::Testing (the per-class verbs are MyJob.jobs, .drain(), .perform_one(), .clear())
    "clear_all",
    "drain_all",
    # ActionMailer::TestHelper style
    "assert_emails",
    "assert_enqueued_email_with",
    "assert_enqueued_emails",
    "assert_no_emails",
    "assert_no_enqueued_emails",
    "deliveries",
    "capture_emails",
    "deliver_enqueued_emails",
    "MailMatcher",
    "have_enqueued_mail",
    # Job class options (rspec-sidekiq style)
    "OptionMatcher",
    "be_expired_in",
    "be_processed_in",
    "be_retryable",
    "save_backtrace",
    "assert_job_options",
    "assert_processed_in",
    "assert_retryable",
    "assert_saves_backtrace",
    # Unique jobs (rspec-sidekiq's be_unique)
    "UniqueMatcher",
    "assert_unique",
    "be_unique",
    # What the assertions look at
    "Evaluation",
    "JobRecord",
    # Virtual time for the code under test
    "VirtualTime",
    "freezegun_available",
    "virtual_time",
    # For test-runner adapters (the pytest plugin)
    "begin_test",
    "explain_failure",
]
