"""The README as a newcomer uses it: two set-up commands, and a tour that runs as pasted.

``tests/test_docs.py`` already runs the README's python blocks in-process; here the tour is
written to a file and run by a fresh interpreter, exactly as a reader would paste it, and the
set-up commands are held to what CI really runs.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
_FENCED = re.compile(r"^```(?P<lang>\w*)\n(?P<body>.*?)^```\n", re.DOTALL | re.MULTILINE)


def fenced(section: str) -> list[tuple[str, str]]:
    """The (language, body) of each fenced block under the README heading ``## section``."""
    start = README.index(f"## {section}\n")
    end = README.find("\n## ", start + 1)
    return [(m["lang"], m["body"]) for m in _FENCED.finditer(README[start:end])]


def setup_commands() -> list[str]:
    blocks = fenced("Set up")
    assert [lang for lang, _ in blocks] == ["sh", "sh"], "the README gives exactly two commands"
    return [body.strip() for _, body in blocks]


def test_the_tour_is_the_tour_script() -> None:
    (lang, code), (output_lang, _) = fenced("A 30-second tour")[:2]
    assert (lang, output_lang) == ("python", "text")
    script = (ROOT / "examples" / "tour.py").read_text(encoding="utf-8")
    docstring_end = script.index('"""', 3) + 3
    assert script[docstring_end:].lstrip("\n") == code


def test_the_tour_pasted_into_a_file_prints_what_the_readme_shows(tmp_path: Path) -> None:
    (_, code), (_, shown) = fenced("A 30-second tour")[:2]
    pasted = tmp_path / "tour.py"
    pasted.write_text(code, encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-W", "error", str(pasted)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout == shown


def test_ci_runs_the_readmes_test_command_verbatim() -> None:
    _, test_command = setup_commands()
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert test_command in ci.splitlines()


def test_the_install_commands_run_part_works_through_the_console_script(tmp_path: Path) -> None:
    install_command, _ = setup_commands()
    assert install_command.startswith("pip install -e '.[all]' && jobsim ")
    executable = shutil.which("jobsim", path=str(Path(sys.executable).parent))
    if executable is None:
        pytest.fail("the jobsim console script is not installed next to this Python")
    argv = install_command.split(" && ", 1)[1].split()
    argv = [str(tmp_path / a) if a.endswith(".html") else a for a in argv]
    run = subprocess.run(
        [executable, *argv[1:]],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "shop.html").stat().st_size > 10_000
