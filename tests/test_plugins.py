"""Plugins chosen per simulator, their stash state, and the warning for options nobody honours."""

from __future__ import annotations

import warnings
from typing import Any, ClassVar

import pytest

import jobsim
from jobsim.plugins import KNOWN_PLUGINS, resolve_plugins

SEEN = jobsim.StashKey[list[str]]("seen")


class Seen:
    """Server middleware that notes each job's lock in the stash it was handed."""

    def __init__(self, seen: list[str]) -> None:
        self.seen = seen

    def call(self, job_instance: Any, job: dict[str, Any], queue: str, call_next: Any) -> Any:
        self.seen.append(str(job.get("lock")))
        return call_next()


class LockNoter:
    """A small test plugin: it honours ``lock`` and keeps what it saw in the simulator."""

    name = "lock_noter"
    honours = ("lock",)

    def __init__(self) -> None:
        self.installs = 0

    def install(self, sim: jobsim.Simulator) -> None:
        self.installs += 1
        seen: list[str] = []
        sim.stash[SEEN] = seen
        sim.server_middleware.add(Seen, seen)


class Locked(jobsim.Job, lock="until_executed"):
    def perform(self) -> None:
        pass


class Plain(jobsim.Job):
    def perform(self) -> None:
        pass


def test_a_plugin_installs_into_its_own_simulator_only() -> None:
    plugin = LockNoter()
    first, second = jobsim.Simulator(plugins=[plugin]), jobsim.Simulator(plugins=[plugin])
    bare = jobsim.Simulator()
    assert plugin.installs == 2
    assert first.plugins == (plugin,)
    assert bare.plugins == ()
    with first:
        Locked.perform_async()
        Locked.perform_async()
    first.drain()
    with second:
        Locked.perform_async()
    second.drain()
    assert first.stash[SEEN] == ["until_executed", "until_executed"]
    assert second.stash[SEEN] == ["until_executed"]
    assert SEEN not in bare.stash
    with pytest.raises(KeyError, match="install the plugin that keeps it"):
        bare.stash[SEEN]


def test_a_plugin_class_is_built_with_its_defaults() -> None:
    sim = jobsim.Simulator(plugins=[LockNoter])
    assert [type(plugin) for plugin in sim.plugins] == [LockNoter]
    assert sim.honoured_options == {"lock": f"{__name__}.LockNoter"}


def test_a_gem_option_without_its_plugin_warns_at_enqueue_naming_the_plugin() -> None:
    bare = jobsim.Simulator()
    with bare, pytest.warns(jobsim.JobsimWarning) as caught:
        Locked.perform_async()
    assert [str(warning.message) for warning in caught] == [
        "Locked: option lock='until_executed' has no effect on this simulator: "
        "jobsim.unique_jobs.UniqueJobs honours it (sidekiq-unique-jobs); add it with "
        "jobsim.Simulator(plugins=[jobsim.unique_jobs.UniqueJobs()]) or the pytest ini option "
        "jobsim_plugins = unique_jobs. Sidekiq without the gem would ignore it silently"
    ]
    assert caught[0].filename == __file__  # pointed at the enqueue, not at jobsim
    with bare, warnings.catch_warnings():
        warnings.simplefilter("error")
        Locked.perform_async()  # once per class and simulator
        Plain.perform_async()
    assert bare.stats.enqueued == 3


def test_a_raw_push_carrying_a_gem_option_warns_as_perform_async_does() -> None:
    bare = jobsim.Simulator()
    with pytest.warns(jobsim.JobsimWarning) as caught:
        bare.push({"class": "Report", "args": [], "lock": "until_executed"})
    assert [str(warning.message) for warning in caught] == [
        "Report: option lock='until_executed' has no effect on this simulator: "
        "jobsim.unique_jobs.UniqueJobs honours it (sidekiq-unique-jobs); add it with "
        "jobsim.Simulator(plugins=[jobsim.unique_jobs.UniqueJobs()]) or the pytest ini option "
        "jobsim_plugins = unique_jobs. Sidekiq without the gem would ignore it silently"
    ]
    assert caught[0].filename == __file__


def test_a_raw_push_of_a_known_class_warns_about_the_class_options_once() -> None:
    bare = jobsim.Simulator()
    with pytest.warns(jobsim.JobsimWarning, match="Locked: option lock='until_executed'"):
        bare.push({"class": Locked, "args": []})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        bare.push({"class": "Locked", "args": []})  # known by name now; warned already
        bare.push({"class": "Plain", "args": []})
    assert bare.stats.enqueued == 3


def test_a_raw_push_with_the_plugin_installed_is_quiet() -> None:
    sim = jobsim.Simulator(plugins=[LockNoter])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sim.push({"class": "Report", "args": [], "lock": "until_executed"})
        sim.push({"class": Locked, "args": []})
    assert sim.stats.enqueued == 2


def test_each_gem_names_its_own_plugin() -> None:
    class Throttled(jobsim.Job, throttle={"concurrency": {"limit": 2}}):
        pass

    class Enterprise(jobsim.Job, unique_for=60):
        pass

    sim = jobsim.Simulator()
    with sim, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        Throttled.perform_async()
        Enterprise.perform_async()
        Plain.set(lock_ttl=30).perform_async()
    assert {warning.category for warning in caught} == {jobsim.JobsimWarning}
    named = [str(warning.message).split(" honours it")[0].rsplit(" ", 1)[1] for warning in caught]
    assert named == [
        "jobsim.throttled.Throttled",
        "jobsim.unique_jobs.EnterpriseUniqueJobs",
        "jobsim.unique_jobs.UniqueJobs",
    ]
    assert "jobsim_plugins = enterprise_unique_jobs" in str(caught[1].message)


def test_no_warning_where_a_plugin_honours_the_option() -> None:
    sim = jobsim.Simulator(plugins=[LockNoter()])
    with sim, warnings.catch_warnings():
        warnings.simplefilter("error")
        Locked.perform_async()
        Plain.set(lock="while_executing").perform_async()
    assert sim.stats.enqueued == 2


class Audit:
    job_options: ClassVar[dict[str, Any]] = {"audit_level": None}

    def call(self, job_class: Any, job: dict[str, Any], queue: str, call_next: Any) -> Any:
        return call_next()


class Audited(jobsim.Job, options_from=(Audit,), audit_level=3):
    def perform(self) -> None:
        pass


def test_the_option_registered_for_one_simulator_is_unknown_to_a_fresh_one() -> None:
    audited = jobsim.Simulator()
    audited.client_middleware.add(Audit)
    assert audited.honoured_options == {"audit_level": "Audit"}
    with audited, warnings.catch_warnings():
        warnings.simplefilter("error")
        Audited.perform_async()
    fresh = jobsim.Simulator()
    assert fresh.honoured_options == {}
    with fresh, pytest.warns(jobsim.JobsimWarning) as caught:
        Audited.perform_async()
    assert str(caught[0].message) == (
        "Audited: option audit_level=3 has no effect on this simulator: Audit declares it, but "
        "neither middleware chain of this simulator has Audit: add it with "
        "sim.client_middleware.add(Audit) or sim.server_middleware.add(Audit)"
    )
    with pytest.raises(jobsim.InvalidOption, match="unknown job option audit_level=1"):
        type("Undeclared", (jobsim.Job,), {}, audit_level=1)


def test_changing_a_chain_makes_the_simulator_look_again() -> None:
    sim = jobsim.Simulator()
    sim.client_middleware.add(Audit)
    with sim, warnings.catch_warnings():
        warnings.simplefilter("error")
        Audited.perform_async()
    sim.client_middleware.remove(Audit)
    with sim, pytest.warns(jobsim.JobsimWarning, match="neither middleware chain"):
        Audited.perform_async()


def test_plugins_by_name_and_path_and_their_errors() -> None:
    assert KNOWN_PLUGINS["unique_jobs"] == "jobsim.unique_jobs:UniqueJobs"
    found = resolve_plugins(["tests.test_plugins:LockNoter"], where="here")
    assert [plugin.name for plugin in found] == ["lock_noter"]
    (unique,) = resolve_plugins(["unique_jobs"], where="here")
    assert type(unique).__module__ == "jobsim.unique_jobs._plugin"
    assert unique.name == "unique_jobs"
    cases = [
        (
            ["uniq"],
            "here: unknown plugin 'uniq'; pass one of unique_jobs, enterprise_unique_jobs, "
            "throttled, limiters, batches, or your own as 'package.module:PluginClass'",
        ),
        (
            ["tests.test_plugins:Nothing"],
            "here: plugin 'tests.test_plugins:Nothing': tests.test_plugins has no Nothing",
        ),
        (
            [object()],
            "is not a jobsim plugin: a plugin has a name (str), honours (the job options it "
            "gives a meaning to) and install(sim)",
        ),
        (
            [LockNoter(), LockNoter()],
            "here: plugin 'lock_noter' is listed twice; list each plugin once",
        ),
        ("unique_jobs", "here: plugins='unique_jobs' must be a list of plugins"),
    ]
    for given, message in cases:
        with pytest.raises(jobsim.InvalidArgument) as caught:
            resolve_plugins(given, where="here")
        assert message in str(caught.value)


def test_a_simulator_refuses_a_bad_plugin_list() -> None:
    with pytest.raises(jobsim.InvalidArgument, match=r"^Simulator\(plugins=\.\.\.\): unknown"):
        jobsim.Simulator(plugins=["nope"])


def test_stash_keys_are_typed_objects() -> None:
    stash = jobsim.Stash()
    key = jobsim.StashKey[int]("count")
    assert stash.get(key, None) is None
    assert stash.setdefault(key, 1) == 1
    stash[key] = 2
    assert (stash[key], len(stash), key in stash) == (2, 1, True)
    del stash[key]
    assert key not in stash
    with pytest.raises(jobsim.InvalidArgument, match=r"stash keys are jobsim\.stash\.StashKey"):
        stash["count"]  # type: ignore[index]
