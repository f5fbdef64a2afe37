"""No module of jobsim keeps per-simulator state: extension state lives in ``sim.stash``.

A module-level store that decides behaviour makes tests depend on their order (an option one
test registered was valid in the next). This test lists what may still live in a module and
why; anything new fails here, so its place is a decision rather than an accident.
"""

from __future__ import annotations

import ast
from pathlib import Path

import jobsim

PACKAGE_DIR = Path(jobsim.__file__).resolve().parent

#: Module-level names that are rebound or hold mutable per-process state, each with its reason.
ALLOWED = {
    # Diagnostics only: which simulators were activated lately, for "the job went elsewhere".
    ("routing.py", "_generation"),
    ("routing.py", "_recent"),
    ("routing.py", "_missed"),
    # The GC threshold is the process's, so the count of engine runs holding it is too.
    ("young_gc.py", "_holders"),
    ("young_gc.py", "_saved"),
    # Job ids of ActiveJob instances made with no simulator active (never uuid4).
    ("active_job/_base.py", "_fallback_ids"),
    # Memos of pure functions (a month's day list, a zone's offsets, civil dates): the answer is
    # the same with or without them.
    ("cron/_fugit_rules.py", "_MONTH_DAYS"),
    ("cron/_offsets.py", "_TABLES"),
    ("cron/_offsets.py", "_CIVIL"),
    # Shared empty mappings typed read-only (Mapping), never written.
    ("events.py", "_EMPTY"),
    ("trace.py", "NO_DETAIL"),
    ("__main__.py", "__all__"),
}

#: Calls whose result is a store: a module-level name bound to one is per-process state.
STORES = {"WeakKeyDictionary", "WeakValueDictionary", "deque", "count", "defaultdict", "Counter"}


def _is_store(value: ast.expr | None) -> bool:
    # An empty dict, list or set at module level is there to be filled; so is a store call.
    if isinstance(value, ast.Dict | ast.List | ast.Set):
        return not (value.keys if isinstance(value, ast.Dict) else value.elts)
    if isinstance(value, ast.Call):
        func = value.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        return name in STORES or (name in ("dict", "list", "set") and not value.args)
    return False


def _stores(tree: ast.Module) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Global):
            found.update(node.names)
    for node in tree.body:
        value = node.value if isinstance(node, ast.Assign | ast.AnnAssign) else None
        if _is_store(value):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            found.update(t.id for t in targets if isinstance(t, ast.Name))
    return found


def test_module_level_state_is_only_what_is_listed() -> None:
    found = set()
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        where = path.relative_to(PACKAGE_DIR).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        found.update((where, name) for name in _stores(tree))
    assert found - ALLOWED == set(), "new module-level state: keep it in sim.stash instead"
    assert ALLOWED - found == set(), "listed state is gone: remove it from ALLOWED"
