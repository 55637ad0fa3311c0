"""The Makefile's targets do what the README says: `make lab` takes PORT and ARGS, serves the
repository root with the tour open and logs only warnings, installing no test tools;
`make notebooks` stores notebooks in normal form. Checked with `make -n` (nothing is run)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def dry_run(*args: str) -> list[str]:
    """The commands `make -n args` would run, one per line (-B: as from a fresh clone). Run
    under `make test`, this make is a sub-make: --no-print-directory keeps its lines plain."""
    done = subprocess.run(["make", "-n", "-B", "--no-print-directory", *args], cwd=REPO,
                          capture_output=True, text=True, check=True, timeout=60)
    return done.stdout.splitlines()


def lab_command(*args: str) -> list[str]:
    [command] = [line for line in dry_run("lab", *args) if "jupyter lab" in line]
    return command.split()


def test_make_lab_passes_port_and_args_to_jupyter() -> None:
    command = lab_command("PORT=8899", "ARGS=--no-browser --ServerApp.token=abc")
    assert "--ServerApp.port=8899" in command
    assert command[-3:] == ["--no-browser", "--ServerApp.token=abc", "notebooks/00-tour.ipynb"]


def test_make_lab_without_port_leaves_it_to_jupyter() -> None:
    """No --port flag, so JUPYTER_PORT (or Jupyter's default, 8888) decides."""
    assert not [flag for flag in lab_command() if "port" in flag.lower()]


def test_make_lab_serves_the_repository_root_quietly_with_the_tour_open() -> None:
    command = lab_command()
    assert "--ServerApp.root_dir=." in command
    assert "--ServerApp.log_level=WARN" in command and "--LabApp.log_level=WARN" in command
    assert command[-1] == "notebooks/00-tour.ipynb"


def test_make_lab_installs_only_the_lab_extra() -> None:
    installs = [line for line in dry_run("lab") if "pip install" in line and " -e " in line]
    assert installs == [".venv/bin/python -m pip install --quiet -e '.[lab]'"]


def test_make_notebooks_runs_them_through_the_normaliser() -> None:
    assert dry_run("notebooks")[-1] == (
        ".venv/bin/python tools/notebook_form.py run notebooks/*.ipynb")
