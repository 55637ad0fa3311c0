"""crictl, the CRI's command-line client, as it prints what containerd answers on a node.

`crictl ps -a`, `pods`, `images`, `inspect ID`, `logs ID` and `stats` render the CRI records of
k8slab.node.cri exactly as kubernetes-sigs/cri-tools cmd/crictl does: Go's tabwriter with
minwidth 20 and padding 3 (display.go), ids cut to 13 characters (util.go getTruncatedID), ages
in go-units HumanDuration words ("About a minute ago"), sizes in HumanSizeWithPrecision
("67.3MB"). `inspect` prints the status only, without the runtime's verbose `info`.
"""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass, field
from datetime import timedelta

from k8slab.errors import K8sLabError
from k8slab.lab.kubectl.durations import EPOCH
from k8slab.lab.kubectl.gotabwriter import align
from k8slab.node.cri import (
    CREATED,
    EXITED,
    POD_NAME,
    POD_NAMESPACE,
    RUNNING,
    SANDBOX_NOTREADY,
    SANDBOX_READY,
    ContainerInfo,
    ContainerStats,
    ImageInfo,
    SandboxInfo,
)

TRUNCATED_ID_LEN = 13
CONTAINER_STATES = {CREATED: "Created", RUNNING: "Running", EXITED: "Exited"}
SANDBOX_STATES = {SANDBOX_READY: "Ready", SANDBOX_NOTREADY: "NotReady"}
SUBCOMMANDS = ("images", "inspect", "logs", "pods", "ps", "stats")


class CrictlError(K8sLabError):
    """What crictl prints on failure: an unknown command, flag or id."""


@dataclass(frozen=True)
class CrictlView:
    """What crictl can see on one node: containerd's answers, and the time now.

    `logs` maps a container id to its log lines; `previous_stats` are the same counters
    `interval` seconds earlier (crictl stats samples twice to compute CPU %).
    """

    now: float
    sandboxes: tuple[SandboxInfo, ...] = ()
    containers: tuple[ContainerInfo, ...] = ()
    images: tuple[ImageInfo, ...] = ()
    stats: tuple[ContainerStats, ...] = ()
    previous_stats: tuple[ContainerStats, ...] = ()
    interval: float = 1.0
    logs: dict[str, list[str]] = field(default_factory=dict)


def human_duration(seconds: float) -> str:
    """go-units HumanDuration: "Less than a second", "5 seconds", "About a minute", "3 hours"."""
    whole = int(seconds)
    if whole < 1:
        return "Less than a second"
    if whole == 1:
        return "1 second"
    if whole < 60:
        return f"{whole} seconds"
    minutes = int(seconds / 60)
    if minutes == 1:
        return "About a minute"
    if minutes < 60:
        return f"{minutes} minutes"
    hours = int(seconds / 3600 + 0.5)
    if hours == 1:
        return "About an hour"
    if hours < 48:
        return f"{hours} hours"
    if hours < 24 * 7 * 2:
        return f"{hours // 24} days"
    if hours < 24 * 30 * 2:
        return f"{hours // 24 // 7} weeks"
    if hours < 24 * 365 * 2:
        return f"{hours // 24 // 30} months"
    return f"{int(seconds / 3600) // 24 // 365} years"


def human_size(size: float, precision: int = 4) -> str:
    """go-units HumanSizeWithPrecision: decimal units, `precision` significant digits ("67.3MB")."""
    units = ("B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB")
    index = 0
    while size >= 1000 and index < len(units) - 1:
        size /= 1000
        index += 1
    return f"{size:.{precision}g}{units[index]}"


def truncated(identifier: str, prefix: str = "") -> str:
    """getTruncatedID: drop `prefix` (e.g. "sha256:"), keep 13 characters."""
    return identifier.removeprefix(prefix)[:TRUNCATED_ID_LEN]


def _table(rows: list[list[str]]) -> str:
    return align(["".join("\t".join(row) + "\n" for row in rows)], min_width=20, padding=3)


def _ago(now: float, then: float) -> str:
    return human_duration(now - then) + " ago"


def ps(view: CrictlView, all_containers: bool = False) -> str:
    """`crictl ps [-a]`: running containers (all with -a), newest first as containerd lists them."""
    rows = [["CONTAINER", "IMAGE", "CREATED", "STATE", "NAME", "ATTEMPT", "POD ID", "POD",
             "NAMESPACE"]]
    shown = [c for c in view.containers if all_containers or c.state == RUNNING]
    for c in sorted(shown, key=lambda c: -c.created):
        rows.append([truncated(c.id), truncated(c.image_id, "sha256:"), _ago(view.now, c.created),
                     CONTAINER_STATES.get(c.state, "Unknown"), c.name, str(c.attempt),
                     truncated(c.sandbox_id), c.labels.get(POD_NAME, ""),
                     c.labels.get(POD_NAMESPACE, "")])
    return _table(rows)


def pods(view: CrictlView) -> str:
    """`crictl pods`: every sandbox, newest first; RUNTIME is "(default)" (no runtime handler)."""
    rows = [["POD ID", "CREATED", "STATE", "NAME", "NAMESPACE", "ATTEMPT", "RUNTIME"]]
    for s in sorted(view.sandboxes, key=lambda s: -s.created):
        rows.append([truncated(s.id), _ago(view.now, s.created), SANDBOX_STATES[s.state], s.name,
                     s.namespace, str(s.attempt), "(default)"])
    return _table(rows)


def images(view: CrictlView) -> str:
    """`crictl images`: one row per repository tag, size with 3 significant digits."""
    rows = [["IMAGE", "TAG", "IMAGE ID", "SIZE"]]
    for image in view.images:
        size = human_size(image.size, 3)
        pairs = [tag.rsplit(":", 1) if ":" in tag else ["errorRepoTag", "errorRepoTag"]
                 for tag in image.repo_tags] or [["<none>", "<none>"]]
        for repository, tag in pairs:
            rows.append([repository, tag, truncated(image.id, "sha256:"), size])
    return _table(rows)


def _rfc3339(seconds: float | None) -> str:
    """Go's time.Format(RFC3339Nano) of a simulated instant; Go's zero time when unset."""
    if seconds is None:
        return "0001-01-01T00:00:00Z"
    moment = EPOCH + timedelta(microseconds=round(seconds * 1e6))
    fraction = f"{moment.microsecond:06d}".rstrip("0")
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + (f".{fraction}" if fraction else "") + "Z"


def inspect(view: CrictlView, identifier: str) -> str:
    """`crictl inspect ID`: the container's status and, as `info`, its pid and the OCI spec
    it runs from (namespaces, cgroup limits), as JSON, keys sorted, indented by 2."""
    c = _find_container(view, identifier, "get container status")
    status = {
        "id": c.id,
        "metadata": {"attempt": c.attempt, "name": c.name},
        "state": c.state,
        "createdAt": _rfc3339(c.created),
        "startedAt": _rfc3339(c.started if c.state != CREATED else None),
        "finishedAt": _rfc3339(c.finished if c.state == EXITED else None),
        "exitCode": c.exit_code or 0,
        "image": {"image": c.image},
        "imageRef": c.image_id,
        "reason": c.reason,
        "message": c.message,
        "labels": dict(c.labels),
        "logPath": c.log_path,
    }
    info = {"pid": c.pid, "runtimeSpec": c.runtime_spec, "sandboxID": c.sandbox_id}
    return json.dumps({"info": info, "status": status}, indent=2, sort_keys=True)


def logs(view: CrictlView, identifier: str) -> str:
    """`crictl logs ID`: the container's output lines."""
    c = _find_container(view, identifier, "failed to get container status")
    lines = view.logs.get(c.id, [])
    return "".join(line + "\n" for line in lines)


def stats(view: CrictlView) -> str:
    """`crictl stats`: CPU % over the sampling interval, memory working set (running only)."""
    names = {c.id: c.name for c in view.containers}
    before = {s.id: s for s in view.previous_stats}
    rows = [["CONTAINER", "NAME", "CPU %", "MEM", "DISK", "INODES", "SWAP"]]
    for s in view.stats:
        if (s.cpu_usage_usec == 0 and s.memory_working_set == 0) or s.id not in before:
            continue  # not running, or first seen in this sample (container_stats.go)
        used = s.cpu_usage_usec - before[s.id].cpu_usage_usec
        percent = used / (view.interval * 1e6) * 100 if s.cpu_usage_usec else 0.0
        rows.append([truncated(s.id), names.get(s.id, ""), f"{percent:.2f}",
                     human_size(s.memory_working_set), "0B", "0", "0B"])
    return _table(rows)


def _find_container(view: CrictlView, identifier: str, what: str) -> ContainerInfo:
    """A container by full id or unique prefix, as containerd resolves it."""
    matches = [c for c in view.containers if c.id.startswith(identifier)] if identifier else []
    if len(matches) != 1:
        raise CrictlError(
            f"{what}: rpc error: code = NotFound desc = an error occurred when try to find "
            f"container \"{identifier}\": not found")
    return matches[0]


def crictl(command: str, view: CrictlView) -> str:
    """Run one crictl command line ("ps -a", "logs 3f2a...") against a node's view."""
    try:
        words = shlex.split(command)
    except ValueError as error:
        raise CrictlError(f"crictl: cannot read the command line {command!r}: {error}") from None
    if words and words[0] == "crictl":
        words = words[1:]
    if not words:
        raise CrictlError("crictl needs a command: " + ", ".join(SUBCOMMANDS))
    name, args = words[0], words[1:]
    if name == "ps":
        flags = set(args) - {"-a", "--all"}
        if flags:
            raise CrictlError(f"flag provided but not defined: -{sorted(flags)[0].lstrip('-')}")
        return ps(view, all_containers=bool(args))
    if name in ("pods", "images", "stats"):
        if args:
            raise CrictlError(f"crictl {name} takes no arguments here, got {' '.join(args)}")
        return {"pods": pods, "images": images, "stats": stats}[name](view)
    if name in ("inspect", "logs"):
        if len(args) != 1:
            raise CrictlError("ID cannot be empty" if not args else
                              f"crictl {name} takes one container ID, got {' '.join(args)}")
        return (inspect if name == "inspect" else logs)(view, args[0])
    raise CrictlError(f"No help topic for '{name}'")

