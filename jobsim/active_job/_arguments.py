"""``deserialize_arguments`` with the active simulator's locator and serializers (layer 4).

The pure function in ``_serialize`` takes them as arguments; the test helpers call this one,
so a GlobalID in a recorded job reads back as its record (as Rails' test helper locates it)
whenever the simulator has a finder for its model.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from jobsim import routing
from jobsim.active_job import _runtime
from jobsim.active_job._serialize import deserialize_arguments as _deserialize
from jobsim.active_job._serializers import Locate, ObjectSerializer

__all__ = ["deserialize_arguments"]


def deserialize_arguments(
    data: Sequence[Any],
    *,
    locate: Locate | None = None,
    serializers: Sequence[ObjectSerializer] | None = None,
    strict: bool = False,
) -> list[Any]:
    """``ActiveJob::Arguments.deserialize``: job data back to arguments.

    ``locate`` and ``serializers`` default to the active simulator's settings
    (``finders``, ``serializers``). ``strict``: any failure raises ``DeserializationError``;
    otherwise an unlocatable GlobalID stays a :class:`GlobalID` (what the helpers show).
    """
    sim = routing.active()
    config = _runtime.settings(sim) if sim is not None else None
    if locate is None and config is not None:
        locate = config.locate
    if serializers is None:
        serializers = config.serializers if config is not None else ()
    return _deserialize(data, locate=locate, serializers=serializers, strict=strict)
