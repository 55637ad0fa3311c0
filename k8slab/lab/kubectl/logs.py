"""`kubectl logs POD [-c CONTAINER] [-p] [--tail N] [--timestamps] [--since D]`, in kubectl
v1.35's words (staging/src/k8s.io/kubectl/pkg/cmd/logs/logs.go and polymorphichelpers
logsForObject): the container is chosen here, the API server's pods/log asks the kubelet.
"""

from __future__ import annotations

import math
from collections.abc import Generator
from dataclasses import dataclass

from k8slab.errors import BadRequestError
from k8slab.lab.kubectl.api import Api
from k8slab.lab.kubectl.flags import NAMESPACE, Flag
from k8slab.lab.kubectl.pod_container import default_container

USAGE = ("usage: kubectl logs POD [-c CONTAINER] [-p] [--tail=N] [--timestamps] [--since=5m] "
         "[-n NAMESPACE]")
FLAGS = (
    NAMESPACE,
    Flag("container", short="c"),
    Flag("previous", "bool", short="p"),
    Flag("tail", "int"),
    Flag("timestamps", "bool"),
    Flag("since", "duration"),
)


@dataclass(frozen=True)
class LogsRequest:
    """A parsed `kubectl logs`: the pod, the container if named, and PodLogOptions."""

    pod: str
    namespace: str
    container: str
    previous: bool
    tail: int  # -1: every line
    timestamps: bool
    since: float  # 0: from the start


def parse(flags: dict, args: list[str], namespace: str) -> LogsRequest:
    """Check a `kubectl logs` as kubectl's Complete and Validate do, before any request."""
    if not args or len(args) > 2:
        raise BadRequestError(f"error: expected POD_NAME or TYPE/NAME along with an optional "
                              f"container name\n{USAGE}")
    kind, slash, name = args[0].rpartition("/")
    if slash and kind not in ("pod", "pods", "po"):
        raise BadRequestError(f"error: this lab reads the logs of pods only, not {kind}\n{USAGE}")
    container = flags.get("container", "")
    if len(args) == 2:
        if container:
            raise BadRequestError("error: only one of -c or an inline [CONTAINER] arg is allowed")
        container = args[1]
    tail = flags.get("tail", -1)
    if tail < -1:
        raise BadRequestError("error: --tail must be greater than or equal to -1")
    since = flags.get("since", 0.0)
    if since < 0:
        raise BadRequestError("error: --since must be greater than 0")
    return LogsRequest(name, namespace, container, flags.get("previous", False), tail,
                       flags.get("timestamps", False), since)


def steps(api: Api, request: LogsRequest) -> Generator:
    """GET the pod, choose its container, GET its log: what kubectl prints."""
    pod = yield from api.get("pods", request.pod, request.namespace)
    container, notes = request.container, []
    if not container:
        container, notes = default_container(pod)
    spec = pod.get("spec") or {}
    names = [c.get("name") for key in ("initContainers", "containers")
             for c in spec.get(key) or []]
    if container not in names:
        raise BadRequestError(f"error: container {container} is not valid for pod {request.pod}")
    options: dict = {"container": container}
    if request.previous:
        options["previous"] = True
    if request.tail >= 0:
        options["tailLines"] = request.tail
    if request.timestamps:
        options["timestamps"] = True
    if request.since:
        options["sinceSeconds"] = math.ceil(request.since)  # logs.go rounds up to a second
    text = yield from api.logs(request.pod, request.namespace, options)
    return "\n".join([*notes, text]) if notes else text
