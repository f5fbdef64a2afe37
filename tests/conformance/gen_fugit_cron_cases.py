"""Regenerate ``fugit_cron_cases.json``: the example tables of Fugit's ``test/cron_test.rb``.

usage: python tests/conformance/gen_fugit_cron_cases.py FUGIT_CHECKOUT [RUBY]

FUGIT_CHECKOUT is a floraison/fugit work tree or git directory (HEAD efda655 when this was
written). Each table of the upstream file (``NEXT_TIMES``, ``PREVIOUS_TIMES``, the ``.parse``
successes and failures, ``#to_cron_s``, ``#rough_frequency``, ``#brute_frequency``,
``#seconds``, impossible days, ``sec6``, ``#parse_cron``) is read as Ruby literals, one case
per entry with the upstream line as its id, and what the upstream test asserts (Fugit HEAD)
as ``head``. Then Debian's real Fugit 1.5.2 runs every case (``fugit_cron_tables.rb``) and its
answer is recorded as ``fugit_1_5``.
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
OUT = HERE / "fugit_cron_cases.json"
FILE = "fugit/test/cron_test.rb"


def _read(checkout: Path) -> list[str]:
    path = checkout / "test/cron_test.rb"
    if path.exists():
        return path.read_text(encoding="utf-8").split("\n")
    text = subprocess.run(
        ["git", "--git-dir", str(checkout), "show", "HEAD:test/cron_test.rb"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return text.split("\n")


def _strip_comment(line: str) -> str:
    quote = None
    for index, char in enumerate(line):
        if quote:
            if char == quote:
                quote = None
        elif char in "'\"":
            quote = char
        elif char == "#":
            return line[:index]
    return line


def entries(lines: list[str], start: int) -> list[tuple[int, str]]:
    """The top-level entries of the Ruby array or hash literal opening on line ``start``
    (1-based): (line of the entry, its text)."""
    out: list[tuple[int, str]] = []
    depth = 0
    current = ""
    current_line = 0
    for number in range(start, len(lines) + 1):
        text = _strip_comment(lines[number - 1])
        quote = None
        for char in text:
            if quote:
                current += char
                if char == quote:
                    quote = None
                continue
            if char in "'\"":
                quote = char
            if char in "[{(":
                depth += 1
                if depth == 1:
                    continue
            if char in "]})":
                depth -= 1
                if depth == 0:
                    if current.strip():
                        out.append((current_line, current.strip()))
                    return out
            if depth == 1 and char == ",":
                if current.strip():
                    out.append((current_line, current.strip()))
                current = ""
                continue
            if depth >= 1:
                if not current.strip() and not char.isspace():
                    current_line = number
                current += char
        current += " "
    raise ValueError(f"unclosed literal from line {start}")


def ruby_value(text: str) -> Any:
    """A Ruby literal of the tables as Python (strings, numbers, nil/true/false, arrays)."""
    python = re.sub(r"\bnil\b", "None", text)
    python = re.sub(r"\btrue\b", "True", python)
    python = re.sub(r"\bfalse\b", "False", python)
    # "#{(25..31).to_a.map(&:to_s).join(',')}": a range written out by interpolation
    python = re.sub(
        r"#\{\((\d+)\.\.(\d+)\)[^}]*\}",
        lambda m: ",".join(str(i) for i in range(int(m.group(1)), int(m.group(2)) + 1)),
        python,
    )
    if "=>" in python:  # one hash entry
        python = "{" + python.replace("=>", ":") + "}"
    return ast.literal_eval(python)


def pairs(lines: list[str], start: int) -> list[tuple[int, Any]]:
    out = []
    for line, text in entries(lines, start):
        try:
            out.append((line, ruby_value(text)))
        except (ValueError, SyntaxError):
            out.append((line, ("raw", text)))
    return out


def _id(line: int, suffix: str = "") -> str:
    return f"{FILE}:{line}{suffix}"


def build(lines: list[str]) -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = []

    def add(line: int, kind: str, head: Any, **fields: Any) -> None:
        cases.append({"id": _id(line), "kind": kind, "head": head, **fields})

    def find(pattern: str, after: int = 0) -> int:
        for number in range(after + 1, len(lines) + 1):
            if re.search(pattern, lines[number - 1]):
                return number
        raise ValueError(pattern)

    for line, entry in pairs(lines, find(r"NEXT_TIMES = \[")):
        cron, expected, start, zone = ([*list(entry), None, None])[:4]
        add(line, "next_time", expected, cron=cron, start=start, zone=zone)
    for line, entry in pairs(lines, find(r"PREVIOUS_TIMES = \[")):
        cron, expected, start, zone = ([*list(entry), None, None])[:4]
        add(line, "previous_time", expected, cron=cron, start=start, zone=zone)
    brute = find(r"group '#brute_frequency'")
    for line, (cron, debug) in pairs(lines, brute + 2):
        add(line, "brute_frequency", debug, cron=cron, year=2017)
    add(find(r"brute_frequency\(2016\)"), "brute_frequency", None, cron="0 0 * * sun", year=2016)
    cases[-1]["head"] = "dmin: 1W, dmax: 1W, ocs: 52, spn: 52W, spnys: 0, yocs: 52"
    rough = find(r"group '#rough_frequency'")
    for line, entry in pairs(lines, find(r"^\s*\{\s*$", rough)):
        ((cron, freq),) = entry.items()
        add(line, "rough_frequency", freq, cron=cron)
    success = find(r"group 'success'")
    for line, entry in pairs(lines, success + 2):
        if isinstance(entry, tuple):  # [ '~ ~ ~ ~ ~', '0 0 1 1 0', { random: false } ]
            raw = entry[1]
            cron, expected = re.findall(r"'([^']*)'", raw)[:2]
            add(line, "to_cron_s", expected, cron=cron, random="false")
        else:
            add(line, "to_cron_s", entry[1], cron=entry[0], random="average")
    negative = find(r"group 'negative monthdays'")
    for line, entry in pairs(lines, negative + 2):
        add(line, "to_cron_s", entry[1], cron=entry[0])
    for group in ("months", "weekdays", "weekdays #"):
        start = find(rf"group '{re.escape(group)}' do", success)
        for line, (cron, expected) in pairs(lines, start + 2):
            add(line, "to_cron_s", expected, cron=cron)
    timezone = find(r"group 'timezone'", success)
    for line, text in entries(lines, find(r"^\s*\[\s*$", timezone + 16)):
        add(line, "to_cron_s", None, cron=ruby_value(text))
    for line, text in (
        (find(r"'\* \* \* \* \* \+09:00'"), "* * * * * +09:00"),
        (find(r"'\* \* \* \* \* \+0900'"), "* * * * * +0900"),
    ):
        add(line, "zone", text.split()[-1], cron=text)
    failure = find(r"group 'failure'")
    for line, cron in pairs(lines, failure + 2):
        add(line, "to_cron_s", None, cron=cron)
    impossible = find(r"group 'impossible days'")
    for line, entry in pairs(lines, impossible + 2):
        ((cron, modays),) = entry.items()
        add(line, "months_monthdays", modays, cron=cron)
    weekdays = find(r"group 'weekdays' do", impossible)
    for line, entry in pairs(lines, weekdays + 2):
        ((cron, tuples),) = entry.items()
        add(line, "weekdays", tuples, cron=cron)
    do_parse = find(r"group '.do_parse'")
    for line, cron in pairs(lines, do_parse + 2):
        add(line, "do_parse", f"invalid cron string {json.dumps(cron)}", cron=cron)
    equal = find(r"group '#=='")
    for line, a, b, same in (
        (find(r"Fugit::Cron.parse\('\* \* \* \* \*'\) ==", equal), "* * * * *", "* * * * *", 1),
        (find(r"Fugit::Cron.parse\('\* \* \*/1 \* \*'\)", equal), "* * * * *", "* * */1 * *", 1),
        (find(r"== Fugit::Cron.parse\('\* \* \* \* 1'\)", equal), "* * * * *", "* * * * 1", 0),
    ):
        add(line, "equal", bool(same), cron=a, other=b)
    to_cron_s = find(r"cron_s = \{")
    for line, entry in pairs(lines, to_cron_s):
        ((cron, expected),) = entry.items()
        add(line, "to_cron_s", expected, cron=cron)
        add(line, "roundtrip", True, cron=cron)
        cases[-1]["id"] += "/roundtrip"
    seconds = find(r"group '#seconds'")
    for line, entry in pairs(lines, seconds + 2):
        ((cron, values),) = entry.items()
        add(line, "seconds", values, cron=cron)
    sec6 = find(r"group 'sec6'")
    for line, (cron, expected) in pairs(lines, sec6 + 2):
        add(line, "to_cron_s", expected, cron=cron)
    for line, (cron, array) in pairs(lines, find(r"^\s*\[\s*$", sec6 + 14)):
        add(line, "to_a", array, cron=cron)
    for line, text in entries(lines, find(r"c: cron, f: from", sec6) - 1):
        spec = dict(re.findall(r"(\w+): '([^']*)'", text))
        kind = "next_time" if "nt" in spec else "previous_time"
        add(line, kind, spec.get("nt") or spec["pt"], cron=spec["c"], start=spec["f"], zone=None)
    parse_cron = find(r"group '#parse_cron'")
    for line, (source, expected) in pairs(lines, parse_cron + 2):
        add(line, "parse_cron", expected, cron=source)
    ids = [c["id"] for c in cases]
    duplicates = {i for i in ids if ids.count(i) > 1}
    for case in cases:  # a line with several entries: number them
        if case["id"] in duplicates:
            same = [c for c in cases if c["id"] == case["id"]]
            for index, twin in enumerate(same):
                twin["id"] += f"#{index + 1}"
    return cases


def main() -> int:
    checkout = Path(sys.argv[1])
    ruby = sys.argv[2] if len(sys.argv) > 2 else "ruby"
    cases = build(_read(checkout))
    OUT.write_text(json.dumps(cases, indent=1) + "\n", encoding="utf-8")
    result = subprocess.run(
        [ruby, str(HERE / "fugit_cron_tables.rb"), str(OUT)],
        capture_output=True,
        text=True,
        check=True,
    )
    observed = json.loads(result.stdout)
    assert observed["fugit_version"] == "1.5.2"
    for case, answer in zip(cases, observed["cases"], strict=True):
        case["fugit_1_5"] = answer
    OUT.write_text(json.dumps(cases, indent=1) + "\n", encoding="utf-8")
    print(f"{len(cases)} cases written to {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
