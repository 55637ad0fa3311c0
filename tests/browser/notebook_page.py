"""One notebook open in JupyterLab in Chromium, driven as a reader drives it.

`open_notebook` loads it in a fresh browser context with probe.js injected; `run_all` runs every
cell and waits for the kernel to finish; `exercise_panels` finds every panel (a cell output holding
widget controls), uses each control once with real input events (click a button, choose another
option or slider value, tick a box) and records what the panel did and how fast.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from tests.browser.lab_server import LabServer

PROBE = Path(__file__).with_name("probe.js")
VIEWPORT = {"width": 1280, "height": 1000}
OPEN_SECONDS = 90
RUN_ALL_SECONDS = 300
ACTION_SECONDS = 60


@dataclass
class Action:
    """One use of one control: what was done, and what the panel and the kernel did after it."""

    notebook: str
    panel: str
    control: str
    action: str
    latency_ms: int
    redrawn: bool
    echoed: bool
    content_changed: bool
    problems: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


class NotebookPage:
    """A notebook at `path` (relative to the server's root) open in its own browser context."""

    def __init__(self, browser: Any, lab: LabServer, path: str, workspace: str) -> None:
        self.path = path
        self.name = Path(path).stem
        self.context = browser.new_context(viewport=VIEWPORT)
        self.context.add_init_script(path=str(PROBE))
        self.page = self.context.new_page()
        self.page.goto(lab.url(path, workspace))
        self.page.wait_for_function(
            "() => window.jupyterapp && window.jupyterapp.shell.currentWidget &&"
            " window.jupyterapp.shell.currentWidget.sessionContext", timeout=OPEN_SECONDS * 1000)
        self.page.evaluate("path => window.k8slabProbe.install(path)", path)
        self.page.wait_for_function("() => window.k8slabProbe.kernelIdle()",
                                    timeout=OPEN_SECONDS * 1000)

    def close(self) -> None:
        """Shut the kernel down (it would keep a core busy) and close the context."""
        from playwright.sync_api import Error

        try:
            self.page.evaluate("() => window.k8slabProbe.shutdown()")
        except Error:
            pass  # a page that never loaded has no kernel; the test already says what went wrong
        finally:
            self.context.close()

    def run_all(self) -> list[str]:
        """Run every cell and wait for the kernel to go idle; what went wrong in which cell."""
        self.page.evaluate("() => window.k8slabProbe.runAll()")
        self.page.wait_for_function("() => window.k8slabProbe.ranAll()",
                                    timeout=RUN_ALL_SECONDS * 1000, polling=250)
        return self.page.evaluate("() => window.k8slabProbe.cellProblems()")

    def screenshot(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(path), full_page=True)

    # -- panels ----------------------------------------------------------------------------------

    def exercise_panels(self, shots: Path) -> list[Action]:
        """Use every control of every panel once, in page order; screenshot after each action."""
        actions: list[Action] = []
        for panel in self.page.evaluate("() => window.k8slabProbe.findPanels()"):
            label = f"cell {panel['cell']}: {panel['source']}"
            locator = self.page.locator(f"[data-k8slab-panel='{panel['index']}']")
            locator.scroll_into_view_if_needed()
            locator.screenshot(path=str(shots / f"panel{panel['index']}-0-before.png"))
            count = len(self._controls(panel["index"]))
            for i in range(count):
                controls = self._controls(panel["index"])
                if i >= len(controls):
                    break  # the panel now shows fewer controls than it started with
                action = self._use(panel["index"], label, controls[i])
                if action is None:
                    continue
                actions.append(action)
                name = re.sub(r"[^A-Za-z0-9]+", "-", f"{action.control}-{action.action}")
                locator.screenshot(path=str(shots / f"panel{panel['index']}-{i + 1}-{name}.png"))
        return actions

    def _controls(self, panel: int) -> list[dict[str, Any]]:
        return self.page.evaluate("panel => window.k8slabProbe.controls(panel)", panel)

    def _use(self, panel: int, label: str, control: dict[str, Any]) -> Action | None:
        """Act on one control and wait until the kernel answered and the panel is still."""
        if control["disabled"] or not control["visible"]:
            return None
        target = self.page.locator(
            f"[data-k8slab-panel='{panel}'] [data-k8slab-control='{control['index']}']")
        before = self._signature(panel)
        self.page.evaluate("panel => window.k8slabProbe.arm(panel)", panel)
        kind = control["kind"]
        if kind == "button":
            description = "click"
            target.click()
        elif kind == "select":
            if control["options"] < 2:
                return None
            choice = (control["selected"] + 1) % control["options"]
            description = f"choose option {choice}"
            target.select_option(index=choice)
        elif kind == "slider":
            key = "ArrowLeft" if control["atMax"] else "ArrowRight"
            description = f"press {key}"
            target.focus()
            target.press(key)
        elif kind in ("checkbox", "radio"):
            if kind == "radio" and control["checked"]:
                return None  # choosing the chosen one sends nothing; another radio does
            description = "toggle" if kind == "checkbox" else "choose"
            target.click()
        else:
            return None
        self.page.wait_for_function("() => window.k8slabProbe.settled()",
                                    timeout=ACTION_SECONDS * 1000, polling=20)
        outcome = self.page.evaluate("() => window.k8slabProbe.outcome()")
        after = self._signature(panel)
        changed = before != after
        problems = [f"the kernel reported: {error.strip()}" for error in outcome["errors"]]
        if kind == "button" and not changed:
            problems.append("clicking it changed neither the panel's text nor its figures")
        if kind != "button" and not (changed or outcome["echoed"]):
            problems.append("the kernel neither took the new value nor redrew the panel")
        return Action(self.name, label, f"{kind} '{control['label']}'", description,
                      outcome["latency_ms"], outcome["redrawn"], outcome["echoed"], changed,
                      problems)

    def _signature(self, panel: int) -> dict[str, Any]:
        return self.page.evaluate("panel => window.k8slabProbe.signature(panel)", panel)
