"""`kubectl get`, answered with the exact text kubectl prints, from Kubernetes-shaped dicts.

A command string and a reader of the cluster's objects go in, a string comes out: a table
(printers and tabwriter, k8s.io/cli-runtime/pkg/printers/tableprinter.go), names, or the objects
as JSON or YAML.
"""

from __future__ import annotations

import json
from typing import Protocol

from k8slab.errors import NotFoundError
from k8slab.lab.kubectl.command import GetRequest, parse_command
from k8slab.lab.kubectl.printers import format_labels
from k8slab.lab.kubectl.tabwriter import format_table


class ClusterReader(Protocol):
    """What `kubectl` needs from a cluster: the simulated time and read access to objects."""

    now: float

    def list(self, resource: str, namespace: str | None) -> list[dict]:
        """Objects of `resource` (plural) in `namespace` (None: all), by (namespace, name)."""
        ...

    def get(self, resource: str, namespace: str | None, name: str) -> dict:
        """One object; raises k8slab.errors.NotFoundError when it does not exist."""
        ...


def kubectl(reader: ClusterReader, command: str) -> str:
    """Run a `kubectl get` command against `reader` and return what kubectl would print.

    The text has no final newline, so that `print(kubectl(...))` looks like the terminal.
    """
    request = parse_command(command)
    objects = _fetch(reader, request)
    if request.output in ("json", "yaml"):
        document = objects[0] if len(request.names) == 1 else _list_of(objects)
        return _dump(document, request.output)
    if not objects:
        return _nothing_found(request)
    if request.output == "name":
        return "\n".join(request.rtype.objectname_of(obj) for obj in objects)
    return _table(request, objects, reader.now)


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


def _list_of(objects: list[dict]) -> dict:
    """The `List` kubectl wraps several objects in for `-o yaml` / `-o json`."""
    return {
        "apiVersion": "v1",
        "items": objects,
        "kind": "List",
        "metadata": {"resourceVersion": ""},
    }


def _dump(document: dict, output: str) -> str:
    if output == "yaml":
        from k8slab.api.manifests import dump_manifest

        return dump_manifest(document).rstrip("\n")
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
