"""Regenerate ``fugit_nat_cases.json``: Fugit's own natural-language and parse test cases.

usage: python tests/conformance/gen_fugit_nat_cases.py FUGIT_CHECKOUT [RUBY]

FUGIT_CHECKOUT is a floraison/fugit work tree or git directory at HEAD (efda655 when this was
written). Every case carries its upstream file and line, the input and options, and what
Fugit HEAD's test text expects (``head``). Then every case is run through Debian's real Fugit
1.5.2 (``fugit_nat.rb``) and its answer is recorded as ``fugit_1_5``, so the 1.5 expectation
is observed, not guessed. ``test_fugit_nat_conformance.py`` checks jobsim against both, and
(when Ruby is there) that the recorded 1.5.2 answers are still what the gem says.

The ports of ``nat_test.rb`` and ``parse_test.rb`` below are their example tables, case by
case, with the upstream line of each.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
OUT = HERE / "fugit_nat_cases.json"
NAT_FILE = "fugit/test/_nat_single_crons.txt"


def _read(checkout: Path, path: str) -> str:
    if (checkout / path).exists():
        return (checkout / path).read_text(encoding="utf-8")
    result = subprocess.run(
        ["git", "--git-dir", str(checkout), "show", f"HEAD:{path}"],
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def single_crons(text: str) -> list[dict[str, Any]]:
    """The phrase/cron pairs as nat_test.rb reads the file (lines starting with a letter)."""
    cases = []
    for number, line in enumerate(text.split("\n"), start=1):
        if not re.match(r"[a-zA-Z]", line):
            continue
        phrase, cron = (part.strip() for part in line.split("#")[0].split("⟶"))
        cases.append(
            {"id": f"{NAT_FILE}:{number}", "call": "nat", "input": phrase, "opts": {}, "head": cron}
        )
    return cases


def _case(line: str, call: str, text: Any, opts: dict[str, Any], head: Any) -> dict[str, Any]:
    return {"id": line, "call": call, "input": text, "opts": opts, "head": head}


NAT = "fugit/test/nat_test.rb"
PARSE = "fugit/test/parse_test.rb"


def nat_test_cases() -> list[dict[str, Any]]:
    """``nat_test.rb``: ``head`` is the cron text(s), None for nil, or ``{"raises": ...}``."""
    cases = [_case(f"{NAT}:36", "nat", "every Fri-Sun at 18:00 UTC", {}, "0 18 * * 5-0 UTC")]
    cases += [
        _case(f"{NAT}:46", "nat", "every day at 18:15 and 20:45", {}, "15 18 * * *"),
        _case(
            f"{NAT}:48",
            "nat",
            "every day at 18:15 and 20:45",
            {"multi": True},
            ["15 18 * * *", "45 20 * * *"],
        ),
        _case(f"{NAT}:50", "nat", "every day at 18:15", {"multi": True}, ["15 18 * * *"]),
        _case(
            f"{NAT}:52",
            "nat",
            "every day at 18:15 and 20:45",
            {"multi": "fail"},
            {"raises": "ArgumentError", "match": "^multiple crons in "},
        ),
        _case(f"{NAT}:54", "nat", "every 1 hour", {"multi": "fail"}, "0 * * * *"),
    ]
    for line, text in ((97, True), (98, "nada"), (99, "every 2 years"), (100, "every 2 weeks")):
        cases.append(_case(f"{NAT}:{line}", "nat", text, {}, None))
    cases.append(_case(f"{NAT}:108", "nat", "every 100 minutes", {}, None))
    strict = [(123, "every 17 hours"), (125, "every 27 hours"), (126, "every 2 years")]
    strict += [(127, "every 2 weeks"), (129, "every 90 minutes"), (130, "every 100 minutes")]
    cases += [_case(f"{NAT}:{n}", "nat", t, {"strict": True}, None) for n, t in strict]
    cases.append(_case(f"{NAT}:143", "nat", "a" * 5000, {}, None))
    cases += [
        _case(f"{NAT}:151", "do_parse", "at noon", {}, "0 12 * * *"),
        _case(f"{NAT}:152", "do_parse", "at midnight", {}, "0 0 * * *"),
    ]
    for line, text in ((164, True), (165, "nada"), (166, "every 2 years"), (167, "every 2 weeks")):
        cases.append(
            _case(
                f"{NAT}:{line}",
                "nat_do_parse",
                text,
                {},
                {"raises": "ArgumentError", "match": "could not parse a nat"},
            )
        )
    cases.append(
        _case(
            f"{NAT}:187",
            "nat_do_parse",
            "a" * 5000,
            {},
            {"raises": "ArgumentError", "match": "too long .+ 5000 > 256"},
        )
    )
    stripped = [
        (199, "every day at five", "0 5 * * *"),
        (200, "every day at 5 pm in Asia/Tokyo", "0 17 * * * Asia/Tokyo"),
        (201, " \nevery day at five \n", "0 5 * * *"),
        (202, "\n every day at 5 pm  in Asia/Tokyo\n", "0 17 * * * Asia/Tokyo"),
    ]
    cases += [_case(f"{NAT}:{n}", "parse_nat", t, {}, c) for n, t, c in stripped]
    return cases


def parse_test_cases() -> list[dict[str, Any]]:
    """``parse_test.rb``: ``head`` is ``[kind, text]`` (kind cron/duration/time) or None."""
    table: list[tuple[int, Any, dict[str, Any], Any]] = [
        (14, "2017-01-03 11:21:17", {}, ["time", "2017-01-03 11:21:17 Z"]),
        (16, "00 00 L 5 *", {}, ["cron", "0 0 -1 5 *"]),
        (17, "1Y3M2d", {}, ["duration", "1Y3M2D"]),
        (18, "1Y2h", {}, ["duration", "1Y2h"]),
        (19, "0 0 1 jan *", {}, ["cron", "0 0 1 1 *"]),
        (20, "12y12M", {}, ["duration", "12Y12M"]),
        (21, "2017-12-12", {}, ["time", "2017-12-12 00:00:00 Z"]),
        (22, "every day at noon", {}, ["cron", "0 12 * * *"]),
        (24, "at 12:00 PM", {}, ["cron", "0 12 * * *"]),
        (25, "at 12 PM", {}, ["cron", "0 12 * * *"]),
        (26, "at noon", {}, ["cron", "0 12 * * *"]),
        (30, "* * * * 1", {"nat": False}, ["cron", "* * * * 1"]),
        (31, "every day at noon", {"cron": False}, ["cron", "0 12 * * *"]),
        (33, "every day at noon", {"nat": False}, None),
        (34, "* * * * 1", {"cron": False}, None),
        (36, True, {}, None),
        (37, "I have a pen, I have an apple, pen apple", {}, None),
        (39, "every day at  noon", {}, ["cron", "0 12 * * *"]),
        (40, "0  0 1 jan  *", {}, ["cron", "0 0 1 1 *"]),
        (41, "at  12  PM", {}, ["cron", "0 12 * * *"]),
        (42, "at  noon", {}, ["cron", "0 12 * * *"]),
    ]
    cases = [_case(f"{PARSE}:{n}", "parse", t, o, h) for n, t, o, h in table]
    # the same table again, each input wrapped in " \n ... \n " (the loop at parse_test.rb:76)
    for number, text, opts, head in table:
        if isinstance(text, str):
            cases.append(_case(f"{PARSE}:76/{number}", "parse", f" \n {text} \n ", opts, head))
    for number, text in ((110, "every 5 minutes"), (111, "every 15 minutes")):
        cases.append(_case(f"{PARSE}:{number}", "parse_is_nat", text, {}, True))
    for number, text in ((112, "every 30 minutes"), (113, "every 40 minutes")):
        cases.append(_case(f"{PARSE}:{number}", "parse_is_nat", text, {}, True))
    cases.append(_case(f"{PARSE}:160", "do_parse", "every day at midnight", {}, "0 0 * * *"))
    cases.append(
        _case(
            f"{PARSE}:168",
            "do_parse",
            "I have a pen, I have an apple, pineapple!",
            {},
            {"raises": "ArgumentError", "match": ""},
        )
    )
    cronish = [
        (203, "* * * * *", "* * * * *"),
        (204, "every day", "0 0 * * *"),
        (206, "2022-12-5 11:32", None),
        (207, "nada", None),
        (208, "100 * * * *", None),
    ]
    cases += [_case(f"{PARSE}:{n}", "parse_cronish", t, {}, c) for n, t, c in cronish]
    types = [(263, "nada", None), (264, True, None), (269, "* * * * *", "cron")]
    types += [(270, "* * * * * *", "cron"), (271, "1s", "in"), (272, "2017-01-01", "at")]
    cases += [_case(f"{PARSE}:{n}", "determine_type", t, {}, c) for n, t, c in types]
    return cases


def main() -> int:
    checkout = Path(sys.argv[1])
    ruby = sys.argv[2] if len(sys.argv) > 2 else "ruby"
    cases = single_crons(_read(checkout, "test/_nat_single_crons.txt"))
    cases += nat_test_cases() + parse_test_cases()
    ids = [c["id"] for c in cases]
    assert len(ids) == len(set(ids)), "duplicate case ids"
    OUT.write_text(json.dumps(cases, indent=1) + "\n", encoding="utf-8")
    result = subprocess.run(
        [ruby, str(HERE / "fugit_nat.rb"), str(OUT)],
        capture_output=True,
        text=True,
        check=True,
    )
    observed = json.loads(result.stdout)
    assert observed["fugit_version"] == "1.5.2"
    for case, answer in zip(cases, observed["cases"], strict=True):
        case["fugit_1_5"] = answer
    OUT.write_text(json.dumps(cases, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"{len(cases)} cases written to {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
