"""Every exercise's check cell says "right" to the right answer: each chapter is run once with
its prediction cells filled in from the answer key below, as a student who knows would fill them.

nbval runs the chapters as committed (every prediction None, "no answer yet"); this test is what
shows that the checks can also say yes, and that every prediction cell has an answer here.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"

# The teacher's answer sheet, prediction by prediction, as Python source.
ANSWERS = {
    "00-tour.ipynb": {
        "answer_1_status": '"Pending"',
        "answer_1_insufficient": "3",
        "answer_2_kubectl": "False",
        "answer_2_running": "3",
        "answer_2_source": '"disk"',
        "answer_3": "261",  # etcd revisions: the addons, RBAC policy and ServiceAccounts come first
    },
    "01-api-server.ipynb": {
        "answer_1_labeller": "True",
        "answer_1_code": "403",
        "answer_2_succeeded": "1",
        "answer_2_grown": "1",
        "answer_3_from_list": "0",
        "answer_3_from_zero": "3",  # counter, colour and kube-root-ca.crt
        "answer_4_logs": "True",
        "answer_4_secrets": "False",
        "answer_5": "0",
    },
    "02-node.ipynb": {
        "answer_1": "80",  # the check accepts 1 s either side
        "answer_2": "40",  # the check accepts 1 s either side
        "answer_3": '"OOMKilled"',
        "answer_4": '"Burstable"',
    },
    "03-etcd-and-raft.ipynb": {
        "answer_1": "2",
        "answer_2": "False",
        "answer_3": "(0.1, 1.1)",
        "answer_4": '["s2", "s4"]',
        "answer_5": "1",
    },
    "04-controllers.ipynb": {
        "answer_1_most": "13",
        "answer_1_least": "8",
        "answer_2": "355",  # the check accepts 15 s either side of what the cluster does
        "answer_3": "19",  # the check accepts 3 s either side
    },
    "05-scheduler.ipynb": {
        # Pasted over two lines, as a reader might copy it: the check ignores line breaks.
        "answer_1": '"0/4 nodes are available: 4 node(s) had untolerated taint(s). preemption:\\n'
                    ' 0/4 nodes are available: 4 Preemption is not helpful for scheduling."',
        "answer_2_imitates": '"MostAllocated"',
        "answer_2_same_nodes": "True",
        "answer_3_zone_b": "5",
        "answer_3_plugin": '"NodeResourcesFit"',
        "answer_4_node": '"worker-2"',
        "answer_4_score": "250",
    },
    "06-services-and-networking.ipynb": {
        "answer_1_chains": "4",
        "answer_1_probability": "0.25",
        "answer_2_endpoints": "3",
        "answer_2_each": "400",  # the check accepts 60 either side of every endpoint's count
        "answer_3_questions": "4",
        "answer_3_fewer": "True",
    },
    "09-real-kubectl.ipynb": {
        "answer_1_verb": '"patch"',
        "answer_1_resource": '"deployments/scale"',
        "answer_2_code": "403",
        "answer_2_can_i": '"no"',
    },
}


def fill_predictions(nb: nbformat.NotebookNode, answers: dict[str, str]) -> list[str]:
    """Replace each `answer_... = None  # ...` line with the answer; return the names filled."""
    filled = []
    for cell in nb.cells:
        if cell.cell_type != "code" or not cell.source.startswith("answer_"):
            continue
        lines = []
        for line in cell.source.splitlines():
            name, _, _ = line.partition(" = ")
            assert name in answers, f"no answer in the key for {name}"
            lines.append(f"{name} = {answers[name]}")
            filled.append(name)
        cell.source = "\n".join(lines)
    return filled


def check_lines(nb: nbformat.NotebookNode) -> list[str]:
    """The lines the check cells printed."""
    return [line for cell in nb.cells for out in cell.get("outputs", [])
            for line in out.get("text", "").splitlines() if line.startswith("Exercise ")]


@pytest.mark.parametrize("chapter", sorted(ANSWERS))
def test_every_check_says_right_to_the_right_answer(chapter):
    nb = nbformat.read(NOTEBOOKS / chapter, as_version=4)
    filled = fill_predictions(nb, ANSWERS[chapter])
    assert sorted(filled) == sorted(ANSWERS[chapter])
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(NOTEBOOKS)}}).execute()
    lines = check_lines(nb)
    assert len(lines) == len(filled)
    assert all(": right — " in line for line in lines), "\n".join(lines)
