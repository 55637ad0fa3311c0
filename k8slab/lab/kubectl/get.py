"""`kubectl get`, answered with the exact text kubectl prints, from Kubernetes-shaped dicts.

A command string and a reader of the cluster's objects go in, a string comes out: a table
(printers and tabwriter, k8s.io/cli-runtime/pkg/printers/tableprinter.go), names, or the objects
as JSON or YAML.
"""

from __future__ import annotations

import json
import math
import shlex
from dataclasses import dataclass
from typing import Protocol

import yaml

from k8slab.errors import BadRequestError, NotFoundError
from k8slab.lab.kubectl.command import GetRequest, parse_command
from k8slab.lab.kubectl.printers import format_labels
from k8slab.lab.kubectl.resources import custom_resource_types
from k8slab.lab.kubectl.tabwriter import CELL_PADDING, MIN_CELL_WIDTH, format_table


@dataclass(frozen=True)
class WatchChange:
    """One event a watch delivered: when it arrived (simulated seconds), its type, the object.

    `type` is ADDED, MODIFIED, DELETED, or ERROR (then `object` is the API's Status).
    """

    time: float
    type: str
    object: dict


class ClusterReader(Protocol):
    """What `kubectl` needs from a cluster: the simulated time and read access to objects."""

    now: float

    def list(self, resource: str, namespace: str | None) -> list[dict]:
        """Objects of `resource` (plural) in `namespace` (None: all), by (namespace, name)."""
        ...

    def get(self, resource: str, namespace: str | None, name: str) -> dict:
        """One object; raises k8slab.errors.NotFoundError when it does not exist."""
        ...


class WatchingReader(ClusterReader, Protocol):
    """A reader that can also hold a watch open while the simulation runs (`kubectl get -w`)."""

    def list_and_watch(
        self, resource: str, namespace: str | None, seconds: float
    ) -> tuple[list[dict], list[WatchChange]]:
        """LIST `resource` (as `list` does), then watch from that list's resourceVersion while
        the simulation runs `seconds` further: the listed objects, and each change in the order
        it arrived, stamped with the simulated time it arrived."""
        ...


def kubectl(reader: ClusterReader, command: str) -> str:
    """Run a `kubectl get` command against `reader` and return what kubectl would print.

    The text has no final newline, so that `print(kubectl(...))` looks like the terminal.
    """
    request = _parse(reader, command)
    objects = _fetch(reader, request)
    if request.output in ("json", "yaml"):
        if not request.show_managed_fields:
            objects = [without_managed_fields(obj) for obj in objects]
        document = objects[0] if len(request.names) == 1 else _list_of(objects)
        return _dump(document, request.output)
    if not objects:
        return _nothing_found(request)
    if request.output == "name":
        return "\n".join(request.rtype.objectname_of(obj) for obj in objects)
    return _table(request, objects, reader.now)


def _parse(reader: ClusterReader, command: str) -> GetRequest:
    """The command read with the built-in kinds, or, for a word none of them is, with the
    custom kinds the cluster's CRDs serve (asked of the API server, as kubectl's discovery)."""
    try:
        return parse_command(command)
    except BadRequestError as error:
        if "doesn't have a resource type" not in error.message:
            raise
    return parse_command(command,
                         custom_resource_types(reader.list("customresourcedefinitions", None)))


def _fetch(reader: ClusterReader, request: GetRequest) -> list[dict]:
    rtype = request.rtype
    namespace = request.namespace if rtype.namespaced else None
    if not request.names:
        return reader.list(rtype.plural, None if request.all_namespaces else namespace)
    objects = []
    for name in request.names:
        try:
            objects.append(reader.get(rtype.plural, namespace, name))
        except NotFoundError:
            raise NotFoundError(
                f'Error from server (NotFound): {rtype.qualified} "{name}" not found'
            ) from None
    return objects


def without_managed_fields(obj: dict) -> dict:
    """The object without metadata.managedFields, as kubectl prints -o yaml/json since 1.21
    unless --show-managed-fields is given (false by default since kubectl v1.21)."""
    meta = obj.get("metadata")
    if not isinstance(meta, dict) or "managedFields" not in meta:
        return obj
    return dict(obj, metadata={k: v for k, v in meta.items() if k != "managedFields"})


def _list_of(objects: list[dict]) -> dict:
    """The `List` kubectl wraps several objects in for `-o yaml` / `-o json`."""
    return {
        "apiVersion": "v1",
        "items": objects,
        "kind": "List",
        "metadata": {"resourceVersion": ""},
    }


class _GoYamlDumper(yaml.SafeDumper):
    """YAML as kubectl's printer writes it (JSON converted by sigs.k8s.io/yaml, go-yaml's
    emitter): a string that cannot stand plain is double-quoted, a multi-line one literal."""

    def choose_scalar_style(self) -> str:
        style = super().choose_scalar_style()
        return '"' if style == "'" else style


def _go_string(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", text,
                                   style="|" if "\n" in text else None)


_GoYamlDumper.add_representer(str, _go_string)


def _dump(document: dict, output: str) -> str:
    if output == "yaml":  # every key sorted, as the JSON kubectl converts sorts them
        return yaml.dump(document, Dumper=_GoYamlDumper, sort_keys=True,
                         default_flow_style=False, allow_unicode=True,
                         width=80).rstrip("\n")
    # Go's encoding/json sorts map keys and escapes <, > and & (kubectl's JSONPrinter uses it).
    text = json.dumps(document, indent=4, sort_keys=True, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _nothing_found(request: GetRequest) -> str:
    if request.rtype.namespaced and not request.all_namespaces:
        return f"No resources found in {request.namespace} namespace."
    return "No resources found"


def _table(request: GetRequest, objects: list[dict], now: float) -> str:
    return format_table(_rows(request, objects, now, header=True))


def _rows(request: GetRequest, objects: list[dict], now: float, *, header: bool) -> list[list[str]]:
    """The header (when asked) and one row per object, with NAMESPACE and LABELS as flagged."""
    rtype, wide = request.rtype, request.output == "wide"
    with_namespace = request.all_namespaces and rtype.namespaced
    rows = [rtype.header(wide)] if header else []
    if with_namespace and header:
        rows[0].insert(0, "NAMESPACE")
    if request.show_labels and header:
        rows[0].append("LABELS")
    for obj in objects:
        row = rtype.row(obj, now, wide)
        metadata = obj.get("metadata", {})
        if with_namespace:
            row.insert(0, metadata.get("namespace", ""))
        if request.show_labels:
            row.append(format_labels(metadata.get("labels", {})))
        rows.append(row)
    return rows


WATCH_FLAGS = ("-w", "--watch", "--watch=true")
WATCH_OUTPUTS = ("", "wide", "name")


def watch(reader: WatchingReader, command: str, seconds: float) -> str:
    """`kubectl get ... -w`, held open for `seconds` of simulated time: what kubectl printed.

    First the table of what exists (no header when nothing does), then one line per change the
    watch delivered, without a header, each with the ages of the moment it arrived; columns keep
    the widths they have grown to, as kubectl's tabwriter remembers them (RememberWidths).
    """
    if isinstance(seconds, bool) or not isinstance(seconds, int | float) or not (
        math.isfinite(seconds) and seconds > 0
    ):
        raise BadRequestError(
            f"error: a watch stays open for a positive number of simulated seconds, got {seconds!r}"
        )
    request = _parse(reader, _without_watch_flag(command))
    if request.output not in WATCH_OUTPUTS:
        raise BadRequestError(
            f'error: this lab\'s kubectl -w prints tables and names, not "{request.output}"; '
            "use -o wide or -o name, or leave -o out"
        )
    rtype = request.rtype
    namespace = request.namespace if rtype.namespaced else None
    start = reader.now
    listed, changes = reader.list_and_watch(
        rtype.plural, None if request.all_namespaces else namespace, seconds
    )
    if request.names:
        listed = _named(request, listed)
        changes = [c for c in changes if c.type == "ERROR" or _name(c.object) in request.names]
    printer = _WatchPrinter(request)
    lines = printer.flush(listed, start, header=True)
    for change in changes:
        if change.type == "ERROR":
            lines.append(_watch_error(change.object))
            break
        lines += printer.flush([change.object], change.time, header=not printer.printed)
    return "\n".join(lines)


def _without_watch_flag(command: str) -> str:
    """The command without its `-w`: the rest is an ordinary `kubectl get`."""
    if not isinstance(command, str):
        raise BadRequestError(f"error: a command is a string like 'get pods -w', got {command!r}")
    try:
        words = shlex.split(command)
    except ValueError as err:
        raise BadRequestError(f"error: cannot read the command {command!r}: {err}") from None
    kept = [word for word in words if word not in WATCH_FLAGS]
    if len(kept) == len(words):
        raise BadRequestError(
            f"error: a watch needs -w (or --watch) in the command, got {command!r}"
        )
    return shlex.join(kept)


def _named(request: GetRequest, listed: list[dict]) -> list[dict]:
    """The listed objects the command names, in its order; a missing one is kubectl's NotFound."""
    by_name = {_name(obj): obj for obj in listed}
    for name in request.names:
        if name not in by_name:
            raise NotFoundError(
                f'Error from server (NotFound): {request.rtype.qualified} "{name}" not found'
            )
    return [by_name[name] for name in request.names]


def _name(obj: dict) -> str:
    return obj.get("metadata", {}).get("name", "")


def _watch_error(status: dict) -> str:
    """How kubectl reports a watch that ended with an ERROR event (a Status, e.g. 410 Expired)."""
    return f"Error from server ({status.get('reason', 'Unknown')}): {status.get('message', '')}"


class _WatchPrinter:
    """Prints rows as they come, with column widths that only grow (RememberWidths)."""

    def __init__(self, request: GetRequest) -> None:
        self.request = request
        self.widths: list[int] = []
        self.printed = False

    def flush(self, objects: list[dict], now: float, *, header: bool) -> list[str]:
        """The lines for `objects` at time `now`, the header first when asked and not yet out."""
        if not objects:
            return []
        if self.request.output == "name":
            return [self.request.rtype.objectname_of(obj) for obj in objects]
        rows = _rows(self.request, objects, now, header=header)
        self.printed = True
        for column in range(len(rows[0]) - 1):
            width = max(MIN_CELL_WIDTH, max(len(row[column]) for row in rows) + CELL_PADDING)
            if column < len(self.widths):
                self.widths[column] = max(self.widths[column], width)
            else:
                self.widths.append(width)
        return [
            "".join(cell.ljust(width) for cell, width in zip(row, self.widths, strict=False))
            + row[-1]
            for row in rows
        ]
