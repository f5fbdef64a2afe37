"""The HTML report in headless Chromium: one hour, one day and thirty days of the shop.

Playwright for Python drives Debian's ``chromium`` (``executable_path``; no browser is
downloaded). For each report: no text box in any chart overlaps another, no console error,
no request leaves the file, the job search and the jid drill-down work; a full-page
screenshot of each is kept in ``artifacts/report-screenshots/`` (git-ignored) for people to
look at. CI installs both (CI=true fails if either is missing); elsewhere the test skips.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from jobsim.replay import run_scenario
from jobsim.report import write_report

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "artifacts" / "report-screenshots"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip
PERIODS = {"1-hour": 3600, "1-day": 86400, "30-days": 30 * 86400}
#: A month at a quarter of the shop's traffic: the same calendar and charts, a quarter of the
#: events to simulate (legibility is about the time axis, not the volume).
SETTINGS = {"30-days": {"TRAFFIC": 0.25}}

#: Every pair of text boxes inside one <svg> that intersect by more than a pixel each way.
OVERLAPS_JS = """
() => {
  const found = [];
  document.querySelectorAll('svg').forEach((svg, chart) => {
    const boxes = [...svg.querySelectorAll('text')]
      .filter(t => t.textContent.trim())
      .map(t => [t.textContent, t.getBoundingClientRect()]);
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) {
        const [a, r] = boxes[i], [b, s] = boxes[j];
        const dx = Math.min(r.right, s.right) - Math.max(r.left, s.left);
        const dy = Math.min(r.bottom, s.bottom) - Math.max(r.top, s.top);
        if (dx > 1 && dy > 1) {
          found.push(`${svg.getAttribute('aria-label')}: "${a}" overlaps "${b}"`);
        }
      }
    }
  });
  return found;
}
"""


def _need(what: str, hint: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{what} is missing but CI=true: {hint}")
    pytest.skip(f"{what} is missing ({hint})")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        _need("chromium", "add `chromium` to .ci/run's apt line")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _need("playwright", "pip install -e '.[dev]'")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=FLAGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module", params=list(PERIODS))
def report(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    name: str = request.param
    run = run_scenario(
        ROOT / "examples" / "shop", seed=1, period=PERIODS[name], settings=SETTINGS.get(name)
    )
    return write_report(run, tmp_path_factory.mktemp("report") / f"shop-{name}.html")


def test_report_is_self_contained(report: Path) -> None:
    html = report.read_text()
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)
    assert not re.search(r"<script[^>]+src=", html)
    assert "fetch(" not in html
    assert "XMLHttpRequest" not in html
    for section in ("summary", "busy", "queue-depth", "latency-over-time", "throughput",
                    "retry-timeline", "dead-timeline", "execution-time", "classes", "latency",
                    "queues", "retry-set", "cron", "errors", "dead-set", "lifecycles",
                    "job-list"):  # fmt: skip
        assert f'id="{section}"' in html, section


def test_report_reads_cleanly_in_chromium(report: Path, browser: Any) -> None:
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    errors: list[str] = []
    requests: list[str] = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("request", lambda request: requests.append(request.url))
    page.goto(report.as_uri())
    page.wait_for_load_state("load")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{report.stem}.png"), full_page=True)
    overlaps = page.evaluate(OVERLAPS_JS)
    charts = page.locator("svg").count()
    texts = page.locator("svg text").count()
    assert charts >= 12
    assert texts > 20 * charts // 2
    assert overlaps == []
    assert errors == []
    assert requests == [report.as_uri()]  # the file itself, nothing else

    # Every jid link (dead, retry and scheduled sets) leads to a job in the list.
    dangling = page.evaluate(
        "() => [...document.querySelectorAll('a[href^=\"#job-\"]')]"
        ".map(a => a.getAttribute('href').slice(1)).filter(id => !document.getElementById(id))"
    )
    assert dangling == []

    # The job list: search by class narrows it; a jid link opens that job's events.
    rows = page.locator("#job-list details")
    total = rows.count()
    assert total > 0
    page.fill("#job-search", "ChargePayment")
    visible = page.locator("#job-list details:not([hidden])").count()
    assert 0 < visible <= total
    assert int(page.inner_text("#job-shown")) == visible
    first = rows.first.get_attribute("id")
    assert first is not None
    page.fill("#job-search", "")
    page.goto(report.as_uri() + "#" + first)
    assert page.locator(f"[id='{first}']").get_attribute("open") is not None
    assert page.locator(f"[id='{first}'] tbody tr").count() >= 2  # pushed, started, ...
    page.close()
