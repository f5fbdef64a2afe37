"""Fugit's ``test/cron_test.rb`` tables, against both Fugit versions jobsim models.

``fugit_cron_cases.json`` (regenerate with ``gen_fugit_cron_cases.py``) holds one case per
entry of the upstream tables (``NEXT_TIMES``, ``PREVIOUS_TIMES``, ``.parse`` successes and
failures, ``#to_cron_s``, ``#rough_frequency``, ``#brute_frequency``, ...), the test id being
the upstream file and line, with what Debian's real Fugit 1.5.2 answered (``fugit_1_5``,
re-checked against the gem below) and what the upstream test asserts of Fugit HEAD (``head``).
The ``fugit-1.5`` dialect must give the first, ``fugit-1.11`` the second.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from jobsim.cron import Cron, CronNeverFires
from jobsim.cron._zones import zone_name
from jobsim.cron.fugit import parse_cron, parse_duration
from jobsim.errors import InvalidArgument

HERE = Path(__file__).resolve().parent
CASES_PATH = HERE / "fugit_cron_cases.json"
RUBY_SCRIPT = HERE / "fugit_cron_tables.rb"
CASES: list[dict[str, Any]] = json.loads(CASES_PATH.read_text(encoding="utf-8"))
NOW = "2017-01-02 12:00:00"

_ZERO = "Fugit 1.5.2 crashes (ZeroDivisionError) on a step of 0; jobsim refuses the cron"
DIFFERENT_FROM_1_5: dict[str, str] = {
    case["id"]: _ZERO
    for case in CASES
    if str(case["fugit_1_5"].get("error", "")).startswith("ZeroDivisionError")
}
DIFFERENT_FROM_HEAD: dict[str, str] = {}


def _plain(when: datetime) -> str:
    return when.strftime("%Y-%m-%d %H:%M:%S")


_WALL = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?: (\d{1,2}):(\d{2})(?::(\d{2}))?)?")


def _naive(text: str) -> datetime:
    """A wall time as the upstream tables write them (Ruby's Time.parse reads 2017-01-8)."""
    match = _WALL.fullmatch(text.strip())
    assert match is not None, text
    return datetime(*(int(g or 0) for g in match.groups()))  # type: ignore[arg-type]


def _wall(text: str, zone: ZoneInfo) -> datetime:
    return _naive(text).replace(tzinfo=zone)


def _weekdays(cron: Cron) -> Any:
    days = cron.fields.weekdays
    if days is None:
        return None
    return [[d] if x is None else [d, list(x) if isinstance(x, tuple) else x] for d, x in days]


def _list(values: tuple[int, ...] | None) -> list[int] | None:
    return None if values is None else list(values)


def ask(case: dict[str, Any], dialect: Any) -> dict[str, Any]:
    """jobsim's answer, in the shape fugit_cron_tables.rb prints Fugit's."""
    kind, text = case["kind"], case["cron"]
    draw: Any = None
    if dialect == "fugit-1.11" and case.get("random") == "average":
        draw = lambda n: n // 2  # noqa: E731 - upstream's AverageAsRandom
    elif case.get("random") == "false":
        draw = False
    cron = parse_cron(text, dialect=dialect, random=draw)
    try:
        if kind in ("next_time", "previous_time"):
            if cron is None:
                return {"value": {"valid": False}}
            zone = ZoneInfo(case["zone"] or "UTC")
            start = _wall(case["start"] or NOW, zone)
            found = cron.next_after(start) if kind == "next_time" else cron.previous_before(start)
            match = cron.matches(_wall(case["head"], zone))
            answer = {"valid": True, "time": _plain(found.astimezone(zone)), "match": match}
            return {"value": answer}
        if kind == "to_cron_s":
            return {"value": None if cron is None else cron.to_cron_s()}
        if kind == "do_parse":
            if cron is None:
                return {"error": f"ArgumentError: invalid cron string {json.dumps(text)}"}
            return {"value": "parsed"}
        if kind == "parse_cron":
            return {"value": None if cron is None else [cron.expression, cron.to_cron_s()]}
        if kind == "months_monthdays":
            if cron is None:
                return {"value": None}
            return {"value": [_list(cron.fields.months), _list(cron.fields.monthdays)]}
        if cron is None:
            return {"error": "NoMethodError: the cron did not parse"}
        if kind == "zone":
            return {"value": None if cron.zone is None else zone_name(cron.zone)}
        if kind == "months_monthdays":
            if cron is None:
                return {"value": None}
            return {"value": [_list(cron.fields.months), _list(cron.fields.monthdays)]}
        if kind == "weekdays":
            return {"value": _weekdays(cron)}
        if kind == "seconds":
            return {"value": _list(cron.fields.seconds)}
        if kind == "to_a":
            f = cron.fields
            sets = [f.seconds, f.minutes, f.hours, f.monthdays, f.months]
            return {"value": [_list(s) for s in sets] + [_weekdays(cron)]}
        if kind == "rough_frequency":
            return {"value": cron.rough_frequency()}
        if kind == "brute_frequency":
            return {"value": cron.brute_frequency(case["year"]).to_debug_s()}
        if kind == "equal":
            return {"value": cron == parse_cron(case["other"], dialect=dialect)}
        if kind == "roundtrip":
            return {"value": parse_cron(cron.to_cron_s(), dialect=dialect) == cron}
    except CronNeverFires as exc:
        return {"error": f"RuntimeError: {exc}"}
    except InvalidArgument as exc:
        return {"error": f"NoMethodError: {exc}"}
    raise AssertionError(f"unknown kind {kind}")


def _same_1_5(ours: dict[str, Any], theirs: dict[str, Any]) -> bool:
    if "error" in ours or "error" in theirs:
        ours_class = str(ours.get("error", "")).split(":")[0]
        return ours_class == str(theirs.get("error", "")).split(":")[0]
    return ours == theirs


def _params(different: dict[str, str]) -> list[Any]:
    out = []
    for case in CASES:
        reason = different.get(case["id"])
        marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
        out.append(pytest.param(case, id=case["id"], marks=marks))
    return out


@pytest.mark.parametrize("case", _params(DIFFERENT_FROM_1_5))
def test_cron_1_5(case: dict[str, Any]) -> None:
    """The fugit-1.5 dialect answers what the real Fugit 1.5.2 answered."""
    ours = ask(case, "fugit-1.5")
    assert _same_1_5(ours, case["fugit_1_5"]), (ours, case["fugit_1_5"])


def head_holds(case: dict[str, Any], ours: dict[str, Any]) -> bool:
    """Whether jobsim's answer is what the upstream (HEAD) test asserts."""
    kind, head = case["kind"], case["head"]
    value = ours.get("value")
    if kind in ("next_time", "previous_time"):
        wall = _naive(head)
        return bool(value and value["valid"] and value["time"] == _plain(wall) and value["match"])
    if kind == "do_parse":
        return ours.get("error") == f"ArgumentError: {head}"
    if kind == "rough_frequency":
        duration = parse_duration(head) if isinstance(head, str) else None
        expected = int(duration.seconds) if duration is not None else head
        return bool(value == expected)
    if kind == "parse_cron":
        return value == [case["cron"], head]
    return bool(value == head)


@pytest.mark.parametrize("case", _params(DIFFERENT_FROM_HEAD))
def test_cron_head(case: dict[str, Any]) -> None:
    """The fugit-1.11 dialect answers what Fugit HEAD's own test asserts."""
    ours = ask(case, "fugit-1.11")
    assert head_holds(case, ours), (ours, case["head"])


def test_the_recorded_1_5_answers_are_the_gems(sidekiq_ruby: Any, tmp_path: Path) -> None:
    """Re-run Debian's Fugit 1.5.2 on every case: the recording is still what it says."""
    if shutil.which("ruby") is None:  # pragma: no cover - sidekiq_ruby already skipped
        pytest.skip("ruby missing")
    probe = subprocess.run(
        [sidekiq_ruby.ruby, "-e", 'require "fugit"; print Fugit::VERSION'],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if probe.returncode != 0 or probe.stdout != "1.5.2":
        pytest.skip(f"needs ruby-fugit 1.5.2 (got {probe.stdout or probe.stderr[:200]!r})")
    # Fugit 1.5.2 takes minutes over the 525,600 minutes of a year of "* * * * *" (its
    # recorded answer is kept); every other case is asked again
    cases = [c for c in CASES if not (c["kind"] == "brute_frequency" and c["cron"] == "* * * * *")]
    quick = tmp_path / "cases.json"
    quick.write_text(json.dumps(cases), encoding="utf-8")
    result = sidekiq_ruby.run_ruby(RUBY_SCRIPT, quick)
    assert result["fugit_version"] == "1.5.2"
    for case, now in zip(cases, result["cases"], strict=True):
        assert now == case["fugit_1_5"], case["id"]
