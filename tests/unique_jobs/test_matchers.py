"""``be_unique`` / ``assert_unique``."""

from __future__ import annotations

import pytest

import jobsim
from jobsim.testing import assert_unique, be_unique


class Gem(jobsim.Job, lock="until_executed", lock_ttl=600):
    def perform(self) -> None:
        pass


class Ent(jobsim.Job, unique_for=3600, unique_until="start"):
    def perform(self) -> None:
        pass


class EntDefault(jobsim.Job, unique_for=60):
    def perform(self) -> None:
        pass


class Plain(jobsim.Job):
    def perform(self) -> None:
        pass


def test_be_unique_and_its_chains() -> None:
    assert be_unique().matches(Gem)
    assert be_unique().for_(600).until_executed().matches(Gem)
    assert be_unique().for_(3600).until("start").matches(Ent)
    assert (~be_unique()).matches(Plain)
    assert be_unique().matches(Plain).message == "expected Plain to be unique in the queue"
    assert be_unique().for_(60).matches(Gem).message == (
        "expected Gem to be unique for 60 seconds, but its interval was 600 seconds"
    )
    assert be_unique().until("success").matches(EntDefault).message == (
        "expected EntDefault to be unique until success, but its unique_until was not specified"
    )
    assert be_unique().while_executing().matches(Gem).message == (
        "expected Gem to be unique with lock: :while_executing, but its lock was :until_executed"
    )
    assert (~be_unique()).matches(Gem).message == "expected Gem to not be unique in the queue"


def test_chains_the_backend_does_not_have_are_refused() -> None:
    with pytest.raises(jobsim.InvalidArgument, match="until is not supported for sidekiq-unique"):
        be_unique().until("start").matches(Gem)
    with pytest.raises(jobsim.InvalidArgument, match="has no lock types"):
        be_unique().until_expired().matches(Ent)
    with pytest.raises(jobsim.InvalidArgument, match="pass 'success' or 'start'"):
        be_unique().until("done")


def test_assert_unique() -> None:
    assert_unique(Gem, lock="until_executed", ttl=600)
    assert_unique(Ent, ttl=3600, until="start")
    with pytest.raises(AssertionError, match="expected Plain to be unique in the queue"):
        assert_unique(Plain)
    with pytest.raises(jobsim.InvalidArgument, match="assert_unique\\(lock='sometimes'\\)"):
        assert_unique(Gem, lock="sometimes")
