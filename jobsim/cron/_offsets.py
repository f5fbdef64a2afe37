"""Per-zone UTC offsets as constant segments (layer 2): a zone's clock without ``datetime``.

The fugit search asks "what is the wall clock at epoch second ``t``" hundreds of times per fire
time. ``datetime.fromtimestamp(t, zone)`` answers, but slowly; between two transitions the answer
is just ``t + offset``. :class:`OffsetTable` finds a zone's transitions once (sampling the offset
once a day over a chunk of about 194 days, then bisecting each change to the exact second)
and answers with the offset at ``t`` and the segment ``[start, end)`` it holds on, so a search
can also tell when a jump of many hours or days crosses no transition.

Two transitions less than a day apart would be seen as none; the tz database
has no such pair (its closest changes, Africa/Freetown 1939, are 4 days apart).
"""

from __future__ import annotations

from bisect import bisect_right
from datetime import date, datetime, timedelta, timezone, tzinfo

__all__ = ["OffsetTable", "civil", "offset_table"]

_CHUNK = 1 << 24  # seconds per lazily computed chunk (~194 days)
_SAMPLE = 86_400  # the tz database's closest offset changes are 4 days apart
_FAR = 1 << 62
_ORDINAL_1970 = 719_163
_SECOND = timedelta(seconds=1)

# One chunk: the offset at its start, then the transition instants and the offsets they start.
_Chunk = tuple[int, list[int], list[int]]


class OffsetTable:
    """One zone's offsets, computed lazily by chunk and kept for the process."""

    __slots__ = ("_chunks", "firsts", "fixed", "zone")

    def __init__(self, zone: tzinfo) -> None:
        self.zone = zone
        self.fixed: int | None = None
        if isinstance(zone, timezone):
            delta = zone.utcoffset(None)
            if delta % _SECOND == timedelta(0):
                self.fixed = delta // _SECOND
        self._chunks: dict[int, _Chunk] = {}
        #: The search's first instant of each (year, month) in this zone, filled as it asks.
        self.firsts: dict[tuple[int, int], int] = {}

    def offset_at(self, t: int) -> int:
        """The offset in whole seconds at epoch second ``t``, straight from the zone."""
        delta = datetime.fromtimestamp(t, self.zone).utcoffset()
        assert delta is not None
        return delta // _SECOND

    def _chunk(self, index: int) -> _Chunk:
        found = self._chunks.get(index)
        if found is not None:
            return found
        start = index * _CHUNK
        offset_at = self.offset_at
        first = offset_at(start)
        times: list[int] = []
        offsets: list[int] = []
        before, previous = start, first
        for t in [*range(start + _SAMPLE, start + _CHUNK, _SAMPLE), start + _CHUNK]:
            now = offset_at(t)
            if now != previous:
                lo, hi = before, t  # offset(lo) == previous != offset(hi)
                while hi - lo > 1:
                    mid = (lo + hi) // 2
                    if offset_at(mid) == previous:
                        lo = mid
                    else:
                        hi = mid
                times.append(hi)  # a change at the chunk's end is kept here, once
                offsets.append(offset_at(hi))
                previous = now
            before = t
        chunk = (first, times, offsets)
        self._chunks[index] = chunk
        return chunk

    def segment(self, t: int) -> tuple[int, int, int]:
        """``(offset, start, end)``: the offset at ``t``, constant for ``start <= u < end``.

        ``start`` and ``end`` are the neighbouring transitions when they lie within a chunk of
        ``t``'s chunk, otherwise a conservative bound (an earlier end only costs speed).
        """
        if self.fixed is not None:
            return self.fixed, -_FAR, _FAR
        index = t // _CHUNK
        first, times, offsets = self._chunk(index)
        i = bisect_right(times, t)
        offset = offsets[i - 1] if i else first
        if i:
            start = times[i - 1]
        else:
            _, previous_times, _ = self._chunk(index - 1)
            start = previous_times[-1] if previous_times else (index - 1) * _CHUNK
        if i < len(times):
            end = times[i]
        else:
            _, next_times, _ = self._chunk(index + 1)
            end = next_times[0] if next_times else (index + 2) * _CHUNK
        return offset, start, end


_TABLES: dict[tzinfo, OffsetTable] = {}


def offset_table(zone: tzinfo) -> OffsetTable:
    """The shared table of ``zone`` (one per zone object for the process)."""
    table = _TABLES.get(zone)
    if table is None:
        table = _TABLES[zone] = OffsetTable(zone)
    return table


_CIVIL: dict[int, tuple[int, int, int, int]] = {}


def civil(days: int) -> tuple[int, int, int, int]:
    """``(year, month, day, weekday with Sunday 0)`` of a day counted from 1970-01-01."""
    found = _CIVIL.get(days)
    if found is None:
        if len(_CIVIL) > 200_000:
            _CIVIL.clear()
        d = date.fromordinal(days + _ORDINAL_1970)
        found = _CIVIL[days] = (d.year, d.month, d.day, d.isoweekday() % 7)
    return found
