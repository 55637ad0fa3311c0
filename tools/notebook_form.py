"""Keep notebooks in the form JupyterLab saves, so opening, running and saving them changes nothing.

`python tools/notebook_form.py run FILE...` executes each notebook in place (as `jupyter nbconvert
--execute --inplace` does) and rewrites it in the normal form; `normalize FILE...` only rewrites;
`check FILE...` lists the files not in normal form and exits 1 if there are any.

The normal form is what JupyterLab 4 writes: nbformat 4.5 with cell ids, JSON indented by one space
with sorted keys and a trailing newline, the kernelspec of ipykernel's "Python 3 (ipykernel)", no
per-cell execution timing, each run of one stream's pieces joined into one output, and widget state
(if any) under metadata.widgets as JupyterLab's widget manager stores it. Widget model ids are
random on every run (ipykernel makes each comm id with uuid4), so they are renamed to ids numbered
in the order the notebook shows the widgets: the same run stores the same bytes. This script
imports nbformat and nbclient only, never k8slab.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import uuid
from pathlib import Path
from typing import Any

import nbformat

KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
# Cell metadata that records when a cell ran: nbclient's record_timing and the execute-time
# extension's key. Neither survives a re-run, so neither is stored.
TIMING_KEYS = ("execution", "ExecuteTime")
# A widget model id as ipykernel makes it: uuid4().hex, 32 lowercase hex digits, on its own.
MODEL_ID = re.compile(r"(?<![0-9a-f])[0-9a-f]{32}(?![0-9a-f])")
ID_NAMESPACE = uuid.UUID("6ba7b811-9dad-11d1-80b4-00c04fd430c8")  # RFC 4122's URL namespace
CELL_TIMEOUT_SECONDS = 300  # a chapter's cell runs in seconds; beyond this, say which hangs


class NotebookFormError(Exception):
    """A notebook that cannot be put in normal form (say which file and what is wrong)."""


def canonical_model_id(index: int) -> str:
    """The stored id of the `index`-th widget model: a fixed UUID, so it looks like any other."""
    return uuid.uuid5(ID_NAMESPACE, f"k8slab-notebook-widget/{index}").hex


def _references(value: Any, known: dict[str, Any]) -> list[str]:
    """The model ids `value` mentions (IPY_MODEL_<id>, a view's model_id), in a fixed order."""
    text = json.dumps(value, sort_keys=True)
    return [found for found in MODEL_ID.findall(text) if found in known]


def model_order(nb: dict) -> list[str]:
    """Every stored model id, in the order a reader meets it: the views the cells show, each
    followed by the models it refers to (depth first); then models no view reaches."""
    state = nb["metadata"].get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    order: list[str] = []
    seen: set[str] = set()

    def visit(model_id: str) -> None:
        pending = [model_id]
        while pending:
            current = pending.pop()
            if current in seen or current not in state:
                continue
            seen.add(current)
            order.append(current)
            pending.extend(reversed(_references(state[current], state)))

    for cell in nb["cells"]:
        for output in cell.get("outputs", []):
            for found in _references(output.get("data", {}).get(WIDGET_VIEW, {}), state):
                visit(found)
    masked = {key: MODEL_ID.sub("-", json.dumps(value, sort_keys=True))
              for key, value in state.items()}
    for orphan in sorted((key for key in state if key not in seen), key=masked.__getitem__):
        visit(orphan)
    return order


def merged_streams(outputs: list) -> list:
    """`outputs` with each run of stdout (or stderr) pieces joined into one output, as JupyterLab
    shows and saves them; how a kernel happened to flush a stream then no longer shows."""
    merged: list = []
    for output in outputs:
        previous = merged[-1] if merged else None
        if (output.output_type == "stream" and previous is not None
                and previous.output_type == "stream" and previous.name == output.name):
            previous.text = "".join(previous.text) + "".join(output.text)
        else:
            merged.append(output)
    return merged


def normalize(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """`nb` in normal form: kernelspec, no timing, cell ids, widget state renamed as stored."""
    if nb.get("nbformat") != 4:
        raise NotebookFormError(f"nbformat {nb.get('nbformat')} is not supported; only 4 is")
    if nb.get("nbformat_minor", 0) < 5:
        raise NotebookFormError(f"nbformat 4.{nb.get('nbformat_minor')} has no cell ids; open "
                                "and save the notebook in JupyterLab 4 to upgrade it to 4.5")
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    for cell in nb.cells:
        for key in TIMING_KEYS:
            cell.metadata.pop(key, None)
        if "id" not in cell:
            raise NotebookFormError(f"a {cell.cell_type} cell has no id; nbformat 4.5 needs one")
        if cell.cell_type == "code":
            cell.outputs = merged_streams(cell.outputs)
    widgets = nb.metadata.get("widgets")
    if widgets is not None:
        stored = widgets.get(WIDGET_STATE)
        if not isinstance(stored, dict) or not isinstance(stored.get("state"), dict):
            del nb.metadata["widgets"]  # a partial entry that GitHub and nbviewer cannot render
        else:
            widgets.clear()
            widgets[WIDGET_STATE] = {"state": stored["state"],
                                     "version_major": stored.get("version_major", 2),
                                     "version_minor": stored.get("version_minor", 0)}
            renamed = {old: canonical_model_id(i) for i, old in enumerate(model_order(nb))}
            text = MODEL_ID.sub(lambda m: renamed.get(m.group(0), m.group(0)), json.dumps(nb))
            nb = nbformat.from_dict(json.loads(text))
    return nb


def to_text(nb: nbformat.NotebookNode) -> str:
    """The notebook as JupyterLab writes it (nbformat's writer, with its trailing newline)."""
    return nbformat.writes(nb, version=4) + "\n"


def normalized_text(path: Path) -> str:
    return to_text(normalize(nbformat.read(path, as_version=4)))


def execute(path: Path) -> None:
    """Run every cell of `path` in a fresh python3 kernel started in the notebook's folder, as
    `jupyter nbconvert --execute --inplace` does, then store the result in normal form."""
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=CELL_TIMEOUT_SECONDS, kernel_name=KERNELSPEC["name"],
                   record_timing=False, store_widget_state=True,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    path.write_text(to_text(normalize(nb)), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("run", "normalize", "check"))
    parser.add_argument("files", nargs="+", type=Path)
    args = parser.parse_args(argv)
    not_normal = []
    for path in args.files:
        if args.command == "run":
            print(f"running {path}", flush=True)
            execute(path)
        elif args.command == "normalize":
            path.write_text(normalized_text(path), encoding="utf-8")
        elif path.read_text(encoding="utf-8") != normalized_text(path):
            not_normal.append(path)
    for path in not_normal:
        print(f"{path}: not in normal form; run python tools/notebook_form.py normalize {path}")
    return 1 if not_normal else 0


if __name__ == "__main__":
    sys.exit(main())
