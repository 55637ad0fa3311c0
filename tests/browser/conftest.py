"""Fixtures of the browser tests: headless Chromium (the system's, driven by Playwright), one
JupyterLab server for the session, and the record of every action's click-to-redraw latency.

Without Chromium or Playwright the tests are skipped with one line saying how to install them.
Screenshots, the server's log and latency.json go to build/browser/ (gitignored).
"""

from __future__ import annotations

import json
import shutil
import statistics
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.lab_server import REPO, LabServer, start_lab
from tests.browser.notebook_page import Action

BUILD = REPO / "build" / "browser"
CHROMIUM_NAMES = ("chromium", "chromium-browser")
INSTALL_CHROMIUM = "Chromium is not installed; install it with `apt-get install chromium` (Debian)"
INSTALL_PLAYWRIGHT = "playwright is not installed; install the test extra: pip install -e '.[test]'"
# Chromium flags for a headless run in a container: no sandbox as root, no GPU, and nothing that
# phones home or runs first-run work. Playwright adds --headless itself.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]

ACTIONS: list[Action] = []


def find_chromium() -> str | None:
    """The system's Chromium (Playwright's own browser download is not used), or None."""
    return next(filter(None, map(shutil.which, CHROMIUM_NAMES)), None)


@pytest.fixture(scope="session")
def chromium() -> str:
    found = find_chromium()
    if found is None:
        pytest.skip(INSTALL_CHROMIUM)
    return found


@pytest.fixture(scope="session")
def build_dir() -> Path:
    """build/browser/, emptied once per session so every file in it is from this run."""
    shutil.rmtree(BUILD, ignore_errors=True)
    BUILD.mkdir(parents=True)
    return BUILD


@pytest.fixture(scope="session")
def browser(chromium: str) -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip(INSTALL_PLAYWRIGHT)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def lab(browser: Any, build_dir: Path, tmp_path_factory: pytest.TempPathFactory
        ) -> Iterator[LabServer]:
    """JupyterLab serving a copy of notebooks/ (the repository's files are never written)."""
    server = start_lab(REPO, tmp_path_factory.mktemp("lab"), build_dir / "jupyterlab.log")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def actions(build_dir: Path) -> Iterator[list[Action]]:
    """Where tests add the actions they measured; written to latency.json at the end."""
    yield ACTIONS
    (build_dir / "latency.json").write_text(json.dumps(
        {"summary": latency_summary(ACTIONS), "actions": [a.as_json() for a in ACTIONS]},
        indent=1) + "\n")


def latency_summary(actions: list[Action]) -> list[dict[str, Any]]:
    """Per panel: how many actions, and their click-to-redraw median and maximum in ms."""
    panels: dict[tuple[str, str], list[int]] = {}
    for action in actions:
        panels.setdefault((action.notebook, action.panel), []).append(action.latency_ms)
    return [{"notebook": notebook, "panel": panel, "actions": len(latencies),
             "median_ms": round(statistics.median(latencies)), "max_ms": max(latencies)}
            for (notebook, panel), latencies in panels.items()]


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Print the latencies measured in the browser (reported, never asserted)."""
    if not ACTIONS:
        return
    terminalreporter.section("click-to-redraw latency in Chromium (ms; reported, not asserted)")
    for row in latency_summary(ACTIONS):
        terminalreporter.write_line(
            f"{row['notebook']:<20} {row['panel'][:48]:<48} n={row['actions']:<3} "
            f"median {row['median_ms']:>5}  max {row['max_ms']:>5}")
    terminalreporter.write_line(f"details: {BUILD / 'latency.json'}")
