"""Middleware chains (layer 4): Sidekiq's client and server chains, in Python's words.

A middleware is a class; the chain makes a **new instance per invocation** from the class and
the arguments it was added with, as Sidekiq does. Its ``call`` receives the job and a
``call_next`` continuation where Sidekiq's would ``yield``::

    class Tag:
        def call(self, job_class, job, queue, call_next):      # client side
            job["tags"] = ["web"]
            return call_next()

    class Timing:
        def call(self, job_instance, job, queue, call_next):   # server side
            return call_next()

Client side: whatever the chain returns is what gets pushed; a middleware that returns a falsy
value without calling ``call_next`` stops the push (``perform_async`` returns None), while one
that returns the job hash without calling it still pushes. Server side: a middleware that does
not call ``call_next`` skips ``perform`` and the job counts as a success. Entry 0 is outermost.

A middleware that reads job options of its own declares them as ``job_options = {"name":
validator}``; a job class that uses them names the middleware (``options_from=(Audit,)``),
and a simulator whose chains lack it warns at enqueue. Adding a middleware to one simulator's
chain changes nothing anywhere else.

A middleware whose ``call`` has a ``redis_pool`` parameter before ``call_next`` (Sidekiq 6's
``call(worker, job, queue, redis_pool)``) gets the chain's Redis pool there: the signature is
read once, when the class is added (see :mod:`jobsim.redis_pool`).

A middleware class whose instances keep nothing between calls may say so with a class
attribute ``stateless = True``: the chain then makes its one instance when the class is added
and reuses it. Only the constructor's arguments may live on such an instance (a call that sets
an attribute would see it again on the next call, which a new instance would not), so what
the chain runs is the same as with a new instance per call, without building one per job.

A stateless middleware whose work all happens before ``call_next`` may also offer
``passes(subject, job, queue) -> bool``, with ``call`` written as ``return call_next() if
self.passes(subject, job, queue) else None``. When it is the only middleware of a chain, the
client and the processor call ``passes`` and skip what the chain builds around ``call``: the
``call_next`` closure, and on the server the parsed copy of the job. So ``passes`` on the server
side must leave the hash it is given as it found it (it is the stored job, not a copy; copy
before writing), as a client-side ``passes`` may write into the hash it will push.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, Protocol

from jobsim.errors import InvalidArgument
from jobsim.redis_pool import RedisPool, WithRedisPool, middleware_name, wants_redis_pool

__all__ = ["Chain", "Middleware"]


class Middleware(Protocol):
    """What a middleware instance offers: ``call(subject, job, queue, call_next)``."""

    def call(
        self, subject: Any, job: dict[str, Any], queue: str, call_next: Callable[[], Any]
    ) -> Any:
        """Do work around ``call_next()`` (or instead of it)."""
        ...


class _Entry:
    __slots__ = ("args", "klass", "kwargs", "redis_pool", "shared")

    def __init__(
        self,
        klass: type[Any],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        pool: RedisPool | None = None,
    ) -> None:
        given: object = klass
        if not isinstance(given, type) or not callable(getattr(given, "call", None)):
            msg = (
                f"{klass!r} is not a middleware class: pass a class whose instances have "
                f"call(self, subject, job, queue, call_next)"
            )
            raise InvalidArgument(msg)
        self.klass = klass
        self.args = args
        self.kwargs = kwargs
        #: The pool its ``call`` receives, for a class that asks for one (else None).
        self.redis_pool = pool if wants_redis_pool(klass) else None
        #: The one instance of a class that declares ``stateless = True`` (else None).
        self.shared: Any = self.make() if getattr(klass, "stateless", False) is True else None

    def instance(self) -> Any:
        """The instance for one invocation: the shared one, or a new one (Sidekiq's rule)."""
        shared = self.shared
        return shared if shared is not None else self.make()

    def make(self) -> Any:
        instance = self.klass(*self.args, **self.kwargs)
        if self.redis_pool is None:
            return instance
        return WithRedisPool(instance, self.redis_pool)


class Chain:
    """An ordered list of middleware classes (``Sidekiq::Middleware::Chain``)."""

    __slots__ = ("_entries", "active", "on_change", "redis_pool", "side", "sole")

    def __init__(self, side: str, redis_pool: RedisPool | None = None) -> None:
        #: ``"client"`` or ``"server"``, for messages.
        self.side = side
        #: What a middleware taking ``redis_pool`` receives (None: such a class is refused).
        self.redis_pool = redis_pool
        self._entries: list[_Entry] = []
        #: Whether the chain has any entry (a plain flag: checked on every push and perform).
        self.active = False
        #: The only middleware, when it is stateless and offers ``passes`` (else None).
        self.sole: Any = None
        #: Called after every change (the simulator forgets which options it has checked).
        self.on_change: Callable[[], None] | None = None

    def _changed(self) -> None:
        entries = self._entries
        self.active = bool(entries)
        # (a pool-taking middleware's ``passes`` would not receive its pool: it keeps ``call``)
        alone = len(entries) == 1 and entries[0].redis_pool is None
        only = entries[0].shared if alone else None
        self.sole = only if callable(getattr(only, "passes", None)) else None
        if self.on_change is not None:
            self.on_change()

    def _index(self, klass: type[Any]) -> int | None:
        for index, entry in enumerate(self._entries):
            if entry.klass is klass:
                return index
        return None

    def add(self, klass: type[Any], *args: Any, **kwargs: Any) -> None:
        """Append ``klass``; if it is already there it is removed first (Sidekiq's ``add``)."""
        entry = self._entry(klass, args, kwargs)
        self.remove(klass)
        self._entries.append(entry)
        self._changed()

    def prepend(self, klass: type[Any], *args: Any, **kwargs: Any) -> None:
        """Put ``klass`` first, so it runs outermost."""
        entry = self._entry(klass, args, kwargs)
        self.remove(klass)
        self._entries.insert(0, entry)
        self._changed()

    def _take(self, klass: type[Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> _Entry:
        # Moving a class already in the chain keeps the arguments it was added with, as
        # Sidekiq's insert_before/insert_after do (entries.delete_at(i)).
        index = self._index(klass)
        if index is None:
            return self._entry(klass, args, kwargs)
        return self._entries.pop(index)

    def _entry(self, klass: type[Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> _Entry:
        entry = _Entry(klass, args, kwargs, self.redis_pool)
        if entry.redis_pool is None and self.redis_pool is None and wants_redis_pool(klass):
            msg = (
                f"{klass.__qualname__}.call takes redis_pool, but this {self.side} chain has no "
                f"Redis: add it to a simulator's chain (sim.{self.side}_middleware) or a "
                f"jobsim.redis.Client's"
            )
            raise InvalidArgument(msg)
        if entry.redis_pool is not None:
            entry.redis_pool.check_available(f"{klass.__qualname__} (it takes redis_pool)")
        return entry

    def insert_before(self, anchor: type[Any], klass: type[Any], *args: Any, **kwargs: Any) -> None:
        """Put ``klass`` just before ``anchor`` (at the start if ``anchor`` is absent)."""
        entry = self._take(klass, args, kwargs)
        index = self._index(anchor)
        self._entries.insert(0 if index is None else index, entry)
        self._changed()

    def insert_after(self, anchor: type[Any], klass: type[Any], *args: Any, **kwargs: Any) -> None:
        """Put ``klass`` just after ``anchor`` (at the end if ``anchor`` is absent)."""
        entry = self._take(klass, args, kwargs)
        index = self._index(anchor)
        self._entries.insert(len(self._entries) if index is None else index + 1, entry)
        self._changed()

    def remove(self, klass: type[Any]) -> bool:
        """Take ``klass`` out; False if it was not in the chain."""
        index = self._index(klass)
        if index is None:
            return False
        del self._entries[index]
        self._changed()
        return True

    def __contains__(self, klass: object) -> bool:
        return any(entry.klass is klass for entry in self._entries)

    def __iter__(self) -> Iterator[type[Any]]:
        return iter([entry.klass for entry in self._entries])

    def __len__(self) -> int:
        return len(self._entries)

    def __bool__(self) -> bool:
        return bool(self._entries)

    def clear(self) -> None:
        """Remove every middleware."""
        self._entries.clear()
        self._changed()

    def invoke(
        self, subject: Any, job: dict[str, Any], queue: str, final: Callable[[], Any]
    ) -> tuple[Any, str | None]:
        """Run the chain around ``final``.

        Returns what the outermost middleware returned and the name of the middleware that
        did not call ``call_next`` (None if the chain reached ``final``).
        """
        if len(self._entries) == 1:
            return self._invoke_one(subject, job, queue, final)
        instances = [entry.instance() for entry in self._entries]
        stopped: list[str] = []

        def step(index: int) -> Any:
            if index == len(instances):
                return final()
            instance = instances[index]
            reached: list[bool] = []

            def call_next() -> Any:
                reached.append(True)
                return step(index + 1)

            result = instance.call(subject, job, queue, call_next)
            if not reached and not stopped:
                stopped.append(middleware_name(instance))
            return result

        return step(0), (stopped[0] if stopped else None)

    def _invoke_one(
        self, subject: Any, job: dict[str, Any], queue: str, final: Callable[[], Any]
    ) -> tuple[Any, str | None]:
        # invoke() for a chain of one (a plugin's middleware, often): the same protocol
        # without building the list and the step closures, on a path every push may take.
        entry = self._entries[0]
        instance = entry.shared
        if instance is None:
            instance = entry.make()
        reached = False

        def call_next() -> Any:
            nonlocal reached
            reached = True
            return final()

        result = instance.call(subject, job, queue, call_next)
        return result, (None if reached else middleware_name(instance))

    def __repr__(self) -> str:
        names = ", ".join(entry.klass.__qualname__ for entry in self._entries)
        return f"<Chain {self.side}: [{names}]>"
