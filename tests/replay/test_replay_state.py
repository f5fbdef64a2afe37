"""``jobsim replay`` and :func:`jobsim.replay.replay_state`: a dumped Sidekiq state run forward."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

import jobsim
from jobsim.cli import main
from jobsim.errors import InvalidArgument
from jobsim.redis import dump_state, fake_redis, save_state
from jobsim.replay import parse_duration, replay_state


class Charge(jobsim.Job):
    def perform(self, order: int) -> None:
        if order < 0:
            msg = "card declined"
            raise RuntimeError(msg)


def write_dump(folder: Path) -> Path:
    """A dump with a job in the retry set, one dead and two scheduled within the hour."""
    sim = jobsim.Simulator(seed=3, profile="sidekiq-7")
    with sim:
        Charge.perform_async(-1)
        Charge.set(retry=0).perform_async(-2)
        Charge.perform_in(600, 1)
        Charge.perform_in(1200, 2)
        sim.perform_one()
        sim.perform_one()
    redis = fake_redis()
    save_state(sim, redis)
    path = folder / "state.jsonl"
    with path.open("w", encoding="utf-8") as out:
        dump_state(redis, out)
    return path


def test_the_command_runs_a_dump_forward(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_dump(tmp_path)
    assert main(["replay", "--dump", str(path), "--for", "2h", "--format", "json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["stand_ins"] == ["Charge"]
    assert summary["loaded"]["schedule"] == 2
    assert summary["after"]["scheduled_size"] == 0  # both scheduled jobs came due within 2h


def test_the_function_gives_what_the_command_prints(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_dump(tmp_path)
    summary = replay_state(dump=path, period=7200.0, unknown="succeed")
    assert main(["replay", "--dump", str(path), "--for", "2h", "--unknown", "succeed",
                 "--format", "json"]) == 0  # fmt: skip
    assert json.loads(capsys.readouterr().out) == summary
    assert summary["after"]["retry_size"] == 0  # the stand-in succeeds when its retry runs


def test_a_broken_dump_is_bad_input_naming_the_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{oops\n", encoding="utf-8")
    assert main(["replay", "--dump", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "dump line 1" in err
    assert len(err.splitlines()) == 1


def test_a_missing_dump_and_a_missing_module_are_bad_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "none.jsonl"
    assert main(["replay", "--dump", str(missing)]) == 2
    assert capsys.readouterr().err == (
        f"jobsim replay: dump={str(missing)!r}: cannot read it (No such file or directory); "
        f"pass a dump_state() file\n"
    )
    path = write_dump(tmp_path)
    assert main(["replay", "--dump", str(path), "--import", "no_such_jobs_module"]) == 2
    assert capsys.readouterr().err == (
        "jobsim replay: modules: cannot import 'no_such_jobs_module' (No module named "
        "'no_such_jobs_module'); pass a module importable from the working folder, such as "
        "app.jobs\n"
    )


def test_exactly_one_source_is_required() -> None:
    with pytest.raises(InvalidArgument, match=r"pass exactly one of them"):
        replay_state(period=60.0)
    with pytest.raises(InvalidArgument, match=r"unknown='maybe': pass one of 'fail'"):
        replay_state(dump="x.jsonl", unknown="maybe")  # type: ignore[arg-type]


def test_a_latin_1_dump_is_refused_as_not_utf_8(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "latin.jsonl"
    path.write_bytes('{"café": 1}\n'.encode("latin-1"))
    assert main(["replay", "--dump", str(path)]) == 2
    assert capsys.readouterr().err == (
        f"jobsim replay: dump={str(path)!r}: not UTF-8 text (invalid continuation byte at "
        f"byte 5); pass a dump_state() file\n"
    )


def test_durations() -> None:
    assert parse_duration("7d") == 7 * 86400
    assert parse_duration("90") == 90
    assert parse_duration("1.5h") == 5400
    with pytest.raises(InvalidArgument, match=r"^--for 'soon': pass a number of seconds"):
        parse_duration("soon", option="--for")


def test_a_period_past_the_year_9999_is_refused_before_the_run(tmp_path: Path) -> None:
    path = write_dump(tmp_path)
    with pytest.raises(InvalidArgument) as error:
        replay_state(dump=path, period=1e17, start=1767225600.0)
    assert str(error.value) == (
        "period=1e+17: a run from 2026-01-01T00:00:00Z would end after 9999-01-01T00:00:00Z; "
        "pass a shorter period"
    )


def test_bad_numbers_for_the_replay_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = str(write_dump(tmp_path))
    for argv, line in [
        (["--max-member-bytes", "0"], "max_member_bytes=0: pass a whole number of bytes >= 1"),
        (["--start", "nan"], "--start 'nan': nan epoch seconds is not a time between "
                             "1970-01-01 and 9999-01-01; pass a time in that range"),
        (["--start", "2026-01-01"], "--start '2026-01-01': pass an ISO time with a zone, e.g. "
                                    "2026-01-01T10:03:00Z"),
    ]:  # fmt: skip
        assert main(["replay", "--dump", path, *argv]) == 2
        assert capsys.readouterr().err == f"jobsim replay: {line}\n"
    assert main(["replay", "--dump", path, "--start", "2026-01-01T00:00:00Z", "--for", "1h"]) == 0
    assert capsys.readouterr().out.startswith(
        "replayed 2026-01-01T00:00:00Z .. 2026-01-01T01:00:00Z"
    )


def test_job_modules_import_from_the_working_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = str(write_dump(tmp_path))
    (tmp_path / "replay_jobs_ok.py").write_text(
        "import jobsim\n\n\nclass Charge(jobsim.Job):\n    def perform(self, order):\n"
        "        pass\n",
        encoding="utf-8",
    )
    (tmp_path / "replay_jobs_broken.py").write_text("raise RuntimeError('no config')\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", list(sys.path))  # restored after the test
    try:
        argv = ["replay", "--dump", path, "--import", "replay_jobs_ok", "--format", "json"]
        assert main(argv) == 0
        assert json.loads(capsys.readouterr().out)["stand_ins"] == []  # the real class ran
        assert main(["replay", "--dump", path, "--import", "replay_jobs_broken"]) == 2
        assert capsys.readouterr().err == (
            "jobsim replay: modules: importing 'replay_jobs_broken' raised RuntimeError: "
            "no config\n"
        )
    finally:
        for name in ("replay_jobs_ok", "replay_jobs_broken"):
            sys.modules.pop(name, None)
