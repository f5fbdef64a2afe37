"""The HTML report, opened in headless Chromium: a screenshot and the key elements in the DOM.

CI installs Debian's ``chromium``; there this test must run (CI=true fails if it is missing).
Elsewhere it is skipped only when chromium is not installed.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from jobsim.replay import run_scenario
from jobsim.report import write_report

ROOT = Path(__file__).resolve().parents[2]
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail(
                "chromium is not installed but CI=true: add `chromium` to .ci/run's apt line"
            )
        pytest.skip("chromium is not installed (apt-get install -y chromium)")
    return found


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    run = run_scenario(ROOT / "examples" / "shop", seed=3, period=2 * 86400)
    return write_report(run, tmp_path_factory.mktemp("report") / "shop.html")


def test_report_is_self_contained(report: Path) -> None:
    html = report.read_text()
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)
    assert "<script" not in html
    assert html.count("<svg") == 4


def test_report_renders_in_headless_chromium(report: Path, tmp_path: Path) -> None:
    browser = _chromium()
    profile = tmp_path / "profile"
    shot = tmp_path / "shot.png"
    base = [browser, *FLAGS, f"--user-data-dir={profile}", "--window-size=1200,2600"]
    subprocess.run([*base, f"--screenshot={shot}", report.as_uri()],
                   capture_output=True, timeout=120, check=True)  # fmt: skip
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert shot.stat().st_size > 20_000  # a rendered page, not a blank one
    dumped = [*base, "--dump-dom", report.as_uri()]
    dom = subprocess.run(dumped, capture_output=True, text=True, timeout=120, check=True).stdout
    for section in ("summary", "queue-depth", "retry-timeline", "dead-timeline", "lifecycles",
                    "classes", "latency", "errors", "dead-set"):  # fmt: skip
        assert f'id="{section}"' in dom, section
    assert "virtual time (hours since start)" in dom
    assert "ChargePayment" in dom
    assert dom.count('class="dot"') > 12  # lifecycle markers
