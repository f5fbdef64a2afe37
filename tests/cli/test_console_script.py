"""The installed ``jobsim`` console script, run as a user runs it: every subcommand with
``--help``, with one small valid input and with a bad one; ``python -m jobsim``; the exit codes
0 (success), 2 (bad usage or input: one line on stderr, no traceback) and 1 (a bug)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import jobsim
from jobsim.redis import dump_state, fake_redis, save_state

ROOT = Path(__file__).resolve().parents[2]
SHOP = ROOT / "examples" / "shop"
#: The console script of the active environment, installed next to its interpreter.
SCRIPT = Path(sys.executable).with_name("jobsim.exe" if os.name == "nt" else "jobsim")
SUBCOMMANDS = ("retries", "simulate", "replay", "cron")


def run(
    *argv: str, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SCRIPT), *argv],
        capture_output=True, text=True, check=False, timeout=120, cwd=cwd, env=env,
    )  # fmt: skip


class Charge(jobsim.Job):
    def perform(self, order: int) -> None:
        msg = "card declined"
        raise RuntimeError(msg)


@pytest.fixture(scope="module")
def dump(tmp_path_factory: pytest.TempPathFactory) -> Path:
    sim = jobsim.Simulator(seed=1, profile="sidekiq-7")
    with sim:
        Charge.perform_async(1)
        Charge.perform_in(600, 2)
        sim.perform_one()
    redis = fake_redis()
    save_state(sim, redis)
    path = tmp_path_factory.mktemp("replay") / "state.jsonl"
    with path.open("w", encoding="utf-8") as out:
        dump_state(redis, out)
    return path


def valid_input(command: str, dump: Path) -> list[str]:
    return {
        "retries": ["retries", "--retry", "2", "--format", "csv"],
        "simulate": ["simulate", str(SHOP), "--for", "1h", "--format", "json"],
        "replay": ["replay", "--dump", str(dump), "--for", "1h"],
        "cron": ["cron", "0 9 * * 1-5", "--count", "2"],
    }[command]


#: One bad input per subcommand and the one line it must print.
BAD_INPUT = {
    "retries": (
        ["retries", "--retry", "-1"],
        "jobsim retries: --retry -1: option retry=-1 is not valid; expected True, False or a "
        "number of retries >= 0",
    ),
    "simulate": (
        ["simulate", str(SHOP), "--for", "soon"],
        "jobsim simulate: --for 'soon': pass a number of seconds or a number with s, m, h, d "
        "or w (7d)",
    ),
    "replay": (
        ["replay", "--dump", "missing.jsonl"],
        "jobsim replay: dump='missing.jsonl': cannot read it (No such file or directory); pass "
        "a dump_state() file",
    ),
    "cron": (
        ["cron", "0 9 * * *", "--tz", "Mars/Base"],
        "jobsim cron: tz='Mars/Base': not a known IANA time zone; pass a name such as "
        "'Europe/London'",
    ),
}


def test_the_console_script_is_installed_next_to_the_interpreter() -> None:
    assert SCRIPT.is_file(), f"no console script at {SCRIPT}: pip install -e . first"


@pytest.mark.parametrize("command", SUBCOMMANDS)
def test_help_of_every_subcommand(command: str) -> None:
    done = run(command, "--help")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"usage: jobsim {command} ")
    assert done.stderr == ""


@pytest.mark.parametrize("command", SUBCOMMANDS)
def test_every_subcommand_runs_a_small_valid_input(command: str, dump: Path) -> None:
    done = run(*valid_input(command, dump))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip()
    assert "Traceback" not in done.stderr


def test_what_each_valid_input_prints(dump: Path) -> None:
    assert (
        run(*valid_input("retries", dump)).stdout.splitlines()[0].startswith("retry_count,delay,")
    )
    assert '"scenario": "shop"' in run(*valid_input("simulate", dump)).stdout
    assert "stand-ins (--unknown): " in run(*valid_input("replay", dump)).stdout
    assert "2026-01-01T09:00:00" in run(*valid_input("cron", dump)).stdout


@pytest.mark.parametrize("command", SUBCOMMANDS)
def test_a_bad_input_is_exit_2_with_one_line(command: str, tmp_path: Path) -> None:
    argv, line = BAD_INPUT[command]
    done = run(*argv, cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr == line + "\n"
    assert done.stdout == ""


@pytest.mark.parametrize("command", SUBCOMMANDS)
def test_bad_usage_is_exit_2_with_one_line(command: str) -> None:
    done = run(command, "--no-such-option")
    assert done.returncode == 2
    [line] = done.stderr.splitlines()
    assert line.startswith("jobsim")
    assert line.endswith(" --help)")


def test_bad_usage_messages() -> None:
    assert run().stderr == (
        "jobsim: the following arguments are required: COMMAND (see jobsim --help)\n"
    )
    assert run("retries", "--retry", "x").stderr == (
        "jobsim retries: argument --retry: invalid int value: 'x' (see jobsim retries --help)\n"
    )
    assert run("replay").stderr == (
        "jobsim replay: one of the arguments --redis --dump is required "
        "(see jobsim replay --help)\n"
    )
    assert run("nope").returncode == 2


def test_debug_shows_the_traceback_with_the_same_exit_code() -> None:
    done = run("retries", "--retry", "-1", "--debug")
    assert done.returncode == 2
    assert done.stderr.startswith("Traceback (most recent call last):")
    assert done.stderr.splitlines()[-1] == BAD_INPUT["retries"][1]
    before = run("--debug", "retries", "--retry", "-1")
    assert before.returncode == 2
    assert "Traceback" in before.stderr


def test_an_internal_error_is_exit_1_saying_it_is_a_bug(tmp_path: Path) -> None:
    # A bug planted through sitecustomize (imported by every interpreter start-up).
    (tmp_path / "sitecustomize.py").write_text(
        textwrap.dedent(
            """
            import jobsim.cli._retries

            def broken(**options):
                return {}["rows"]

            jobsim.cli._retries.retry_schedule = broken
            """
        ),
        encoding="utf-8",
    )
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    done = run("retries", env=env)
    assert done.returncode == 1
    assert done.stderr == (
        "jobsim retries: internal error (KeyError: 'rows'); this is a bug in jobsim: run "
        "again with --debug for the traceback and report it\n"
    )
    debug = run("retries", "--debug", env=env)
    assert debug.returncode == 1
    assert "Traceback (most recent call last):" in debug.stderr
    assert 'return {}["rows"]' in debug.stderr


def test_version() -> None:
    expected = f"jobsim {jobsim.__version__}\n"
    assert run("--version").stdout == expected
    module = subprocess.run(
        [sys.executable, "-m", "jobsim", "--version"],
        capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    assert (module.returncode, module.stdout) == (0, expected)


def test_python_dash_m_jobsim_follows_the_same_contract() -> None:
    def module(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-W", "error", "-m", "jobsim", *argv],
            capture_output=True, text=True, check=False, timeout=120,
        )  # fmt: skip

    ok = module("retries", "--retry", "1")
    assert ok.returncode == 0, ok.stderr
    assert "dies at" in ok.stdout
    bad = module("retries", "--retry", "-1")
    assert (bad.returncode, bad.stderr) == (2, BAD_INPUT["retries"][1] + "\n")
    assert module("replay", "--help").returncode == 0


def test_output_to_a_closed_pipe_ends_quietly() -> None:
    # More than a pipe holds, so the writer meets the closed end whatever the timing.
    with subprocess.Popen(
        [str(SCRIPT), "cron", "* * * * *", "--count", "20000", "--format", "json"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    ) as process:  # fmt: skip
        assert process.stdout is not None
        assert process.stderr is not None
        assert process.stdout.readline() == "{\n"
        process.stdout.close()
        assert process.wait(timeout=120) == 0
        assert process.stderr.read() == ""


def test_the_documented_pipe_to_head() -> None:
    done = subprocess.run(
        ["bash", "-o", "pipefail", "-c", f"'{SCRIPT}' retries --format csv | head -1"],
        capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.startswith("retry_count,delay,")
