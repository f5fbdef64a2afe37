"""A stateless middleware offering ``passes`` that is alone in its chain is called directly.

The client and the processor then skip the ``call_next`` closure (and, on the server, the
parsed copy of the job). Nothing else may change: the same middleware run through the chain
(made per call, so the chain runs ``call``) gives the same trace bytes.
"""

from __future__ import annotations

import io
from typing import Any, ClassVar

import pytest

import jobsim
from jobsim.middleware import Chain
from tests.conftest import START


class Gate:
    """Refuses pushes of "x" (client) and skips odd numbers (server); tags what it keeps."""

    stateless: ClassVar[bool] = True
    seen: ClassVar[list[Any]] = []

    def call(self, subject: Any, job: dict[str, Any], queue: str, call_next: Any) -> Any:
        return call_next() if self.passes(subject, job, queue) else None

    def passes(self, subject: Any, job: dict[str, Any], queue: str) -> bool:
        Gate.seen.append(job)
        first = job["args"][0]
        if isinstance(subject, type):  # client side: it may write into the hash it pushes
            job["tag"] = "kept"
            return first != "x"
        return not (isinstance(first, int) and first % 2)


class Other:
    stateless = True

    def call(self, subject: Any, job: dict[str, Any], queue: str, call_next: Any) -> Any:
        return call_next()


class Collect(jobsim.Job):
    done: ClassVar[list[Any]] = []

    def perform(self, value: Any, box: list[Any] | None = None) -> None:
        if box is not None:
            box.append("changed in perform")  # must not reach the stored job
        Collect.done.append(value)
        if value == 4 and Collect.done.count(4) == 1:
            raise RuntimeError("four fails once")


@pytest.fixture(autouse=True)
def _clear() -> None:
    Gate.seen.clear()
    Collect.done.clear()


def test_the_sole_middleware_is_the_one_offering_passes() -> None:
    chain = Chain("server")
    assert chain.sole is None
    chain.add(Gate)
    assert isinstance(chain.sole, Gate)
    chain.add(Other)
    assert chain.sole is None  # two: the chain runs
    chain.remove(Gate)
    assert chain.sole is None  # alone, but without passes
    chain.remove(Other)
    chain.prepend(Gate)
    assert isinstance(chain.sole, Gate)
    chain.clear()
    assert chain.sole is None


def test_a_middleware_made_per_call_is_never_sole(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Gate, "stateless", False)
    chain = Chain("client")
    chain.add(Gate)
    assert chain.sole is None


def run() -> str:
    sim = jobsim.Simulator(seed=5, start=START, jitter="min")
    sim.client_middleware.add(Gate)
    sim.server_middleware.add(Gate)
    with sim:
        assert Collect.perform_async("x") is None
        for value in (1, 2, 4):
            Collect.perform_async(value, [])
    sim.drain()
    out = io.StringIO()
    sim.trace.to_jsonl(out)
    return out.getvalue()


def test_passes_decides_as_call_would(monkeypatch: pytest.MonkeyPatch) -> None:
    direct = run()
    assert Collect.done == [2, 4, 4]  # 1 skipped; 4 failed once and ran again
    assert '"reason":"client middleware Gate stopped the push (client)"' in direct
    assert '"skipped_by":"Gate"' in direct
    assert '"tag":"kept"' in direct
    assert "changed in perform" not in direct
    monkeypatch.setattr(Gate, "stateless", False)
    Collect.done.clear()
    assert run() == direct


def test_the_server_side_passes_gets_the_stored_job() -> None:
    sim = jobsim.Simulator(seed=5, start=START)
    sim.server_middleware.add(Gate)
    with sim:
        jid = Collect.perform_async(2)
    (stored,) = list(sim._state.queues["default"])  # the hash itself, not a record of it
    sim.drain()
    assert sim.locate(jid) == "done"
    assert Gate.seen[-1] is stored  # no copy: passes must leave it as it found it
