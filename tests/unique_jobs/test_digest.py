"""The lock digest, computed by hand from the gem's algorithm (``lock_digest.rb`` @ v8.1.0):
``PREFIX + ":" + hex(hash(JSON.generate(sorted [key, value] pairs of class, lock_args, queue)))``.
"""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import jobsim
from jobsim.unique_jobs import UniqueJobs
from jobsim.unique_jobs._digest import compute_digest, ruby_json


def md5(text: str) -> str:
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


def sha3(text: str) -> str:
    return hashlib.sha3_256(text.encode()).hexdigest()


def pushed(job_class: type[jobsim.Job], *args: Any, plugin: Any = None, **options: Any) -> dict:
    sim = jobsim.Simulator(plugins=[plugin or UniqueJobs()])
    with sim:
        jid = job_class.set(**options).perform_async(*args) if options else None
        if not options:
            jid = job_class.perform_async(*args)
    assert jid is not None
    (job,) = sim.queue(job_class.sidekiq_options.get("queue", "default")).jobs
    return dict(job)


class Report(jobsim.Job, lock="until_executed"):
    def perform(self, day: str, user: int) -> None:
        pass


def test_the_legacy_digest_is_md5_of_the_sorted_pairs() -> None:
    job = pushed(Report, "2026-01-01", 7)
    text = '[["class","Report"],["lock_args",["2026-01-01",7]],["queue","default"]]'
    assert job["lock_digest"] == "uniquejobs:" + md5(text)
    assert job["lock_args"] == ["2026-01-01", 7]
    assert [key for key in job if key.startswith("lock")] == [
        "lock",
        "lock_timeout",
        "lock_ttl",
        "lock_prefix",
        "lock_args",
        "lock_digest",
    ]
    assert (job["lock_timeout"], job["lock_ttl"], job["lock_prefix"]) == (0, None, "uniquejobs")


def test_the_modern_digest_is_sha3_256() -> None:
    job = pushed(Report, "2026-01-01", 7, plugin=UniqueJobs(digest="modern"))
    text = '[["class","Report"],["lock_args",["2026-01-01",7]],["queue","default"]]'
    assert job["lock_digest"] == "uniquejobs:" + sha3(text)


def test_across_queues_and_workers_leave_out_queue_and_class() -> None:
    class Anywhere(jobsim.Job, lock="until_executed", unique_across_queues=True, queue="low"):
        def perform(self, n: int) -> None:
            pass

    class AnyClass(jobsim.Job, lock="until_executed", unique_across_workers=True):
        def perform(self, n: int) -> None:
            pass

    assert pushed(Anywhere, 1)["lock_digest"] == "uniquejobs:" + md5(
        '[["class","Anywhere"],["lock_args",[1]]]'
    )
    assert pushed(AnyClass, 1)["lock_digest"] == "uniquejobs:" + md5(
        '[["lock_args",[1]],["queue","default"]]'
    )


def test_a_class_method_named_lock_args_is_picked_up() -> None:
    class ByUser(jobsim.Job, lock="until_executed"):
        @classmethod
        def lock_args(cls, args: list[Any]) -> list[Any]:
            return [args[0]]

        def perform(self, user: int, note: str) -> None:
            pass

    first, second = pushed(ByUser, 7, "a"), pushed(ByUser, 7, "b")
    assert first["lock_args"] == [7]
    assert (
        first["lock_digest"]
        == second["lock_digest"]
        == "uniquejobs:" + md5('[["class","ByUser"],["lock_args",[7]],["queue","default"]]')
    )


def test_lock_args_method_as_a_callable_or_a_name_and_the_pre_7_spelling() -> None:
    class Named(jobsim.Job, lock="until_executed", lock_args_method="only_first"):
        @classmethod
        def only_first(cls, args: list[Any]) -> list[Any]:
            return args[:1]

        def perform(self, a: int, b: int) -> None:
            pass

    class Called(jobsim.Job, lock="until_executed", lock_args_method=lambda args: [args[1]]):
        def perform(self, a: int, b: int) -> None:
            pass

    with pytest.warns(
        jobsim.JobsimDeprecationWarning, match="spelling before sidekiq-unique-jobs 7"
    ):

        class Old(jobsim.Job, unique="until_executed", unique_args=lambda args: [args[0]]):
            def perform(self, a: int, b: int) -> None:
                pass

    assert pushed(Named, 1, 2)["lock_args"] == [1]
    called = pushed(Called, 1, 2)
    assert called["lock_args"] == [2]
    assert called["lock_args_method"].startswith("#<callable ")  # a JSON-safe stand-in
    old = pushed(Old, 1, 2)
    assert old["lock_args"] == [1]
    assert old["lock_digest"] == "uniquejobs:" + md5(
        '[["class","Old"],["lock_args",[1]],["queue","default"]]'
    )


def test_the_method_sees_json_normalised_args_and_must_return_a_list() -> None:
    seen: list[Any] = []

    class Keyed(jobsim.Job, lock="until_executed", lock_args_method=lambda a: seen.append(a) or a):
        def perform(self, data: dict[str, Any]) -> None:
            pass

    class Wrong(jobsim.Job, lock="until_executed", lock_args_method=lambda args: args[0]):
        def perform(self, n: int) -> None:
            pass

    given = {"b": [1, 2]}
    job = pushed(Keyed, given)
    assert seen == [[{"b": [1, 2]}]]
    assert seen[0][0] is not given  # a JSON round trip, not the caller's object
    assert job["lock_args"] == [{"b": [1, 2]}]
    with pytest.raises(
        jobsim.InvalidOption, match=r"Wrong: lock_args method .* returned 5; it must"
    ):
        pushed(Wrong, 5)


def test_while_executing_digests_end_in_run_and_the_prefix_is_configurable() -> None:
    class Runtime(jobsim.Job, lock="while_executing", lock_prefix="mine"):
        def perform(self, n: int) -> None:
            pass

    text = '[["class","Runtime"],["lock_args",[3]],["queue","default"]]'
    assert pushed(Runtime, 3)["lock_digest"] == "mine:" + md5(text) + ":RUN"


def test_ruby_agrees_with_the_hand_computation() -> None:
    ruby = pytest.importorskip("shutil").which("ruby")
    if ruby is None:
        pytest.skip("ruby is not installed")
    import subprocess

    script = (
        'require "json"; require "openssl"; '
        'h = {"class" => "Report", "queue" => "default", "lock_args" => ["2026-01-01", 7]}; '
        "puts OpenSSL::Digest::MD5.hexdigest(JSON.generate(h.sort)); "
        'puts OpenSSL::Digest.new("SHA3-256", JSON.generate(h.sort)).hexdigest'
    )
    out = subprocess.run([ruby, "-e", script], capture_output=True, text=True, check=True)
    legacy, modern = out.stdout.split()
    assert pushed(Report, "2026-01-01", 7)["lock_digest"] == f"uniquejobs:{legacy}"
    plugin = UniqueJobs(digest="modern")
    assert pushed(Report, "2026-01-01", 7, plugin=plugin)["lock_digest"] == f"uniquejobs:{modern}"


_PLAIN = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.text()
    | st.floats(allow_nan=False, allow_infinity=False)
)
_ARGS = st.recursive(
    _PLAIN,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner),
    max_leaves=8,
)


@settings(max_examples=300)
@given(
    lock_args=st.lists(_ARGS, max_size=5) | _ARGS,
    name=st.text(min_size=1),
    queue=st.text(),
    apartment=st.none() | st.text() | st.integers(),
)
def test_the_fast_writer_gives_the_encoders_text(
    lock_args: Any, name: str, queue: str, apartment: Any
) -> None:
    # compute_digest writes flat lock_args itself; the JSON must be the encoder's, byte for byte.
    job: dict[str, Any] = {"class": name, "queue": queue, "lock_args": lock_args}
    if apartment is not None:
        job["apartment"] = apartment
    pairs = [[key, job[key]] for key in sorted(job)]
    expected = ruby_json(pairs)
    for algorithm, digest in (("legacy", md5), ("modern", sha3)):
        found = compute_digest(
            job, prefix="p", algorithm=algorithm, across_queues=False, across_workers=False
        )
        assert found == f"p:{digest(expected)}"
