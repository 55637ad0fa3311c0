"""`kubectl exec POD [-c CONTAINER] -- COMMAND [ARGS...]`, in kubectl v1.35's words
(staging/src/k8s.io/kubectl/pkg/cmd/exec/exec.go): the command runs in the container through
the API server's pods/exec and the pod's kubelet; its output comes back when it ends.
Simplified: no stdin and no terminal (-i, -t), so only commands that end on their own.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass

from k8slab.errors import BadRequestError
from k8slab.lab.kubectl.api import Api
from k8slab.lab.kubectl.flags import NAMESPACE, Flag
from k8slab.lab.kubectl.output import KubectlError
from k8slab.lab.kubectl.pod_container import default_container

USAGE = "usage: kubectl exec POD [-c CONTAINER] [-n NAMESPACE] -- COMMAND [args...]"
FLAGS = (NAMESPACE, Flag("container", short="c"))


@dataclass(frozen=True)
class ExecRequest:
    """A parsed `kubectl exec`: the pod, the container if named, and the command."""

    pod: str
    namespace: str
    container: str
    argv: tuple[str, ...]


def parse(flags: dict, args: list[str], namespace: str) -> ExecRequest:
    """Check a `kubectl exec` as kubectl's Complete and Validate do, before any request."""
    if not args:
        raise BadRequestError(f"error: pod, type/name or --filename must be specified\n{USAGE}")
    kind, slash, name = args[0].rpartition("/")
    if slash and kind not in ("pod", "pods", "po"):
        raise BadRequestError(f"error: this lab execs into pods only, not {kind}\n{USAGE}")
    if len(args) < 2:
        raise BadRequestError("error: you must specify at least one command for the container")
    return ExecRequest(name, namespace, flags.get("container", ""), tuple(args[1:]))


def steps(api: Api, request: ExecRequest) -> Generator:
    """GET the pod, choose its container, run the command: its stdout and stderr."""
    pod = yield from api.get("pods", request.pod, request.namespace)
    phase = (pod.get("status") or {}).get("phase")
    if phase in ("Succeeded", "Failed"):
        raise BadRequestError("error: cannot exec into a container in a completed pod; "
                              f"current phase is {phase}")
    container, notes = request.container, []
    if not container:
        container, notes = default_container(pod)
    answer = yield from api.exec(request.pod, request.namespace, container, list(request.argv))
    lines = [*notes, *_lines(answer.get("stdout", "")), *_lines(answer.get("stderr", ""))]
    code = answer.get("exitCode", 0)
    if code:
        raise KubectlError(lines, f"command terminated with exit code {code}")
    return "\n".join(lines)


def _lines(text: str) -> list[str]:
    """A stream's text as terminal lines (its last newline ends a line, adds none)."""
    return text.splitlines()
