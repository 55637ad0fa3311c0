"""Opening a notebook in JupyterLab and saving it (Ctrl+S) leaves its file byte for byte as
committed: the stored notebooks are in the form JupyterLab writes (tools/notebook_form.py)."""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Any

import pytest

from tests.browser.lab_server import NOTEBOOKS, REPO, LabServer
from tests.browser.notebook_page import NotebookPage

SAVE_SECONDS = 30


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_open_and_save_changes_nothing(notebook: str, browser: Any, lab: LabServer) -> None:
    committed = REPO / "notebooks" / notebook
    copy = lab.root / "saved" / notebook  # a copy of its own: the run test executes the other
    copy.parent.mkdir(exist_ok=True)
    shutil.copyfile(committed, copy)
    page = NotebookPage(browser, lab, f"saved/{notebook}", workspace=f"save-{Path(notebook).stem}")
    try:
        before = copy.stat().st_mtime_ns
        page.page.locator(".jp-Notebook").first.click()  # the notebook has the keyboard focus
        page.page.keyboard.press("Control+s")
        deadline = time.monotonic() + SAVE_SECONDS
        while copy.stat().st_mtime_ns == before:
            assert time.monotonic() < deadline, f"JupyterLab did not save {notebook}"
            time.sleep(0.05)
        page.page.wait_for_function(
            "() => !window.jupyterapp.shell.currentWidget.context.model.dirty")
    finally:
        page.close()
    saved = copy.read_bytes()
    assert saved == committed.read_bytes(), (
        f"saving {notebook} in JupyterLab rewrote it; store it in normal form with "
        f"`python tools/notebook_form.py normalize notebooks/{notebook}`, or see the difference "
        f"with `diff notebooks/{notebook} {copy}`")
