"""The reference pages, ``__all__`` and the objects stay in step.

``docs/reference/simulator.md`` lists exactly the public members of :class:`jobsim.Simulator`
(its member tables, the constructor's classmethod and the sections named after a member);
``docs/reference/errors.md`` names every class of ``jobsim.errors.__all__``; and every name of
``jobsim.__all__`` is documented somewhere under ``docs/``. A member added without its row,
or a row left behind by a removed member, fails here.
"""

from __future__ import annotations

import re
from pathlib import Path

import jobsim
import jobsim.errors

DOCS = Path(__file__).resolve().parent.parent / "docs"
SIMULATOR_PAGE = DOCS / "reference" / "simulator.md"

#: Tables whose first column names members (the others list arguments, modes or profiles).
_MEMBER_TABLE = re.compile(r"^\| (member|verb) \|")
_FIRST_CELL = re.compile(r"^\| ([^|]*) \|")
_NAME = re.compile(r"`([A-Za-z_][A-Za-z0-9_]*)")
_HEADING_MEMBER = re.compile(r"`(?:Simulator\.)?([a-z_][a-z0-9_]*)\(")


def documented_simulator_members() -> set[str]:
    """Names in the first column of the page's member tables, plus members named with a
    call in a heading (``## Where is a job: `locate(jid)```)."""
    names: set[str] = set()
    in_table = False
    for line in SIMULATOR_PAGE.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            names.update(_HEADING_MEMBER.findall(line))
            in_table = False
            continue
        if _MEMBER_TABLE.match(line):
            in_table = True
            continue
        if not line.startswith("|"):
            in_table = False
            continue
        cell = _FIRST_CELL.match(line)
        if in_table and cell is not None:
            names.update(_NAME.findall(cell.group(1)))
    return names


def public_simulator_members() -> set[str]:
    sim = jobsim.Simulator()
    return {name for name in dir(sim) if not name.startswith("_")}


#: Rows of the page's member tables that describe what a member returns, not the simulator.
_VIEW_MEMBERS = {
    # queue(name) and the sorted-set views
    "name", "size", "len", "latency", "jobs", "find_job", "delete", "clear", "retry",
    "add_to_queue", "kill", "reschedule", "retry_all", "kill_all",
    "fetch", "scan", "delete_by_jid",
    # the records a queue or set hands out (JobRecord, SortedEntry)
    "jid", "klass", "args", "tags", "display_class", "display_args", "enqueued_at",
    "created_at", "error_backtrace", "has_error",
    # stats
    "processed", "failed", "enqueued", "scheduled_size", "retry_size", "dead_size",
    "by_queue", "as_dict", "busy_seconds", "default_queue_latency", "reset", "history",
}  # fmt: skip


def test_the_simulator_page_lists_exactly_the_public_members() -> None:
    documented = documented_simulator_members()
    public = public_simulator_members()
    missing = sorted(public - documented)
    assert not missing, f"public Simulator members without a row in {SIMULATOR_PAGE}: {missing}"
    stale = sorted(documented - public - _VIEW_MEMBERS)
    assert not stale, f"rows in {SIMULATOR_PAGE} naming no public Simulator member: {stale}"


def test_the_simulator_keeps_its_plumbing_private() -> None:
    public = public_simulator_members()
    for plumbing in ("enqueue_job", "keeps_dropped_in_bulk", "restore"):
        assert plumbing not in public


def test_the_errors_page_names_every_error() -> None:
    page = (DOCS / "reference" / "errors.md").read_text(encoding="utf-8")
    missing = [name for name in jobsim.errors.__all__ if f"`{name}`" not in page]
    assert not missing


def test_every_name_of_the_facade_is_documented() -> None:
    text = "\n".join(path.read_text(encoding="utf-8") for path in sorted(DOCS.rglob("*.md")))
    missing = [name for name in jobsim.__all__ if not re.search(rf"\b{re.escape(name)}\b", text)]
    assert not missing, f"jobsim.__all__ names no page under docs/ mentions: {missing}"
