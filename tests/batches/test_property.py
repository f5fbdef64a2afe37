"""A property: for random batch trees and random child outcomes, the callbacks that fire and
their order follow from the counters' definitions. The reference model is a few lines below:
it knows nothing of queues, clocks or callback jobs, only the definitions (reference §6)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from batch_helpers import Calls, events, simulator
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import jobsim
from jobsim.batches import Batch
from jobsim.durations import uniform

RETRIES = 2  # so a job that fails three times dies


@dataclass
class Node:
    """A batch: its own jobs (each the number of times it fails first) and child batches."""

    failures: list[int]
    children: list[Node] = field(default_factory=list)


def trees() -> st.SearchStrategy[Node]:
    outcomes = st.lists(st.integers(0, RETRIES + 1), max_size=3)
    leaf = st.builds(Node, outcomes)
    return st.recursive(
        leaf, lambda kids: st.builds(Node, outcomes, st.lists(kids, max_size=2)), max_leaves=6
    )


# -- the reference model ------------------------------------------------------------------------


def model_success(node: Node) -> bool:
    """Success: every own job eventually succeeds, and every child batch succeeds."""
    return all(f <= RETRIES for f in node.failures) and all(map(model_success, node.children))


def model_death(node: Node) -> bool:
    """Death: an own job dies, or (Pro 5.2.1+) a descendant's does."""
    return any(f > RETRIES for f in node.failures) or any(map(model_death, node.children))


# -- the simulation -----------------------------------------------------------------------------


class Member(jobsim.Job, retry=RETRIES):
    left: ClassVar[dict[str, int]] = {}

    def perform(self, key: str) -> None:
        if Member.left.get(key, 0) > 0:
            Member.left[key] -= 1
            raise RuntimeError(key)


class Spawner(jobsim.Job):
    """Runs inside its batch and makes that batch's child batches."""

    nodes: ClassVar[dict[str, Node]] = {}
    bids: ClassVar[dict[str, str]] = {}

    def perform(self, path: str) -> None:
        for index, child in enumerate(Spawner.nodes[path].children):
            open_batch(child, f"{path}.{index}")


def open_batch(node: Node, path: str) -> None:
    Spawner.nodes[path] = node
    batch = Batch(description=path)
    Spawner.bids[path] = batch.bid
    for event in ("complete", "success", "death"):
        batch.on(event, Calls)
    with batch.jobs():
        for index, failures in enumerate(node.failures):
            key = f"{path}:{index}"
            Member.left[key] = failures
            Member.perform_async(key)
        if node.children:
            Spawner.perform_async(path)


def walk(node: Node, path: str = "r") -> list[tuple[str, Node]]:
    found = [(path, node)]
    for index, child in enumerate(node.children):
        found += walk(child, f"{path}.{index}")
    return found


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tree=trees(), seed=st.integers(0, 2**16), concurrency=st.integers(1, 4))
def test_callbacks_follow_the_counters_definitions(tree: Node, seed: int, concurrency: int) -> None:
    Calls.log.clear()
    Member.left.clear()
    Spawner.nodes.clear()
    Spawner.bids.clear()
    durations = {"Member": uniform(0, 3), "Sidekiq::Batch::Callback": uniform(0, 1)}
    sim = simulator(seed=seed, concurrency=concurrency, durations=durations)
    with sim:
        open_batch(tree, "r")
    sim.drain()
    nodes = walk(tree)
    fired = events()
    for path, node in nodes:
        bid = Spawner.bids[path]
        # Every job runs at least once, so every batch completes; each event at most once.
        assert fired.count(("complete", bid)) == 1, path
        assert fired.count(("success", bid)) == int(model_success(node)), path
        assert fired.count(("death", bid)) == int(model_death(node)), path
        dead = sum(f > RETRIES for f in node.failures)
        status = sim.batches[bid]
        assert (status.pending, status.failures, len(status.dead_jids)) == (dead, dead, dead)
    # Parent after child: complete after complete, success after success (sidekiq#5290).
    order = {entry: index for index, entry in enumerate(fired)}
    for path, _ in nodes:
        if "." not in path:
            continue
        child, parent = Spawner.bids[path], Spawner.bids[path.rsplit(".", 1)[0]]
        for event in ("complete", "success"):
            if (event, child) in order and (event, parent) in order:
                assert order[(event, child)] < order[(event, parent)]
    # Retrying every dead job by hand lets every batch succeed, death having fired already.
    sim.dead.retry_all()
    sim.drain()
    fired = events()
    for path, node in nodes:
        bid = Spawner.bids[path]
        assert fired.count(("success", bid)) == 1, path
        assert fired.count(("death", bid)) == int(model_death(node)), path
