"""ActiveJob argument serialization: jobsim (Rails 6.1) against real ActiveJob 6.1.7.

``activejob_arguments.rb`` enqueues one job per case through Debian's ActiveJob 6.1.7 with the
test adapter and prints the job data's ``arguments``; each case here builds the same values in
Python (the mapping is in ``docs/how-to/active-job.md``), enqueues them through jobsim and
compares the payload key for key, including the order of keys and of ``_aj_symbol_keys``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

import jobsim
from jobsim.active_job import ActiveJob, GlobalID, SerializationError, Symbol

HERE = Path(__file__).resolve().parent
RUBY_SCRIPT = HERE / "activejob_arguments.rb"
INSTALL_HINT = "apt-get install -y ruby-activejob ruby-globalid"


class User:
    """A record as GlobalID::Identification sees it."""

    def __init__(self, id: int) -> None:
        self.id = id

    def to_global_id(self) -> GlobalID:
        return GlobalID("jobsim", "User", self.id)


class ArgumentsJob(ActiveJob, rails="6.1"):
    def perform(self, *args: Any, **kwargs: Any) -> None:
        pass


def _later(*args: Any, **kwargs: Any) -> Callable[[], Any]:
    return lambda: ArgumentsJob.perform_later(*args, **kwargs)


CASES: dict[str, Callable[[], Any]] = {
    "scalars": _later(1, "a", 1.5, None, True, False, -7),
    "symbol": _later(Symbol("welcome")),
    "string_keys": _later({"a": 1, "b": [1, 2]}),
    "symbol_keys": _later({Symbol("a"): 1, Symbol("b"): "x"}),
    "mixed_keys": _later({"a": 1, Symbol("b"): 2}),
    "nested": _later([1, [2, {"c": {Symbol("d"): Symbol("e")}}]]),
    "empty_hash": _later({}),
    "time_utc": _later(datetime(2026, 1, 2, 3, 4, 5, 123_456, tzinfo=UTC)),
    "time_offset": _later(
        datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone(timedelta(hours=5, minutes=30)))
    ),
    "time_negative_offset": _later(
        datetime(2026, 7, 1, 12, 0, 0, tzinfo=timezone(timedelta(hours=-8)))
    ),
    "time_with_zone": _later(
        datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC).astimezone(ZoneInfo("Europe/Berlin"))
    ),
    "time_with_zone_utc": _later(datetime(2026, 1, 2, 3, 4, 5, tzinfo=ZoneInfo("UTC"))),
    "date": _later(date(2026, 2, 3)),
    "duration_day": _later(timedelta(days=1)),
    "duration_mixed": _later(timedelta(minutes=90)),
    "duration_weeks": _later(timedelta(seconds=1_818_000)),
    "duration_zero": _later(timedelta(0)),
    "duration_fraction": _later(timedelta(seconds=1.5)),
    "duration_negative": _later(timedelta(hours=-1)),
    "duration_year": _later(timedelta(seconds=40_000_000)),
    "decimal": _later(Decimal("1.5")),
    "decimal_whole": _later(Decimal("100")),
    "global_id": _later(User(42)),
    "global_id_in_hash": _later({"user": User(7)}),
    "reserved_key": _later({"_aj_globalid": 1}),
    "reserved_symbol_key": _later({Symbol("_aj_symbol_keys"): 1}),
    "integer_key": _later({1: 2}),
    "unsupported_object": _later(object()),
    "keywords": _later(1, a=2, b=Symbol("c")),
    "keywords_only": _later(name="x"),
}


@pytest.fixture(scope="module")
def ruby_cases() -> dict[str, Any]:
    ruby = shutil.which("ruby")
    if ruby is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"conformance needs ruby: {INSTALL_HINT}")
        pytest.skip(f"conformance needs ruby: {INSTALL_HINT}")
    done = subprocess.run(
        [ruby, str(RUBY_SCRIPT)], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, f"{RUBY_SCRIPT.name} failed:\n{done.stderr}"
    result = json.loads(done.stdout)
    assert str(result["activejob_version"]).startswith("6.1."), result["activejob_version"]
    cases: dict[str, Any] = result["cases"]
    assert sorted(cases) == sorted(CASES), "the Ruby and Python case lists differ"
    return cases


def _observe(enqueue: Callable[[], Any]) -> dict[str, Any]:
    with jobsim.Simulator(seed=1) as sim:
        try:
            enqueue()
        except SerializationError:
            return {"error": "ActiveJob::SerializationError"}
        (job,) = [entry for name in sim.queues for entry in sim.queue(name).jobs]
        # Sidekiq stores the payload as JSON: compare what comes back out of it.
        return {"arguments": json.loads(json.dumps(job["args"][0]["arguments"]))}


@pytest.mark.parametrize("name", list(CASES))
def test_arguments_serialize_as_activejob_6_1(name: str, ruby_cases: dict[str, Any]) -> None:
    ours = _observe(CASES[name])
    theirs = ruby_cases[name]
    assert ours == theirs
    if "arguments" in ours:  # key order matters to anyone diffing payloads
        assert json.dumps(ours) == json.dumps(theirs)
