"""Rails' ``actionmailer/test/test_helper_test.rb`` at v8.0.5.1: what differs from v6.1.7, ported.

One test per upstream example added or changed since v6.1.7; the id names
``file@v8.0.5.1:line``. v8.0.5.1 reads as v7.1.6 but for lines 433 and 483, which now pass
``params:`` where 7.1 passed a Hash as ``args:`` (deprecated in 7.1, removed in 7.2). The
bodies shared with the 7.1 port live in ``_actionmailer_since_71.py``; the simulator runs
Rails 8.0 with its test adapter. Rails' block form is ``with helper.inside(...)``;
``silence_stream($stdout)`` has nothing to silence here; symbols are strings.

Since 7.2 Rails compares a Hash given as ``args:`` as a list of pairs, which never matches a
mail; no upstream example does that any more, and jobsim refuses it with what to write instead
(``tests/active_job/test_rails_versions_in_helpers.py``).

Added since v6.1.7 (7.1) and ported: lines 98, 379, 433, 443, 453, 463, 473, 483, 492, 512,
532, 548, 559, 571, 583, 597 and 629 (``AdapterIsNotTestAdapterTest``: Rails' inline adapter,
here Sidekiq's, jobsim's other adapter; ``deliver_now`` uses neither).

Unchanged from v6.1.7 (the same body at a moved line; ``test_rails_actionmailer_test_helper.py``
runs them): 56, 90, 118, 128, 138, 148, 163, 176, 184, 196, 206, 217, 228, 238, 248, 258, 270,
280, 293, 301, 309, 321, 331, 343, 355, 367, 395, 405, 414, 424.

Removed in 7.0 (the legacy ``ActionMailer::DeliveryJob`` is gone): v6.1.7 lines 217 and 241.

Not applicable, as at v6.1.7: 62, 68, 72 (the mailer class inferred from the test class's
name), 78 (``charset``), 82 (``encode``), 86 (``read_fixture``) and 618
(``AnotherTestHelperMailerTest``: setup order of a ``tests``-declared test case).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import jobsim
from jobsim.testing import assert_enqueued_email_with
from tests.conformance import _actionmailer_since_71 as since_71
from tests.conformance._actionmailer_since_71 import TestHelperMailer

UPSTREAM = "actionmailer/test/test_helper_test.rb@v8.0.5.1"


def upstream(line: int) -> pytest.MarkDecorator:
    return pytest.mark.parametrize("case", [f"{UPSTREAM}:{line}"])


@pytest.fixture(autouse=True)
def sim() -> Iterator[jobsim.Simulator]:
    with since_71.rails_test_case("8.0") as simulator:
        yield simulator


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
    with assert_enqueued_email_with.inside(
        TestHelperMailer, "test_parameter_args", params={"all": "good"}
    ):
        TestHelperMailer.with_(all="good").test_parameter_args().deliver_later()


@upstream(443)
def test_assert_enqueued_email_with_with_parameterized_mailer(case: str) -> None:
    since_71.parameterized_mailer_case()


@upstream(453)
def test_assert_enqueued_email_with_with_named_args(case: str) -> None:
    since_71.named_args_case()


@upstream(463)
def test_assert_enqueued_email_with_with_params_and_args(case: str) -> None:
    since_71.params_and_args_case()


@upstream(473)
def test_assert_enqueued_email_with_with_params_and_named_args(case: str) -> None:
    since_71.params_and_named_args_case()


@upstream(483)
def test_assert_enqueued_email_with_with_no_block_with_parameterized_args(case: str) -> None:
    TestHelperMailer.with_(all="good").test_parameter_args().deliver_later()
    assert_enqueued_email_with(TestHelperMailer, "test_parameter_args", params={"all": "good"})


@upstream(492)
def test_assert_enqueued_email_with_supports_params_matcher_proc(case: str) -> None:
    since_71.params_matcher_proc_case()


@upstream(512)
def test_assert_enqueued_email_with_supports_args_matcher_proc(case: str) -> None:
    since_71.args_matcher_proc_case()


@upstream(532)
def test_assert_enqueued_email_with_supports_named_args_matcher_proc(case: str) -> None:
    since_71.named_args_matcher_proc_case()


@upstream(548)
def test_deliver_enqueued_emails_with_no_block(case: str) -> None:
    since_71.deliver_enqueued_emails_with_no_block_case()


@upstream(559)
def test_deliver_enqueued_emails_with_a_block(case: str) -> None:
    since_71.deliver_enqueued_emails_with_a_block_case()


@upstream(571)
def test_deliver_enqueued_emails_with_custom_delivery_job(case: str) -> None:
    since_71.deliver_enqueued_emails_with_custom_delivery_job_case()


@upstream(583)
def test_deliver_enqueued_emails_with_custom_queue(case: str) -> None:
    since_71.deliver_enqueued_emails_with_custom_queue_case()


@upstream(597)
def test_deliver_enqueued_emails_with_at(case: str, sim: jobsim.Simulator) -> None:
    since_71.deliver_enqueued_emails_with_at_case(sim)


@upstream(629)
def test_can_send_email_using_any_active_job_adapter(case: str, sim: jobsim.Simulator) -> None:
    since_71.any_adapter_case(sim)
