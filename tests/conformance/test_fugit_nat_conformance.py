"""Fugit's own natural-language and parse tests, against both Fugit versions jobsim models.

``fugit_nat_cases.json`` (regenerate with ``gen_fugit_nat_cases.py``) holds every phrase of
Fugit's ``test/_nat_single_crons.txt`` and the example tables of ``test/nat_test.rb`` and
``test/parse_test.rb`` (floraison/fugit HEAD efda655), each with its upstream file and line as
the test id, with two expectations:

* ``fugit_1_5``: what Debian's real Fugit 1.5.2 answered (run by ``fugit_nat.rb``; the live
  test below re-runs the gem and checks the recording still holds);
* ``head``: what the upstream test text expects of Fugit HEAD (1.11+).

jobsim's ``fugit-1.5`` dialect must give the first, its ``fugit-1.11`` dialect the second.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from jobsim.cron import Cron, CronSyntaxError
from jobsim.cron.fugit import (
    FugitDuration,
    determine_type,
    do_parse,
    do_parse_nat,
    parse,
    parse_cronish,
    parse_nat,
    time_to_plain_s,
)

HERE = Path(__file__).resolve().parent
CASES_PATH = HERE / "fugit_nat_cases.json"
RUBY_SCRIPT = HERE / "fugit_nat.rb"
CASES: list[dict[str, Any]] = json.loads(CASES_PATH.read_text(encoding="utf-8"))

_RUBY_TIME = "Fugit 1.5 hands this to Ruby's Time.parse, which fills the missing date from today"
#: Deliberate differences from Fugit 1.5.2, by case id.
DIFFERENT_FROM_1_5 = {
    **{
        f"fugit/test/parse_test.rb:76/{line}": _RUBY_TIME
        for line in (19, 24, 25, 40, 41)  # "\n 0 0 1 jan * \n" is a time of this year in 1.5.2
    },
    **{
        f"fugit/test/parse_test.rb:{line}": "Fugit 1.5.2 has no parse_cronish; jobsim offers it"
        for line in (203, 204, 206, 207, 208)
    },
}
#: Deliberate differences from Fugit HEAD's test text, by case id.
DIFFERENT_FROM_HEAD: dict[str, str] = {}


def _ruby_error(exc: CronSyntaxError) -> dict[str, Any]:
    match = re.search(r"raises (\w+): (.*)", exc.reason, re.DOTALL)
    assert match is not None, exc.reason
    message = match.group(2)
    message = re.sub(r" on this phrase$", "", message)
    return {"type": "error", "class": match.group(1), "message": message}


def render(value: object) -> dict[str, Any]:
    """jobsim's answer in the shape fugit_nat.rb prints Fugit's."""
    if value is None:
        return {"type": "nil"}
    if isinstance(value, Cron):
        return {"type": "cron", "original": value.source, "cron_s": value.to_cron_s()}
    if isinstance(value, list):
        return {"type": "list", "items": [render(v) for v in value]}
    if isinstance(value, FugitDuration):
        return {"type": "duration", "plain": value.to_plain_s()}
    if isinstance(value, datetime):
        return {"type": "time", "plain": time_to_plain_s(value)}
    return {"type": "value", "value": value}


def answer(case: dict[str, Any], dialect: Any) -> dict[str, Any]:
    text, opts = case["input"], dict(case["opts"])
    call = case["call"]
    try:
        if call == "nat":
            return render(parse_nat(text, dialect=dialect, **opts))
        if call == "nat_do_parse":
            return render(do_parse_nat(text, dialect=dialect, **opts))
        if call == "parse_nat":
            return render(parse_nat(text, dialect=dialect))
        if call == "parse":
            return render(parse(text, dialect=dialect, **opts))
        if call == "do_parse":
            return render(do_parse(text, dialect=dialect))
        if call == "parse_is_nat":
            same = render(parse(text, dialect=dialect)) == render(parse_nat(text, dialect=dialect))
            return render(same)
        if call == "parse_cronish":
            return render(parse_cronish(text, dialect=dialect))
        if call == "determine_type":
            return render(determine_type(text, dialect=dialect))
    except CronSyntaxError as exc:
        return _ruby_error(exc)
    raise AssertionError(f"unknown call {call}")


def _same(ours: dict[str, Any], theirs: dict[str, Any]) -> bool:
    if ours["type"] == "error" and theirs["type"] == "error":
        # Fugit's multi: :fail message ends with a dump of its slots (jobsim's stops before);
        # the driver keeps 200 characters of a message
        return bool(
            ours["class"] == theirs["class"] and theirs["message"].startswith(ours["message"][:200])
        )
    return ours == theirs


def _params(different: dict[str, str]) -> list[Any]:
    out = []
    for case in CASES:
        reason = different.get(case["id"])
        marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
        out.append(pytest.param(case, id=case["id"], marks=marks))
    return out


@pytest.mark.parametrize("case", _params(DIFFERENT_FROM_1_5))
def test_fugit_1_5(case: dict[str, Any]) -> None:
    """The fugit-1.5 dialect answers what the real Fugit 1.5.2 answered."""
    ours = answer(case, "fugit-1.5")
    assert _same(ours, case["fugit_1_5"]), (ours, case["fugit_1_5"])


def head_matches(case: dict[str, Any], ours: dict[str, Any]) -> bool:
    """Whether an answer is what the upstream (HEAD) test asserts for this case."""
    head, call = case["head"], case["call"]
    if isinstance(head, dict):
        return (
            ours["type"] == "error"
            and ours["class"] == head["raises"]
            and re.search(head["match"], ours["message"]) is not None
        )
    if head is None:
        return ours["type"] == "nil"
    if call == "nat" and isinstance(head, list):
        return ours["type"] == "list" and [i.get("original") for i in ours["items"]] == head
    if call in ("nat", "parse_cronish"):
        return ours.get("original") == head
    if call in ("parse_nat", "do_parse"):
        return ours.get("cron_s") == head
    if call == "parse":
        kind, text = head
        key = {"cron": "cron_s", "duration": "plain", "time": "plain"}[kind]
        return ours["type"] == kind and ours.get(key) == text
    return bool(ours.get("value") == head)


@pytest.mark.parametrize("case", _params(DIFFERENT_FROM_HEAD))
def test_fugit_head(case: dict[str, Any]) -> None:
    """The fugit-1.11 dialect answers what Fugit HEAD's own test expects."""
    ours = answer(case, "fugit-1.11")
    assert head_matches(case, ours), (ours, case["head"])


def test_the_recorded_1_5_answers_are_the_gems(sidekiq_ruby: Any) -> None:
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
    result = sidekiq_ruby.run_ruby(RUBY_SCRIPT, CASES_PATH)
    assert result["fugit_version"] == "1.5.2"
    for case, now in zip(CASES, result["cases"], strict=True):
        recorded = case["fugit_1_5"]
        if recorded["type"] == "time" and case["id"] in DIFFERENT_FROM_1_5:
            assert now["type"] == "time", case["id"]  # today's date, by design of Time.parse
        else:
            assert now == recorded, case["id"]
