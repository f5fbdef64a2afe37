"""jobsim's have_enqueued_job against rspec-rails' real matcher, case by case.

``rspec_rails_active_job.rb`` runs Debian's ruby-rspec-rails 5.0.2 (ActiveJob 6.1) on the cases
below, in rspec-rails' block form under a frozen clock; this module runs each case through
jobsim's matcher on jobsim's ActiveJob (the ``with`` form, and ``assert not`` for ``not_to``) and
compares the verdicts. The cases cover the default count (exactly one, and "none" under
``not_to``), explicit counts, ``with``, ``on_queue``, ``at`` (exact, as rspec-rails compares it:
jobsim's ``tolerance=0``) and jobs of other classes.

Deliberate differences (strict xfails below): an enqueued job whose arguments do not fit its
class's ``perform`` fails the expectation, as from rspec-rails 7.0 on (rspec-rails#2745, HEAD);
5.0.2 has no signature check. And ``not_to`` with a chained count: rspec-rails replaces the
count with "at least 1", jobsim's ``assert not`` negates the matcher as written.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

import jobsim
from jobsim.active_job import ActiveJob
from jobsim.testing import JobMatcher, have_enqueued_job

HERE = Path(__file__).resolve().parent
SCRIPT = HERE / "rspec_rails_active_job.rb"
START = 1767225600  # 2026-01-01T00:00:00Z
RSPEC_RAILS = Path("/usr/share/rubygems-integration/all/gems")


class TwoArgsJob(ActiveJob):
    def perform(self, a: Any, b: Any) -> None:
        pass


class OneArgJob(ActiveJob):
    def perform(self, a: Any) -> None:
        pass


CLASSES: dict[str, type[ActiveJob]] = {"TwoArgsJob": TwoArgsJob, "OneArgJob": OneArgJob}
COUNTS: list[list[Any]] = [
    ["default"],
    ["exactly", 2],
    ["at_least", 1],
    ["at_most", 1],
    ["once"],
    ["twice"],
]


def two(n: int, **extra: Any) -> list[dict[str, Any]]:
    return [{"job": "TwoArgsJob", "args": [1, 2], **extra} for _ in range(n)]


def make_cases() -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = []

    def add(name: str, enqueues: list[dict[str, Any]], negated: bool = False, **m: Any) -> None:
        matcher = {"job": "TwoArgsJob", "count": ["default"], **m}
        cases.append({"id": name, "enqueues": enqueues, "matcher": matcher, "negated": negated})

    for n in range(3):
        for count in COUNTS:
            label = "-".join(str(part) for part in count)
            add(f"count:{label}:enqueued-{n}", two(n), count=count)
            add(f"not:{label}:enqueued-{n}", two(n), negated=True, count=count)
    for args in ([1, 2], [1, 3], [2, 1], [1]):
        add(f"with:{args}", two(1), **{"with": args})
        add(f"with:{args}:twice-enqueued", two(2), **{"with": args})
        add(f"with:{args}:any-class", two(1), job=None, **{"with": args})
    add("with:only-matching-counted", [*two(1), *two(1, queue="low")], on_queue="low")
    add("on_queue:default", two(1), on_queue="default")
    add("on_queue:low", two(1, queue="low"), on_queue="low")
    add("on_queue:wrong", two(1, queue="low"), on_queue="default")
    add("at:exact", two(1, wait=60), at=START + 60)
    add("at:one-second-off", two(1, wait=60), at=START + 61)
    add("at:half-second-off", two(1, wait=60), at=START + 60.5)
    add("at:not-scheduled", two(1), at=START + 60)
    mixed = [{"job": "OneArgJob", "args": [5]}, *two(1)]
    add("other-class:default", mixed)
    add("other-class:any-class-default", mixed, job=None)
    add("other-class:any-class-twice", mixed, job=None, count=["twice"])
    add("other-class:not", [{"job": "OneArgJob", "args": [5]}], negated=True)
    add("signature:wrong-arity-enqueued", [{"job": "TwoArgsJob", "args": [1]}], **{"with": [1]})
    return cases


#: Cases where jobsim deliberately answers as rspec-rails 7.0+ does, not as 5.0.2.
NEGATED_COUNT = (
    "rspec-rails' not_to replaces any chained count with 'at least 1' (its does_not_match? "
    "sets it), so `not_to ...exactly(2)` means 'none'; jobsim's `assert not m` negates the "
    "matcher as written, so a chained count keeps its meaning (write .never() for none)"
)
DIFFERENT = {
    "signature:wrong-arity-enqueued": "rspec-rails 7.0+ fails a job whose args do not fit "
    "perform (#2745, as HEAD); 5.0.2 has no signature check and passes",
    "not:at_most-1:enqueued-0": NEGATED_COUNT,
    "not:exactly-2:enqueued-1": NEGATED_COUNT,
    "not:twice:enqueued-1": NEGATED_COUNT,
    "not:at_most-1:enqueued-2": NEGATED_COUNT,
    "not:once:enqueued-2": NEGATED_COUNT,
}
CASES = make_cases()


def build(spec: dict[str, Any]) -> JobMatcher:
    job = CLASSES[spec["job"]] if spec.get("job") else None
    matcher = have_enqueued_job(job)
    if spec.get("with") is not None:
        matcher = matcher.with_args(*spec["with"])
    if spec.get("on_queue"):
        matcher = matcher.on_queue(spec["on_queue"])
    if spec.get("at") is not None:
        matcher = matcher.at(spec["at"], tolerance=0)
    kind, *n = spec["count"]
    if kind != "default":
        matcher = getattr(matcher, kind)(*n)
    return matcher


def enqueue(item: dict[str, Any]) -> None:
    options: dict[str, Any] = {}
    if item.get("queue"):
        options["queue"] = item["queue"]
    if item.get("wait"):
        options["wait"] = item["wait"]
    job = CLASSES[item["job"]]
    target: Any = job.set(**options) if options else job
    target.perform_later(*item["args"])


def jobsim_verdict(case: dict[str, Any]) -> str:
    with jobsim.Simulator(start=datetime.fromtimestamp(START, UTC)):
        try:
            matcher = build(case["matcher"])
            if case["negated"]:
                for item in case["enqueues"]:
                    enqueue(item)
                return "pass" if not matcher else "fail"
            with matcher:
                for item in case["enqueues"]:
                    enqueue(item)
        except AssertionError:
            return "fail"
    return "pass"


@pytest.fixture(scope="module")
def ruby_verdicts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    ruby = shutil.which("ruby")
    if ruby is None or not any(RSPEC_RAILS.glob("rspec-rails-*")):
        hint = "apt-get install -y ruby-rspec-rails ruby-activejob"
        if os.environ.get("CI") == "true":
            pytest.fail(f"rspec-rails (Ruby) is missing on CI: {hint}")
        pytest.skip(f"needs Ruby with rspec-rails: {hint}")
    path = tmp_path_factory.mktemp("rspec") / "cases.json"
    path.write_text(json.dumps({"start": START, "cases": CASES}))
    done = subprocess.run(
        [ruby, str(SCRIPT), str(path)], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result: dict[str, Any] = json.loads(done.stdout)
    assert str(result["activejob_version"]).startswith("6.1."), result["activejob_version"]
    cases: dict[str, Any] = result["cases"]
    return cases


def _param(case: dict[str, Any]) -> Any:
    reason = DIFFERENT.get(case["id"])
    marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
    return pytest.param(case, id=f"rspec-rails-5.0.2:{case['id']}", marks=marks)


@pytest.mark.parametrize("case", [_param(case) for case in CASES])
def test_same_verdict_as_rspec_rails(case: dict[str, Any], ruby_verdicts: dict[str, Any]) -> None:
    theirs = ruby_verdicts[case["id"]]
    ours = jobsim_verdict(case)
    assert ours == theirs["verdict"], f"rspec-rails says {theirs}"
