"""``UniqueJobs``: sidekiq-unique-jobs as a plugin chosen per simulator."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from jobsim import validate
from jobsim.errors import InvalidArgument
from jobsim.gem_options import check_gem_option
from jobsim.unique_jobs._api import ApiRelease
from jobsim.unique_jobs._middleware import UniqueClient, UniqueServer
from jobsim.unique_jobs._prepare import Settings
from jobsim.unique_jobs._reaper import reap
from jobsim.unique_jobs._redis import SavesLocks
from jobsim.unique_jobs._runtime import UniqueRuntime

if TYPE_CHECKING:
    from jobsim.simulator import Simulator

__all__ = ["UniqueJobs"]

#: Every job option the gem reads (the pre-7 names too), for the per-simulator option watch.
HONOURS = (
    "lock",
    "lock_args_method",
    "lock_ttl",
    "lock_timeout",
    "lock_limit",
    "on_conflict",
    "unique_across_queues",
    "unique_across_workers",
    "lock_prefix",
    "schedule_in",
    "unique",
    "unique_args",
    "unique_expiration",
    "unique_prefix",
)


class UniqueJobs(SavesLocks):
    """sidekiq-unique-jobs (v8.1.0 by default), with the gem's global configuration.

    Args:
        on_conflict: The default strategy (``SidekiqUniqueJobs.config.on_conflict``): None
            (drop silently), ``"log"``, ``"raise"``, ``"reject"``, ``"replace"``,
            ``"reschedule"``, or ``{"client": …, "server": …}``.
        lock_ttl: Default seconds a lock lives (None: until released).
        lock_timeout: Default seconds to wait for a lock, written into each job hash. The
            gem at 8.1.0 never reaches that wait when another job holds the lock (its
            ``queue.lua`` returns the holder first), so a taken lock is a conflict at once.
        lock_prefix: The digest prefix (``"uniquejobs"``).
        digest: ``"legacy"`` (MD5, the gem's default) or ``"modern"`` (SHA3-256, 8.x only).
        reaper: ``"ruby"`` or ``"lua"`` (both reap orphans every ``reaper_interval``), or None.
        reaper_interval: Seconds between reaper runs (600).
        reaper_count: Digests deleted per run at most (1000).
        reaper_timeout: The gem's ``reaper_timeout`` (10 s), part of the age a digest needs.
        version: ``"8"`` (8.1.0) or ``"7"`` (7.x: MD5 digests only).
    """

    name = "unique_jobs"
    honours = HONOURS

    def __init__(
        self,
        *,
        on_conflict: Any = None,
        lock_ttl: float | None = None,
        lock_timeout: float | None = 0,
        lock_prefix: str = "uniquejobs",
        digest: str = "legacy",
        reaper: str | None = "ruby",
        reaper_interval: float = 600,
        reaper_count: int = 1000,
        reaper_timeout: float = 10,
        version: str = "8",
    ) -> None:
        where = "UniqueJobs"
        self.version = validate.choice(version, ("8", "7"), name=f"{where}(version)")
        self.digest = validate.choice(digest, ("legacy", "modern"), name=f"{where}(digest)")
        if self.version == "7" and digest == "modern":
            msg = (
                f"{where}(version='7', digest='modern'): sidekiq-unique-jobs 7 has only MD5 "
                f"digests; pass digest='legacy' or version='8'"
            )
            raise InvalidArgument(msg)
        checked = {
            "on_conflict": on_conflict,
            "lock_ttl": lock_ttl,
            "lock_timeout": lock_timeout,
            "lock_prefix": lock_prefix,
        }
        for key, value in checked.items():
            if value is not None:
                checked[key] = check_gem_option(key, value, where=where, stacklevel=2)
        self.on_conflict = checked["on_conflict"]
        self.lock_ttl = lock_ttl
        self.lock_timeout = lock_timeout
        self.lock_prefix = lock_prefix
        self.reaper = (
            None if reaper is None else validate.choice(reaper, ("ruby", "lua"), name="reaper")
        )
        self.reaper_interval = validate.seconds(reaper_interval, name=f"{where}(reaper_interval)")
        if self.reaper_interval <= 0:
            msg = f"{where}(reaper_interval={reaper_interval!r}): pass seconds > 0"
            raise InvalidArgument(msg)
        self.reaper_count = validate.whole(reaper_count, name=f"{where}(reaper_count)", low=1)
        self.reaper_timeout = validate.seconds(reaper_timeout, name=f"{where}(reaper_timeout)")

    def settings(self) -> Settings:
        """The global configuration jobs fall back to."""
        return Settings(
            on_conflict=self.on_conflict,
            lock_ttl=self.lock_ttl,
            lock_timeout=self.lock_timeout,
            lock_prefix=self.lock_prefix,
            digest=self.digest,
        )

    def install(self, sim: Simulator) -> None:
        """Client and server middleware, the death handler, the reaper and the release of
        a job's lock by the data API's deletes (see ``_api``), on ``sim``."""
        runtime = UniqueRuntime(sim, self.settings())
        sim.client_middleware.add(UniqueClient, runtime)
        sim.server_middleware.add(UniqueServer, runtime)
        sim.death_handlers.append(runtime.death_handler)
        sim._state.api_removal_listeners.append(ApiRelease(runtime))  # sidekiq_unique_ext.rb
        if self.reaper is not None:
            self._schedule_reaper(sim, runtime, sim.time + self.reaper_interval)

    def _schedule_reaper(self, sim: Simulator, runtime: UniqueRuntime, at: float) -> None:
        def run() -> None:
            reap(runtime, timeout=self.reaper_timeout, count=self.reaper_count)
            self._schedule_reaper(sim, runtime, at + self.reaper_interval)

        sim.call_at(at, run, background=True)

    def __repr__(self) -> str:
        return (
            f"UniqueJobs(on_conflict={self.on_conflict!r}, lock_ttl={self.lock_ttl!r}, "
            f"digest={self.digest!r}, version={self.version!r})"
        )
