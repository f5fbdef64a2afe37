"""Runs the Python in the documentation, so the docs cannot drift away from jobsim.

Files: every ``docs/**/*.md`` and ``README.md``. The ```` ```python ```` blocks of one file run in
order, in one fresh namespace per file (``__name__ == "__main__"``), so a page reads like one
session. Warnings are errors here as everywhere in the suite.

Conventions, one for values and one for printed output:

* **Skip**: ``<!-- skip -->`` on the line before a block (blank lines may come between) skips it.
* **Values**: a top-level expression statement followed by a ``# -> VALUE`` comment, on the same
  line or on the lines right after it, is evaluated and checked. A long VALUE continues on the
  next comment lines, each starting with ``#`` and four spaces. If VALUE is a Python literal
  (``ast.literal_eval``) the result must be ``==`` to it; otherwise the result's ``repr()`` must
  equal the text (then keep it on one line). A ``# ->`` after anything but a top-level
  expression is an error, so no check is silently lost.
* **Printed output**: a ```` ```text ```` block that directly follows a python block (only blank
  lines between) is exactly what that block prints; trailing spaces and blank lines are ignored.

README.md is written in another style: its tour puts results as plain comments on the lines
under an expression (``# [('retry_scheduled', …)]``). There, comment lines that together form a
Python literal (without ``...``) are checked like a ``# ->`` value; other comments are prose.

The tests at the end keep the reference pages complete: the profile table must equal
``jobsim.PROFILES``, and every event kind, error class and public ``Simulator`` member must be
mentioned on its reference page.
"""

from __future__ import annotations

import ast
import contextlib
import dataclasses
import io
import re
import tokenize
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

import jobsim

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
README = ROOT / "README.md"

_FENCE = re.compile(r"^(?P<indent>\s*)```(?P<lang>[\w-]*)\s*$")
_SKIP = "<!-- skip -->"
_ARROW = re.compile(r"^#\s*->\s?(?P<value>.*)$")
_CONTINUATION = "#    "


@dataclass
class Block:
    """One fenced code block of a markdown file."""

    lang: str
    start: int  # 1-based line number of the first code line
    code: str
    skip: bool = False
    output: Block | None = None  # the ```text block right after a python block


@dataclass
class Expectation:
    """A value a statement must evaluate to, written in a comment."""

    line: int
    text: str
    lines: list[str] = field(default_factory=list)


def markdown_files() -> list[Path]:
    """Every file the doc test runs, docs first, in a stable order."""
    files = sorted(DOCS.rglob("*.md")) if DOCS.is_dir() else []
    if README.is_file():
        files.append(README)
    return files


def parse_blocks(text: str) -> list[Block]:
    """The fenced blocks of ``text``, each python block paired with a following text block."""
    lines = text.splitlines()
    blocks: list[Block] = []
    ends: list[int] = []  # index of each block's closing fence
    index = 0
    while index < len(lines):
        match = _FENCE.match(lines[index])
        if match is None:
            index += 1
            continue
        indent = len(match["indent"])
        body: list[str] = []
        close = index + 1
        while close < len(lines) and lines[close].strip() != "```":
            body.append(lines[close][indent:])
            close += 1
        previous = index - 1
        while previous >= 0 and not lines[previous].strip():
            previous -= 1
        skip = previous >= 0 and lines[previous].strip() == _SKIP
        block = Block(match["lang"], index + 2, "\n".join(body) + "\n", skip)
        if blocks and block.lang == "text" and blocks[-1].lang == "python":
            between = lines[ends[-1] + 1 : index]
            if all(not line.strip() for line in between):
                blocks[-1].output = block
        blocks.append(block)
        ends.append(close)
        index = close + 1
    return blocks


def _comments(code: str) -> list[tuple[int, int, str]]:
    """``(line, column, text)`` of every comment in ``code``."""
    found = []
    for token in tokenize.generate_tokens(io.StringIO(code).readline):
        if token.type == tokenize.COMMENT:
            found.append((token.start[0], token.start[1], token.string))
    return found


def arrow_expectations(code: str) -> list[Expectation]:
    """The ``# -> VALUE`` comments of a block, continuation lines folded in."""
    comments = _comments(code)
    expectations: list[Expectation] = []
    for position, (line, _column, text) in enumerate(comments):
        match = _ARROW.match(text)
        if match is None:
            continue
        expectation = Expectation(line, match["value"], [match["value"]])
        following = line + 1
        for later_line, _later_column, later in comments[position + 1 :]:
            if later_line != following or not later.startswith(_CONTINUATION):
                break
            expectation.lines.append(later[len(_CONTINUATION) :])
            following += 1
        expectations.append(expectation)
    return expectations


def readme_expectations(code: str, tree: ast.Module) -> list[Expectation]:
    """README style: literal comment lines right under a top-level expression."""
    comments = {line: text for line, column, text in _comments(code) if column == 0}
    found: list[Expectation] = []
    for stmt in tree.body:
        if not isinstance(stmt, ast.Expr) or stmt.end_lineno is None:
            continue
        lines: list[str] = []
        line = stmt.end_lineno + 1
        while line in comments:
            lines.append(comments[line].removeprefix("#").strip())
            line += 1
        if not lines:
            continue
        text = "\n".join(lines)
        try:
            value = ast.literal_eval(text)
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            continue  # a prose comment, not a result
        if "..." in text or value is Ellipsis:
            continue
        found.append(Expectation(stmt.end_lineno + 1, text, lines))
    return found


def _expected_matches(result: Any, expectation: Expectation) -> tuple[bool, str]:
    text = "\n".join(expectation.lines)
    try:
        wanted = ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        shown = " ".join(part.strip() for part in expectation.lines)
        return repr(result) == shown, repr(result)
    return bool(result == wanted) and type(result) is type(wanted), repr(result)


def _normalise(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip("\n").splitlines()).rstrip()


def run_block(block: Block, namespace: dict[str, Any], path: Path, *, readme: bool) -> None:
    """Execute one block statement by statement, checking its expectations."""
    where = f"{path.relative_to(ROOT)}:{block.start}"
    tree = ast.parse(block.code, filename=where)
    expectations = arrow_expectations(block.code)
    if readme:
        expectations += readme_expectations(block.code, tree)
    body = tree.body
    owners: dict[int, Expectation] = {}
    for expectation in expectations:
        owner = None
        for number, stmt in enumerate(body):
            next_start = body[number + 1].lineno if number + 1 < len(body) else 10**9
            end = stmt.end_lineno or stmt.lineno
            if end <= expectation.line < next_start:
                owner = number
        if owner is None or not isinstance(body[owner], ast.Expr):
            line = block.start + expectation.line - 1
            pytest.fail(
                f"{path.relative_to(ROOT)}:{line}: a '# ->' value must follow a top-level "
                f"expression statement"
            )
        owners[owner] = expectation
    offset = block.start - 1
    filename = str(path)
    captured = io.StringIO()
    with contextlib.redirect_stdout(captured):
        for number, stmt in enumerate(body):
            ast.increment_lineno(stmt, offset)
            expectation = owners.get(number)
            if expectation is None:
                code = compile(ast.Module([stmt], type_ignores=[]), filename, "exec")
                exec(code, namespace)
                continue
            assert isinstance(stmt, ast.Expr)
            expression = compile(ast.Expression(stmt.value), filename, "eval")
            result = eval(expression, namespace)
            ok, shown = _expected_matches(result, expectation)
            if not ok:
                line = block.start + expectation.line - 1
                pytest.fail(
                    f"{path.relative_to(ROOT)}:{line}: the docs say\n"
                    f"    {chr(10).join(expectation.lines)}\n"
                    f"but the expression gives\n    {shown}"
                )
    if block.output is not None:
        wanted = _normalise(block.output.code)
        got = _normalise(captured.getvalue())
        if got != wanted:
            pytest.fail(
                f"{where}: the ```text block at line {block.output.start} shows\n{wanted}\n\n"
                f"but the block printed\n{got}"
            )


def run_markdown(path: Path) -> int:
    """Run every python block of ``path``; returns how many ran."""
    namespace: dict[str, Any] = {"__name__": "__main__"}
    ran = 0
    for block in parse_blocks(path.read_text(encoding="utf-8")):
        if block.lang != "python" or block.skip:
            continue
        run_block(block, namespace, path, readme=path == README)
        ran += 1
    return ran


@pytest.mark.parametrize("path", markdown_files(), ids=lambda path: str(path.relative_to(ROOT)))
def test_python_blocks_run_and_show_true_results(path: Path) -> None:
    run_markdown(path)


def test_docs_exist_and_contain_code() -> None:
    pages = {str(path.relative_to(ROOT)) for path in markdown_files()}
    for page in (
        "docs/index.md",
        "docs/tutorial/first-simulation.md",
        "docs/how-to/retries-and-dead-set.md",
        "docs/how-to/scheduling.md",
        "docs/reference/simulator.md",
        "docs/reference/events.md",
        "docs/reference/profiles.md",
        "docs/reference/errors.md",
        "docs/reference/jobs-and-options.md",
        "docs/explanation/determinism.md",
        "docs/glossary.md",
    ):
        assert page in pages
    tutorial = (DOCS / "tutorial" / "first-simulation.md").read_text(encoding="utf-8")
    assert sum(block.lang == "python" for block in parse_blocks(tutorial)) >= 5


# -- the checker checks itself --------------------------------------------------------------


def test_checker_catches_a_wrong_value() -> None:
    block = parse_blocks("```python\n1 + 1  # -> 3\n```\n")[0]
    with pytest.raises(pytest.fail.Exception, match="gives"):
        run_block(block, {}, ROOT / "docs" / "x.md", readme=False)


def test_checker_catches_wrong_printed_output() -> None:
    text = "```python\nprint('a')\n```\n\n```text\nb\n```\n"
    block = parse_blocks(text)[0]
    assert block.output is not None
    with pytest.raises(pytest.fail.Exception, match="printed"):
        run_block(block, {}, ROOT / "docs" / "x.md", readme=False)


def test_checker_reads_continuations_skips_and_readme_comments() -> None:
    text = (
        "<!-- skip -->\n\n```python\nraise SystemExit\n```\n"
        "```python\n[1,\n 2]\n# -> [1,\n#     2]\nx = 1\n```\n"
    )
    blocks = parse_blocks(text)
    assert blocks[0].skip
    assert not blocks[1].skip
    run_block(blocks[1], {}, ROOT / "docs" / "x.md", readme=False)
    code = "(1, 2)\n# (1,\n#  2)\nlen('ab')  # prose\n# not a literal\n"
    tree = ast.parse(code)
    assert [e.text for e in readme_expectations(code, tree)] == ["(1,\n2)"]


def test_checker_refuses_an_arrow_after_an_assignment() -> None:
    block = parse_blocks("```python\nx = 2  # -> 2\n```\n")[0]
    with pytest.raises(pytest.fail.Exception, match="top-level expression"):
        run_block(block, {}, ROOT / "docs" / "x.md", readme=False)


# -- reference pages stay complete -----------------------------------------------------------

_PROFILE_NAMES = ("sidekiq-6.4", "sidekiq-7", "sidekiq-8")
_TABLE_START = "<!-- profiles-table:start -->"
_TABLE_END = "<!-- profiles-table:end -->"


def _cell(value: Any) -> str:
    if value is None:
        return "`None`"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and value >= 10_000:
        return f"`{value:_}`"
    return f"`{value!r}`" if isinstance(value, str) else f"`{value}`"


def profile_table_rows() -> list[list[str]]:
    """Field name and its value in each profile, as the table in profiles.md shows them."""
    rows = []
    for spec in dataclasses.fields(jobsim.Profile):
        values = [_cell(getattr(jobsim.PROFILES[name], spec.name)) for name in _PROFILE_NAMES]
        rows.append([f"`{spec.name}`", *values])
    return rows


def test_profiles_table_is_generated_from_PROFILES() -> None:
    assert tuple(jobsim.PROFILES) == _PROFILE_NAMES, "a profile was added: add a column"
    text = (DOCS / "reference" / "profiles.md").read_text(encoding="utf-8")
    table = text.split(_TABLE_START, 1)[1].split(_TABLE_END, 1)[0]
    rows = [
        [cell.strip() for cell in line.strip().strip("|").split("|")]
        for line in table.strip().splitlines()[2:]
    ]
    shown = [row[:4] for row in rows]
    expected = profile_table_rows()
    if shown != expected:
        lines = "\n".join(f"| {' | '.join(row)} | … |" for row in expected)
        pytest.fail(f"docs/reference/profiles.md's table is stale; its first columns are:\n{lines}")


def test_events_page_covers_every_event_kind() -> None:
    text = (DOCS / "reference" / "events.md").read_text(encoding="utf-8")
    missing = [kind for kind in jobsim.EVENT_KINDS if f"### `{kind}`" not in text]
    assert not missing, f"docs/reference/events.md has no section for {missing}"


def test_errors_page_covers_every_error() -> None:
    text = (DOCS / "reference" / "errors.md").read_text(encoding="utf-8")
    names = [name for name in jobsim.errors.__all__ if f"`{name}`" not in text]
    assert not names, f"docs/reference/errors.md does not mention {names}"


def test_simulator_page_covers_every_public_member() -> None:
    text = (DOCS / "reference" / "simulator.md").read_text(encoding="utf-8")
    public = [name for name in dir(jobsim.Simulator) if not name.startswith("_")]
    public += ["seed", "concurrency", "scheduled", "retries", "dead", "stats"]
    missing = sorted({name for name in public if not re.search(rf"[`.]{name}\b", text)})
    assert not missing, f"docs/reference/simulator.md does not describe {missing}"


_LINK = re.compile(r"\]\((?P<target>[^)#\s]+)(?:#[^)]*)?\)")


def test_relative_links_point_at_files() -> None:
    broken = []
    for path in markdown_files():
        for match in _LINK.finditer(path.read_text(encoding="utf-8")):
            target = match["target"]
            if "://" in target or target.startswith("mailto:"):
                continue
            if not (path.parent / target).exists():
                broken.append(f"{path.relative_to(ROOT)} -> {target}")
    assert not broken, "broken links:\n" + "\n".join(broken)
