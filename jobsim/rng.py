"""Seeded randomness (layer 1): the only module in jobsim that touches :mod:`random`.

A simulator owns one :class:`SimRandom`. Each concern draws from its own named stream (jids,
retry jitter, fetch order, durations), derived from ``(seed, name)`` with SHA-256, so a new draw
in one place never shifts the numbers another place sees, and Python's per-process string-hash
randomisation never enters.
"""

from __future__ import annotations

import hashlib
import random

__all__ = ["SimRandom", "Stream", "uuid_from_bytes"]

#: One named random stream (a seeded :class:`random.Random`).
Stream = random.Random


class SimRandom:
    """A seed and the independent named random streams derived from it."""

    __slots__ = ("_streams", "seed")

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self._streams: dict[str, random.Random] = {}

    def stream(self, name: str) -> Stream:
        """The stream called ``name``; the same seed and name always give the same numbers."""
        stream = self._streams.get(name)
        if stream is None:
            digest = hashlib.sha256(f"{self.seed}\x00{name}".encode()).digest()
            stream = random.Random(int.from_bytes(digest[:16], "big"))
            self._streams[name] = stream
        return stream


def uuid_from_bytes(raw: bytes) -> str:
    """A version-4 UUID string from 16 random bytes (``SecureRandom.uuid``), so ids that Ruby
    draws at random come from a seeded stream here."""
    data = bytearray(raw[:16])
    data[6] = (data[6] & 0x0F) | 0x40
    data[8] = (data[8] & 0x3F) | 0x80
    text = data.hex()
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"
