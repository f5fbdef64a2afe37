"""Reading ``error_backtrace`` back (layer 2), as ``Sidekiq::JobRecord#error_backtrace`` does.

Sidekiq stores a failed job's backtrace as base64 of zlib-deflated JSON (jobsim writes it in
:func:`jobsim.retry.encode_backtrace`): 6.x–7.2.1 with ``Base64.encode64``'s newline every 60
characters, 7.2.2+ strict. Both decoders skip characters outside the base64 alphabet, so either
spelling reads under every profile. Sidekiq 6.x also reads two formats older versions wrote: a
raw list of lines, and a Ruby ``Marshal`` dump. jobsim reads the raw list (under a profile
with ``legacy_backtraces``) and refuses the Marshal dump with a clear error: unmarshalling can
build arbitrary Ruby objects, which no Python reader should pretend to do.
"""

from __future__ import annotations

import base64
import binascii
import zlib
from typing import Any

from jobsim.errors import InvalidPayload
from jobsim.payload import loads

__all__ = ["decode_backtrace"]

#: How a Ruby ``Marshal.dump`` starts (format version 4.8).
_MARSHAL_HEADER = b"\x04\x08"


def decode_backtrace(value: Any, *, legacy: bool, jid: str = "?") -> list[str]:
    """The lines of an ``error_backtrace`` value, innermost frame first.

    ``legacy`` is the profile's ``legacy_backtraces`` (Sidekiq 6.x also takes a raw list).
    Anything that does not decode raises :class:`~jobsim.errors.InvalidPayload` naming the job.
    """
    where = f"error_backtrace of job {jid}"
    if isinstance(value, list):
        if legacy:
            return [str(line) for line in value]
        msg = (
            f"{where} is a raw list, a format only Sidekiq 6.x reads (7.0+ raises "
            f"NoMethodError); store it as jobsim.retry.encode_backtrace(lines, strict=True) "
            f"or use profile='sidekiq-6.4'"
        )
        raise InvalidPayload(msg)
    if not isinstance(value, str):
        msg = f"{where} is {value!r}; Sidekiq writes base64 of zlib-deflated JSON text"
        raise InvalidPayload(msg)
    try:
        inflated = zlib.decompress(base64.b64decode(value))
    except (binascii.Error, zlib.error, ValueError) as exc:
        msg = f"{where} is not base64 of zlib-deflated data ({exc}): {value[:60]!r}"
        raise InvalidPayload(msg) from None
    if inflated.startswith(_MARSHAL_HEADER):
        msg = (
            f"{where} holds a Ruby Marshal dump (Sidekiq before 6.0 wrote it so); jobsim does "
            f"not unmarshal Ruby data: re-encode the lines as JSON"
        )
        raise InvalidPayload(msg)
    try:
        lines = loads(inflated)
    except ValueError as exc:
        msg = f"{where} does not inflate to JSON ({exc})"
        raise InvalidPayload(msg) from None
    if not isinstance(lines, list):
        msg = f"{where} inflates to {type(lines).__name__}, not a list of lines"
        raise InvalidPayload(msg)
    return [str(line) for line in lines]
