"""Fixtures for the conformance tests: the real Sidekiq (Ruby) on a private Redis.

The tests in this folder run a small Ruby script against Debian's ``ruby-sidekiq`` (6.4.1) and a
throw-away ``redis-server`` and compare what Sidekiq did with what jobsim does. Locally, a machine
without Ruby, the gem or Redis skips them with the command that installs them; on CI
(``CI=true``) a missing piece is a failure, never a skip.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent

INSTALL_HINT = "apt-get install -y ruby-sidekiq redis-server"
#: The Sidekiq series jobsim's "sidekiq-6.4" profile is compared with.
EXPECTED_SIDEKIQ_SERIES = "6.4."
#: Wall-clock limits for the helper processes (seconds). The Fugit run needs 70-90 s of CPU on
#: a quiet 2-core machine and over 300 s when other work shares it; the bound is there to end
#: a hung Ruby, not to time it.
REDIS_START_TIMEOUT = 15.0
RUBY_TIMEOUT = 900.0


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test collected from this folder with ``conformance``."""
    for item in items:
        if HERE in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.conformance)


def _missing(what: str) -> None:
    """Fail on CI, skip elsewhere, always saying how to install the missing piece."""
    message = f"conformance tests need {what}; install it with: {INSTALL_HINT}"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{message} (CI=true: these tests must run on CI, not skip)")
    pytest.skip(message)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _ping(port: int) -> bool:
    """Whether a Redis server on ``port`` answers PING (raw RESP, no client library needed)."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(64).startswith(b"+PONG")
    except OSError:
        return False


@dataclass(frozen=True)
class SidekiqRuby:
    """The real Sidekiq: a Ruby with the sidekiq gem and a private Redis it talks to."""

    ruby: str
    sidekiq_version: str
    redis_url: str

    def run_ruby(self, script: Path | str, cases_path: Path | str) -> dict[str, Any]:
        """Run ``ruby SCRIPT CASES REDIS_URL`` and return the JSON document it prints."""
        command = [self.ruby, str(script), str(cases_path), self.redis_url]
        try:
            done = subprocess.run(
                command,
                capture_output=True,
                text=True,
                timeout=RUBY_TIMEOUT,
                check=False,
                cwd=HERE,
            )
        except subprocess.TimeoutExpired as exc:
            stderr = exc.stderr.decode(errors="replace") if isinstance(exc.stderr, bytes) else ""
            pytest.fail(f"{' '.join(command)} ran longer than {RUBY_TIMEOUT:.0f} s\n{stderr}")
        if done.returncode != 0:
            pytest.fail(
                f"{' '.join(command)} exited with {done.returncode}\n"
                f"--- stderr ---\n{done.stderr}\n--- stdout (head) ---\n{done.stdout[:2000]}"
            )
        try:
            result: dict[str, Any] = json.loads(done.stdout)
        except json.JSONDecodeError as exc:
            pytest.fail(
                f"{' '.join(command)} did not print one JSON document ({exc})\n"
                f"--- stdout (head) ---\n{done.stdout[:2000]}\n--- stderr ---\n{done.stderr}"
            )
        return result


def _find_sidekiq(ruby: str) -> str | None:
    """The version of the sidekiq gem ``ruby`` can load, or None."""
    try:
        done = subprocess.run(
            [ruby, "-e", 'require "sidekiq"; print Sidekiq::VERSION'],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    version = done.stdout.strip()
    return version if done.returncode == 0 and version else None


@pytest.fixture(scope="session")
def sidekiq_ruby(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SidekiqRuby]:
    """Ruby + the sidekiq gem + a private ``redis-server`` on a free port, for the session."""
    ruby = shutil.which("ruby")
    if ruby is None:
        _missing("ruby")
    assert ruby is not None
    version = _find_sidekiq(ruby)
    if version is None:
        _missing("the sidekiq gem (ruby -e 'require \"sidekiq\"' failed)")
    assert version is not None
    if not version.startswith(EXPECTED_SIDEKIQ_SERIES):
        _missing(
            f"Sidekiq {EXPECTED_SIDEKIQ_SERIES}x (the gem ruby loads is {version}; jobsim's "
            f"'sidekiq-6.4' profile is compared with Debian's ruby-sidekiq 6.4.1)"
        )
    redis_server = shutil.which("redis-server")
    if redis_server is None:
        _missing("redis-server")
    assert redis_server is not None

    workdir = tmp_path_factory.mktemp("redis")
    log_path = workdir / "redis.log"
    process: subprocess.Popen[bytes] | None = None
    port = 0
    for _attempt in range(3):  # another process may grab the port between bind and start
        port = _free_port()
        with log_path.open("ab") as log:
            process = subprocess.Popen(
                [
                    redis_server,
                    "--bind",
                    "127.0.0.1",
                    "--port",
                    str(port),
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    "--dir",
                    str(workdir),
                    "--daemonize",
                    "no",
                ],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + REDIS_START_TIMEOUT
        while time.monotonic() < deadline and process.poll() is None and not _ping(port):
            time.sleep(0.05)
        if process.poll() is None and _ping(port):
            break
        _stop(process)
        process = None
    if process is None:
        log_text = log_path.read_text(errors="replace")[-4000:]
        pytest.fail(f"redis-server did not start and answer PING\n--- redis.log ---\n{log_text}")

    try:
        yield SidekiqRuby(
            ruby=ruby, sidekiq_version=version, redis_url=f"redis://127.0.0.1:{port}/0"
        )
    finally:
        _stop(process)


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
