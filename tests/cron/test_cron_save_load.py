"""sidekiq-cron's save/load and version choices in jobsim: the input checks and the API.

The behaviour itself is compared with the real sidekiq-cron 1.8.0 in
``tests/conformance/test_cron_load_conformance.py`` and with 2.x's own tests in
``tests/conformance/test_sidekiq_cron2_upstream.py``; these tests pin what jobsim adds:
clear errors for bad input, and the profile data.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

import jobsim
from jobsim.cron.recurring import CronLoadError, Recurring
from jobsim.cron.sidekiq_cron import (
    DEFAULT_SIDEKIQ_CRON,
    SIDEKIQ_CRON_PROFILES,
    get_sidekiq_cron_profile,
)

START = datetime(2026, 1, 1, tzinfo=UTC)


class Report(jobsim.Job):
    def perform(self, *args: Any) -> None: ...


def recurring(**options: Any) -> Recurring:
    sim = jobsim.Simulator(seed=1, start=START)
    return Recurring(sim, poll="exact", **options)


def test_profiles_are_data_naming_their_fugit_dialect() -> None:
    assert DEFAULT_SIDEKIQ_CRON == "sidekiq-cron-1.8"
    assert {name: p.fugit_dialect for name, p in SIDEKIQ_CRON_PROFILES.items()} == {
        "sidekiq-cron-1.8": "fugit-1.5",
        "sidekiq-cron-2": "fugit-1.11+",
    }
    profile = SIDEKIQ_CRON_PROFILES["sidekiq-cron-2"]
    assert get_sidekiq_cron_profile(profile) is profile
    assert recurring(sidekiq_cron="sidekiq-cron-2").profile is profile


def test_an_unknown_version_says_which_exist() -> None:
    with pytest.raises(jobsim.InvalidArgument, match="did you mean 'sidekiq-cron-2'"):
        recurring(sidekiq_cron="sidekiq-cron-2.0")


def test_the_grace_period_is_a_2x_setting() -> None:
    with pytest.raises(jobsim.InvalidArgument, match="fixed 60 s grace period"):
        recurring(reschedule_grace_period=120)
    with pytest.raises(jobsim.InvalidArgument, match="pass seconds >= 0"):
        recurring(sidekiq_cron="sidekiq-cron-2", reschedule_grace_period=-1)
    assert recurring(sidekiq_cron="sidekiq-cron-2", reschedule_grace_period=90).grace_period == 90


@pytest.mark.parametrize("value", [float("nan"), float("inf"), "90", True])
def test_a_grace_period_that_is_not_finite_seconds_is_refused(value: object) -> None:
    with pytest.raises(
        jobsim.InvalidArgument, match=r"^reschedule_grace_period=.*pass seconds >= 0"
    ):
        recurring(sidekiq_cron="sidekiq-cron-2", reschedule_grace_period=value)


@pytest.mark.parametrize("value", [float("nan"), float("inf"), 0, -5, "30", False])
def test_a_poll_interval_that_is_not_finite_positive_seconds_is_refused(value: object) -> None:
    with pytest.raises(jobsim.InvalidArgument, match=r"^poll_interval=.*pass seconds > 0"):
        recurring(poll_interval=value)


def test_strict_parsing_is_a_2x_mode() -> None:
    with pytest.raises(jobsim.InvalidArgument, match=r"sidekiq-cron-1\.8 knows 'single'"):
        recurring(natural_cron_parsing_mode="strict")
    with pytest.raises(jobsim.InvalidArgument, match="'single' or 'strict'"):
        recurring(sidekiq_cron="sidekiq-cron-2", natural_cron_parsing_mode="lenient")


def test_a_load_with_bad_jobs_saves_the_others_then_raises() -> None:
    rec = recurring()
    schedule = {
        "good": {"cron": "0 * * * *", "class": "Report"},
        "bad": {"cron": "0 25 * * *", "class": "Report"},
        "nameless": {"cron": "0 * * * *"},
    }
    with pytest.raises(CronLoadError, match="2 cron job\\(s\\) not saved") as raised:
        rec.load(schedule)
    assert sorted(raised.value.errors) == ["bad", "nameless"]
    assert raised.value.errors["nameless"] == ["'klass' (or class) must be set"]
    assert list(rec.jobs) == ["good"]
    assert rec.load({"good": {"cron": "5 * * * *", "class": "Report"}}).errors == {}


def test_load_refuses_what_can_only_be_a_mistake() -> None:
    rec = recurring()
    with pytest.raises(jobsim.InvalidArgument, match="on_error='ignore'"):
        rec.load({}, on_error="ignore")  # type: ignore[arg-type]
    with pytest.raises(jobsim.InvalidArgument, match="a mapping of cron jobs or a list"):
        rec.load("nightly")  # type: ignore[arg-type]
    with pytest.raises(jobsim.InvalidArgument, match="expected a mapping with cron and class"):
        rec.load({"x": "0 * * * *"})
    with pytest.raises(jobsim.InvalidArgument, match="status='paused'"):
        rec.load({"x": {"cron": "0 * * * *", "class": "Report", "status": "paused"}})
    with pytest.raises(jobsim.InvalidArgument, match="last_enqueue_time='yesterday'"):
        rec.load({"x": {"cron": "0 * * * *", "class": "Report", "last_enqueue_time": "yesterday"}})
    two = recurring(sidekiq_cron="sidekiq-cron-2")
    with pytest.raises(jobsim.InvalidArgument, match=r"retry=1\.5"):
        two.load({"x": {"cron": "0 * * * *", "class": "Report", "retry": 1.5}})


def test_last_enqueue_time_forms() -> None:
    rec = recurring()
    two_am = datetime(2026, 1, 1, 2, tzinfo=UTC)
    for given in (two_am.timestamp(), two_am, "2026-01-01 02:00:00 +0000", "2026-01-01T02:00:00Z"):
        rec.load({"x": {"cron": "0 * * * *", "class": "Report", "last_enqueue_time": given}})
        assert rec.jobs["x"].last_enqueue_time == two_am.timestamp(), given


def test_a_class_object_is_registered_under_its_name() -> None:
    sim = jobsim.Simulator(seed=1, start=START)
    rec = Recurring(sim, poll="exact").load({"r": {"cron": "* * * * *", "class": Report}})
    assert rec.jobs["r"].klass == "Report"
    assert sim.job_class("Report") is Report


def test_namespaces_keep_jobs_of_the_same_name_apart() -> None:
    rec = recurring(sidekiq_cron="sidekiq-cron-2")
    rec.load({"sync": {"cron": "0 * * * *", "class": "Report"}})
    rec.load({"sync": {"cron": "5 * * * *", "class": "Report", "namespace": "eu"}})
    assert sorted(rec.jobs) == ["eu:sync", "sync"]
    rec.disable("sync", namespace="eu")
    assert (rec.find("sync").status, rec.find("sync", "eu").status) == ("enabled", "disabled")
    assert rec.destroy("sync", "eu")
    assert not rec.destroy("sync", "eu")
    assert rec.count("*") == 1
