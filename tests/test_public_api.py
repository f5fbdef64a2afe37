"""The public surface: ``jobsim.__all__`` says exactly what the facade offers, and every module
declares its own ``__all__`` and imports cleanly on its own, with warnings as errors."""

from __future__ import annotations

import ast
import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import jobsim

PACKAGE_DIR = Path(jobsim.__file__).resolve().parent
INIT = PACKAGE_DIR / "__init__.py"

#: Names the project's public contract promises at the top level (add freely; rename never).
CONTRACT = ("Job", "Simulator", "job", "JobsimError", "Trace", "Event")


def module_names() -> list[str]:
    """``jobsim`` and every ``jobsim.x`` module, found by file."""
    names = []
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE_DIR).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        names.append(".".join(["jobsim", *parts]))
    return names


def bound_names(tree: ast.Module) -> set[str]:
    """Every name a module's top level binds: imports, assignments, defs and classes."""
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.Import):
            names.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.module == "__future__":
                continue
            names.update(alias.asname or alias.name for alias in node.names)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                names.update(n.id for n in ast.walk(target) if isinstance(n, ast.Name))
        elif isinstance(node, ast.AnnAssign | ast.AugAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
        elif type(node).__name__ == "TypeAlias":  # ``type X = ...`` (Python 3.12+)
            names.add(node.name.id)  # type: ignore[attr-defined]
    return names


def public_names_of_init() -> set[str]:
    tree = ast.parse(INIT.read_text(encoding="utf-8"))
    return {name for name in bound_names(tree) if not name.startswith("_")}


def test_all_lists_exactly_the_public_names_of_the_facade() -> None:
    declared = set(jobsim.__all__)
    defined = public_names_of_init()
    missing = sorted(defined - declared)
    extra = sorted(declared - defined)
    assert not missing, f"jobsim/__init__.py binds {missing} but leaves them out of __all__"
    assert not extra, f"jobsim.__all__ names {extra}, which jobsim/__init__.py does not bind"


def test_all_has_no_private_names_and_no_repeats() -> None:
    private = [name for name in jobsim.__all__ if name.startswith("_")]
    assert not private, f"jobsim.__all__ exports private names {private}"
    repeated = sorted({name for name in jobsim.__all__ if jobsim.__all__.count(name) > 1})
    assert not repeated, f"jobsim.__all__ lists {repeated} more than once"
    assert all(isinstance(name, str) for name in jobsim.__all__)


def test_every_exported_name_resolves() -> None:
    unresolved = [name for name in jobsim.__all__ if not hasattr(jobsim, name)]
    assert not unresolved, f"jobsim.__all__ names {unresolved}, which `import jobsim` lacks"
    namespace: dict[str, object] = {}
    exec("from jobsim import *", namespace)
    assert set(jobsim.__all__) <= set(namespace)


def test_the_design_contract_is_exported() -> None:
    absent = [name for name in CONTRACT if name not in jobsim.__all__]
    assert not absent, f"the public contract names {absent}; export them from jobsim"


def test_exported_errors_share_the_root() -> None:
    errors = [getattr(jobsim, name) for name in jobsim.__all__ if name.endswith(("Error", "Job"))]
    errors = [e for e in errors if isinstance(e, type) and issubclass(e, BaseException)]
    assert errors, "expected the error classes among the exports"
    assert all(issubclass(error, jobsim.JobsimError) for error in errors)


@pytest.mark.parametrize("name", module_names())
def test_module_declares_all_and_its_names_exist(name: str) -> None:
    module = importlib.import_module(name)
    declared = getattr(module, "__all__", None)
    assert declared is not None, f"{name} has no __all__; declare its public names"
    assert isinstance(declared, list | tuple), f"{name}.__all__ is a {type(declared).__name__}"
    assert all(isinstance(item, str) for item in declared), f"{name}.__all__ holds non-strings"
    missing = [item for item in declared if not hasattr(module, item)]
    assert not missing, f"{name}.__all__ names {missing}, which {name} does not define"
    private = [item for item in declared if item.startswith("_")]
    assert not private, f"{name}.__all__ exports private names {private}"
    assert len(set(declared)) == len(declared), f"{name}.__all__ repeats a name"


#: Runs in a fresh ``python -W error``: imports each module named on the command line in a
#: forked child of an interpreter that has not imported jobsim, so every import starts clean
#: (as ``python -W error -c "import jobsim.X"`` would) without paying for an interpreter each.
_IMPORT_EACH = """
import json, os, sys, tempfile, traceback
names = sys.argv[1:]
slots = max(os.cpu_count() or 1, 1)
out = tempfile.mkdtemp(prefix="jobsim-imports-")
children = {}
results = {}

def reap():
    pid, status = os.wait()
    name, path = children.pop(pid)
    with open(path, encoding="utf-8", errors="replace") as file:
        results[name] = [os.waitstatus_to_exitcode(status), file.read()]
    os.remove(path)

for index, name in enumerate(names):
    while len(children) >= slots:
        reap()
    path = os.path.join(out, f"{index}.out")
    pid = os.fork()
    if pid == 0:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        code = 0
        try:
            __import__(name)
        except BaseException:
            traceback.print_exc()
            code = 1
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    children[pid] = (name, path)
while children:
    reap()
os.rmdir(out)
sys.stdout.write(json.dumps(results))
"""


def import_each(names: list[str]) -> dict[str, tuple[int, str]]:
    """``name -> (exit code, output)`` of importing each module alone with warnings as errors."""
    if not hasattr(os, "fork"):  # pragma: no cover - one interpreter per module instead
        results = {}
        for name in names:
            done = subprocess.run(
                [sys.executable, "-W", "error", "-c", f"import {name}"],
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            )
            results[name] = (done.returncode, done.stdout + done.stderr)
        return results
    done = subprocess.run(
        [sys.executable, "-W", "error", "-c", _IMPORT_EACH, *names],
        capture_output=True,
        text=True,
        # Only ends a hung runner; it does not time it. Under load (a shared 2-core machine)
        # importing ~200 modules one process each went past 300 s.
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, f"the import runner failed:\n{done.stderr}"
    return {name: (code, output) for name, (code, output) in json.loads(done.stdout).items()}


@pytest.fixture(scope="module")
def import_results() -> dict[str, tuple[int, str]]:
    return import_each(module_names())


@pytest.mark.parametrize("name", module_names())
def test_module_imports_cleanly_with_warnings_as_errors(
    name: str, import_results: dict[str, tuple[int, str]]
) -> None:
    code, output = import_results[name]
    assert code == 0, f"`python -W error -c 'import {name}'` failed:\n{output}"
    assert output == "", f"importing {name} wrote output:\n{output}"


def test_the_import_check_catches_warnings_errors_and_output(tmp_path: Path) -> None:
    (tmp_path / "warns_at_import.py").write_text(
        "import warnings\nwarnings.warn('deprecated thing', DeprecationWarning)\n",
        encoding="utf-8",
    )
    (tmp_path / "prints_at_import.py").write_text("print('hello')\n", encoding="utf-8")
    (tmp_path / "quiet_module.py").write_text("X = 1\n", encoding="utf-8")
    (tmp_path / "broken_module.py").write_text("import jobsim.no_such_module\n", encoding="utf-8")
    names = ["warns_at_import", "prints_at_import", "quiet_module", "broken_module"]
    path = os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")])
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PYTHONPATH", path)
        results = import_each(names)
    assert results["quiet_module"] == (0, "")
    assert results["warns_at_import"][0] != 0
    assert "DeprecationWarning: deprecated thing" in results["warns_at_import"][1]
    assert results["prints_at_import"] == (0, "hello\n")
    assert results["broken_module"][0] != 0
    assert "ModuleNotFoundError" in results["broken_module"][1]


# -- the checks themselves must be able to fail ----------------------------------------------


def test_bound_names_sees_every_binding_form() -> None:
    tree = ast.parse(
        "from __future__ import annotations\n"
        "import os.path\n"
        "import json as _json\n"
        "from a import b, c as d\n"
        "X = 1\n"
        "Y: int = 2\n"
        "P, Q = 1, 2\n"
        "def f(): pass\n"
        "class K: pass\n"
        "if True:\n"
        "    Hidden = 3\n"
    )
    assert bound_names(tree) == {"os", "_json", "b", "d", "X", "Y", "P", "Q", "f", "K"}
