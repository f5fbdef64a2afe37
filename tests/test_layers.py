"""Data flows one way: each module of jobsim/ imports only from its own or lower layers.

The table below places every module (the layering the project's design settled on). Imports
under ``if TYPE_CHECKING:``
are free in any direction, since they never run. A new module must be added to the table, so
its place is a decision rather than an accident. A subpackage may be placed as a whole
(``"redis": 7``): its modules take the package's layer unless listed themselves.
"""

from __future__ import annotations

import ast
import sys
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
    "young_gc": 1,
    "payload": 1,
    "erb": 1,
    "routing": 1,
    "points": 1,
    "stash": 1,
    "profiles": 2,
    "options": 2,
    "gem_options": 2,  # the gems' option schema: shapes only, no behaviour
    "job": 2,
    "job_testing": 2,  # Sidekiq::Testing class verbs, over the active simulator by duck type
    "retry": 2,
    "events": 2,
    "durations": 2,
    "queue_config": 2,
    "sidekiq_config": 2,
    "yaml_input": 1,
    "queues": 3,
    "sets": 3,
    "validate": 0,
    "enqueue": 2,
    "trace": 3,
    "state": 3,
    "middleware": 3,  # the generic Chain container; ecosystem middleware lives in layer 4
    "redis_pool": 3,  # the redis_pool user middleware receives, per simulator
    "redis_clock": 2,  # fakeredis on a virtual clock (imported only when it is installed)
    "client": 4,
    "bulk": 4,  # Client.push_bulk's hash form, over the client
    "processor": 5,
    "engine": 5,
    "fetch_gates": 5,  # what rate-limit gates decide at fetch, for the engine
    "simulator": 6,
    "views": 6,
    "unserved": 6,  # jobs in queues the simulator does not serve
    "set_views": 6,  # the sorted sets of the data API
    "records": 6,  # JobRecord / SortedEntry: one job as the data API hands it out
    "history": 3,  # per-day counters (Stats::History)
    "backtraces": 2,  # reading error_backtrace back
    "settings": 4,
    "plugins": 4,  # the plugin protocol and the per-simulator option watch
    "restore": 6,
    # cron: pure parsing and evaluation, plus its command
    "cron": 2,
    "cron.command": 7,
    "cron.recurring": 7,
    "throttled": 7,  # sidekiq-throttled: a plugin over the simulator's fetch gate
    "limiters": 7,  # Sidekiq Enterprise limiters: a plugin over the chains and the engine
    "cron._cron_push": 7,  # sidekiq-cron's enqueue: pushes through ActiveJob and the client
    "cron.scheduler": 7,
    # ActiveJob: Rails' rules are pure; the jobs themselves sit on the core's job classes
    "active_job": 4,
    "active_job._declarations": 2,
    "active_job._delay": 2,
    "active_job._serialize": 2,
    "active_job._serializers": 2,
    "active_job._callbacks": 2,
    "active_job._versions": 2,
    # adapters (layer 7): the core never imports them
    "cli": 7,
    "__main__": 9,
    "testing": 7,
    "redis": 7,
    "replay": 7,
    "report": 7,
    "fuzz": 7,
    "batches": 7,  # Sidekiq Pro batches: a plugin over the simulator and its chains
    # plugins (layer 7): the ecosystem gems, over the simulator's public face and its chains
    "unique_jobs": 7,
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


def module_exists(name: str) -> bool:
    """Whether ``name`` is a module file or a package folder of jobsim."""
    return module_path(name).exists() or PACKAGE_DIR.joinpath(*name.split(".")).is_dir()


def placed_as(name: str) -> str | None:
    """The table entry that places module ``name``: itself, else its nearest package."""
    parts = name.split(".")
    for size in range(len(parts), 0, -1):
        entry = ".".join(parts[:size])
        if entry in LAYERS:
            return entry
    return None


def layer_of(name: str) -> int | None:
    entry = placed_as(name)
    return None if entry is None else LAYERS[entry]


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
        # ``from jobsim import routing`` / ``from jobsim.redis import _layout``: a name may be
        # a submodule, which is then what the import depends on.
        inside = target.split(".")[1:] if target.split(".")[0] == PACKAGE else None
        for alias in node.names:
            if inside is not None and module_exists(".".join([*inside, alias.name])):
                self.found.append((node.lineno, f"{target}.{alias.name}"))
            elif target == PACKAGE:
                # an unknown name from the package itself: keep it visible to the check
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
            if name in LAYERS or module_exists(name):
                result.append((line, name))
                break
        else:
            result.append((line, ".".join(rest)))
    return result


def test_every_module_is_placed_in_a_layer() -> None:
    missing = [name for name in module_names() if placed_as(name) is None]
    assert not missing, (
        f"jobsim modules without a layer: {missing}; add each (or its subpackage) to LAYERS in "
        f"tests/test_layers.py with its layer ('data flows one way': see this file's docstring)"
    )


def test_the_table_names_only_existing_modules() -> None:
    stale = sorted(name for name in LAYERS if not module_exists(name))
    assert not stale, f"LAYERS names modules that no longer exist: {stale}; remove them"


@pytest.mark.parametrize("module", module_names())
def test_module_imports_only_lower_layers(module: str) -> None:
    where = module_path(module).relative_to(PACKAGE_DIR.parent).as_posix()
    layer = layer_of(module)
    assert layer is not None, (
        f"{where} has no layer; add {module!r} (or its subpackage) to LAYERS in "
        f"tests/test_layers.py"
    )
    upward = []
    for line, target in internal_imports(module):
        if target == module:
            continue
        target_layer = layer_of(target)
        if target_layer is None:
            upward.append(f"line {line}: {target} (not in LAYERS; add it)")
        elif target_layer > layer:
            upward.append(f"line {line}: {target} (layer {target_layer})")
    assert not upward, (
        f"{where} (layer {layer}) imports from higher layers: {'; '.join(upward)}; "
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


def test_subpackages_take_their_layer_unless_listed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = tmp_path / PACKAGE
    (package / "sub").mkdir(parents=True)
    for name in ("__init__.py", "core.py", "sub/__init__.py", "sub/_a.py"):
        (package / name).write_text("", encoding="utf-8")
    (package / "sub" / "_b.py").write_text("from jobsim.sub import _a, helper\n", encoding="utf-8")
    (package / "core.py").write_text("from .sub import _b\n", encoding="utf-8")
    (package / "sub" / "_a.py").write_text("from jobsim import core, errors\n", encoding="utf-8")
    monkeypatch.setattr(sys.modules[__name__], "PACKAGE_DIR", package)
    monkeypatch.setattr(
        sys.modules[__name__], "LAYERS", {"core": 1, "sub": 7, "sub._b": 2, "__init__": 9}
    )
    assert module_names() == ["__init__", "core", "sub", "sub._a", "sub._b"]
    assert (placed_as("sub._a"), layer_of("sub._a")) == ("sub", 7)
    assert (placed_as("sub._b"), layer_of("sub._b")) == ("sub._b", 2)
    assert placed_as("other") is None
    assert internal_imports("sub._b") == [(1, "sub._a"), (1, "sub")]
    assert internal_imports("core") == [(1, "sub._b")]
    with pytest.raises(AssertionError, match=r"jobsim/sub/_b.py \(layer 2\) imports"):
        test_module_imports_only_lower_layers("sub._b")  # _a sits in layer 7
    with pytest.raises(AssertionError, match=r"jobsim/core.py \(layer 1\) imports"):
        test_module_imports_only_lower_layers("core")  # sub._b sits in layer 2
    with pytest.raises(AssertionError, match=r"errors \(not in LAYERS"):
        test_module_imports_only_lower_layers("sub._a")  # core is fine, errors is unplaced
    assert internal_imports("sub._a") == [(1, "core"), (1, "errors")]
