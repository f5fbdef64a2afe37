"""The command-line rows of issue #15's table: each bad value is exit 2 with one exact line,
checked by the same rule the Python API applies; output files are checked before a run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from jobsim.cli import main
from jobsim.cron import Cron
from jobsim.errors import InvalidArgument, InvalidOption
from jobsim.replay import active_job_schedule, retry_schedule

ROOT = Path(__file__).resolve().parents[2]
SHOP = ROOT / "examples" / "shop"

RETRY_IN_ADVICE = (
    "write arithmetic of `count` with numbers, + - * / // % **, parentheses, min(), max() and "
    "abs(), e.g. '10 * (count + 1)' (at run time Sidekiq would log the failure and fall back "
    "to its default backoff)"
)


def refused(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    """The one line ``jobsim *argv`` prints on stderr, after checking it exits 2."""
    assert main(list(argv)) == 2
    captured = capsys.readouterr()
    [line] = captured.err.splitlines()
    assert captured.out == ""
    return line


@pytest.mark.parametrize(
    ("expression", "why"),
    [
        ("1/0", "division by zero at count=0"),
        ("9 ** 9 ** 9", "exponent 387420489 is larger than 64"),
    ],
)
def test_a_failing_retry_in_expression_is_an_error_not_the_default_schedule(
    capsys: pytest.CaptureFixture[str], expression: str, why: str
) -> None:
    line = refused(capsys, "retries", "--retry-in", expression)
    assert line == f"jobsim retries: --retry-in {expression!r}: {why}; {RETRY_IN_ADVICE}"


def test_an_expression_failing_only_at_a_later_count_is_an_error_too(
    capsys: pytest.CaptureFixture[str],
) -> None:
    line = refused(capsys, "retries", "--retry-in", "10 / (count - 3)")
    assert line == (
        f"jobsim retries: --retry-in '10 / (count - 3)': division by zero at count=3; "
        f"{RETRY_IN_ADVICE}"
    )


def test_a_python_retry_in_that_raises_still_falls_back_as_sidekiq_does() -> None:
    def hook(count: int) -> float:
        raise RuntimeError("user code")

    schedule = retry_schedule(retry=2, retry_in=hook, jitter="min")
    assert [row["delay"] for row in schedule["rows"]] == [15.0, 16.0]  # the default backoff


def test_negative_retries_are_refused_by_the_job_option_rule(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert refused(capsys, "retries", "--retry", "-1") == (
        "jobsim retries: --retry -1: option retry=-1 is not valid; expected True, False or a "
        "number of retries >= 0"
    )
    with pytest.raises(InvalidOption, match=r"^retry_schedule\(\): option retry=-1 is not valid"):
        retry_schedule(retry=-1)


def test_more_retries_than_the_calendar_holds_are_refused(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert refused(capsys, "retries", "--retry", "100000") == (
        "jobsim retries: retry 264 would run after 9999-01-01T00:00:00Z, the last time "
        "jobsim can represent; pass fewer retries (retry=100000), a retry_for window or an "
        "earlier first failure"
    )
    late = ("--at", "9998-12-31T00:00:00Z")
    assert refused(capsys, "retries", *late, "--activejob", "3600") == (
        "jobsim retries: a retry would run after 9999-01-01T00:00:00Z, the last time "
        "jobsim can represent; pass fewer retries (attempts=5, retry=True), a retry_for window "
        "or an earlier first failure"
    )


def test_an_epoch_as_retry_for_is_refused_by_the_job_option_rule(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert refused(capsys, "retries", "--retry-for", "99999999999") == (
        "jobsim retries: --retry-for 99999999999: option retry_for=99999999999.0 is not valid; "
        "expected a relative amount of time, e.g. timedelta(hours=48), not an epoch timestamp"
    )
    assert refused(capsys, "retries", "--activejob", "30", "--retry-for", "99999999999") == (
        "jobsim retries: --retry-for 99999999999: option retry_for=99999999999.0 is not valid; "
        "expected a relative amount of time, e.g. timedelta(hours=48), not an epoch timestamp"
    )


def test_a_nan_jitter_fraction_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert refused(capsys, "retries", "--activejob", "30", "--jitter-fraction", "nan") == (
        "jobsim retries: jitter_fraction=nan: not a finite number; pass a fraction >= 0, such as "
        "0.15"
    )
    with pytest.raises(
        InvalidArgument, match=r"^jitter_fraction=inf: not a finite number; pass a fraction >= 0"
    ):
        active_job_schedule(30, jitter_fraction=float("inf"))


def test_a_latin_1_job_file_is_refused(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "job.json"
    path.write_bytes('{"class": "Café"}'.encode("latin-1"))
    assert refused(capsys, "retries", "--job", str(path)) == (
        f"jobsim retries: --job {path}: not UTF-8 text (invalid continuation byte at byte 14); "
        f"save it as UTF-8 JSON"
    )


def test_a_deeply_nested_job_file_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "job.json"
    path.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    assert refused(capsys, "retries", "--job", str(path)) == (
        f"jobsim retries: --job {path}: JSON nested too deeply to read; pass a Sidekiq job hash"
    )


def failed_job(tmp_path: Path, failed_at: float) -> str:
    path = tmp_path / "job.json"
    job = {"class": "Charge", "args": [1], "jid": "abc", "queue": "default", "retry_count": 0,
           "failed_at": failed_at, "error_class": "RuntimeError", "error_message": "x"}  # fmt: skip
    path.write_text(json.dumps(job), encoding="utf-8")
    return str(path)


@pytest.mark.parametrize(
    ("profile", "failed_at"),
    [
        ("sidekiq-7", 1767225600),  # 7.x writes float seconds: a whole number is seconds too
        ("sidekiq-7", 1767225600.0),
        ("sidekiq-8", 1767225600000),  # 8.x writes integer milliseconds
        ("sidekiq-8", 1767225600.0),  # and reads a 7.x float as seconds
    ],
)
def test_failed_at_is_read_in_the_profile_s_unit(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, profile: str, failed_at: float
) -> None:
    job = failed_job(tmp_path, failed_at)
    assert main(["retries", "--job", job, "--profile", profile, "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["first_failure"] == "2026-01-01T00:00:00Z"


def test_a_failed_at_that_is_no_time_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    job = failed_job(tmp_path, 1e300)
    assert refused(capsys, "retries", "--job", job) == (
        "jobsim retries: failed_at=1e+300 in the job hash: 1e+300 epoch seconds is not a time "
        "between 1970-01-01 and 9999-01-01; pass a time in that range"
    )


def test_an_unknown_zone_is_reported_as_a_zone(capsys: pytest.CaptureFixture[str]) -> None:
    assert refused(capsys, "cron", "0 9 * * *", "--tz", "Mars/Base") == (
        "jobsim cron: tz='Mars/Base': not a known IANA time zone; pass a name such as "
        "'Europe/London'"
    )
    with pytest.raises(InvalidArgument, match=r"^tz='Mars/Base': not a known IANA time zone"):
        Cron("0 9 * * *", tz="Mars/Base")


@pytest.mark.parametrize("option", ["--report", "--trace"])
def test_an_output_file_in_a_missing_folder_is_refused_before_the_run(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, option: str
) -> None:
    target = tmp_path / "nonexistent" / "out.file"
    line = refused(capsys, "simulate", str(SHOP), "--for", "30d", option, str(target))
    assert line == (
        f"jobsim simulate: {option} {target}: folder {str(target.parent)!r} does not exist; "
        f"create it or pass another"
    )  # a 30-day run would take seconds: the refusal comes first


def test_an_output_file_that_is_a_folder_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert refused(capsys, "retries", "--plot", str(tmp_path)) == (
        f"jobsim retries: --plot {tmp_path}: is a folder; pass a file name"
    )


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_write_that_fails_at_the_end_keeps_the_summary_and_names_the_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    trace = tmp_path / "trace.jsonl"
    argv = ["simulate", str(SHOP), "--for", "1h", "--report", "/dev/full", "--trace", str(trace)]
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out.startswith("scenario shop: seed 0")  # the summary is still printed
    assert captured.err.splitlines()[-1] == (
        "jobsim simulate: --report /dev/full: could not write it (No space left on device)"
    )
    assert trace.stat().st_size > 0  # the other file was written


def test_a_period_past_the_year_9999_is_refused_before_the_run(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert refused(capsys, "simulate", str(SHOP), "--for", "99999999999w") == (
        "jobsim simulate: --for 6.04799999993952e+16: the run would end after 9999-01-01; pass "
        "a shorter period"
    )
    assert refused(capsys, "simulate", str(SHOP), "--for", "9" * 400) == (
        f"jobsim simulate: --for {'9' * 40!r}: too large to be a number of seconds; pass a "
        f"shorter one"
    )


def test_jobs_in_a_queue_sidekiq_yml_does_not_serve_are_called_out(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    folder = tmp_path / "app"
    folder.mkdir()
    (folder / "sidekiq.yml").write_text(":queues:\n  - default\n", encoding="utf-8")
    (folder / "jobs.py").write_text(
        "import jobsim\n\n\nclass Digest(jobsim.Job, queue='low'):\n    def perform(self):\n"
        "        pass\n\n\ndef tick(ctx):\n    Digest.perform_async()\n",
        encoding="utf-8",
    )
    assert main(["simulate", str(folder), "--for", "1h"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1] == "12 jobs, 0 executions, 0 failed; no schedule.yml"
    assert lines[2] == (
        "warning: jobs wait in queues no process serves: low (12 jobs); this simulator serves "
        "default: add the queues to queues= (sidekiq.yml's :queues:) or pass queues=None to "
        "serve every queue"
    )
    assert main(["simulate", str(folder), "--for", "1h", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["unserved"] == {"low": 12}
