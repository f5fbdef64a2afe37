"""Regenerate ``cron_cases.json``, the corpus compared with real Fugit (deterministic).

usage: python tests/conformance/gen_cron_cases.py

Hand-picked tricky expressions plus expressions drawn from Fugit's grammar (lists, ranges,
reversed ranges, steps, ``a/n``, names, Sunday 7, ``L``, negative days, ``#n``, ``%n+k``,
seconds, trailing zones, invalid text), each paired with a zone and a start instant; starts
cluster around the 2024-2025 DST transitions of America/New_York, Europe/London and
Australia/Lord_Howe (a 30-minute shift), and the rest are spread over 2020-2030.
"""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
ZONES = ["UTC", "America/New_York", "Europe/London", "Australia/Lord_Howe", "Asia/Kolkata"]
TRANSITIONS = [  # UTC instants of DST changes
    "2024-03-10T07:00",
    "2024-11-03T06:00",
    "2025-03-09T07:00",
    "2025-11-02T06:00",
    "2024-03-31T01:00",
    "2024-10-27T01:00",
    "2025-03-30T01:00",
    "2025-10-26T01:00",
    "2024-04-06T15:00",
    "2024-10-05T15:30",
    "2025-04-05T15:00",
    "2025-10-04T15:30",
]
TRICKY = [
    "*/7 * * * *",
    "15/30 * * * *",
    "0 0 29 2 *",
    "0 0 L * *",
    "0 12 * * mon#2",
    "0 7 * * 5#-1",
    "30 4 1,15 * 5",
    "0 5 1-7 * 1",
    "0 0 */2 * 1-5",
    "0 0 1-31 * 1",
    "0 0 */1 * 1",
    "0 0 1 * */1",
    "0 0 1-7 * */7",
    "0 0 * * 7",
    "@weekly",
    "0 0 * * 5-1",
    "0 22-2 * * *",
    "*/30 * * * * *",
    "0 0 L * 5",
    "0 0 * 2 mon#5",
    "0 0 * * */3",
    "0 0 8-9 * 0#2",
    "0 24 * * *",
    "30 2 * * *",
    "30 1 * * *",
    "0 * * * *",
    "*/30 * * * *",
    "15 3 * * *",
    "1 2 * * *",
    "59 6 1-7 * 2",
    "@yearly",
    "@annually",
    "@monthly",
    "@daily",
    "@midnight",
    "@hourly",
    "@noon",
    "@reboot",
    "61 * * * *",
    "*/0 * * * *",
    "0 0 31 2 *",
    "* * 31 11 *",
    "0 0 30 2 *",
    "0 0 31 2 mon",
    "1 1 */100,1-7 * MON",
    "0 9 * * * America/New_York",
    "0 9 * * * Europe/London",
    "30 2 * * * Australia/Lord_Howe",
    "0 2 * * * +09:00",
    "0 9 * * * Nowhere/Atlantis",
    "0 0 -1 * *",
    "0 0 -7-L * *",
    "0 0 last * *",
    "0 0 * * fri#L",
    "0 0 * * 1%2",
    "0 0 * * 1%2+1",
    "0 0 1 jan-mar *",
    "0 0 * * mon-fri",
    "0 0 * * sat-mon",
    "0 0 1,15 feb,aug *",
    "*/15 2 * * *",
    "0 */4 * * *",
    "0 0 * * 1#1,1#3",
    "5/2 * * * *",
    "0 0 * * 5-1/2",
    "/5 * * * *",
    "0 0 1--1 * *",
    "0 0 * * * UTC",
    "0 0 * * *  America/New_York",
    "every 5 minutes",
    "every day at noon",
    "every day at midnight",
    "every 15s",
    "every 3 hours",
    "every weekday at 9:30",
    "every monday at 5pm",
    "every hour",
    "every minute",
]


def element(rng: random.Random, low: int, high: int, names: list[str] | None) -> str:
    def value() -> str:
        v = rng.randint(low, high)
        if names and rng.random() < 0.3:
            return names[(v - low) % len(names)]
        return str(v)

    kind = rng.random()
    if kind < 0.3:
        return value()
    if kind < 0.5:
        return f"{value()}-{value()}"
    if kind < 0.65:
        return f"*/{rng.randint(1, 15)}"
    if kind < 0.75:
        return f"{value()}-{value()}/{rng.randint(1, 9)}"
    if kind < 0.82:
        return f"{value()}/{rng.randint(1, 20)}"
    return "*"


def field(rng: random.Random, low: int, high: int, names: list[str] | None = None) -> str:
    if rng.random() < 0.45:
        return "*"
    count = 1 if rng.random() < 0.7 else rng.randint(2, 3)
    return ",".join(element(rng, low, high, names) for _ in range(count))


MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]


def random_expression(rng: random.Random) -> str:
    minute = field(rng, 0, 59) if rng.random() < 0.5 else str(rng.choice([0, 15, 30, 45, 5]))
    hour = field(rng, 0, 23) if rng.random() < 0.6 else str(rng.choice([0, 1, 2, 3, 9, 12]))
    dom = field(rng, 1, 31)
    if rng.random() < 0.1:
        dom = rng.choice(["L", "-1", "-3", "last", "28-L", "-7-L", "15,L"])
    month = field(rng, 1, 12, MONTHS) if rng.random() < 0.5 else "*"
    dow = field(rng, 0, 7, DAYS)
    if rng.random() < 0.12:
        dow = f"{rng.choice([*DAYS, '1', '5'])}#{rng.choice(['1', '2', '3', '-1', 'L', '5'])}"
    parts = [minute, hour, dom, month, dow]
    if rng.random() < 0.1:
        parts.insert(0, field(rng, 0, 59))
    if rng.random() < 0.04:  # a sprinkle of out-of-range or broken text
        index = rng.randrange(len(parts))
        parts[index] = rng.choice(["60", "24-25", "32", "13", "8", "*/100", "1-", ",", "0/0", "x"])
    text = " ".join(parts)
    if rng.random() < 0.08:
        text += " " + rng.choice(
            ["America/New_York", "Europe/London", "Australia/Lord_Howe", "UTC", "+05:30", "-03:00"]
        )
    return text


def starts(rng: random.Random) -> list[int]:
    out = []
    for text in TRANSITIONS:
        at = datetime.fromisoformat(text).replace(tzinfo=UTC)
        delta = timedelta(seconds=rng.randint(-36 * 3600, 6 * 3600))
        out.append(int((at + delta).timestamp()))
    return out


def main() -> None:
    rng = random.Random(20240310)
    cases = []
    transition_starts = starts(rng)
    for expression in TRICKY:
        for zone in ZONES:
            for start in rng.sample(transition_starts, 2):
                cases.append({"expression": expression, "zone": zone, "start": start})
    while len(cases) < 2400:
        expression = random_expression(rng)
        zone = rng.choice(ZONES)
        if rng.random() < 0.7:
            start = rng.choice(transition_starts) + rng.randint(-7200, 7200)
        else:
            start = rng.randint(1577836800, 1893456000)
        if rng.random() < 0.2:
            start += rng.random()  # sub-second starts
            start = round(start, 3)
        cases.append({"expression": expression, "zone": zone, "start": start})
    path = HERE / "cron_cases.json"
    path.write_text(json.dumps(cases, indent=0) + "\n", encoding="utf-8")
    print(f"wrote {len(cases)} cases to {path}")


if __name__ == "__main__":
    main()
