"""The "implicit tz DST transition" group of Fugit's ``test/cron_test.rb`` (lines 193-592).

Each upstream example walks a cron (or a phrase) ``next_time`` after ``next_time`` across a
DST change, in the process zone upstream sets with ``in_zone`` (jobsim: the ``tz`` of the
cron), and some also count a year's occurrences with ``brute_frequency``. One case per
example in ``fugit_dst_steps_cases.json``, its id the upstream file and line, with what the
upstream test asserts of Fugit HEAD (``head``, transcribed) and what Debian's real Fugit 1.5.2
answered (``fugit_1_5``, recorded with ``fugit_dst_steps.rb`` and re-checked below). The two
agree on every case, so both dialects must give the same walk.

The group's ``in_active_support_zone`` twins (lines 462 and 538, ``Time.zone`` set by
ActiveSupport rather than ``ENV["TZ"]``) are the same walks: jobsim has one way to name the
zone a cron runs in.
"""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from jobsim.cron import Cron

HERE = Path(__file__).resolve().parent
CASES: list[dict[str, Any]] = json.loads(
    (HERE / "fugit_dst_steps_cases.json").read_text(encoding="utf-8")
)
RUBY_SCRIPT = HERE / "fugit_dst_steps.rb"


def _start(case: dict[str, Any], zone: ZoneInfo) -> datetime:
    text: str = case["start"]
    if text.endswith(" UTC"):
        return datetime.fromisoformat(text.removesuffix(" UTC")).replace(tzinfo=UTC)
    return datetime.fromisoformat(text).replace(tzinfo=zone)


def walk(case: dict[str, Any], dialect: Any) -> dict[str, Any]:
    """jobsim's walk, in the shape fugit_dst_steps.rb prints Fugit's."""
    zone = ZoneInfo(case["zone"])
    cron = Cron(case["text"], tz=zone, dialect=dialect)
    when = _start(case, zone)
    points = []
    for _ in range(case["steps"]):
        when = cron.next_after(when)
        local = when.astimezone(zone)
        points.append(
            [
                local.strftime("%Y-%m-%d %H:%M:%S %z"),
                when.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S"),
            ]
        )
    year = case["year"]
    occurrences = None if year is None else cron.brute_frequency(year).occurrences
    return {"points": points, "occurrences": occurrences}


def _ids() -> list[Any]:
    return [pytest.param(case, id=case["id"]) for case in CASES]


def test_the_group_is_whole() -> None:
    """Every example of the group is a case (16 walks, 7 with a year's count)."""
    assert len(CASES) == 16
    assert sum(case["year"] is not None for case in CASES) == 7
    assert len({case["id"] for case in CASES}) == len(CASES)


@pytest.mark.parametrize("case", _ids())
def test_dst_walk_fugit_1_5(case: dict[str, Any]) -> None:
    """The fugit-1.5 dialect walks as the real Fugit 1.5.2 walked."""
    assert walk(case, "fugit-1.5") == case["fugit_1_5"]


@pytest.mark.parametrize("case", _ids())
def test_dst_walk_head(case: dict[str, Any]) -> None:
    """The fugit-1.11 dialect walks as Fugit HEAD's own test asserts."""
    ours = walk(case, "fugit-1.11")
    assert ours["points"] == case["head"]
    assert ours["occurrences"] == case["occurrences"]


def test_the_recorded_1_5_walks_are_the_gems(sidekiq_ruby: Any, tmp_path: Path) -> None:
    """Re-run Debian's Fugit 1.5.2 on every case: the recording is still what it says."""
    if shutil.which("ruby") is None:  # pragma: no cover - sidekiq_ruby already skipped
        pytest.skip("ruby missing")
    # Fugit 1.5.2 takes about 10 s per year of an hourly cron, so those two counts keep their
    # recorded answer; every walk and the other counts are asked again.
    quick = [{**case, "year": None} if _hourly(case) else case for case in CASES]
    cases_path = tmp_path / "cases.json"
    cases_path.write_text(json.dumps(quick), encoding="utf-8")
    result = sidekiq_ruby.run_ruby(RUBY_SCRIPT, cases_path)
    if result["fugit_version"] != "1.5.2":
        pytest.skip(f"needs ruby-fugit 1.5.2 (got {result['fugit_version']})")
    for case, now in zip(quick, result["cases"], strict=True):
        recorded = case["fugit_1_5"]
        if case["year"] is None:
            recorded = {**recorded, "occurrences": None}
        assert now == recorded, case["id"]


def _hourly(case: dict[str, Any]) -> bool:
    return case["year"] is not None and case["occurrences"] > 1000
