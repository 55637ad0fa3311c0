"""Every notebook, opened in real JupyterLab in headless Chromium, runs without an error, and every
control of every panel in it does something a reader can see.

A button must change the panel's text or figures; another option, slider value or box ticked must
be taken by the kernel (ipywidgets echoes it) or redraw the panel. Each action's click-to-redraw
latency is recorded (build/browser/latency.json and the summary), never asserted.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser.lab_server import NOTEBOOKS, LabServer
from tests.browser.notebook_page import Action, NotebookPage


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_notebook_runs_and_every_control_answers(notebook: str, browser: Any, lab: LabServer,
                                                build_dir: Path, actions: list[Action]) -> None:
    stem = Path(notebook).stem  # a workspace name with a dot would be taken for a file
    page = NotebookPage(browser, lab, f"notebooks/{notebook}", workspace=f"run-{stem}")
    shots = build_dir / stem
    try:
        problems = page.run_all()
        page.screenshot(shots / "notebook.png")
        assert not problems, f"{notebook} in JupyterLab:\n" + "\n".join(problems)
        done = page.exercise_panels(shots)
    finally:
        page.close()
    actions.extend(done)
    failures = [f"{a.panel} · {a.control} ({a.action}): {problem}"
                for a in done for problem in a.problems]
    assert not failures, f"{notebook}:\n" + "\n".join(failures)
