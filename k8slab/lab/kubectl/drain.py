"""`kubectl cordon|uncordon|drain NODE...`, in kubectl v1.35's words
(staging/src/k8s.io/kubectl/pkg/cmd/drain/drain.go; pkg/drain/drain.go, filters.go).

Drain cordons the node, then picks the pods to move as kubectl's filters do (mirror pods are
skipped; DaemonSet pods refused unless --ignore-daemonsets; pods no controller owns refused
unless --force; emptyDir pods refused unless --delete-emptydir-data), evicts each through the
pods/eviction subresource (or deletes it with --disable-eviction), and waits until they are gone.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass

from k8slab.errors import APIError, BadRequestError, ConflictError, NotFoundError
from k8slab.lab.kubectl.api import Api
from k8slab.lab.kubectl.flags import Flag
from k8slab.lab.kubectl.output import KubectlError, KubectlNotFoundError, wait_seconds

FLAGS = {
    "cordon": (),
    "uncordon": (),
    "drain": (Flag("force", "bool"), Flag("ignore-daemonsets", "bool"),
              Flag("delete-emptydir-data", "bool"), Flag("grace-period", "int"),
              Flag("timeout", "duration"), Flag("disable-eviction", "bool")),
}
USAGE = ("usage: kubectl cordon NODE... | kubectl uncordon NODE... | kubectl drain NODE... "
         "[--ignore-daemonsets] [--force] [--delete-emptydir-data] [--grace-period=N] "
         "[--timeout=DURATION] [--disable-eviction]")
DAEMON_SET_FATAL = "DaemonSet-managed Pods (use --ignore-daemonsets to ignore)"
DAEMON_SET_WARNING = "ignoring DaemonSet-managed Pods"
LOCAL_STORAGE_FATAL = "Pods with local storage (use --delete-emptydir-data to override)"
UNMANAGED_FATAL = "cannot delete Pods that declare no controller (use --force to override)"
UNMANAGED_WARNING = "deleting Pods that declare no controller"
MIRROR_ANNOTATION = "kubernetes.io/config.mirror"
POLL_SECONDS = 1.0  # waitForDelete's interval


@dataclass(frozen=True)
class NodeRequest:
    """A parsed cordon, uncordon or drain: the verb, the nodes, and drain's options."""

    verb: str
    nodes: tuple[str, ...]
    force: bool = False
    ignore_daemonsets: bool = False
    delete_emptydir_data: bool = False
    grace_period: int = -1
    timeout: float | None = None
    disable_eviction: bool = False


def parse(verb: str, flags: dict, args: list[str]) -> NodeRequest:
    """Read the node names (`worker-1` or `node/worker-1`) and drain's flags."""
    if not args:
        raise BadRequestError(f"error: USAGE: {verb} NODE [flags]\n{USAGE}")
    nodes = []
    for arg in args:
        kind, slash, name = arg.rpartition("/")
        if (slash and kind not in ("node", "nodes", "no")) or not name:
            raise BadRequestError(f"error: {verb} takes node names (worker-1 or node/worker-1), "
                                  f"got {arg!r}")
        nodes.append(name)
    return NodeRequest(verb, tuple(nodes), flags.get("force", False),
                       flags.get("ignore-daemonsets", False),
                       flags.get("delete-emptydir-data", False), flags.get("grace-period", -1),
                       flags.get("timeout"), flags.get("disable-eviction", False))


def steps(api: Api, request: NodeRequest) -> Generator:
    """Cordon or uncordon every node; for drain, then move each node's pods off it."""
    lines: list[str] = []
    for node in request.nodes:  # kubectl GETs them all before it changes any
        try:
            yield from api.get("nodes", node, None)
        except NotFoundError:
            raise KubectlNotFoundError(
                lines, f'Error from server (NotFound): nodes "{node}" not found') from None
    for node in request.nodes:
        lines.append((yield from set_unschedulable(api, node, request.verb != "uncordon")))
    if request.verb != "drain":
        return "\n".join(lines)
    failed: dict[str, str] = {}
    for node in request.nodes:
        error = yield from _drain_one(api, node, request, lines)
        if error is None:
            lines.append(f"node/{node} drained")
        else:
            lines.append(f'error: unable to drain node "{node}" due to error: {error}, '
                         "continuing command...")
            failed[node] = error
    if failed:
        lines.append("There are pending nodes to be drained:")
        lines += [f" {node}" for node in failed]
        raise KubectlError(lines, f"error: {_aggregate(list(failed.values()))}")
    return "\n".join(lines)


def set_unschedulable(api: Api, node: str, wanted: bool) -> Generator:
    """Cordon (True) or uncordon (False): `node/x cordoned`, or `already cordoned`; on a
    Conflict (someone wrote in between) once more from a fresh GET."""
    verb = "cordoned" if wanted else "uncordoned"
    for attempt in (1, 2):
        obj = yield from api.get("nodes", node, None)
        spec = obj.setdefault("spec", {})
        if bool(spec.get("unschedulable")) == wanted:
            return f"node/{node} already {verb}"
        if wanted:
            spec["unschedulable"] = True
        else:
            spec.pop("unschedulable", None)
        try:
            yield from api.update(obj)
        except ConflictError:
            if attempt == 2:
                raise
            continue
        return f"node/{node} {verb}"


def _drain_one(api: Api, node: str, request: NodeRequest, lines: list[str]) -> Generator:
    """Pick, evict and wait for one node's pods; returns the error text, or None when done."""
    pods = yield from api.list("pods", None, f"spec.nodeName={node}")
    warnings: dict[str, list[str]] = {}
    errors: dict[str, list[str]] = {}
    chosen = []
    for pod in pods:
        delete, verdict, message = yield from _filter(api, pod, request)
        where = {"warning": warnings, "error": errors}.get(verdict)
        if where is not None:
            where.setdefault(message, []).append(_key(pod))
        if delete:
            chosen.append(pod)
    if errors:
        # kubectl collects these in a Go map, so their order varies; the lab keeps first-seen.
        return _aggregate([f"cannot delete {message}: {', '.join(keys)}"
                           for message, keys in errors.items()])
    if warnings:
        lines.append("Warning: " + "; ".join(f"{message}: {', '.join(keys)}"
                                             for message, keys in warnings.items()))
    evicting = not request.disable_eviction
    grace = request.grace_period if request.grace_period >= 0 else None
    for pod in chosen:
        name, namespace = pod["metadata"]["name"], pod["metadata"]["namespace"]
        try:
            if evicting:
                lines.append(f"evicting pod {namespace}/{name}")
                yield from api.evict(name, namespace, grace_period_seconds=grace)
            else:
                yield from api.delete("pods", name, namespace, grace_period_seconds=grace)
        except NotFoundError:
            continue
        except APIError as error:
            return f'error when evicting pods/"{name}" -n "{namespace}": {error}'
    return (yield from _wait_for_delete(api, chosen, request, lines))


def _filter(api: Api, pod: dict, request: NodeRequest) -> Generator:
    """kubectl's filter chain (makeFilters): DaemonSet, mirror, local storage, unreplicated.

    Each filter gives (delete?, okay | skip | warning | error, message); the chain stops at the
    first that keeps the pod, and the last verdict stands, so a later filter's "okay" drops an
    earlier warning, as upstream's does (a TODO in filters.go says so).
    """
    meta = pod["metadata"]
    finished = (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed")
    controller = next((ref for ref in meta.get("ownerReferences") or []
                       if ref.get("controller")), None)
    status = yield from _daemon_set_filter(api, pod, controller, finished, request)
    if not status[0]:
        return status
    if MIRROR_ANNOTATION in (meta.get("annotations") or {}):
        return False, "skip", ""
    volumes = (pod.get("spec") or {}).get("volumes") or []
    if any("emptyDir" in volume for volume in volumes) and not finished:
        if not request.delete_emptydir_data:
            return False, "error", LOCAL_STORAGE_FATAL
    if finished or controller is not None:
        return True, "okay", ""
    if request.force:
        return True, "warning", UNMANAGED_WARNING
    return False, "error", UNMANAGED_FATAL


def _daemon_set_filter(api: Api, pod: dict, controller: dict | None, finished: bool,
                       request: NodeRequest) -> Generator:
    """A running pod of an existing DaemonSet stays (its controller would put it back)."""
    if controller is None or controller.get("kind") != "DaemonSet" or finished:
        return True, "okay", ""
    try:
        yield from api.get("daemonsets", controller.get("name", ""), pod["metadata"]["namespace"])
    except NotFoundError as error:
        # An orphan: deleted with a warning under --force (a later filter's okay drops it).
        return (True, "warning", str(error)) if request.force else (False, "error", str(error))
    if not request.ignore_daemonsets:
        return False, "error", DAEMON_SET_FATAL
    return False, "warning", DAEMON_SET_WARNING


def _wait_for_delete(api: Api, pods: list[dict], request: NodeRequest,
                     lines: list[str]) -> Generator:
    """Poll each pod every second until it is gone (or replaced by a pod with another uid),
    printing `pod/x evicted` (or `deleted`) as each goes; the error text on a timeout."""
    done = "evicted" if not request.disable_eviction else "deleted"
    deadline = api.now + wait_seconds(request.timeout)
    pending = list(pods)
    while pending:
        still = []
        for pod in pending:
            meta = pod["metadata"]
            try:
                now = yield from api.get("pods", meta["name"], meta["namespace"])
            except NotFoundError:
                now = None
            if now is None or now["metadata"].get("uid") != meta.get("uid"):
                lines.append(f"pod/{meta['name']} {done}")
            else:
                still.append(pod)
        pending = still
        if pending and api.now >= deadline:
            first = pending[0]["metadata"]
            lines.append(f'There are pending pods in node "{pending[0]["spec"].get("nodeName")}"'
                         " when an error occurred: context deadline exceeded")
            lines += [f"pod/{pod['metadata']['name']}" for pod in pending]
            return (f'error when waiting for pod "{first["name"]}" in namespace '
                    f'"{first["namespace"]}" to terminate: context deadline exceeded')
        if pending:
            yield from api.sleep(POLL_SECONDS)
    return None


def _key(pod: dict) -> str:
    return f"{pod['metadata']['namespace']}/{pod['metadata']['name']}"


def _aggregate(messages: list[str]) -> str:
    """utilerrors.NewAggregate(...).Error(): one message alone, several in brackets."""
    unique = list(dict.fromkeys(messages))
    return unique[0] if len(unique) == 1 else f"[{', '.join(unique)}]"
