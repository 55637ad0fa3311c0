"""`kubectl describe pod|node|namespace|deployment|replicaset|service|quota|limitrange NAME`:
the object, what it is made of, and the events about it, in kubectl v1.35's words (k8s.io/kubectl
pkg/cmd/describe, pkg/describe).

Describe reads only through the reader, as kubectl reads only through the API: it GETs the
object and LISTs what it needs around it (the namespace's events, pods or ReplicaSets).
"""

from __future__ import annotations

import shlex
from collections.abc import Callable
from dataclasses import dataclass

from k8slab.errors import BadRequestError, NotFoundError
from k8slab.lab.kubectl.describe_namespace import describe_namespace
from k8slab.lab.kubectl.describe_node import describe_node
from k8slab.lab.kubectl.describe_pod import describe_pod
from k8slab.lab.kubectl.describe_service import describe_service
from k8slab.lab.kubectl.describe_text import events_for
from k8slab.lab.kubectl.describe_workloads import describe_deployment, describe_replica_set
from k8slab.lab.kubectl.get import ClusterReader
from k8slab.lab.kubectl.quota_printers import describe_limit_range, describe_quota
from k8slab.lab.kubectl.resources import BY_ALIAS, ResourceType

DEFAULT_NAMESPACE = "default"
NODE_LEASE_NAMESPACE = "kube-node-lease"  # where each kubelet renews its heartbeat Lease
USAGE = (
    "this lab's kubectl describes: kubectl describe <pods|nodes|namespaces|deployments|"
    "replicasets|services|resourcequotas|limitranges> [NAME...] [-n NAMESPACE] (also po, no, "
    "ns, deploy, rs, svc, quota, limits, and TYPE/NAME)"
)


def _pod(reader: ClusterReader, pod: dict) -> str:
    # describe clears the reference's kind for pods: events match by name, namespace and uid.
    events = events_for(_events(reader, pod), pod, with_kind=False)
    return describe_pod(pod, events, reader.now)


def _deployment(reader: ClusterReader, deployment: dict) -> str:
    namespace = deployment["metadata"].get("namespace")
    return describe_deployment(
        deployment, reader.list("replicasets", namespace),
        events_for(_events(reader, deployment), deployment, with_kind=True), reader.now,
    )


def _replica_set(reader: ClusterReader, replica_set: dict) -> str:
    namespace = replica_set["metadata"].get("namespace")
    return describe_replica_set(
        replica_set, reader.list("pods", namespace),
        events_for(_events(reader, replica_set), replica_set, with_kind=True), reader.now,
    )


def _service(reader: ClusterReader, service: dict) -> str:
    namespace = service["metadata"].get("namespace")
    return describe_service(
        service, reader.list("endpointslices", namespace),
        events_for(_events(reader, service), service, with_kind=True), reader.now,
    )


def _node(reader: ClusterReader, node: dict) -> str:
    # NodeDescriber: the node's pods (kubectl's field selector spec.nodeName=NAME,
    # status.phase!=Succeeded,status.phase!=Failed, applied here), its Lease, and the events
    # whose involvedObject is the node by uid or, as the kubelet records them, by name as uid.
    name = node.get("metadata", {}).get("name", "")
    pods = [
        pod for pod in reader.list("pods", None)
        if (pod.get("spec") or {}).get("nodeName") == name
        and (pod.get("status") or {}).get("phase") not in ("Succeeded", "Failed")
    ]
    try:
        lease: dict | str = reader.get("leases", NODE_LEASE_NAMESPACE, name)
    except NotFoundError:
        lease = f'leases.coordination.k8s.io "{name}" not found'
    every = reader.list("events", None)
    by_name = {**node, "metadata": {**node.get("metadata", {}), "uid": name}}
    events = (events_for(every, node, with_kind=True)
              + events_for(every, by_name, with_kind=True))
    return describe_node(node, lease, pods, events, reader.now)


def _events(reader: ClusterReader, obj: dict) -> list[dict]:
    """The events of the object's namespace; kubectl asks with a field selector
    (involvedObject.name=...), which this lab's API server does not serve, so describe filters."""
    return reader.list("events", obj.get("metadata", {}).get("namespace"))


DESCRIBERS: dict[str, Callable[[ClusterReader, dict], str]] = {
    "pods": _pod,
    "nodes": _node,
    "namespaces": lambda _reader, namespace: describe_namespace(namespace),
    "deployments": _deployment,
    "replicasets": _replica_set,
    "services": _service,
    # describeQuota and describeLimitRange show no events.
    "resourcequotas": lambda _reader, item: describe_quota(item),
    "limitranges": lambda _reader, item: describe_limit_range(item),
}


@dataclass(frozen=True)
class DescribeRequest:
    """A parsed `kubectl describe`: which kind, which names (none: all), which namespace."""

    rtype: ResourceType
    names: tuple[str, ...]
    namespace: str


def describe(reader: ClusterReader, command: str) -> str:
    """Run `kubectl describe ...` against `reader`: what kubectl prints, without a final newline.

    Several objects are separated by two blank lines. A single NAME that matches no object
    describes every object whose name starts with it, as kubectl does (one blank line apart).
    """
    request = parse_describe(command)
    describer = DESCRIBERS[request.rtype.plural]
    namespace = request.namespace if request.rtype.namespaced else None
    if not request.names:
        objects = reader.list(request.rtype.plural, namespace)
        if not objects:
            # cmd/describe prints the namespace even for cluster-scoped kinds such as nodes.
            return f"No resources found in {request.namespace} namespace."
        return "\n\n\n".join(describer(reader, obj) for obj in objects)
    texts = []
    for name in request.names:
        try:
            obj = reader.get(request.rtype.plural, namespace, name)
        except NotFoundError:
            if len(request.names) == 1:
                return _by_prefix(reader, request, describer, name)
            raise _not_found(request, name) from None
        texts.append(describer(reader, obj))
    return "\n\n\n".join(texts)


def _by_prefix(reader: ClusterReader, request: DescribeRequest,
               describer: Callable[[ClusterReader, dict], str], prefix: str) -> str:
    """DescribeMatchingResources: every object whose name starts with `prefix`."""
    namespace = request.namespace if request.rtype.namespaced else None
    matches = [
        obj for obj in reader.list(request.rtype.plural, namespace)
        if obj.get("metadata", {}).get("name", "").startswith(prefix)
    ]
    if not matches:
        raise _not_found(request, prefix)
    return "\n\n".join(describer(reader, obj) for obj in matches)


def _not_found(request: DescribeRequest, name: str) -> NotFoundError:
    return NotFoundError(
        f'Error from server (NotFound): {request.rtype.qualified} "{name}" not found'
    )


def parse_describe(command: str) -> DescribeRequest:
    """Read `describe TYPE [NAME...] [-n NS]` or `describe TYPE/NAME...`; anything else is
    refused with a message naming what this lab's describe accepts."""
    if not isinstance(command, str):
        raise BadRequestError(f"error: a command is a string like 'describe pod web', "
                              f"got {command!r}")
    try:
        words = shlex.split(command)
    except ValueError as err:
        raise BadRequestError(f"error: cannot read the command {command!r}: {err}") from None
    if words[:1] == ["kubectl"]:
        words = words[1:]
    if words[:1] != ["describe"]:
        raise BadRequestError(f"error: not a describe command: {command!r}\n{USAGE}")
    namespace, args = _namespace_and_args(words[1:])
    if not args:
        raise BadRequestError(
            "You must specify the type of resource to describe. Use \"kubectl api-resources\" "
            f"for a complete list of supported resources.\n{USAGE}"
        )
    if "/" in args[0]:
        pairs = [arg.partition("/") for arg in args]
        if any(not kind or not name or "/" in name for kind, _, name in pairs):
            raise BadRequestError(
                "error: arguments in resource/name form must have a single resource and name"
            )
        rtypes = {_describable(kind).plural: _describable(kind) for kind, _, _ in pairs}
        if len(rtypes) > 1:
            raise BadRequestError(
                f"error: this lab's kubectl describes one type at a time\n{USAGE}"
            )
        return DescribeRequest(next(iter(rtypes.values())),
                               tuple(name for _, _, name in pairs), namespace)
    return DescribeRequest(_describable(args[0]), tuple(args[1:]), namespace)


def _namespace_and_args(words: list[str]) -> tuple[str, list[str]]:
    """`-n NS`, `-nNS`, `--namespace NS`, `--namespace=NS`; any other flag is refused."""
    namespace, args = DEFAULT_NAMESPACE, []
    rest = list(words)
    while rest:
        word = rest.pop(0)
        if word in ("-n", "--namespace"):
            if not rest:
                raise BadRequestError(f"error: flag needs an argument: {word}\n{USAGE}")
            namespace = rest.pop(0)
        elif word.startswith("--namespace="):
            namespace = word.removeprefix("--namespace=")
        elif word.startswith("-n") and len(word) > 2 and not word.startswith("--"):
            namespace = word[2:].removeprefix("=")
        elif word.startswith("-"):
            raise BadRequestError(f"error: unknown flag: {word}\n{USAGE}")
        else:
            args.append(word)
    if not namespace:
        raise BadRequestError(f"error: a namespace cannot be empty\n{USAGE}")
    return namespace, args


def _describable(word: str) -> ResourceType:
    rtype = BY_ALIAS.get(word.lower())
    if rtype is None:
        raise BadRequestError(f'error: the server doesn\'t have a resource type "{word}"\n{USAGE}')
    if rtype.plural not in DESCRIBERS:
        raise BadRequestError(
            f"error: this lab's kubectl cannot describe {rtype.qualified} yet\n{USAGE}"
        )
    return rtype
