"""Issue #14, "one validation module": hand-written number, duration and time checks stay out
of jobsim/, so every refusal has the shape jobsim.validate gives it (what, where, value, fix).

The scan reads every module under jobsim/ (not validate.py itself) and finds each ``if`` whose
test asks ``math.isfinite``/``isnan``/``isinf``, ``x != x`` (NaN) or
``isinstance(x, <int or float>)`` and whose body raises: a check written by hand where it
should call jobsim.validate. The few that stay are listed below with the reason each stays;
an entry of ALLOWED that no longer matches anything fails too, so the list only shrinks.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "jobsim"

#: (module, function) -> why its hand-written check stays.
ALLOWED: dict[tuple[str, str], str] = {
    ("jobsim/enqueue.py", "normalize_item"): (
        "Sidekiq::Client's own ArgumentError text for a non-numeric 'at' (SIDEKIQ_MESSAGES), "
        "kept word for word; the range check after it is validate.epoch"
    ),
    ("jobsim/enqueue.py", "check_args"): (
        "chooses between raising and warning Sidekiq's strict_args message (a float in args "
        "always raises); it checks no value of its own"
    ),
    ("jobsim/gem_options.py", "_seconds"): (
        "a gem option's shape check: it answers the 'expected …' part of the one gem-option "
        "message that check_gem_option writes, as options.py's validators do"
    ),
    ("jobsim/gem_options.py", "_whole_at_least_one"): (
        "a gem option's shape check, as _seconds above"
    ),
    ("jobsim/cron/_nat_slots.py", "_adjust_h_modern"): (
        "reproduces fugit's Ruby NoMethodError for an hour Ruby holds as nil; not a value check"
    ),
    ("jobsim/replay/_expr.py", "_check"): (
        "the --retry-in language's grammar (a constant that is not a number literal, e.g. a "
        "string); the value an expression gives is checked by validate.number"
    ),
    ("jobsim/replay/model.py", "_simulator"): (
        "asks whether the routed object is a simulator (an int seed and a stash), not a value "
        "a user passed"
    ),
}

#: Checks in modules another branch was rewriting while this list was made (issue #14
#: follow-up: move them onto validate once that branch is merged). Unlike ALLOWED, an entry
#: here may disappear without failing the test, since that branch may move or rename it.
PENDING: dict[tuple[str, str], str] = {
    ("jobsim/testing/_mail.py", "_check_count"): "mail matchers, rewritten in parallel (aj3)",
    ("jobsim/active_job/_base.py", "ActiveJob.priority"): "active_job, rewritten in parallel",
    ("jobsim/active_job/_declarations.py", "_whole"): "active_job, rewritten in parallel",
    ("jobsim/active_job/_declarations.py", "_jitter_value"): "active_job, rewritten in parallel",
    ("jobsim/active_job/_delay.py", "determine_delay"): "active_job, rewritten in parallel",
    ("jobsim/active_job/_runtime.py", "draw"): "active_job, rewritten in parallel",
    ("jobsim/active_job/_serialize.py", "_Writer.value"): (
        "ActiveJob's SerializationError for a NaN/inf argument: the error Rails raises, "
        "naming the argument's path, not an argument of a jobsim call"
    ),
    ("jobsim/active_job/_serialize.py", "_Reader.value"): (
        "Rails' 'Can only deserialize primitive arguments' for a stored argument, word for word"
    ),
}

_MATH_CHECKS = {"isfinite", "isnan", "isinf"}


def _type_names(node: ast.expr) -> set[str]:
    if isinstance(node, ast.Name):
        return {node.id}
    if isinstance(node, ast.Attribute):
        return {node.attr}
    if isinstance(node, ast.Tuple):
        return set().union(*(_type_names(element) for element in node.elts))
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return _type_names(node.left) | _type_names(node.right)
    return set()


def _nan_idiom(node: ast.AST) -> bool:
    """``x != x`` or ``x == x``: true only for NaN, a finiteness check by another name."""
    return (
        isinstance(node, ast.Compare)
        and len(node.ops) == 1
        and isinstance(node.ops[0], ast.Eq | ast.NotEq)
        and ast.dump(node.left) == ast.dump(node.comparators[0])
        and isinstance(node.left, ast.Name | ast.Attribute | ast.Subscript)
    )


def _asks_for_a_number(test: ast.expr) -> bool:
    for node in ast.walk(test):
        if _nan_idiom(node):
            return True
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and func.value.id == "math"
            and func.attr in _MATH_CHECKS
        ):
            return True
        if (
            isinstance(func, ast.Name)
            and func.id == "isinstance"
            and len(node.args) == 2
            and _type_names(node.args[1]) & {"int", "float"}
        ):
            return True
    return False


def _raises(body: list[ast.stmt]) -> bool:
    return any(isinstance(node, ast.Raise) for stmt in body for node in ast.walk(stmt))


class _Finder(ast.NodeVisitor):
    def __init__(self) -> None:
        self.scope: list[str] = []
        self.found: list[tuple[str, int]] = []

    def _enter(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> None:
        self.scope.append(node.name)
        self.generic_visit(node)
        self.scope.pop()

    visit_FunctionDef = _enter
    visit_AsyncFunctionDef = _enter
    visit_ClassDef = _enter

    def visit_If(self, node: ast.If) -> None:
        if _asks_for_a_number(node.test) and _raises(node.body):
            self.found.append((".".join(self.scope), node.lineno))
        self.generic_visit(node)


def hand_written_checks(source: str) -> list[tuple[str, int]]:
    """(function, line) of each hand-written numeric check in ``source``."""
    finder = _Finder()
    finder.visit(ast.parse(source))
    return finder.found


def _all_checks() -> dict[tuple[str, str], list[int]]:
    found: dict[tuple[str, str], list[int]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        module = path.relative_to(ROOT).as_posix()
        if module == "jobsim/validate.py":
            continue
        for function, line in hand_written_checks(path.read_text(encoding="utf-8")):
            found.setdefault((module, function), []).append(line)
    return found


def test_no_hand_written_number_checks_outside_validate() -> None:
    found = _all_checks()
    unexpected = [
        f"{module}:{lines[0]} in {function}()"
        for (module, function), lines in found.items()
        if (module, function) not in ALLOWED and (module, function) not in PENDING
    ]
    assert not unexpected, (
        "hand-written number/duration/time checks: call jobsim.validate (whole, number, "
        "seconds, epoch; subject=/why=/fix=/error= keep a special wording) instead:\n"
        + "\n".join(unexpected)
    )


def test_every_allowed_check_still_exists() -> None:
    found = _all_checks()
    stale = [
        f"{module} {function}" for module, function in ALLOWED if (module, function) not in found
    ]
    assert not stale, f"remove these from ALLOWED, their check is gone: {stale}"


def test_the_scan_finds_the_shapes_it_looks_for() -> None:
    source = """
import math
def a(x):
    if isinstance(x, bool) or not isinstance(x, int | float):
        raise ValueError(x)
def b(x):
    if not math.isfinite(x):
        raise ValueError(x)
class C:
    def d(self, x):
        if isinstance(x, (int, float)) and x < 0:
            raise ValueError(x)
def e(x):
    if x != x:
        raise ValueError(x)
def ok(x):
    if isinstance(x, int | float):
        return x
    if isinstance(x, str):
        raise ValueError(x)
"""
    assert [name for name, _ in hand_written_checks(source)] == ["a", "b", "C.d", "e"]
