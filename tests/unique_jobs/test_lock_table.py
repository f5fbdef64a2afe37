"""A fresh lock (``LockTable.take_free``: three plain entries, no object) behaves exactly as
the :class:`HeldLock` that ``LockTable.lock`` builds, through every operation after it.

Two tables get the same random operations; one takes free digests with ``take_free``, the
other with ``lock``. Every answer, and every view of the held locks, must be the same.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from jobsim.unique_jobs._table import HeldLock, LockKind, LockTable

DIGESTS = ("d1", "d2", "d3")
JIDS = ("a", "b", "c")
TYPES = ("until_executed", "until_expired", "while_executing")

operation = st.one_of(
    st.tuples(
        st.just("take"),
        st.sampled_from(DIGESTS),
        st.sampled_from(JIDS),
        st.sampled_from(TYPES),
        st.sampled_from((None, 0, 5, 10)),
        st.integers(1, 2),
    ),
    st.tuples(
        st.just("lock"),
        st.sampled_from(DIGESTS),
        st.sampled_from(JIDS),
        st.sampled_from(TYPES),
        st.sampled_from((None, 5)),
        st.sampled_from((None, 3.0)),
    ),
    st.tuples(
        st.sampled_from(("unlock", "holds")), st.sampled_from(DIGESTS), st.sampled_from(JIDS)
    ),
    st.tuples(st.sampled_from(("live", "expire", "delete", "free")), st.sampled_from(DIGESTS)),
    st.tuples(st.just("advance"), st.sampled_from((1, 4, 6))),
    st.tuples(st.just("all")),
    st.tuples(st.just("restore"), st.sampled_from(DIGESTS), st.sampled_from(JIDS)),
)


def _seen(held: HeldLock | None) -> Any:
    if held is None:
        return None
    return (
        held.digest,
        held.lock_type,
        dict(held.holders),
        held.limit,
        held.expires_at,
        held.score,
    )


def _apply(table: LockTable, op: tuple[Any, ...], now: float, fresh: bool) -> Any:
    name = op[0]
    if name == "take":
        _, digest, jid, lock_type, ttl, limit = op
        if fresh and table.free(digest, now):
            return table.take_free(digest, jid, now, LockKind(lock_type, limit, ttl))
        return table.lock(digest, jid, now, lock_type, ttl, limit)
    if name == "lock":
        _, digest, jid, lock_type, ttl, score = op
        return table.lock(digest, jid, now, lock_type, ttl, 1, score)
    if name in ("unlock", "holds"):
        return getattr(table, name)(op[1], op[2], now)
    if name == "live":
        return _seen(table.live(op[1], now))
    if name in ("expire", "free"):
        return getattr(table, name)(op[1], now)
    if name == "delete":
        return table.delete(op[1])
    if name == "all":
        return [_seen(held) for held in table.all(now)]
    if name == "restore":
        table.restore(HeldLock(op[1], "until_executed", {op[2]: now}, 1, None, now))
        return None
    raise AssertionError(name)


@settings(max_examples=300, deadline=None)
@given(st.lists(operation, max_size=40))
def test_a_fresh_lock_answers_as_a_held_lock(ops: list[tuple[Any, ...]]) -> None:
    fresh, built = LockTable(), LockTable()
    now = 100.0
    for op in ops:
        if op[0] == "advance":
            now += op[1]
            continue
        assert _apply(fresh, op, now, True) == _apply(built, op, now, False), op
    assert [_seen(h) for h in fresh.all(now)] == [_seen(h) for h in built.all(now)]


def test_take_free_refuses_a_held_digest_and_changes_nothing() -> None:
    table = LockTable()
    kind = LockKind("until_executed", 1, None)
    assert table.take_free("d", "a", 0.0, kind)
    assert not table.take_free("d", "b", 1.0, kind)
    assert _seen(table.live("d", 2.0)) == ("d", "until_executed", {"a": 0.0}, 1, None, 0.0)


def test_an_expired_fresh_lock_is_free_again() -> None:
    table = LockTable()
    assert table.take_free("d", "a", 0.0, LockKind("until_expired", 1, 10))
    assert not table.unlock("d", "b", 5.0)
    assert table.unlock("d", "a", 5.0)  # until_expired: only the TTL ends it
    assert table.holds("d", "a", 9.0)
    assert table.take_free("d", "b", 10.0, LockKind("until_executed", 1, None))
    assert table.holds("d", "b", 10.0)
    assert not table.holds("d", "a", 10.0)
