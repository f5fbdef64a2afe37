"""ActiveJob's enqueue and perform callbacks (layer 2), run as ``ActiveSupport::Callbacks`` does.

A class declares ``before_*``, ``around_*`` and ``after_*`` callbacks for ``enqueue`` and
``perform``, in any order. They run as Rails' compiled chain (activesupport
``callbacks.rb``, 6.1–8.0):

* ``before`` callbacks run in declaration order, ``after`` callbacks in reverse order, and an
  ``around`` wraps everything declared after it: a ``before`` declared after an around runs
  inside it; an ``after`` declared before it runs outside it.
* A ``before`` callback halts the chain by raising :class:`Abort` (Ruby's ``throw :abort``):
  later befores, arounds and the action are skipped. Whether the ``after`` callbacks still
  run is ``skip_after_callbacks_if_terminated`` (False: they run, Rails 6.1's framework
  default; True: skipped, what ``load_defaults "6.1"`` sets and 7.0+ always do).
* An ``around`` callback that does not call its block skips the action without halting: the
  ``after`` callbacks outside it still run.

A callback is ``callback(job)`` (around: ``callback(job, block)``) or the name of a method of
the job (``"log_start"``), as Rails' symbol form.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, TypeAlias

from jobsim.errors import InvalidArgument, JobsimError

__all__ = ["Abort", "Callback", "Chain", "Kind", "has_after", "run_chain"]

Kind: TypeAlias = Literal["before", "around", "after"]
#: ``callback(job)`` for before/after, ``callback(job, block)`` for around, or a method name.
Callback: TypeAlias = Callable[..., Any] | str


class Abort(JobsimError):
    """Raise in a ``before_enqueue`` / ``before_perform`` callback to halt, as
    ``throw :abort`` does in Rails: the job is not enqueued (``perform_later`` returns False)
    or not performed."""


@dataclass(frozen=True, slots=True)
class _Entry:
    kind: Kind
    callback: Callback


Chain: TypeAlias = tuple[_Entry, ...]


def entry(kind: Kind, callback: Any, where: str) -> _Entry:
    """A checked chain entry for ``callback``."""
    if not (callable(callback) or (isinstance(callback, str) and callback)):
        msg = f"{where}: {callback!r} is neither callable nor a method name; pass a function (job)"
        raise InvalidArgument(msg)
    return _Entry(kind, callback)


def _call(job: Any, callback: Callback, *extra: Any) -> Any:
    if isinstance(callback, str):
        method = getattr(job, callback, None)
        if method is None:
            msg = f"{type(job).__qualname__} has no method {callback!r} for its callback"
            raise InvalidArgument(msg)
        return method(*extra)
    return callback(job, *extra)


class _State:
    __slots__ = ("halted", "value")

    def __init__(self) -> None:
        self.halted = False
        self.value: Any = None


def run_chain(
    chain: Chain, job: Any, action: Callable[[], Any], *, skip_after_if_halted: bool
) -> tuple[bool, Any, bool]:
    """Run ``action`` inside ``chain``: (whether the action ran, the chain's value, whether
    a before callback halted).

    The value is the action's result, or False when a before callback halted (Rails'
    ``env.value = !env.halted && yield``), or None when an around never called its block.
    """
    state = _State()
    ran = [False]

    def innermost() -> Any:
        if state.halted:
            state.value = False
            return False
        ran[0] = True
        state.value = action()
        return state.value

    _run_from(chain, 0, job, innermost, state, skip_after_if_halted)
    return ran[0], state.value, state.halted


def has_after(chain: Chain) -> bool:
    """Whether ``chain`` has an ``after`` callback."""
    return any(item.kind == "after" for item in chain)


def _run_from(
    chain: Chain,
    start: int,
    job: Any,
    innermost: Callable[[], Any],
    state: _State,
    skip_after_if_halted: bool,
) -> None:
    """Run ``chain[start:]``: its befores up to the first around, that around (whose block
    runs the rest), then its afters in reverse."""
    afters: list[Callback] = []
    index = start
    while index < len(chain):
        item = chain[index]
        if item.kind == "before":
            if not state.halted:
                try:
                    _call(job, item.callback)
                except Abort:
                    state.halted = True
        elif item.kind == "after":
            afters.append(item.callback)
        else:
            if not state.halted:
                _around(chain, index, job, innermost, state, skip_after_if_halted)
            else:  # a halted chain skips the around and runs what it wraps for the afters
                _run_from(chain, index + 1, job, innermost, state, skip_after_if_halted)
            break
        index += 1
    else:
        innermost()
    for callback in reversed(afters):
        if not (skip_after_if_halted and state.halted):
            _call(job, callback)


def _around(
    chain: Chain,
    index: int,
    job: Any,
    innermost: Callable[[], Any],
    state: _State,
    skip_after_if_halted: bool,
) -> None:
    def block() -> Any:
        _run_from(chain, index + 1, job, innermost, state, skip_after_if_halted)
        return state.value

    _call(job, chain[index].callback, block)
