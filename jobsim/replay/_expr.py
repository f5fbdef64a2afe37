"""``--retry-in "expression of count"`` (layer 7): a small arithmetic language, parsed with
:mod:`ast` and evaluated by walking the tree; never :func:`eval`.

Allowed: numbers, the name ``count``, ``+ - * / // % **``, unary minus, parentheses and the
functions ``min``, ``max`` and ``abs``. ``10 * (count + 1)`` or ``min(count ** 2 * 30, 3600)``.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable
from typing import Any

from jobsim import validate
from jobsim.errors import JobsimError

__all__ = ["compile_count_expression"]

_BINARY: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}
_FUNCTIONS: dict[str, Callable[..., Any]] = {"min": min, "max": max, "abs": abs}
#: Exponents above this are refused, so ``count ** 10 ** 9`` cannot hang the process.
MAX_EXPONENT = 64


#: What to write instead, the tail of every refusal of an expression.
ADVICE = (
    "write arithmetic of `count` with numbers, + - * / // % **, parentheses, min(), max() and "
    "abs(), e.g. '10 * (count + 1)'"
)


def _fail(text: str, why: str) -> JobsimError:
    return validate.refuse(
        "--retry-in", text, "", subject=f"--retry-in {text!r}", why=why, fix=ADVICE
    )


def _check(node: ast.AST, text: str) -> None:
    if isinstance(node, ast.Expression):
        _check(node.body, text)
    elif isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, int | float):
            raise _fail(text, f"{node.value!r} is not a number")
    elif isinstance(node, ast.Name):
        if node.id != "count":
            raise _fail(text, f"unknown name {node.id!r} (only `count` is defined)")
    elif isinstance(node, ast.BinOp):
        if type(node.op) not in _BINARY:
            raise _fail(text, f"operator {type(node.op).__name__} is not allowed")
        _check(node.left, text)
        _check(node.right, text)
    elif isinstance(node, ast.UnaryOp):
        if not isinstance(node.op, ast.USub | ast.UAdd):
            raise _fail(text, f"operator {type(node.op).__name__} is not allowed")
        _check(node.operand, text)
    elif isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name) or node.func.id not in _FUNCTIONS:
            raise _fail(text, "only min(), max() and abs() may be called")
        if node.keywords or not node.args:
            raise _fail(text, f"{node.func.id}() takes positional arguments only")
        for arg in node.args:
            _check(arg, text)
    else:
        raise _fail(text, f"{type(node).__name__} is not allowed")


def _evaluate(node: ast.AST, count: int, text: str) -> Any:
    if isinstance(node, ast.Expression):
        return _evaluate(node.body, count, text)
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        return count
    if isinstance(node, ast.BinOp):
        left = _evaluate(node.left, count, text)
        right = _evaluate(node.right, count, text)
        if isinstance(node.op, ast.Pow) and abs(right) > MAX_EXPONENT:
            raise _fail(text, f"exponent {right!r} is larger than {MAX_EXPONENT}")
        try:
            return _BINARY[type(node.op)](left, right)
        except (ZeroDivisionError, OverflowError) as error:
            raise _fail(text, f"{error} at count={count}") from None
    if isinstance(node, ast.UnaryOp):
        value = _evaluate(node.operand, count, text)
        return -value if isinstance(node.op, ast.USub) else value
    assert isinstance(node, ast.Call)  # checked before
    assert isinstance(node.func, ast.Name)
    return _FUNCTIONS[node.func.id](*(_evaluate(arg, count, text) for arg in node.args))


def compile_count_expression(text: str) -> Callable[[int], float]:
    """A function of ``count`` from ``text``; raises InvalidArgument naming what is wrong."""
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as error:
        raise _fail(text, f"not an expression ({error.msg})") from None
    _check(tree, text)

    def delay(count: int) -> float:
        value = _evaluate(tree, count, text)
        return validate.number(
            value,
            name="--retry-in",
            subject=f"--retry-in {text!r}",
            why=f"gives {value!r} at count={count}, not a finite number",
            fix=ADVICE,
        )

    return delay
