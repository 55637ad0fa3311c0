"""Every stored notebook is in the form JupyterLab saves (tools/notebook_form.py), so opening and
saving it changes nothing (tests/browser checks that in a real JupyterLab), and `make notebooks`
run twice stores the same bytes twice."""

from __future__ import annotations

import json
import random
import re
import uuid
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from tools.notebook_form import (
    KERNELSPEC,
    MODEL_ID,
    TIMING_KEYS,
    WIDGET_STATE,
    WIDGET_VIEW,
    execute,
    normalize,
    normalized_text,
    to_text,
)

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))


def widget_views(nb: dict) -> list[str]:
    """The model ids of the widget views the cells' outputs show."""
    return [output["data"][WIDGET_VIEW]["model_id"] for cell in nb["cells"]
            for output in cell.get("outputs", []) if WIDGET_VIEW in output.get("data", {})]


@pytest.fixture(params=NOTEBOOKS, ids=lambda path: path.name)
def stored(request) -> tuple[Path, str, dict]:
    path = request.param
    text = path.read_text(encoding="utf-8")
    return path, text, json.loads(text)


def test_notebooks_are_nbformat_4_5_with_cell_ids(stored) -> None:
    path, text, nb = stored
    nbformat.validate(nbformat.reads(text, as_version=4))
    assert (nb["nbformat"], nb["nbformat_minor"]) >= (4, 5), path.name
    ids = [cell["id"] for cell in nb["cells"]]
    assert len(set(ids)) == len(ids), f"{path.name}: cell ids repeat"


def test_notebooks_name_the_kernel_as_jupyterlab_does(stored) -> None:
    path, _, nb = stored
    assert nb["metadata"]["kernelspec"] == KERNELSPEC, path.name
    assert nb["metadata"]["language_info"]["name"] == "python", path.name


def test_no_cell_records_when_it_ran(stored) -> None:
    path, _, nb = stored
    timed = [i for i, cell in enumerate(nb["cells"]) if set(TIMING_KEYS) & set(cell["metadata"])]
    assert not timed, f"{path.name}: cells {timed} store execution timing metadata"


def test_widget_state_is_stored_as_jupyterlab_stores_it(stored) -> None:
    path, _, nb = stored
    widgets = nb["metadata"].get("widgets")
    if widgets is None:
        assert not widget_views(nb), f"{path.name} shows widgets but stores no widget state"
        return
    assert list(widgets) == [WIDGET_STATE], path.name
    assert sorted(widgets[WIDGET_STATE]) == ["state", "version_major", "version_minor"]
    assert widgets[WIDGET_STATE]["version_major"] == 2
    missing = set(widget_views(nb)) - set(widgets[WIDGET_STATE]["state"])
    assert not missing, f"{path.name}: outputs show widgets with no stored state: {missing}"


def test_notebooks_are_written_as_jupyterlab_writes_them(stored) -> None:
    """One-space indent, sorted keys, a trailing newline, and widget ids as a re-run stores them."""
    path, text, _ = stored
    assert text.endswith("}\n") and text.startswith('{\n "cells": [\n'), path.name
    in_normal_form = text == normalized_text(path)  # (a diff of 100 kB would say nothing)
    assert in_normal_form, (
        f"{path.name} is not in normal form: python tools/notebook_form.py normalize {path}")


# -- the normaliser ------------------------------------------------------------------------------


def with_fresh_model_ids(nb: nbformat.NotebookNode, seed: int) -> nbformat.NotebookNode:
    """`nb` with every widget model id replaced by another random one, as a new run makes them."""
    text = json.dumps(nb)
    rng = random.Random(seed)
    fresh = {old: uuid.UUID(int=rng.getrandbits(128)).hex for old in set(MODEL_ID.findall(text))}
    return nbformat.from_dict(json.loads(MODEL_ID.sub(lambda m: fresh[m.group(0)], text)))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.name)
def test_normal_form_does_not_depend_on_the_random_model_ids(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    expected = to_text(normalize(nb))
    for seed in (1, 2):
        assert to_text(normalize(with_fresh_model_ids(nb, seed))) == expected


def test_normalize_drops_timing_and_a_partial_widget_entry_and_sets_the_kernelspec() -> None:
    nb = new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3"},
                                "widgets": {WIDGET_STATE: {"version_major": 2}}})
    nb.cells.append(new_code_cell("1 + 1", metadata={"execution": {"iopub.status.idle": "x"},
                                                     "ExecuteTime": {"end_time": "y"},
                                                     "tags": ["keep"]}))
    out = normalize(nb)
    assert out.metadata.kernelspec == KERNELSPEC
    assert "widgets" not in out.metadata
    assert out.cells[0].metadata == {"tags": ["keep"]}
    assert to_text(normalize(out)) == to_text(out)


def test_normalize_joins_each_run_of_one_stream_as_jupyterlab_shows_it() -> None:
    """The kernel flushes stdout when it likes: "a" then "b\\n" may arrive as one piece or two."""
    nb = new_notebook(metadata={"kernelspec": dict(KERNELSPEC)})
    nb.cells.append(new_code_cell("print('ab'); 1", outputs=[
        new_output("stream", name="stdout", text="a"), new_output("stream", name="stdout",
                                                                  text="b\n"),
        new_output("stream", name="stderr", text="!\n"),
        new_output("stream", name="stdout", text="c\n"),
        new_output("execute_result", data={"text/plain": "1"}, execution_count=1)]))
    outputs = normalize(nb).cells[0].outputs
    assert [(o.output_type, o.get("name"), o.get("text")) for o in outputs] == [
        ("stream", "stdout", "ab\n"), ("stream", "stderr", "!\n"), ("stream", "stdout", "c\n"),
        ("execute_result", None, None)]


WIDGET_NOTEBOOK_CELLS = [
    "import ipywidgets as widgets\nimport matplotlib\nmatplotlib.use('module://matplotlib_inline"
    ".backend_inline')\nimport matplotlib.pyplot as plt\nfrom IPython.display import display",
    "fig, ax = plt.subplots(figsize=(2, 1))\nax.plot([0, 1], [1, 0])\nplt.close(fig)\n"
    "out = widgets.Output()\nwith out:\n    display(fig)\n"
    "widgets.VBox([widgets.Button(description='go'), widgets.Dropdown(options=['a', 'b']), out])",
]


def test_running_a_notebook_twice_stores_the_same_bytes(tmp_path: Path) -> None:
    """What `make notebooks` does, on a small notebook with widgets and a figure in an Output."""
    nb = new_notebook(metadata={"kernelspec": dict(KERNELSPEC)})
    nb.cells = [new_markdown_cell("# widgets"), *map(new_code_cell, WIDGET_NOTEBOOK_CELLS)]
    path = tmp_path / "widgets.ipynb"
    path.write_text(to_text(nb), encoding="utf-8")
    execute(path)
    first = path.read_text(encoding="utf-8")
    execute(path)
    assert path.read_text(encoding="utf-8") == first
    stored = json.loads(first)
    assert widget_views(stored) and re.search("image/png", first)
    assert set(widget_views(stored)) <= set(stored["metadata"]["widgets"][WIDGET_STATE]["state"])
