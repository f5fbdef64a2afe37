"""Data flows one way: each module of jobsim/ imports only from its own or lower layers.

The table below places every module (DESIGN.md, "Layers"). Imports under ``if TYPE_CHECKING:``
are free in any direction, since they never run. A new module must be added to the table, so
its place is a decision rather than an accident.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import jobsim

PACKAGE = "jobsim"
PACKAGE_DIR = Path(jobsim.__file__).resolve().parent

#: module name (without the package) -> layer
LAYERS: dict[str, int] = {
    "errors": 0,
    "clock": 1,
    "rng": 1,
    "payload": 1,
    "routing": 1,
    "profiles": 2,
    "options": 2,
    "job": 2,
    "retry": 2,
    "events": 2,
    "durations": 2,
    "queue_config": 2,
    "sidekiq_config": 2,
    "queues": 3,
    "sets": 3,
    "trace": 3,
    "state": 3,
    "middleware": 3,  # the generic Chain container; ecosystem middleware lives in layer 4
    "client": 4,
    "processor": 5,
    "engine": 5,
    "simulator": 6,
    "views": 6,
    # adapters (layer 7): the core never imports them
    "cli": 7,
    "__main__": 9,
    "testing": 7,
    "testing._arguments": 7,
    "testing._records": 7,
    "testing._messages": 7,
    "testing._matchers": 7,
    "testing._report": 7,
    "testing._helpers": 7,
    "testing._options": 7,
    "testing._freeze": 7,
    "__init__": 9,  # the facade may import everything
}


def module_names() -> list[str]:
    """Every module of the package, by file, including subpackages (``a.b`` for a/b.py)."""
    names = []
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE_DIR).with_suffix("").parts)
        if len(parts) > 1 and parts[-1] == "__init__":
            parts.pop()
        names.append(".".join(parts))
    return names


def module_path(name: str) -> Path:
    path = PACKAGE_DIR.joinpath(*name.split(".")).with_suffix(".py")
    return path if path.exists() else PACKAGE_DIR.joinpath(*name.split("."), "__init__.py")


def _is_type_checking(test: ast.expr) -> bool:
    """``TYPE_CHECKING`` or ``typing.TYPE_CHECKING`` (or any ``x.TYPE_CHECKING``)."""
    if isinstance(test, ast.Name):
        return test.id == "TYPE_CHECKING"
    return isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"


class _ImportCollector(ast.NodeVisitor):
    """Every import that runs, as ``(line, absolute dotted target)``; skips TYPE_CHECKING."""

    def __init__(self, module: str) -> None:
        self.module = module
        # The package a relative import starts from: jobsim for jobsim/x.py and jobsim/__init__.py,
        # jobsim.a for jobsim/a/__init__.py and jobsim/a/b.py.
        if module == "__init__":
            self.package = [PACKAGE]
        elif module_path(module).name == "__init__.py":
            self.package = [PACKAGE, *module.split(".")]
        else:
            self.package = [PACKAGE, *module.split(".")[:-1]]
        self.found: list[tuple[int, str]] = []

    def visit_If(self, node: ast.If) -> None:
        if _is_type_checking(node.test):
            for child in node.orelse:  # the else branch does run
                self.visit(child)
            return
        self.generic_visit(node)

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self.found.append((node.lineno, alias.name))

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level:
            base = ".".join(self.package[: len(self.package) - node.level + 1])
            target = f"{base}.{node.module}" if node.module else base
        else:
            target = node.module or ""
        if target == PACKAGE:
            # ``from jobsim import routing``: each name may be a submodule.
            for alias in node.names:
                self.found.append((node.lineno, f"{PACKAGE}.{alias.name}"))
        else:
            self.found.append((node.lineno, target))


def internal_imports(module: str) -> list[tuple[int, str]]:
    """The jobsim modules ``module`` imports at run time, as ``(line, name-in-table)``."""
    tree = ast.parse(module_path(module).read_text(encoding="utf-8"))
    collector = _ImportCollector(module)
    collector.visit(tree)
    result = []
    for line, target in collector.found:
        parts = target.split(".")
        if parts[0] != PACKAGE:
            continue
        rest = parts[1:]
        if not rest:
            result.append((line, "__init__"))
            continue
        # the longest known prefix: ``jobsim.a.b`` is module a.b if it exists, else a
        for size in range(len(rest), 0, -1):
            name = ".".join(rest[:size])
            if name in LAYERS or module_path(name).exists():
                result.append((line, name))
                break
        else:
            result.append((line, ".".join(rest)))
    return result


def test_every_module_is_placed_in_a_layer() -> None:
    missing = [name for name in module_names() if name not in LAYERS]
    assert not missing, (
        f"jobsim modules without a layer: {missing}; add each to LAYERS in "
        f"tests/test_layers.py with its layer from DESIGN.md ('Layers: data flows one way')"
    )


def test_the_table_names_only_existing_modules() -> None:
    stale = sorted(set(LAYERS) - set(module_names()))
    assert not stale, f"LAYERS names modules that no longer exist: {stale}; remove them"


@pytest.mark.parametrize("module", module_names())
def test_module_imports_only_lower_layers(module: str) -> None:
    assert module in LAYERS, (
        f"jobsim/{module}.py has no layer; add {module!r} to LAYERS in tests/test_layers.py"
    )
    layer = LAYERS[module]
    upward = []
    for line, target in internal_imports(module):
        if target == module:
            continue
        target_layer = LAYERS.get(target)
        if target_layer is None:
            upward.append(f"line {line}: {target} (not in LAYERS; add it)")
        elif target_layer > layer:
            upward.append(f"line {line}: {target} (layer {target_layer})")
    assert not upward, (
        f"jobsim/{module}.py (layer {layer}) imports from higher layers: {'; '.join(upward)}; "
        f"move the shared code down, pass it in, or import it under `if TYPE_CHECKING:`"
    )


# -- the checker itself must be able to fail -------------------------------------------------


def _imports_of(source: str, module: str = "clock") -> list[str]:
    collector = _ImportCollector(module)
    collector.visit(ast.parse(source))
    return [target for _, target in collector.found]


def test_checker_sees_every_import_form() -> None:
    source = (
        "import jobsim.simulator\n"
        "from jobsim.engine import Engine\n"
        "from jobsim import views\n"
        "from . import client\n"
        "from .state import SimState\n"
        "def f():\n"
        "    from jobsim.processor import Processor\n"
        "try:\n"
        "    import jobsim.trace\n"
        "except ImportError:\n"
        "    pass\n"
    )
    assert _imports_of(source) == [
        "jobsim.simulator",
        "jobsim.engine",
        "jobsim.views",
        "jobsim.client",
        "jobsim.state",
        "jobsim.processor",
        "jobsim.trace",
    ]


def test_checker_skips_type_checking_blocks_only() -> None:
    source = (
        "import typing\n"
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from jobsim.simulator import Simulator\n"
        "if typing.TYPE_CHECKING:\n"
        "    from jobsim.engine import Engine\n"
        "else:\n"
        "    from jobsim.views import Stats\n"
        "if True:\n"
        "    from jobsim.client import Client\n"
    )
    assert _imports_of(source) == ["typing", "typing", "jobsim.views", "jobsim.client"]


def test_real_modules_have_the_expected_edges() -> None:
    """A sanity check that the walk finds real imports (so an empty walk cannot pass)."""
    simulator = {target for _, target in internal_imports("simulator")}
    assert {"engine", "client", "state", "routing", "views"} <= simulator
    job = {target for _, target in internal_imports("job")}
    assert "routing" in job  # written as ``from jobsim import routing``
    state = {target for _, target in internal_imports("state")}
    assert "job" not in state  # only under TYPE_CHECKING there
