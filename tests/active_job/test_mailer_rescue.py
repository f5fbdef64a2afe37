"""A mailer's ``rescue_from``: errors of its actions and of its delivery jobs (issue #17)."""

from __future__ import annotations

from typing import Any

import pytest

import jobsim
from jobsim.active_job import (
    DeliveryJob,
    DeserializationError,
    GlobalID,
    Mailer,
    settings,
)


class Bounce(Exception):
    pass


class ShakyMailer(Mailer):
    def note(self, fail: object) -> None:
        if fail is True:
            raise Bounce("bounced")
        self.mail(to="a@example.com")


seen: list[tuple[Any, str]] = []


@ShakyMailer.rescue_from(Bounce, DeserializationError)
def _note_bounce(mailer: Any, error: Exception) -> None:
    seen.append((mailer, str(error)))


def test_an_action_error_goes_to_the_handler_with_the_mailer_instance() -> None:
    seen.clear()
    with jobsim.Simulator(seed=1) as sim:
        assert ShakyMailer.note(True).deliver_now() is None
        assert settings(sim).deliveries == []
    assert len(seen) == 1
    assert isinstance(seen[0][0], ShakyMailer)


class Gone:
    def to_global_id(self) -> GlobalID:
        return GlobalID("shop", "Gone", 1)


def test_the_legacy_job_hands_errors_to_the_mailer_class_too() -> None:
    seen.clear()
    with jobsim.Simulator(seed=1) as sim:
        settings(sim).rails = "6.1"
        settings(sim).delivery_job = DeliveryJob
        settings(sim).finders["Gone"] = lambda id: None
        ShakyMailer.note(Gone()).deliver_later()
        sim.drain()  # the arguments fail before before_perform: no deprecation either
        assert settings(sim).deliveries == []
        assert len(sim.retries) == 0
    assert len(seen) == 1
    assert seen[0][0] is ShakyMailer
    assert "Couldn't find Gone with 'id'=1" in seen[0][1]


def test_an_error_no_handler_takes_is_raised_again() -> None:
    with pytest.raises(KeyError):
        ShakyMailer.handle_exception(KeyError("x"))


def test_an_unhandled_error_in_a_delivery_job_goes_to_sidekiqs_retry() -> None:
    class Broken(Mailer):
        def note(self) -> None:
            raise KeyError("no template")

    with jobsim.Simulator(seed=1) as sim:
        Broken.note().deliver_later()
        sim.run_due()
        assert len(sim.retries) == 1


@pytest.mark.parametrize(
    ("exceptions", "handler", "message"),
    [
        ((), print, "name exception classes"),
        ((KeyboardInterrupt,), print, "name exception classes"),
        (("Bounce",), print, "name exception classes"),
        ((Bounce,), "not callable", "is not callable"),
    ],
)
def test_rescue_from_refuses_what_cannot_work(
    exceptions: tuple[Any, ...], handler: Any, message: str
) -> None:
    with pytest.raises(jobsim.InvalidArgument, match=message):
        ShakyMailer.rescue_from(*exceptions, with_=handler)
