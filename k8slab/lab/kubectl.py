"""`kubectl get`, answered with the exact text kubectl prints, from Kubernetes-shaped dicts.

Pure functions: a command string and a reader of the cluster's objects go in, a string comes out.
The column rules follow kubectl's own printers (kubernetes pkg/printers/internalversion/printers.go)
and its table writer (k8s.io/cli-runtime/pkg/printers/tabwriter.go and tableprinter.go).
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from k8slab.errors import BadRequestError, NotFoundError
from k8slab.lab.durations import age, human_duration, parse_timestamp

__all__ = ["ClusterReader", "kubectl", "human_duration", "format_table", "pod_status"]

DEFAULT_NAMESPACE = "default"
NONE = "<none>"
USAGE = (
    "this lab's kubectl supports: kubectl get <pods|nodes|namespaces|leases> [NAME...] "
    "[-n NAMESPACE | -A] [-o wide|yaml|json|name] [--show-labels]"
)
OUTPUT_FORMATS = ("json", "name", "wide", "yaml")

# Table layout of kubectl's tabwriter: minwidth 6, padding 3, pad with spaces
# (k8s.io/cli-runtime/pkg/printers/tabwriter.go).
MIN_CELL_WIDTH = 6
CELL_PADDING = 3


class ClusterReader(Protocol):
    """What `kubectl` needs from a cluster: the simulated time and read access to objects."""

    now: float

    def list(self, resource: str, namespace: str | None) -> list[dict]:
        """Objects of `resource` (plural) in `namespace` (None: all), by (namespace, name)."""
        ...

    def get(self, resource: str, namespace: str | None, name: str) -> dict:
        """One object; raises k8slab.errors.NotFoundError when it does not exist."""
        ...


# ---------------------------------------------------------------------------- pods


def pod_status(pod: dict, now: float) -> tuple[str, str, str]:
    """READY, STATUS and RESTARTS of a pod, computed the way kubectl's pod printer does.

    STATUS is the most telling reason: a waiting or terminated container's reason, an init
    container's progress (`Init:0/1`), `Terminating` once deletion started, else the phase.
    """
    spec, status = pod.get("spec", {}), pod.get("status", {})
    conditions = status.get("conditions", [])
    phase = status.get("phase", "")
    reason = status.get("reason") or phase
    if any(
        c.get("type") == "PodScheduled" and c.get("reason") == "SchedulingGated" for c in conditions
    ):
        reason = "SchedulingGated"

    init_specs = spec.get("initContainers", [])
    sidecars = {c.get("name") for c in init_specs if c.get("restartPolicy") == "Always"}
    total = len(spec.get("containers", [])) + len(sidecars)
    ready = 0
    restarts, last_restart = 0, None
    sidecar_restarts, sidecar_last_restart = 0, None

    initializing = False
    for index, container in enumerate(status.get("initContainerStatuses", [])):
        restarts += container.get("restartCount", 0)
        last_restart = _later(last_restart, _last_finished(container))
        is_sidecar = container.get("name") in sidecars
        if is_sidecar:
            sidecar_restarts += container.get("restartCount", 0)
            sidecar_last_restart = _later(sidecar_last_restart, _last_finished(container))
        state = container.get("state", {})
        terminated, waiting = state.get("terminated"), state.get("waiting")
        if terminated is not None and terminated.get("exitCode", 0) == 0:
            continue
        if is_sidecar and container.get("started"):
            ready += 1 if container.get("ready") else 0
            continue
        if terminated is not None:
            reason = "Init:" + _terminated_reason(terminated)
        elif waiting and waiting.get("reason") and waiting["reason"] != "PodInitializing":
            reason = "Init:" + waiting["reason"]
        else:
            reason = f"Init:{index}/{len(init_specs)}"
        initializing = True
        break

    if not initializing or _condition_true(conditions, "Initialized"):
        restarts, last_restart = sidecar_restarts, sidecar_last_restart
        has_running = False
        # Walk backwards, so that the first container's reason is the one that sticks.
        for container in reversed(status.get("containerStatuses", [])):
            restarts += container.get("restartCount", 0)
            last_restart = _later(last_restart, _last_finished(container))
            state = container.get("state", {})
            terminated, waiting = state.get("terminated"), state.get("waiting")
            if waiting and waiting.get("reason"):
                reason = waiting["reason"]
            elif terminated is not None:
                reason = _terminated_reason(terminated)
            elif container.get("ready") and state.get("running") is not None:
                has_running = True
                ready += 1
        if reason == "Completed" and has_running:
            reason = "Running" if _condition_true(conditions, "Ready") else "NotReady"

    if pod.get("metadata", {}).get("deletionTimestamp"):
        if status.get("reason") == "NodeLost":
            reason = "Unknown"
        elif phase not in ("Succeeded", "Failed"):
            reason = "Terminating"

    restarts_text = str(restarts)
    if restarts and last_restart is not None:
        restarts_text = f"{restarts} ({human_duration(now - last_restart)} ago)"
    return f"{ready}/{total}", reason, restarts_text


def _terminated_reason(terminated: dict) -> str:
    """A terminated container's reason, else `Signal:N`, else `ExitCode:N`."""
    if terminated.get("reason"):
        return terminated["reason"]
    if terminated.get("signal"):
        return f"Signal:{terminated['signal']}"
    return f"ExitCode:{terminated.get('exitCode', 0)}"


def _last_finished(container: dict) -> float | None:
    """When the container's previous run ended (lastState.terminated.finishedAt), if known."""
    finished = container.get("lastState", {}).get("terminated", {}).get("finishedAt")
    return parse_timestamp(finished, "lastState.terminated.finishedAt") if finished else None


def _later(current: float | None, candidate: float | None) -> float | None:
    """The later of two optional instants."""
    if candidate is None:
        return current
    return candidate if current is None or candidate > current else current


def _condition_true(conditions: list[dict], kind: str) -> bool:
    """Whether the first condition of type `kind` has status "True"."""
    for condition in conditions:
        if condition.get("type") == kind:
            return condition.get("status") == "True"
    return False


def _pod_cells(pod: dict, now: float, wide: bool) -> list[str]:
    ready, status, restarts = pod_status(pod, now)
    cells = [_name(pod), ready, status, restarts, _age(pod, now)]
    if wide:
        spec, status = pod.get("spec", {}), pod.get("status", {})
        # The API server reads podIP first and falls back to podIPs[0] (core/v1 conversion).
        ips = status.get("podIPs") or [{}]
        ip = status.get("podIP") or ips[0].get("ip") or NONE
        gates = spec.get("readinessGates", [])
        conditions = status.get("conditions", [])
        gates_text = NONE
        if gates:
            passed = sum(_condition_true(conditions, g.get("conditionType")) for g in gates)
            gates_text = f"{passed}/{len(gates)}"
        cells += [
            ip,
            spec.get("nodeName") or NONE,
            status.get("nominatedNodeName") or NONE,
            gates_text,
        ]
    return cells


# ---------------------------------------------------------------------------- other kinds


def _node_cells(node: dict, now: float, wide: bool) -> list[str]:
    status = node.get("status", {})
    ready = [c for c in status.get("conditions", []) if c.get("type") == "Ready"]
    states = ["Unknown"]
    if ready:
        states = ["Ready" if ready[-1].get("status") == "True" else "NotReady"]
    if node.get("spec", {}).get("unschedulable"):
        states.append("SchedulingDisabled")
    info = status.get("nodeInfo", {})
    cells = [
        _name(node),
        ",".join(states),
        ",".join(_node_roles(node)) or NONE,
        _age(node, now),
        info.get("kubeletVersion", ""),
    ]
    if wide:
        cells += [
            _node_address(node, "InternalIP"),
            _node_address(node, "ExternalIP"),
            info.get("osImage") or "<unknown>",
            info.get("kernelVersion") or "<unknown>",
            info.get("containerRuntimeVersion") or "<unknown>",
        ]
    return cells


def _node_roles(node: dict) -> list[str]:
    """Roles from `node-role.kubernetes.io/<role>` labels and the older `kubernetes.io/role`."""
    roles = []
    for key, value in node.get("metadata", {}).get("labels", {}).items():
        if key.startswith("node-role.kubernetes.io/") and key != "node-role.kubernetes.io/":
            roles.append(key.removeprefix("node-role.kubernetes.io/"))
        elif key == "kubernetes.io/role" and value:
            roles.append(value)
    return sorted(dict.fromkeys(roles))


def _node_address(node: dict, kind: str) -> str:
    for address in node.get("status", {}).get("addresses", []):
        if address.get("type") == kind:
            return address.get("address", "")
    return NONE


def _namespace_cells(namespace: dict, now: float, wide: bool) -> list[str]:
    phase = namespace.get("status", {}).get("phase") or "Active"
    return [_name(namespace), phase, _age(namespace, now)]


def _lease_cells(lease: dict, now: float, wide: bool) -> list[str]:
    holder = lease.get("spec", {}).get("holderIdentity") or ""
    return [_name(lease), holder, _age(lease, now)]


def _name(obj: dict) -> str:
    return obj.get("metadata", {}).get("name", "")


def _age(obj: dict, now: float) -> str:
    created = obj.get("metadata", {}).get("creationTimestamp")
    return age(created, now, "metadata.creationTimestamp")


# ---------------------------------------------------------------------------- resource types


@dataclass(frozen=True)
class ResourceType:
    """One kind `kubectl get` knows: its spellings, scope, columns and row printer."""

    plural: str
    kind: str
    aliases: tuple[str, ...]
    namespaced: bool
    columns: tuple[str, ...]
    wide_columns: tuple[str, ...]
    cells: Callable[[dict, float, bool], list[str]]
    group: str = ""

    @property
    def qualified(self) -> str:
        """`pods`, or `leases.coordination.k8s.io` for a kind outside the core group."""
        return f"{self.plural}.{self.group}" if self.group else self.plural

    def object_name(self, obj: dict) -> str:
        """What `-o name` prints: `pod/web-1`, `lease.coordination.k8s.io/worker-1`."""
        kind = f"{self.kind}.{self.group}" if self.group else self.kind
        return f"{kind.lower()}/{_name(obj)}"


RESOURCE_TYPES = (
    ResourceType(
        plural="pods",
        kind="Pod",
        aliases=("pods", "pod", "po"),
        namespaced=True,
        columns=("NAME", "READY", "STATUS", "RESTARTS", "AGE"),
        wide_columns=("IP", "NODE", "NOMINATED NODE", "READINESS GATES"),
        cells=_pod_cells,
    ),
    ResourceType(
        plural="nodes",
        kind="Node",
        aliases=("nodes", "node", "no"),
        namespaced=False,
        columns=("NAME", "STATUS", "ROLES", "AGE", "VERSION"),
        wide_columns=(
            "INTERNAL-IP",
            "EXTERNAL-IP",
            "OS-IMAGE",
            "KERNEL-VERSION",
            "CONTAINER-RUNTIME",
        ),
        cells=_node_cells,
    ),
    ResourceType(
        plural="namespaces",
        kind="Namespace",
        aliases=("namespaces", "namespace", "ns"),
        namespaced=False,
        columns=("NAME", "STATUS", "AGE"),
        wide_columns=(),
        cells=_namespace_cells,
    ),
    ResourceType(
        plural="leases",
        kind="Lease",
        aliases=("leases", "lease"),
        namespaced=True,
        columns=("NAME", "HOLDER", "AGE"),
        wide_columns=(),
        cells=_lease_cells,
        group="coordination.k8s.io",
    ),
)
_BY_ALIAS = {alias: rtype for rtype in RESOURCE_TYPES for alias in rtype.aliases}


def _resource_type(word: str) -> ResourceType:
    rtype = _BY_ALIAS.get(word.lower())
    if rtype is None:
        raise BadRequestError(f'error: the server doesn\'t have a resource type "{word}"\n{USAGE}')
    return rtype


# ---------------------------------------------------------------------------- command line


@dataclass(frozen=True)
class GetRequest:
    """A parsed `kubectl get`: what to fetch and how to print it."""

    rtype: ResourceType
    names: tuple[str, ...]
    namespace: str
    all_namespaces: bool
    output: str
    show_labels: bool


_VALUE_FLAGS = {"namespace": "n", "output": "o"}
_BOOL_FLAGS = {"all-namespaces": "A", "show-labels": ""}
_SHORT = {short: long for long, short in (_VALUE_FLAGS | _BOOL_FLAGS).items() if short}


def parse_command(command: str) -> GetRequest:
    """Read a `kubectl get` command line the way kubectl's flag parser (pflag) reads it."""
    if not isinstance(command, str):
        raise BadRequestError(f"error: a command is a string like 'get pods', got {command!r}")
    try:
        words = shlex.split(command)
    except ValueError as err:
        raise BadRequestError(f"error: cannot read the command {command!r}: {err}") from None
    if words[:1] == ["kubectl"]:
        words = words[1:]
    flags, args = _parse_flags(words)
    if not args:
        raise BadRequestError(f"error: no command given\n{USAGE}")
    if args[0] != "get":
        raise BadRequestError(f'error: unknown command "{args[0]}" for "kubectl"\n{USAGE}')
    rtype, names = _resource_and_names(args[1:])
    output = flags.get("output", "")
    if output not in ("", *OUTPUT_FORMATS):
        raise BadRequestError(
            f'error: unable to match a printer suitable for the output format "{output}", '
            f"allowed formats are: {','.join(OUTPUT_FORMATS)}"
        )
    all_namespaces = flags.get("all-namespaces", False)
    if names and all_namespaces and rtype.namespaced:
        raise BadRequestError("error: a resource cannot be retrieved by name across all namespaces")
    return GetRequest(
        rtype=rtype,
        names=names,
        namespace=flags.get("namespace") or DEFAULT_NAMESPACE,
        all_namespaces=all_namespaces,
        output=output,
        show_labels=flags.get("show-labels", False),
    )


def _parse_flags(words: list[str]) -> tuple[dict, list[str]]:
    """Split words into flags (`-n x`, `-nx`, `--namespace=x`, `-A`...) and positional args."""
    flags: dict = {}
    args: list[str] = []
    rest = list(words)
    while rest:
        word = rest.pop(0)
        if word == "--":
            args += rest
            break
        if word.startswith("--"):
            name, has_value, value = word[2:].partition("=")
            if name in _VALUE_FLAGS:
                if not has_value:
                    if not rest:
                        raise BadRequestError(f"error: flag needs an argument: --{name}\n{USAGE}")
                    value = rest.pop(0)
                flags[name] = value
            elif name in _BOOL_FLAGS:
                flags[name] = _parse_bool(name, value) if has_value else True
            else:
                raise BadRequestError(f"error: unknown flag: --{name}\n{USAGE}")
        elif word.startswith("-") and word != "-":
            _parse_shorthands(word, rest, flags)
        else:
            args.append(word)
    return flags, args


def _parse_shorthands(word: str, rest: list[str], flags: dict) -> None:
    """`-A`, `-n kube-system`, `-nkube-system`, `-n=kube-system`, `-Ao wide`."""
    letters = word[1:]
    while letters:
        letter, letters = letters[0], letters[1:]
        name = _SHORT.get(letter)
        if name is None:
            raise BadRequestError(f"error: unknown shorthand flag: '{letter}' in {word}\n{USAGE}")
        if name in _BOOL_FLAGS:
            flags[name] = True
            continue
        value = letters.removeprefix("=")
        if not letters:
            if not rest:
                raise BadRequestError(
                    f"error: flag needs an argument: '{letter}' in {word}\n{USAGE}"
                )
            value = rest.pop(0)
        flags[name] = value
        return


def _parse_bool(name: str, value: str) -> bool:
    """pflag's ParseBool: true/false and their usual spellings."""
    if value in ("1", "t", "T", "true", "TRUE", "True"):
        return True
    if value in ("0", "f", "F", "false", "FALSE", "False"):
        return False
    raise BadRequestError(
        f'error: invalid argument "{value}" for "--{name}" flag: '
        f'strconv.ParseBool: parsing "{value}": invalid syntax'
    )


def _resource_and_names(args: list[str]) -> tuple[ResourceType, tuple[str, ...]]:
    """`pods web-1 web-2` or `pod/web-1 pod/web-2` -> (the pods type, the names)."""
    if not args:
        raise BadRequestError(
            'You must specify the type of resource to get. Use "kubectl api-resources" for a '
            "complete list of supported resources.\n\n"
            f"error: Required resource not specified.\n{USAGE}"
        )
    if "/" not in args[0]:
        if any("/" in arg for arg in args[1:]):
            raise BadRequestError(
                "error: there is no need to specify a resource type as a separate argument when "
                "passing arguments in resource/name form (e.g. "
                "'kubectl get resource/<resource_name>' instead of "
                "'kubectl get resource resource/<resource_name>'"
            )
        return _resource_type(args[0]), tuple(args[1:])
    pairs = [arg.partition("/") for arg in args]
    if any(not word or not slash or not name or "/" in name for word, slash, name in pairs):
        raise BadRequestError(
            "error: arguments in resource/name form must have a single resource and name"
        )
    rtypes = [_resource_type(word) for word, _, _ in pairs]
    if len({rtype.plural for rtype in rtypes}) > 1:
        raise BadRequestError(
            f"error: this lab's kubectl gets one resource type at a time\n{USAGE}"
        )
    return rtypes[0], tuple(name for _, _, name in pairs)


# ---------------------------------------------------------------------------- printing


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
        return "\n".join(request.rtype.object_name(obj) for obj in objects)
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
    rtype, wide = request.rtype, request.output == "wide"
    with_namespace = request.all_namespaces and rtype.namespaced
    header = list(rtype.columns) + (list(rtype.wide_columns) if wide else [])
    rows = [rtype.cells(obj, now, wide) for obj in objects]
    if with_namespace:
        header.insert(0, "NAMESPACE")
        for obj, row in zip(objects, rows, strict=True):
            row.insert(0, obj.get("metadata", {}).get("namespace", ""))
    if request.show_labels:
        header.append("LABELS")
        for obj, row in zip(objects, rows, strict=True):
            row.append(format_labels(obj.get("metadata", {}).get("labels", {})))
    return format_table([header, *rows])


def format_labels(labels: dict[str, str]) -> str:
    """`app=web,tier=front`, sorted by key; `<none>` when there are none."""
    return ",".join(f"{key}={labels[key]}" for key in sorted(labels)) or NONE


def format_table(rows: list[list[str]]) -> str:
    """Align rows of cells the way kubectl's tabwriter does.

    Every column but the last is padded to its widest cell plus 3 spaces (at least 6 wide);
    the last column is written as it is, so lines carry no trailing padding.
    """
    widths = [
        max(MIN_CELL_WIDTH, max(len(row[column]) for row in rows) + CELL_PADDING)
        for column in range(len(rows[0]) - 1)
    ]
    return "\n".join(
        "".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False)) + row[-1]
        for row in rows
    )
