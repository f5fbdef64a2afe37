"""Rails' ``actionmailer/test/test_helper_test.rb`` at v7.1.6: what differs from v6.1.7, ported.

One test per upstream example that 7.1 added or changed; the id names ``file@v7.1.6:line``.
The bodies shared with the 8.0 port live in ``_actionmailer_since_71.py``. The simulator runs
Rails 7.1 with its test adapter (``ActionMailer::TestCase`` includes ``ActiveJob::TestHelper``).
Rails' block form is ``with helper.inside(...)``; ``silence_stream($stdout)`` has nothing to
silence here; symbols (``:test``, ``:custom_queue``) are strings.

New in 7.1 and ported: lines 98 (``capture_emails``), 379 (a mailer's own
``deliver_later_queue_name``), 433 and 485 (``args:`` given as a Hash: now deprecated), 445
(a parameterized mailer as the first argument), 455, 465, 475 (named arguments, ``params:``
with ``args:``), 496, 516, 536 (``params:``/``args:`` as procs), 552, 563, 575, 587, 601
(``deliver_enqueued_emails``) and 633 (``AdapterIsNotTestAdapterTest``: Rails' inline adapter,
here Sidekiq's, jobsim's other adapter; ``deliver_now`` uses neither).

Unchanged from v6.1.7 (the same body at a moved line; ``test_rails_actionmailer_test_helper.py``
runs them): 56, 90, 118, 128, 138, 148, 163, 176, 184, 196, 206, 217, 228, 238, 248, 258, 270,
280, 293, 301, 309, 321, 331, 343, 355, 367, 395, 405, 414, 424. 7.1 gave ``test`` a subject,
which none of them reads.

Removed in 7.0 (the legacy ``ActionMailer::DeliveryJob`` is gone): v6.1.7 lines 217 and 241.

Not applicable, as at v6.1.7: 62, 68, 72 (the mailer class inferred from the test class's
name), 78 (``charset``), 82 (``encode``), 86 (``read_fixture``) and 622
(``AnotherTestHelperMailerTest``: setup order of a ``tests``-declared test case).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import jobsim
from jobsim.active_job import RailsDeprecationWarning
from jobsim.testing import assert_enqueued_email_with
from tests.conformance import _actionmailer_since_71 as since_71
from tests.conformance._actionmailer_since_71 import TestHelperMailer

UPSTREAM = "actionmailer/test/test_helper_test.rb@v7.1.6"


def upstream(line: int) -> pytest.MarkDecorator:
    return pytest.mark.parametrize("case", [f"{UPSTREAM}:{line}"])


@pytest.fixture(autouse=True)
def sim() -> Iterator[jobsim.Simulator]:
    with since_71.rails_test_case("7.1") as simulator:
        yield simulator


def _deprecated() -> pytest.WarningsRecorder:
    """``assert_deprecated(ActionMailer.deprecator)`` around a Hash given as ``args:``."""
    return pytest.warns(RailsDeprecationWarning, match=r"dict as args= makes it the params")


@upstream(98)
def test_capture_emails(case: str) -> None:
    since_71.capture_emails_case()


@upstream(379)
def test_assert_enqueued_email_with_when_mailer_has_custom_deliver_later_queue(
    case: str,
) -> None:
    since_71.custom_deliver_later_queue_case()


@upstream(433)
def test_assert_enqueued_email_with_with_parameterized_args(case: str) -> None:
    with (
        _deprecated(),
        assert_enqueued_email_with.inside(
            TestHelperMailer, "test_parameter_args", args={"all": "good"}
        ),
    ):
        TestHelperMailer.with_(all="good").test_parameter_args().deliver_later()


@upstream(445)
def test_assert_enqueued_email_with_with_parameterized_mailer(case: str) -> None:
    since_71.parameterized_mailer_case()


@upstream(455)
def test_assert_enqueued_email_with_with_named_args(case: str) -> None:
    since_71.named_args_case()


@upstream(465)
def test_assert_enqueued_email_with_with_params_and_args(case: str) -> None:
    since_71.params_and_args_case()


@upstream(475)
def test_assert_enqueued_email_with_with_params_and_named_args(case: str) -> None:
    since_71.params_and_named_args_case()


@upstream(485)
def test_assert_enqueued_email_with_with_no_block_with_parameterized_args(case: str) -> None:
    TestHelperMailer.with_(all="good").test_parameter_args().deliver_later()
    with _deprecated():
        assert_enqueued_email_with(TestHelperMailer, "test_parameter_args", args={"all": "good"})


@upstream(496)
def test_assert_enqueued_email_with_supports_params_matcher_proc(case: str) -> None:
    since_71.params_matcher_proc_case()


@upstream(516)
def test_assert_enqueued_email_with_supports_args_matcher_proc(case: str) -> None:
    since_71.args_matcher_proc_case()


@upstream(536)
def test_assert_enqueued_email_with_supports_named_args_matcher_proc(case: str) -> None:
    since_71.named_args_matcher_proc_case()


@upstream(552)
def test_deliver_enqueued_emails_with_no_block(case: str) -> None:
    since_71.deliver_enqueued_emails_with_no_block_case()


@upstream(563)
def test_deliver_enqueued_emails_with_a_block(case: str) -> None:
    since_71.deliver_enqueued_emails_with_a_block_case()


@upstream(575)
def test_deliver_enqueued_emails_with_custom_delivery_job(case: str) -> None:
    since_71.deliver_enqueued_emails_with_custom_delivery_job_case()


@upstream(587)
def test_deliver_enqueued_emails_with_custom_queue(case: str) -> None:
    since_71.deliver_enqueued_emails_with_custom_queue_case()


@upstream(601)
def test_deliver_enqueued_emails_with_at(case: str, sim: jobsim.Simulator) -> None:
    since_71.deliver_enqueued_emails_with_at_case(sim)


@upstream(633)
def test_can_send_email_using_any_active_job_adapter(case: str, sim: jobsim.Simulator) -> None:
    since_71.any_adapter_case(sim)
