"""The Binder recipe works: a fresh venv built from binder/requirements.txt runs the tour.

It does what repo2docker does, without Docker, so it is slow: skip it with -m "not binder".
"""

import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
TOUR_NOTEBOOK = "notebooks/00-tour.ipynb"
SUBPROCESS_TIMEOUT_SECONDS = 900
TAIL_LINES = 60
STRICT_NBVAL = [
    "--nbval",
    "--nbval-current-env",
    "--nbval-sanitize-with",
    "notebooks/sanitize.cfg",
    "-p",
    "no:python",
]


def run_in_repo(command: list[str]) -> subprocess.CompletedProcess[str]:
    """Run a command from the repository root, as repo2docker runs pip, capturing its output."""
    return subprocess.run(
        command,
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=SUBPROCESS_TIMEOUT_SECONDS,
        check=False,
    )


def output_tail(result: subprocess.CompletedProcess[str]) -> str:
    """The last lines of a command's stdout and stderr, enough to see why it failed."""
    lines = (result.stdout + result.stderr).splitlines()
    return f"exit code {result.returncode}; last output:\n" + "\n".join(lines[-TAIL_LINES:])


@pytest.mark.binder
def test_binder_requirements_run_the_tour_notebook(tmp_path: Path) -> None:
    assert (REPO_ROOT / TOUR_NOTEBOOK).is_file(), (
        f"{TOUR_NOTEBOOK} is missing: the Binder check runs the tour notebook in a fresh venv"
    )
    venv_dir = tmp_path / "binder-venv"
    python = str(venv_dir / "bin" / "python")

    created = run_in_repo([sys.executable, "-m", "venv", str(venv_dir)])
    assert created.returncode == 0, output_tail(created)

    installed = run_in_repo(
        [python, "-m", "pip", "install", "-r", "binder/requirements.txt", "nbval"]
    )
    assert installed.returncode == 0, output_tail(installed)

    tour = run_in_repo([python, "-m", "pytest", *STRICT_NBVAL, TOUR_NOTEBOOK])
    assert tour.returncode == 0, output_tail(tour)
