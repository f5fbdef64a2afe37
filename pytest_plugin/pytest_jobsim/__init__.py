"""The jobsim pytest plugin: a fresh, active simulator per test, on virtual time.

Registered through the ``pytest11`` entry point as ``jobsim`` (disable with ``-p no:jobsim``).
It is a thin adapter over :mod:`jobsim` and :mod:`jobsim.testing`:

* fixtures ``jobsim`` (a fresh simulator, active for the whole test, with ``datetime.now()`` and
  ``time.time()`` following its clock through freezegun) and ``jobsim_factory`` (a
  session-scoped callable building simulators with the configured defaults, for Hypothesis
  ``@given`` tests and custom set-ups);
* the marker ``@pytest.mark.jobsim(seed=…, start=…, profile=…, queues=…, plugins=…,
  young_gc=…, freeze_time=…)``;
* ini options ``jobsim_seed``, ``jobsim_profile``, ``jobsim_start``, ``jobsim_plugins``,
  ``jobsim_young_gc``, ``jobsim_freeze_time``, ``jobsim_trace_tail`` and the command-line
  option ``--jobsim-seed``;
* on failure, a "jobsim" report section with the full report of a failed ``assert
  have_enqueued_job(...)``, the seed, and the last trace events (shown with ``-q`` too).

It does no work at import, adds no autouse fixtures and creates no files. Precedence of
settings: the marker, then ``--jobsim-seed``, then the ini file, then jobsim's defaults.
"""

from __future__ import annotations

import difflib
import inspect
import sys
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest

import jobsim
from jobsim import validate
from jobsim.clock import format_time
from jobsim.plugins import resolve_plugins
from jobsim.unserved import unserved_text, warn_unserved

__all__ = ["SimulatorFactory", "jobsim_factory", "jobsim_fixture"]

_SIM_KEY = pytest.StashKey[jobsim.Simulator]()
_SEED_SOURCE_KEY = pytest.StashKey[str]()
_SETTINGS_KEY = pytest.StashKey["_Settings"]()
_FACTORY_KEY = pytest.StashKey["SimulatorFactory"]()

_FREEZE_CHOICES = ("auto", "true", "false")


@dataclass(frozen=True)
class _Settings:
    """The run-wide defaults, read once from the command line and the ini file."""

    seed: int
    seed_source: str
    profile: str | None
    start: datetime | float | None
    freeze_time: str  # "auto", "true" or "false"
    trace_tail: int
    #: Plugin names for every simulator (``jobsim_plugins``); a marker's plugins= replaces them.
    plugins: tuple[str, ...] = ()
    #: Whether the engine collects young garbage less often (off unless the ini asks).
    young_gc: bool = False


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("jobsim", "jobsim (simulated Sidekiq jobs)")
    group.addoption(
        "--jobsim-seed",
        dest="jobsim_seed",
        default=None,
        metavar="N",
        help="seed for every `jobsim` fixture (a @pytest.mark.jobsim(seed=...) still wins)",
    )
    # No default: getini gives None (pytest 8.4+) or "" (earlier) when the ini file leaves the
    # option out, which is how the report header tells "ini" from "default" with public API only.
    parser.addini("jobsim_seed", "default seed of the `jobsim` fixture (default: 0)", default=None)
    parser.addini(
        "jobsim_profile", "default Sidekiq profile: sidekiq-6.4, sidekiq-7 or sidekiq-8", default=""
    )
    parser.addini(
        "jobsim_start",
        "where virtual time starts: ISO-8601 with a zone (2026-03-02T09:00:00Z) or epoch seconds",
        default="",
    )
    parser.addini(
        "jobsim_plugins",
        "plugins every simulator runs, as a Gemfile chooses gems: names such as unique_jobs "
        "throttled, or package.module:Plugin (a marker's plugins= replaces the list)",
        type="args",
        default=[],
    )
    parser.addini(
        "jobsim_young_gc",
        "collect young garbage less often while a simulator's engine runs (jobsim.young_gc): "
        "true or false (default false: your tests run under the GC setting you chose)",
        default="false",
    )
    parser.addini(
        "jobsim_freeze_time",
        "datetime.now()/time.time() follow the simulator's clock through freezegun: "
        "auto (when freezegun is installed), true or false",
        default="auto",
    )
    parser.addini(
        "jobsim_trace_tail",
        "trace events in the 'jobsim' failure section (default 10)",
        default="10",
    )


def _read_settings(config: pytest.Config) -> _Settings:
    def whole(text: str, where: str) -> int:
        try:
            return int(text)
        except ValueError:
            msg = f"{where} = {text!r}: pass a whole number"
            raise pytest.UsageError(msg) from None

    option = config.getoption("jobsim_seed")
    if option is not None:
        seed, source = whole(option, "--jobsim-seed"), "--jobsim-seed"
    else:
        ini = str(config.getini("jobsim_seed") or "").strip()
        seed, source = (whole(ini, "jobsim_seed (ini)"), "ini") if ini else (0, "default")
    profile = str(config.getini("jobsim_profile")).strip() or None
    if profile is not None and profile not in jobsim.PROFILES:
        close = difflib.get_close_matches(profile, list(jobsim.PROFILES), n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        msg = f"jobsim_profile = {profile!r} (ini): {hint}known: {', '.join(jobsim.PROFILES)}"
        raise pytest.UsageError(msg)
    start_text = str(config.getini("jobsim_start")).strip()
    start: datetime | float | None = None
    if start_text:
        try:
            start = float(start_text)
        except ValueError:
            try:
                start = datetime.fromisoformat(start_text)
            except ValueError:
                start = None
            if start is None or start.tzinfo is None:
                msg = (
                    f"jobsim_start = {start_text!r} (ini): pass ISO-8601 with a zone, such as "
                    f"2026-03-02T09:00:00Z, or epoch seconds"
                )
                raise pytest.UsageError(msg) from None
        try:  # nan, inf and the year 10000 parse, but no simulator can start there
            validate.epoch(start, name=f"jobsim_start = {start_text!r} (ini): start")
        except jobsim.InvalidArgument as error:
            raise pytest.UsageError(str(error)) from None
    freeze = str(config.getini("jobsim_freeze_time")).strip().lower() or "auto"
    if freeze not in _FREEZE_CHOICES:
        msg = f"jobsim_freeze_time = {freeze!r} (ini): pass auto, true or false"
        raise pytest.UsageError(msg)
    tail = whole(str(config.getini("jobsim_trace_tail")).strip(), "jobsim_trace_tail (ini)")
    if tail < 0:
        msg = f"jobsim_trace_tail = {tail} (ini): pass a whole number >= 0"
        raise pytest.UsageError(msg)
    plugins = tuple(str(name) for name in config.getini("jobsim_plugins"))
    try:
        resolve_plugins(plugins, where="jobsim_plugins")  # a bad name fails here, once
    except jobsim.JobsimError as error:
        raise pytest.UsageError(f"jobsim_plugins = {' '.join(plugins)} (ini): {error}") from None
    young = str(config.getini("jobsim_young_gc")).strip().lower()
    if young not in ("true", "false"):
        msg = f"jobsim_young_gc = {young!r} (ini): pass true or false"
        raise pytest.UsageError(msg)
    return _Settings(seed, source, profile, start, freeze, tail, plugins, young == "true")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "jobsim(**options): options for the `jobsim` fixture's Simulator (seed=, start=, "
        "profile=, queues=, plugins=, young_gc=, ...) and freeze_time=False to keep the real "
        "clock",
    )
    config.stash[_SETTINGS_KEY] = _read_settings(config)


def pytest_report_header(config: pytest.Config) -> str:
    settings = config.stash[_SETTINGS_KEY]
    profile = settings.profile or jobsim.DEFAULT_PROFILE
    return (
        f"jobsim: seed={settings.seed} ({settings.seed_source}), profile={profile}, "
        f"freeze_time={settings.freeze_time}"
        + (f", plugins={' '.join(settings.plugins)}" if settings.plugins else "")
    )


_SIMULATOR_OPTIONS = frozenset(inspect.signature(jobsim.Simulator).parameters)


class SimulatorFactory:
    """Builds simulators with the run's defaults; keyword arguments override them.

    ``jobsim_factory(seed=n)`` returns a new, inactive simulator: enter it with ``with sim:``.
    The simulator built last during a test is shown in the test's failure report.
    """

    def __init__(self, settings: _Settings) -> None:
        self._settings = settings
        #: The simulator built last in the current test (reset before each test).
        self.last: jobsim.Simulator | None = None

    def options(self, **overrides: Any) -> dict[str, Any]:
        """The keyword arguments a simulator would get: defaults, then ``overrides``."""
        unknown = sorted(set(overrides) - _SIMULATOR_OPTIONS)
        if unknown:
            name = unknown[0]
            close = difflib.get_close_matches(name, sorted(_SIMULATOR_OPTIONS), n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            msg = (
                f"unknown jobsim.Simulator option {name}={overrides[name]!r}; {hint}options: "
                f"{', '.join(sorted(_SIMULATOR_OPTIONS))}, and freeze_time in the marker"
            )
            raise TypeError(msg)
        options: dict[str, Any] = {"seed": self._settings.seed, "young_gc": self._settings.young_gc}
        if self._settings.plugins:
            options["plugins"] = list(self._settings.plugins)
        if self._settings.profile is not None:
            options["profile"] = self._settings.profile
        if self._settings.start is not None:
            options["start"] = self._settings.start
        options.update(overrides)
        return options

    def __call__(self, **overrides: Any) -> jobsim.Simulator:
        sim = jobsim.Simulator(**self.options(**overrides))
        self.last = sim
        return sim

    def __repr__(self) -> str:
        return f"<jobsim_factory defaults={self.options()}>"


def _factory(config: pytest.Config) -> SimulatorFactory:
    factory = config.stash.get(_FACTORY_KEY, None)
    if factory is None:
        factory = config.stash[_FACTORY_KEY] = SimulatorFactory(config.stash[_SETTINGS_KEY])
    return factory


@pytest.fixture(scope="session")
def jobsim_factory(pytestconfig: pytest.Config) -> SimulatorFactory:
    """A callable building simulators with the run's defaults (for ``@given`` tests)."""
    return _factory(pytestconfig)


def _wants_freeze(choice: object, settings: _Settings) -> bool:
    from jobsim.testing import freezegun_available

    if choice is None:
        choice = settings.freeze_time
    if choice in (False, "false"):
        return False
    if choice in (True, "true"):
        return True  # a missing freezegun then fails with the install command
    if choice == "auto":
        return freezegun_available()
    msg = f"@pytest.mark.jobsim(freeze_time={choice!r}): pass True or False"
    raise TypeError(msg)


@pytest.fixture(name="jobsim")
def jobsim_fixture(request: pytest.FixtureRequest) -> Iterator[jobsim.Simulator]:
    """A fresh simulator, active for the whole test, its clock driving ``datetime.now()``."""
    marker = request.node.get_closest_marker("jobsim")
    options: dict[str, Any] = {}
    if marker is not None:
        if marker.args:
            msg = f"@pytest.mark.jobsim{marker.args!r}: pass options by name, e.g. seed=7"
            raise TypeError(msg)
        options = dict(marker.kwargs)
    settings = request.config.stash[_SETTINGS_KEY]
    freeze = _wants_freeze(options.pop("freeze_time", None), settings)
    source = "marker" if "seed" in options else settings.seed_source
    sim = _factory(request.config)(**options)
    request.node.stash[_SIM_KEY] = sim
    request.node.stash[_SEED_SOURCE_KEY] = source
    with sim:
        if not freeze:
            yield sim
        else:
            from jobsim.testing import virtual_time

            with virtual_time(sim):
                yield sim
    # Jobs a real process with this queue list would never run (see jobsim.unserved).
    warn_unserved(sim, "at the end of the test", stacklevel=1)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    testing = sys.modules.get("jobsim.testing")
    if testing is not None:
        testing.begin_test()
    factory = item.config.stash.get(_FACTORY_KEY, None)
    if factory is not None:
        factory.last = None


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if report.failed:
        text = _section(item, call)
        if text:
            report.sections.append(("jobsim", text))
    return report


def _section(item: pytest.Item, call: pytest.CallInfo[None]) -> str:
    lines: list[str] = []
    testing = sys.modules.get("jobsim.testing")
    if testing is not None and call.excinfo is not None:
        explanation = testing.explain_failure(call.excinfo.tb)
        if explanation:
            lines += [explanation, ""]
    sim = item.stash.get(_SIM_KEY, None)
    source = item.stash.get(_SEED_SOURCE_KEY, "jobsim_factory")
    if sim is None:
        factory = item.config.stash.get(_FACTORY_KEY, None)
        sim = factory.last if factory is not None else None
    if sim is not None:
        lines += _simulator_lines(sim, source, item.config.stash[_SETTINGS_KEY].trace_tail)
    return "\n".join(lines).rstrip()


def _simulator_lines(sim: jobsim.Simulator, source: str, tail: int) -> list[str]:
    replay = (
        f"@pytest.mark.jobsim(seed={sim.seed})"
        if source in ("marker", "jobsim_factory")
        else f"--jobsim-seed={sim.seed}"
    )
    stats = sim.stats
    lines = [
        f"seed={sim.seed} ({source}; replay with {replay}), profile {sim.profile.name}, "
        f"virtual now {format_time(sim.time)}",
        f"processed={stats.processed} failed={stats.failed} enqueued={stats.enqueued} "
        f"scheduled={stats.scheduled_size} retries={stats.retry_size} dead={stats.dead_size}",
    ]
    waiting = unserved_text(sim, "left behind")
    if waiting is not None:
        lines += waiting.splitlines()
    events = sim.trace.tail(tail) if tail > 0 else []
    if not events:
        lines.append("trace: no events")
        return lines
    lines.append(f"last {len(events)} of {sim.trace.total} trace events:")
    for event in events:
        args = event.job.get("args")
        shown = repr(args)
        if len(shown) > 60:
            shown = shown[:59] + "…"
        detail = " ".join(f"{key}={value!r}" for key, value in event.detail.items())
        lines.append(
            f"  #{event.seq:<4} {format_time(event.ts)}  {event.kind:<16} "
            f"{event.job.get('class')} {shown} queue={event.job.get('queue')} "
            f"jid={event.jid}{' ' + detail if detail else ''}"
        )
    return lines
