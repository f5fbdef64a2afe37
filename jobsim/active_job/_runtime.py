"""Per-simulator ActiveJob settings and the adapter's push (layer 4).

ActiveJob finds a job class by name (Ruby's ``constantize``); jobsim keeps that lookup per
simulator, beside the Rails version in force, how ``Kernel.rand`` draws, and a log of
ActiveJob's instrumentation (``enqueue_retry``, ``retry_stopped``, ``discard``). The settings
live in the simulator's own stash, so nothing outlives it and no simulator sees another's.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, cast

from jobsim import routing
from jobsim.active_job._serializers import GlobalID
from jobsim.active_job._versions import DEFAULT_RAILS, RailsVersion, get_rails
from jobsim.errors import InvalidArgument
from jobsim.stash import Stash, StashKey

if TYPE_CHECKING:
    from jobsim.rng import Stream

__all__ = ["Instrumented", "Settings", "Target", "settings", "target"]


class Target(Protocol):
    """What the adapter needs from a simulator (``jobsim.Simulator`` has all of it)."""

    @property
    def time(self) -> float: ...

    def push(self, job: Mapping[str, Any]) -> str | None: ...


@dataclass(frozen=True, slots=True)
class Instrumented:
    """One ActiveJob instrumentation event (``ActiveSupport::Notifications`` name, minus
    ``.active_job``): ``enqueue_retry``, ``retry_stopped`` or ``discard``."""

    name: str
    at: float
    job_class: str
    job_id: str
    executions: int
    error_class: str | None
    wait: float | None = None


@dataclass(slots=True)
class Settings:
    """ActiveJob settings of one simulator (see :func:`settings`)."""

    #: The Rails version for job classes that do not name one (``rails=`` on the class).
    rails: str = DEFAULT_RAILS
    #: ``Kernel.rand`` for retry jitter: None draws from the simulator's seeded stream; a
    #: number in [0, 1) pins every draw; a callable is asked each time.
    rand: float | Callable[[], float] | None = None
    #: ActiveJob classes by ``job_class`` name, for the wrapper to find (``constantize``).
    classes: dict[str, type[Any]] = field(default_factory=dict)
    #: Instrumentation, in order.
    events: list[Instrumented] = field(default_factory=list)
    #: GlobalID finders by model name: ``finders["User"] = lambda id: users.get(int(id))``;
    #: a finder returning None (or raising) is a record that no longer exists.
    finders: dict[str, Callable[[str], Any]] = field(default_factory=dict)
    #: Custom ``ObjectSerializer`` instances, asked after the built-in ones.
    serializers: list[Any] = field(default_factory=list)
    #: ``skip_after_callbacks_if_terminated`` for Rails 6.1 and 7.0 (7.1+ always skip):
    #: True is what ``load_defaults "6.1"`` sets, False the 6.1 framework default.
    skip_after_callbacks_if_terminated: bool = True
    #: ``config.active_job.queue_name_prefix`` / ``queue_name_delimiter`` /
    #: ``default_queue_name`` for classes that do not set their own.
    queue_name_prefix: str | None = None
    queue_name_delimiter: str = "_"
    default_queue_name: str = "default"
    #: ActionMailer: ``deliver_later_queue_name`` (None: the default queue, what
    #: ``load_defaults "6.1"`` and later set), the mailers by name, and what was delivered.
    deliver_later_queue_name: str | None = None
    #: ActionMailer's ``delivery_job`` for mailers that do not set their own (None:
    #: ``MailDeliveryJob``, what ``load_defaults "6.0"`` and later set; Rails 6.1's framework
    #: default is the deprecated ``DeliveryJob``, which Rails 7.0 removed).
    delivery_job: type[Any] | None = None
    mailers: dict[str, type[Any]] = field(default_factory=dict)
    deliveries: list[Any] = field(default_factory=list)
    #: ``config.active_job.queue_adapter``: ``"sidekiq"`` (jobsim simulates Rails' Sidekiq
    #: adapter) or ``"test"`` (Rails' test adapter: the helpers in ``jobsim.testing`` forget
    #: performed jobs, perform scheduled ones at once, and raise a job's error to the test).
    queue_adapter: str = "sidekiq"
    #: The test adapter's open ``perform_enqueued_jobs`` blocks, innermost last.
    perform_scopes: list[Any] = field(default_factory=list)
    _stream: Stream | None = None

    def version(self) -> RailsVersion:
        """The :class:`RailsVersion` called :attr:`rails`."""
        return get_rails(self.rails)

    def locate(self, gid: str) -> Any:
        """``GlobalID::Locator.locate``: the record ``gid`` names (LookupError if gone)."""
        parsed = GlobalID.parse(gid)
        finder = self.finders.get(parsed.model_name)
        if finder is None:
            msg = (
                f"no finder for {parsed.model_name} ({gid}): set jobsim.active_job.settings(sim)"
                f".finders[{parsed.model_name!r}] = lambda id: ..."
            )
            raise LookupError(msg)
        found = finder(parsed.model_id)
        if found is None:
            msg = f"Couldn't find {parsed.model_name} with 'id'={parsed.model_id}"
            raise LookupError(msg)
        return found

    def register(self, job_class: type[Any]) -> None:
        """Make ``job_class`` findable by its name (another class of that name: error)."""
        name = job_class.job_class_name
        known = self.classes.get(name)
        if known is not None and known is not job_class:
            msg = (
                f"two ActiveJob classes are named {name!r}: {known.__module__}."
                f"{known.__qualname__} and {job_class.__module__}.{job_class.__qualname__}; "
                f"job data finds its class by this name, so give one of them name="
            )
            raise InvalidArgument(msg)
        self.classes[name] = job_class


#: Where a simulator keeps its ActiveJob settings (in its own stash, never in this module).
_SETTINGS = StashKey[Settings]("active_job settings")


def settings(sim: Any) -> Settings:
    """The ActiveJob settings of ``sim`` (created on first use)::

    jobsim.active_job.settings(sim).rails = "7.1"
    jobsim.active_job.settings(sim).rand = 0.5    # pin Kernel.rand
    """
    stash = getattr(sim, "stash", None)
    if not isinstance(stash, Stash):
        # An enqueue target without a stash (Redis's disabled mode) has Rails' defaults.
        return Settings()
    found = stash.get(_SETTINGS, None)
    if found is None:
        found = Settings()
        stash[_SETTINGS] = found
    return found


def target(job_name: str) -> Target:
    """The active simulator, or NoActiveSimulator naming the job."""
    found = routing.current_target(job_name)
    if not hasattr(found, "push") or not hasattr(found, "time"):
        msg = f"{job_name}: the active enqueue target {found!r} cannot take raw pushes"
        raise InvalidArgument(msg)
    return cast("Target", found)


def draw(sim: Any) -> float:
    """One ``Kernel.rand`` draw for retry jitter, from the settings or the seeded stream."""
    config = settings(sim)
    pinned = config.rand
    if pinned is not None:
        value: object = pinned() if callable(pinned) else pinned
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value < 1:
            msg = f"active_job settings rand gave {value!r}; it must be a number in [0, 1)"
            raise InvalidArgument(msg)
        return float(value)
    return _stream(sim, config).random()


def random_bytes(sim: Any, count: int) -> bytes:
    """Seeded bytes for job ids (a separate stream, so ids never shift jitter draws)."""
    return _streams(sim, "active_job.job_id").randbytes(count)


def _stream(sim: Any, config: Settings) -> Stream:
    if config._stream is None:
        config._stream = _streams(sim, "active_job")
    return config._stream


def _streams(sim: Any, name: str) -> Stream:
    random_stream = getattr(sim, "random_stream", None)
    if random_stream is None:
        msg = f"{sim!r} has no seeded random streams; ActiveJob needs a jobsim.Simulator"
        raise InvalidArgument(msg)
    return cast("Stream", random_stream(name))
