"""Checking untrusted members before anything is loaded (layer 7, private).

A live Redis or a dump may hold anything. Every member is parsed with :func:`json.loads` only
(no pickle, no eval, no ``NaN``/``Infinity``), must be a JSON object with the fields the engine
relies on, and may not exceed a size limit; the first member that fails raises
:class:`~jobsim.redis._layout.RedisDataError` naming the key and the member.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from typing import Any

from jobsim import validate
from jobsim.redis._layout import RedisDataError

__all__ = ["DEFAULT_MAX_MEMBER_BYTES", "decode_count", "decode_member", "decode_score", "text_of"]

#: Largest member accepted by default (a job with a long backtrace is a few kilobytes).
DEFAULT_MAX_MEMBER_BYTES = 4 * 1024 * 1024

_PREVIEW = 80
_TIMESTAMPS = ("created_at", "enqueued_at", "failed_at", "retried_at")


def _refuse_constant(name: str) -> Any:
    msg = f"{name} is not JSON"
    raise ValueError(msg)


#: One decoder for every member (``json.loads`` with a hook builds a new one per call).
_DECODER = json.JSONDecoder(parse_constant=_refuse_constant)


def _preview(text: str) -> str:
    return repr(text if len(text) <= _PREVIEW else text[:_PREVIEW] + "…")


def text_of(raw: Any, where: str) -> str:
    """A member or value as text (Redis clients hand out bytes or str)."""
    if isinstance(raw, bytes):
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            msg = f"{where} is not UTF-8 ({exc.reason} at byte {exc.start}): {raw[:_PREVIEW]!r}"
            raise RedisDataError(msg) from None
    if isinstance(raw, str):
        return raw
    msg = f"{where} is a {type(raw).__name__}, not a string: {raw!r:.{_PREVIEW}}"
    raise RedisDataError(msg)


def _problem(job: Any, *, needs_queue: bool) -> str | None:
    """What makes ``job`` unusable as a Sidekiq job hash, or None (its numbers aside: see
    :func:`_check_numbers`)."""
    if not isinstance(job, dict):
        return f"is a JSON {type(job).__name__}, not an object with 'class' and 'args'"
    klass = job.get("class")
    if not isinstance(klass, str) or not klass:
        return f"has 'class' {klass!r}; a job names its class with a non-empty string"
    if not isinstance(job.get("args"), list):
        return f"has 'args' {job.get('args')!r:.60}; job args must be a JSON array"
    if not isinstance(job.get("jid"), str) or not job["jid"]:
        return f"has 'jid' {job.get('jid')!r}; every Sidekiq job has a string jid"
    queue = job.get("queue")
    if (needs_queue or "queue" in job) and (not isinstance(queue, str) or not queue):
        return f"has 'queue' {queue!r}; a job names its queue with a non-empty string"
    return None


def _check_numbers(job: dict[str, Any], head: str, text: str) -> None:
    """The job hash's retry option, retry count and timestamps, through :mod:`jobsim.validate`
    (``head`` names the key, the member and its jid; the message shows the member).

    The message heads are functions, built only for a member that fails: this runs once per
    member of a keyspace that may hold millions.
    """

    retry = job.get("retry", True)
    count = job.get("retry_count", 0)
    is_number = validate.is_number
    if (
        (isinstance(retry, bool) or validate.is_whole(retry))
        and validate.is_whole(count)
        and is_number(job.get("created_at", 0))
        and is_number(job.get("enqueued_at", 0))
        and is_number(job.get("failed_at", 0))
        and is_number(job.get("retried_at", 0))
    ):
        return  # every member Sidekiq wrote; the checks below word the refusal

    def subject(field: str, value: Any) -> Callable[[], str]:
        return lambda: f"{head} has {field!r} {value!r} (the member: {_preview(text)})"

    if not isinstance(retry, bool):  # true, false or a number of retries
        validate.whole(
            retry,
            name="retry",
            subject=subject("retry", retry),
            expected="true, false or a whole number",
            error=RedisDataError,
        )
    validate.whole(
        count,
        name="retry_count",
        subject=subject("retry_count", count),
        expected="a whole number",
        error=RedisDataError,
    )
    for name in _TIMESTAMPS:
        value = job.get(name, 0)
        validate.number(
            value,
            name=name,
            subject=subject(name, value),
            expected="epoch seconds or milliseconds",
            error=RedisDataError,
        )


def decode_member(
    raw: Any, *, key: str, position: str, max_bytes: int, needs_queue: bool = True
) -> dict[str, Any]:
    """One member of ``key`` as a checked job hash (``position`` says which member)."""
    where = f"{key} member {position}"
    size = len(raw) if isinstance(raw, bytes | str) else 0
    if size > max_bytes:
        msg = (
            f"{where} is {size:,} bytes, over the limit of {max_bytes:,}: {raw[:_PREVIEW]!r}…; "
            f"pass max_member_bytes= to accept larger jobs"
        )
        raise RedisDataError(msg)
    text = text_of(raw, where)
    try:
        job = _DECODER.decode(text)
    except (ValueError, RecursionError) as exc:
        msg = f"{where} is not valid JSON ({exc}): {_preview(text)}"
        raise RedisDataError(msg) from None
    problem = _problem(job, needs_queue=needs_queue)
    jid = job.get("jid") if isinstance(job, dict) else None
    named = f" (jid {jid!r})" if isinstance(jid, str) else ""
    if problem is not None:
        msg = f"{where}{named} {problem}: {_preview(text)}"
        raise RedisDataError(msg)
    _check_numbers(job, f"{where}{named}", text)
    return job  # type: ignore[no-any-return]


def decode_score(raw: Any, *, key: str, position: str) -> float:
    """A sorted-set score as finite epoch seconds."""
    given = raw
    if isinstance(raw, bytes | str):  # Redis clients hand scores out as text or as floats
        # Text that is no number stays text, which the check below refuses.
        with contextlib.suppress(ValueError, UnicodeDecodeError):
            given = float(raw.decode() if isinstance(raw, bytes) else raw)
    return validate.number(
        given,
        name="score",
        subject=lambda: f"{key} member {position} has score {raw!r}",
        expected="finite epoch seconds",
        error=RedisDataError,
    )


#: Redis counters are signed 64-bit integers.
_COUNTER_MAX = 2**63 - 1


def decode_count(raw: Any, *, key: str) -> int:
    """A counter (``stat:processed`` and friends) as a whole number >= 0."""
    if raw is None:
        return 0
    given = raw
    shown = raw
    if isinstance(raw, bytes | str):
        text = text_of(raw, key)
        shown = text[:_PREVIEW]
        digits = text.strip()
        # isdigit alone takes '²' and other digits int() refuses
        given = int(digits) if digits.isascii() and digits.isdigit() else text
    return validate.whole(
        given,
        name=key,
        low=0,
        high=_COUNTER_MAX,
        subject=lambda: f"{key} holds {shown!r}",
        fix="Sidekiq's counters are whole numbers >= 0",
        error=RedisDataError,
    )
