"""The trace against a plain model: every event numbered, the newest ``limit`` kept.

Rows do not store their sequence number (the engine appends them without a Python call); every
reader works it out from the row's position and the events dropped. This property test holds
each reader to a model that keeps every event with its number.
"""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from jobsim.events import Event
from jobsim.trace import Trace, row_writer

KINDS = ("enqueued", "started", "succeeded", "failed", "discarded", "lost")
JIDS = ("a" * 24, "b" * 24, "c" * 24)

records = st.lists(
    st.tuples(st.sampled_from(KINDS), st.sampled_from(JIDS), st.integers(0, 5)), max_size=40
)


def as_tuple(event: Event) -> tuple[Any, ...]:
    return (event.seq, event.kind, event.ts, event.jid)


@settings(max_examples=300, deadline=None)
@given(limit=st.sampled_from([None, 0, 1, 2, 5, 50]), steps=records, data=st.data())
def test_every_reader_agrees_with_a_numbered_model(
    limit: int | None, steps: list[tuple[str, str, int]], data: st.DataObject
) -> None:
    trace = Trace(limit)
    model: list[tuple[int, str, float, str]] = []
    ended: dict[str, str] = {}
    for seq, (kind, jid, second) in enumerate(steps, start=1):
        if seq % 2:
            trace.record(kind, float(second), jid, {"jid": jid})
        else:
            row_writer(trace)((kind, float(second), jid, {"jid": jid}, {}))
        model.append((seq, kind, float(second), jid))
    kept = model if limit is None else (model[-limit:] if limit else [])
    for _, kind, _, jid in model[: len(model) - len(kept)]:
        if kind in ("succeeded", "discarded", "lost"):
            ended[jid] = kind

    assert trace.total == len(model)
    assert len(trace) == len(kept)
    assert [as_tuple(event) for event in trace] == kept
    assert trace.kinds() == [row[1] for row in kept]
    if limit is not None:
        assert trace.ended == ended

    wanted = tuple(data.draw(st.sets(st.sampled_from(KINDS), min_size=1)))
    assert [as_tuple(e) for e in trace.of_kind(*wanted)] == [r for r in kept if r[1] in wanted]
    jid = data.draw(st.sampled_from(JIDS))
    assert [as_tuple(e) for e in trace.for_job(jid)] == [r for r in kept if r[3] == jid]
    low, high = sorted(data.draw(st.tuples(st.integers(0, 6), st.integers(0, 6))))
    between = [as_tuple(e) for e in trace.between(low, high)]
    assert between == [r for r in kept if low <= r[2] < high]
    count = data.draw(st.integers(0, 8))
    assert [as_tuple(e) for e in trace.tail(count)] == (kept[-count:] if count else [])

    index = data.draw(st.integers(-len(kept) - 2, len(kept) + 1))
    if -len(kept) <= index < len(kept):
        assert as_tuple(trace[index]) == kept[index]
    start, stop = data.draw(st.tuples(st.integers(-8, 8) | st.none(), st.integers(-8, 8)))
    step = data.draw(st.sampled_from([None, 1, 2, -1, -3]))
    assert [as_tuple(e) for e in trace[start:stop:step]] == kept[start:stop:step]


@given(limit=st.sampled_from([None, 0, 3]), steps=records)
def test_a_deep_copy_is_the_same_trace_and_records_only_into_itself(
    limit: int | None, steps: list[tuple[str, str, int]]
) -> None:
    trace = Trace(limit)
    for kind, jid, second in steps:
        trace.record(kind, float(second), jid, {"jid": jid})
    clone = copy.deepcopy(trace)
    assert [as_tuple(e) for e in clone] == [as_tuple(e) for e in trace]
    assert (clone.total, clone.ended) == (trace.total, trace.ended)
    before = [as_tuple(e) for e in trace]
    clone.record("lost", 9.0, JIDS[0], {"jid": JIDS[0]})
    assert [as_tuple(e) for e in trace] == before
    assert clone.total == trace.total + 1
