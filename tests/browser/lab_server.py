"""A JupyterLab server for the browser tests: its own port, token, settings and folder.

It serves a throwaway copy of notebooks/ (so nothing the tests run or save touches the repository),
starts kernels that import this checkout's k8slab, and turns off what would get in a test's way:
the "official Jupyter news" toast, and notebook windowing (cells outside the viewport drawn lazily).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted(path.name for path in (REPO / "notebooks").glob("*.ipynb"))
READY_SECONDS = 60
STOP_SECONDS = 15
# User settings, as JupyterLab stores them under <user_settings_dir>/<plugin folder>/<file>.
SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false"},
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class LabServer:
    """A running `jupyter lab` on 127.0.0.1; `url(path)` opens a file in a workspace of its own."""

    process: subprocess.Popen
    port: int
    token: str
    root: Path
    log: Path

    def url(self, path: str, workspace: str) -> str:
        return (f"http://127.0.0.1:{self.port}/lab/workspaces/{workspace}/tree/{path}"
                f"?reset&token={self.token}")

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self) -> None:
        """Stop the server (it shuts its kernels down); kill it if it lingers."""
        self.process.terminate()
        try:
            self.process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=STOP_SECONDS)


def _is_ready(port: int, token: str) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/status?token={token}",
                                    timeout=2) as reply:
            return reply.status == 200
    except OSError:
        return False


def start_lab(repo: Path, workdir: Path, log: Path) -> LabServer:
    """Copy `repo`/notebooks into `workdir`/root and serve it; raise with the log if it fails."""
    root = workdir / "root"
    shutil.copytree(repo / "notebooks", root / "notebooks",
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    settings = workdir / "settings"
    for name, values in SETTINGS.items():
        (settings / name).parent.mkdir(parents=True, exist_ok=True)
        (settings / name).write_text(json.dumps(values))
    env = dict(os.environ,
               PYTHONPATH=os.pathsep.join(filter(None, [str(repo), os.environ.get("PYTHONPATH")])),
               JUPYTER_CONFIG_DIR=str(workdir / "config"),
               JUPYTER_RUNTIME_DIR=str(workdir / "runtime"))
    port, token = free_port(), secrets.token_hex(16)
    command = [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ip=127.0.0.1",
               f"--port={port}", "--ServerApp.port_retries=0",
               f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
               "--LabApp.expose_app_in_browser=True",
               f"--LabApp.user_settings_dir={settings}",
               f"--LabApp.workspaces_dir={workdir / 'workspaces'}"]
    if hasattr(os, "getuid") and os.getuid() == 0:
        command.append("--allow-root")  # containers often run as root; Jupyter refuses without
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w") as sink:
        process = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT, env=env,
                                   cwd=root)
    server = LabServer(process, port, token, root, log)
    deadline = time.monotonic() + READY_SECONDS
    while not _is_ready(port, token):
        if process.poll() is not None or time.monotonic() > deadline:
            server.stop()
            raise RuntimeError(f"JupyterLab did not start on port {port}:\n{server.log_text()}")
        time.sleep(0.1)
    return server
