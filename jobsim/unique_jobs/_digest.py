"""A lock's identity as sidekiq-unique-jobs 8.1 computes it (``lock_args.rb``, ``lock_digest.rb``).

The digest is ``PREFIX:HEX`` where HEX hashes Ruby's ``JSON.generate`` of the job's
``class``, ``queue`` and ``lock_args`` as ``[key, value]`` pairs sorted by key::

    [["class","Report"],["lock_args",[7]],["queue","default"]]

MD5 with the gem's default ``digest_algorithm: :legacy``, SHA3-256 with ``:modern``.
``unique_across_queues`` leaves the queue out, ``unique_across_workers`` the class.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable, Mapping
from typing import Any

from jobsim.errors import InvalidOption

__all__ = [
    "RUN_SUFFIX",
    "compute_digest",
    "default_method",
    "flat_json",
    "lock_args_for",
    "lock_args_method",
    "lock_args_with",
    "plain_digest",
    "ruby_json",
]

#: What ``while_executing`` appends to the digest of its runtime lock.
RUN_SUFFIX = ":RUN"


#: One encoder for every digest: ``json.dumps`` with options builds a new one per call.
_RUBY_JSON = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, allow_nan=False)

#: How the encoder above writes a string (``ensure_ascii=False``: only quotes, backslashes
#: and control characters escaped).
_quoted: Callable[[str], str] = json.encoder.encode_basestring
try:
    # CPython's own MD5 (HACL*), which hashes a short text in about half the time of
    # OpenSSL's through hashlib (no context to allocate); the same digest either way.
    from _md5 import md5 as _md5  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover - an interpreter built without it
    _md5 = functools.partial(hashlib.md5, usedforsecurity=False)
_LITERALS = {True: "true", False: "false", None: "null"}
_NO_ARGS: Any = object()
_INT = frozenset({int})
_STR = frozenset({str})
_FLAT = frozenset({str, int, bool, type(None)})


def ruby_json(value: Any) -> str:
    """``JSON.generate(value)``: compact, non-ASCII kept as UTF-8 (Ruby does not escape it)."""
    return _RUBY_JSON.encode(value)


def flat_json(value: Any) -> str | None:
    """:func:`ruby_json` of a string or a flat list of strings, whole numbers, booleans and
    None, written without the encoder's per-call set-up (a digest per push); None for
    anything else, which the encoder writes."""
    kind = type(value)
    if kind is str:
        return _quoted(value)
    if kind is not list:
        return None
    if len(value) == 1:  # the usual lock_args, e.g. [args[0]]: no set to build
        kind = type(value[0])
        if kind is int:
            return f"[{int.__repr__(value[0])}]"
        if kind is str:
            return f"[{_quoted(value[0])}]"
    kinds = set(map(type, value))
    if kinds <= _INT:
        return "[" + ",".join(map(int.__repr__, value)) + "]"
    if kinds <= _STR:
        return "[" + ",".join(map(_quoted, value)) + "]"
    if not kinds <= _FLAT:
        return None
    parts = []
    for item in value:
        kind = type(item)
        if kind is str:
            parts.append(_quoted(item))
        elif kind is int:
            parts.append(int.__repr__(item))
        else:
            parts.append(_LITERALS[item])
    return "[" + ",".join(parts) + "]"


def _method_named(job_class: Any, name: str) -> Callable[[list[Any]], Any] | None:
    found = getattr(job_class, name, None) if job_class is not None else None
    return found if callable(found) else None


def default_method(job_class: Any) -> Callable[[list[Any]], Any] | None:
    """The class method named ``lock_args`` (or ``unique_args``) the gem picks up, if any."""
    return _method_named(job_class, "lock_args") or _method_named(job_class, "unique_args")


def lock_args_for(
    job_class: Any,
    job: Mapping[str, Any],
    options: Mapping[str, Any],
    found: dict[Any, Any] | None = None,
) -> Any:
    """The ``lock_args`` of ``job``: all its args, or what the lock-args method returns.

    The method is ``lock_args_method`` (a callable, or the name of a class method), the pre-7
    ``unique_args``, else a class method named ``lock_args`` (or ``unique_args``) if the class
    has one. It receives the JSON-normalised args list, as ``LockArgs#filtered_args`` passes it.
    """
    return lock_args_with(lock_args_method(job_class, job, options, found), job)


def lock_args_method(
    job_class: Any,
    job: Mapping[str, Any],
    options: Mapping[str, Any],
    found: dict[Any, Any] | None = None,
) -> Callable[[list[Any]], Any] | None:
    """The method :func:`lock_args_for` filters the args with (None: the args as they are).

    It depends on the class, its options and the hash's ``lock_args_method`` and
    ``unique_args`` only, never on the args, so a push may reuse it (``found`` remembers each
    class's default method: looking it up was most of a push).
    """
    # the class's option first (LockArgs reads job_options), then the hash's
    chosen = options.get("lock_args_method") or options.get("unique_args")
    if chosen is None:
        chosen = job.get("lock_args_method") or job.get("unique_args")
        if isinstance(chosen, str) and chosen.startswith("#<callable"):
            chosen = None  # a callable's stand-in written by an earlier push
    if callable(chosen):
        return chosen  # type: ignore[no-any-return]
    if isinstance(chosen, str):
        return _method_named(job_class, chosen.lstrip(":"))  # None: LockArgs#filter_by_symbol
    if found is None:
        return default_method(job_class)
    if job_class in found:
        return found[job_class]  # type: ignore[no-any-return]
    method = found[job_class] = default_method(job_class)
    return method


def lock_args_with(method: Callable[[list[Any]], Any] | None, job: Mapping[str, Any]) -> Any:
    """``job``'s lock args through ``method`` (see :func:`lock_args_method`)."""
    args = job.get("args", [])
    if method is None:
        return args
    result = method(json.loads(json.dumps(args)))
    if not isinstance(result, list | tuple):
        where = f"{job.get('class')}: lock_args method {getattr(method, '__qualname__', method)}"
        msg = (
            f"{where} returned {result!r}; it must return a list of the arguments that make "
            f"the job unique (e.g. [args[0]])"
        )
        raise InvalidOption(msg)
    return list(result)


def compute_digest(
    job: Mapping[str, Any],
    *,
    prefix: str,
    algorithm: str,
    across_queues: bool,
    across_workers: bool,
) -> str:
    """``LockDigest#create_digest`` for a job hash that already carries ``lock_args``."""
    if "apartment" not in job and not across_workers and not across_queues:
        # The usual job: its three pairs written at once (None when one needs the encoder).
        klass, args, queue = job.get("class"), job.get("lock_args", _NO_ARGS), job.get("queue")
        if type(klass) is str and type(queue) is str and args is not _NO_ARGS:
            flat = flat_json(args)
            if flat is not None:
                return plain_digest(klass, flat, queue, prefix, algorithm)
    # [key, value] pairs in the sorted order of the keys: apartment, class, lock_args, queue
    pairs: list[list[Any]] = []
    if "apartment" in job:
        pairs.append(["apartment", job["apartment"]])
    if not across_workers and "class" in job:
        pairs.append(["class", job["class"]])
    if "lock_args" in job:
        pairs.append(["lock_args", job["lock_args"]])
    if not across_queues and "queue" in job:
        pairs.append(["queue", job["queue"]])
    written = [flat_json(value) for _, value in pairs]
    if None in written:
        json_text = _RUBY_JSON.encode(pairs)
    else:  # the keys are plain ASCII names: quoted as they are
        json_text = (
            "[" + ",".join([f'["{k}",{v}]' for (k, _), v in zip(pairs, written, strict=True)]) + "]"
        )
    return _hashed(json_text, prefix, algorithm)


def plain_digest(klass: str, lock_args: str, queue: str, prefix: str, algorithm: str) -> str:
    """The digest of the usual job, ``lock_args`` already written as JSON (:func:`flat_json`):
    its three pairs written at once, as the encoder would write them."""
    text = f'[["class",{_quoted(klass)}],["lock_args",{lock_args}],["queue",{_quoted(queue)}]]'
    return _hashed(text, prefix, algorithm)


def _hashed(json_text: str, prefix: str, algorithm: str) -> str:
    text = json_text.encode()
    if algorithm == "legacy":
        hexdigest = _md5(text).hexdigest()
    else:
        hexdigest = hashlib.sha3_256(text).hexdigest()
    return f"{prefix}:{hexdigest}"
