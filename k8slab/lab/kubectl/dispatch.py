"""One kubectl command line in, what kubectl prints out: the verb picks the module that runs it.

Reading verbs (get, describe) read through a `ClusterReader`; writing verbs are generators of
API requests (`Api`), checked completely before the first request is sent, and run on the
cluster by a `Terminal` for as long as they may wait in simulated time.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import Any, Protocol

from k8slab.errors import BadRequestError
from k8slab.lab.kubectl import delete, drain, get, rollout, scale, set_image
from k8slab.lab.kubectl.api import Api
from k8slab.lab.kubectl.flags import NAMESPACE, parse_flags, split_command
from k8slab.lab.kubectl.output import REQUEST_MARGIN, wait_seconds

DEFAULT_NAMESPACE = "default"
VERBS = ("get", "describe", "delete", "scale", "rollout", "set", "cordon", "uncordon", "drain")
USAGE = (
    "this lab's kubectl supports: get, describe, delete, scale, "
    "rollout status|history|undo|pause|resume|restart, set image, cordon, uncordon, drain "
    "(e.g. 'get pods -o wide', 'delete pod web', 'scale deployment/web --replicas=5', "
    "'rollout status deployment/web', 'set image deployment/web nginx=nginx:1.27', "
    "'drain worker-1 --ignore-daemonsets')"
)


class Terminal(Protocol):
    """Where kubectl runs: a reader for get/describe, and a runner for writing verbs' steps."""

    @property
    def reader(self) -> get.ClusterReader:
        """Read access to the cluster's objects, and the simulated time."""

    def call(self, steps: Callable[[Api], Generator], limit: float) -> Any:
        """Run `steps(api)` against the API server until it returns, for at most `limit`
        simulated seconds; its value is returned and its errors raised."""


def run(terminal: Terminal, command: str) -> str:
    """What `kubectl <command>` prints; bad input raises before anything is sent."""
    words = split_command(command)
    before, verb, after = _split_at_verb(words)
    if verb in ("get", "describe"):
        if verb == "get":
            return get.kubectl(terminal.reader, command)
        from k8slab.lab.kubectl import describe  # kubectl read's module (issue 10)

        return describe.describe(terminal.reader, command)
    flags, stray = parse_flags(before, (NAMESPACE,), USAGE)
    if stray:
        raise BadRequestError(f'error: unknown command "{stray[0]}" for "kubectl"\n{USAGE}')
    namespace = flags.get("namespace") or DEFAULT_NAMESPACE
    module, request, limit = _prepare(verb, after, namespace)
    return terminal.call(lambda api: module.steps(api, request), limit + REQUEST_MARGIN)


def _split_at_verb(words: list[str]) -> tuple[list[str], str, list[str]]:
    """(flags before the verb, the verb, the words after it); only -n may come before it."""
    index = 0
    while index < len(words) and words[index].startswith("-") and words[index] != "-":
        takes_value = words[index] in ("-n", "--namespace")
        index += 2 if takes_value else 1
    if index >= len(words):
        raise BadRequestError(f"error: no command given\n{USAGE}")
    verb = words[index]
    if verb not in VERBS:
        raise BadRequestError(f'error: unknown command "{verb}" for "kubectl"\n{USAGE}')
    return words[:index], verb, words[index + 1:]


def _prepare(verb: str, words: list[str], namespace: str) -> tuple[Any, Any, float]:
    """(the verb's module, its checked request, how long it may wait in simulated time)."""
    if verb == "rollout":
        request = rollout.parse(words, namespace)
        waits = request.subcommand == "status" and request.watch
        return rollout, request, wait_seconds(request.timeout) if waits else 0.0
    if verb == "set":
        if words[:1] != ["image"]:
            shown = f' "{words[0]}"' if words else ""
            raise BadRequestError(f'error: unknown command{shown} for "kubectl set"; this lab '
                                  f"sets images only\n{set_image.USAGE}")
        flags, args = parse_flags(words[1:], set_image.FLAGS, set_image.USAGE)
        return set_image, set_image.parse(flags, args, flags.get("namespace") or namespace), 0.0
    if verb in ("cordon", "uncordon", "drain"):
        flags, args = parse_flags(words, drain.FLAGS[verb], drain.USAGE)
        request = drain.parse(verb, flags, args)
        # Each node's pods get their own wait, as each DeleteOrEvictPods has its own deadline.
        waits = wait_seconds(request.timeout) * len(request.nodes)
        return drain, request, waits if verb == "drain" else 0.0
    module = {"delete": delete, "scale": scale}[verb]
    flags, args = parse_flags(words, module.FLAGS, module.USAGE)
    request = module.parse(flags, args, flags.get("namespace") or namespace)
    waits = verb == "delete" and request.wait
    return module, request, wait_seconds(request.timeout) if waits else 0.0
