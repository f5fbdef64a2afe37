"""Plugins chosen per simulator (layer 4): the ecosystem gems, as a Gemfile chooses them.

::

    sim = jobsim.Simulator(plugins=[jobsim.unique_jobs.UniqueJobs(on_conflict="log")])
    sim = jobsim.Simulator(plugins=["unique_jobs", "throttled"])       # by name, defaults

A plugin is any object with a ``name``, the job options it ``honours`` and an ``install(sim)``
hook that adds its middleware, handlers and stash state to that one simulator (see
:class:`Plugin`). Nothing a plugin does reaches another simulator: its state lives in
``sim.stash``, its middleware in ``sim``'s chains.

This module also watches, per simulator, for job options nothing on that simulator honours:
a job declaring ``lock=`` enqueued on a simulator without ``UniqueJobs`` gets a
:class:`~jobsim.errors.JobsimWarning` naming the plugin (Sidekiq without the gem would ignore
the option silently). Each job class is looked at once per simulator, until a middleware chain
changes.
"""

from __future__ import annotations

import importlib
import warnings
from collections.abc import Collection, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from jobsim.errors import InvalidArgument, JobsimWarning
from jobsim.gem_options import GEM_OPTIONS
from jobsim.options import JOB_OPTIONS
from jobsim.stash import StashKey

if TYPE_CHECKING:
    from jobsim.middleware import Chain

__all__ = [
    "BATCHES_VIEW",
    "KNOWN_PLUGINS",
    "LOCKS_VIEW",
    "OptionWatch",
    "Plugin",
    "THROTTLES_VIEW",
    "resolve_plugins",
]

#: The short names ``jobsim_plugins`` and ``plugins=["…"]`` take, and where each plugin lives.
KNOWN_PLUGINS: Mapping[str, str] = {
    "unique_jobs": "jobsim.unique_jobs:UniqueJobs",
    "enterprise_unique_jobs": "jobsim.unique_jobs:EnterpriseUniqueJobs",
    "throttled": "jobsim.throttled:Throttled",
    "limiters": "jobsim.limiters:Limiters",
    "batches": "jobsim.batches:Batches",
}

#: Where a unique-jobs plugin leaves its read-only locks view, which ``sim.locks`` returns
#: (a ``jobsim.unique_jobs.LocksView``; the key lives here so the simulator need not import
#: the plugin package).
LOCKS_VIEW = StashKey[Any]("sim.locks")

#: Where the batches plugin leaves its read-only view, which ``sim.batches`` returns (a
#: ``jobsim.batches.BatchesView``; kept here for the same reason as ``LOCKS_VIEW``).
BATCHES_VIEW = StashKey[Any]("sim.batches")

#: Where sidekiq-throttled leaves its read-only view, which ``sim.throttles`` returns (a
#: ``jobsim.throttled.ThrottleView``; kept here for the same reason as ``LOCKS_VIEW``).
THROTTLES_VIEW = StashKey[Any]("sim.throttles")

_SHORT_NAMES = {path.replace(":", "."): name for name, path in KNOWN_PLUGINS.items()}


@runtime_checkable
class Plugin(Protocol):
    """What a plugin offers. Its configuration lives on the plugin object; its state on the
    simulator it is installed on (``sim.stash``), so one plugin object may serve many."""

    #: A short name for messages and for ``jobsim_plugins`` (``"unique_jobs"``).
    name: str
    #: The job options this plugin gives a meaning to (``("lock", "on_conflict", …)``).
    honours: Collection[str]

    def install(self, sim: Any) -> None:
        """Add middleware, handlers and stash state to ``sim`` (called once, at construction)."""
        ...


def resolve_plugins(given: Iterable[Any] | None, *, where: str) -> tuple[Plugin, ...]:
    """Plugin objects for ``given``: plugins, plugin classes, short names or ``module:attr``."""
    if given is None:
        return ()
    if isinstance(given, str | bytes | Mapping) or not isinstance(given, Iterable):
        msg = f"{where}: plugins={given!r} must be a list of plugins, e.g. plugins=['unique_jobs']"
        raise InvalidArgument(msg)
    plugins: list[Plugin] = []
    for item in given:
        plugin = _resolve(item, where)
        if any(other.name == plugin.name for other in plugins):
            msg = f"{where}: plugin {plugin.name!r} is listed twice; list each plugin once"
            raise InvalidArgument(msg)
        plugins.append(plugin)
    return tuple(plugins)


def _resolve(item: Any, where: str) -> Plugin:
    if isinstance(item, str):
        item = _import(item, where)
    if isinstance(item, type):
        item = item()  # a plugin class: its default configuration
    name: object = getattr(item, "name", None)
    if not isinstance(item, Plugin) or not isinstance(name, str) or not name:
        msg = (
            f"{where}: {item!r} is not a jobsim plugin: a plugin has a name (str), honours "
            f"(the job options it gives a meaning to) and install(sim)"
        )
        raise InvalidArgument(msg)
    honours: object = item.honours
    if isinstance(honours, str) or not isinstance(honours, Collection):
        msg = f"{where}: plugin {item.name!r}: honours must be a collection of option names"
        raise InvalidArgument(msg)
    return item


def _import(spec: str, where: str) -> Any:
    path = KNOWN_PLUGINS.get(spec, spec)
    module_name, _, attribute = path.partition(":")
    if not attribute or not module_name:
        close = ", ".join(KNOWN_PLUGINS)
        msg = (
            f"{where}: unknown plugin {spec!r}; pass one of {close}, or your own as "
            f"'package.module:PluginClass'"
        )
        raise InvalidArgument(msg)
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        if spec in KNOWN_PLUGINS and error.name == module_name:
            msg = (
                f"{where}: plugin {spec!r} ({module_name}.{attribute}) is not part of this "
                f"version of jobsim yet"
            )
        else:
            msg = f"{where}: plugin {spec!r}: cannot import {module_name} ({error})"
        raise InvalidArgument(msg) from None
    found = getattr(module, attribute, None)
    if found is None:
        msg = f"{where}: plugin {spec!r}: {module_name} has no {attribute}"
        raise InvalidArgument(msg)
    return found


class OptionWatch:
    """Warns, once per job class and simulator, about options nothing there honours."""

    __slots__ = ("_chains", "_honoured", "_plugins", "seen")

    def __init__(self, plugins: tuple[Plugin, ...], chains: tuple[Chain, ...]) -> None:
        self._plugins = plugins
        self._chains = chains
        #: Job classes already looked at (the simulator's enqueue reads it directly: O(1)).
        self.seen: set[type[Any]] = set()
        self._honoured: dict[str, str] | None = None
        for chain in chains:
            chain.on_change = self._forget

    def _forget(self) -> None:
        self.seen.clear()
        self._honoured = None

    def honoured(self) -> dict[str, str]:
        """Option name -> what honours it here (a plugin, or a middleware in a chain)."""
        if self._honoured is None:
            found: dict[str, str] = {}
            for plugin in self._plugins:
                owner = f"{type(plugin).__module__}.{type(plugin).__qualname__}"
                for name in sorted(plugin.honours):
                    found.setdefault(name, owner)
            for chain in self._chains:
                for klass in chain:
                    table = getattr(klass, "job_options", None)
                    if isinstance(table, Mapping):
                        for name in table:
                            found.setdefault(str(name), klass.__name__)
            self._honoured = found
        return self._honoured

    def look_at(self, job_class: type[Any], options: Mapping[str, Any], stacklevel: int) -> None:
        """Warn about the options of ``job_class`` (first time) and of one enqueue's options."""
        if job_class not in self.seen:
            self.seen.add(job_class)
            self._warn(job_class, getattr(job_class, "sidekiq_options", {}), stacklevel + 1)
        if options:
            self._warn(job_class, options, stacklevel + 1)

    def look_at_pushed(
        self, job: Mapping[str, Any], job_class: type[Any] | None, stacklevel: int
    ) -> None:
        """Warn about the gem options a raw hash carries (``Sidekiq::Client.push``), and about
        its class's options when the class is known here."""
        if GEM_OPTIONS.keys().isdisjoint(job):
            if job_class is not None and job_class not in self.seen:
                self.look_at(job_class, {}, stacklevel + 1)
            return
        options = {name: value for name, value in job.items() if name in GEM_OPTIONS}
        if job_class is not None:
            self.look_at(job_class, options, stacklevel + 1)
        else:
            self._warn(None, options, stacklevel + 1, shown=str(job.get("class")))

    def _warn(
        self,
        job_class: type[Any] | None,
        options: Mapping[str, Any],
        stacklevel: int,
        *,
        shown: str = "",
    ) -> None:
        honoured: dict[str, str] | None = None
        for name, value in options.items():
            if name in JOB_OPTIONS or not isinstance(name, str):
                continue
            gem = GEM_OPTIONS.get(name)
            declared = getattr(job_class, "_declared_options", {}).get(name)
            if gem is None and declared is None:
                continue  # "class", "wait", "wait_until": the enqueue's own keys
            if honoured is None:
                honoured = self.honoured()
            if name in honoured:
                continue
            where = shown or f"{getattr(job_class, 'job_name', getattr(job_class, '__name__', ''))}"
            if gem is not None:
                short = _SHORT_NAMES[gem.plugin]
                fix = (
                    f"{gem.plugin} honours it ({gem.gem}); add it with jobsim.Simulator("
                    f"plugins=[{gem.plugin}()]) or the pytest ini option jobsim_plugins = "
                    f"{short}. Sidekiq without the gem would ignore it silently"
                )
            else:
                owner = declared[0] if declared is not None else "its middleware"
                fix = (
                    f"{owner} declares it, but neither middleware chain of this simulator "
                    f"has {owner}: add it with sim.client_middleware.add({owner}) or "
                    f"sim.server_middleware.add({owner})"
                )
            message = f"{where}: option {name}={value!r} has no effect on this simulator: {fix}"
            warnings.warn(JobsimWarning(message), stacklevel=stacklevel + 1)
