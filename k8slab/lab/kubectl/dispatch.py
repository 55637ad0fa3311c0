"""One kubectl command line in, what kubectl prints out: the verb picks the module that runs it.

Reading verbs (get, describe) read through a `ClusterReader`; writing verbs are generators of
API requests (`Api`), checked completely before the first request is sent, and run on the
cluster by a `Terminal` for as long as they may wait in simulated time.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable, Generator, Sequence
from typing import Any, Protocol

from k8slab.api.custom_kinds import crd_kinds, established
from k8slab.api.kinds import Kind
from k8slab.errors import BadRequestError
from k8slab.lab.kubectl import (
    auth,
    delete,
    drain,
    events,
    exec,
    get,
    label,
    logs,
    patch,
    rollout,
    scale,
    set_image,
)
from k8slab.lab.kubectl.api import Api
from k8slab.lab.kubectl.flags import NAMESPACE, convert, parse_bool, parse_flags, split_command
from k8slab.lab.kubectl.output import REQUEST_MARGIN, WAIT_LIMIT, wait_seconds

DEFAULT_NAMESPACE = "default"
VERBS = ("get", "describe", "events", "logs", "exec", "delete", "scale", "rollout", "set",
         "cordon", "uncordon", "drain", "auth", "label", "annotate", "patch")
USAGE = (
    "this lab's kubectl supports: get, describe, logs, exec, delete, scale, "
    "rollout status|history|undo|pause|resume|restart, set image, cordon, uncordon, drain, "
    "label, annotate, patch, events, and watches (get -w, events -w) ended by --request-timeout "
    "(e.g. 'get pods -o wide', 'get pods -w --request-timeout=30s', 'describe node worker-1', "
    "'events --for pod/web', 'logs web --previous', 'exec web -- cat /tmp/healthy', "
    "'delete pod web', 'scale deployment/web --replicas=5', "
    "'rollout status deployment/web', 'set image deployment/web nginx=nginx:1.27', "
    "'drain worker-1 --ignore-daemonsets', 'label pod web tier=front')"
)
REQUEST_TIMEOUT = events.FLAGS[-1]
# kubectl get -w and kubectl events -w watch until interrupted; a notebook cannot interrupt, so
# the lab ends a watch after --request-timeout (which ends a real kubectl's watch silently too),
# or after WAIT_LIMIT simulated seconds with a note saying so.
WATCH_NOTE = (f"(the lab stops watching after {WAIT_LIMIT:g} simulated seconds; pass "
              "--request-timeout=30s to watch for as long as you choose)")


class Terminal(Protocol):
    """Where kubectl runs: a reader for get/describe, and a runner for writing verbs' steps."""

    @property
    def reader(self) -> get.WatchingReader:
        """Read access to the cluster's objects, a watch on them, and the simulated time."""

    def call(self, steps: Callable[[Api], Generator], limit: float) -> Any:
        """Run `steps(api)` against the API server until it returns, for at most `limit`
        simulated seconds; its value is returned and its errors raised."""


def run(terminal: Terminal, command: str) -> str:
    """What `kubectl <command>` prints; bad input raises before anything is sent."""
    words = split_command(command)
    before, verb, after = _split_at_verb(words)
    if verb == "get":
        return _get(terminal.reader, words)
    if verb == "describe":
        from k8slab.lab.kubectl import describe  # kubectl read's module (issue 10)

        return describe.describe(terminal.reader, command)
    flags, stray = parse_flags(before, (NAMESPACE, REQUEST_TIMEOUT), USAGE)
    if stray:
        raise BadRequestError(f'error: unknown command "{stray[0]}" for "kubectl"\n{USAGE}')
    namespace = flags.get("namespace") or DEFAULT_NAMESPACE
    if verb == "events":
        request = events.parse(after, namespace)
        if not request.watch:
            return events.events(terminal.reader, request)
        seconds = wait_seconds(request.timeout)
        return _noted(events.watch(terminal.reader, request, seconds), request.timeout)
    try:
        module, request, limit = _prepare(verb, after, namespace)
    except BadRequestError as error:
        if verb not in ("delete", "scale", "patch") or "have a resource type" not in error.message:
            raise
        # A word no built-in kind answers to: ask the server which custom kinds it serves.
        crds = terminal.reader.list("customresourcedefinitions", None)
        custom = tuple(k for crd in crds if established(crd) for k in crd_kinds(crd))
        module, request, limit = _prepare(verb, after, namespace, custom)
    return terminal.call(lambda api: module.steps(api, request), limit + REQUEST_MARGIN)


def _get(reader: get.WatchingReader, words: list[str]) -> str:
    """`kubectl get`, or with -w a watch bounded by --request-timeout (see WATCH_NOTE)."""
    watching, timeout, rest = False, None, []
    remaining = list(words)
    while remaining:
        word = remaining.pop(0)
        if word in ("-w", "--watch") or word.startswith(("-w=", "--watch=")):
            value = word.partition("=")[2] or "true"
            try:
                watching = parse_bool(value)
            except ValueError as err:
                raise BadRequestError(
                    f'error: invalid argument "{value}" for "--watch" flag: {err}') from None
        elif word == "--request-timeout" or word.startswith("--request-timeout="):
            name, has_value, value = word.partition("=")
            if not has_value:
                if not remaining:
                    raise BadRequestError(f"error: flag needs an argument: {name}\n{USAGE}")
                value = remaining.pop(0)
            timeout = convert(REQUEST_TIMEOUT, value)
            if timeout < 0:
                raise BadRequestError("error: --request-timeout cannot be negative")
        else:
            rest.append(word)
    if not watching:
        return get.kubectl(reader, shlex.join(rest))
    text = get.watch(reader, shlex.join([*rest, "-w"]), wait_seconds(timeout))
    return _noted(text, timeout)


def _noted(text: str, timeout: float | None) -> str:
    """A watch's output, with WATCH_NOTE when the lab, not --request-timeout, ended it."""
    if timeout:
        return text
    return f"{text}\n{WATCH_NOTE}" if text else WATCH_NOTE


def _split_at_verb(words: list[str]) -> tuple[list[str], str, list[str]]:
    """(flags before the verb, the verb, the words after it); only -n may come before it."""
    index = 0
    while index < len(words) and words[index].startswith("-") and words[index] != "-":
        takes_value = words[index] in ("-n", "--namespace", "--request-timeout")
        index += 2 if takes_value else 1
    if index >= len(words):
        raise BadRequestError(f"error: no command given\n{USAGE}")
    verb = words[index]
    if verb not in VERBS:
        raise BadRequestError(f'error: unknown command "{verb}" for "kubectl"\n{USAGE}')
    return words[:index], verb, words[index + 1:]


def _prepare(verb: str, words: list[str], namespace: str,
             custom: Sequence[Kind] = ()) -> tuple[Any, Any, float]:
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
    if verb in ("label", "annotate"):
        flags, args = parse_flags(words, label.FLAGS, label.USAGE[verb])
        return label, label.parse(verb, flags, args, flags.get("namespace") or namespace), 0.0
    if verb == "auth":
        if words[:1] != ["can-i"]:
            raise BadRequestError(f"error: this lab's kubectl auth knows can-i\n{auth.USAGE}")
        flags, args = parse_flags(words[1:], auth.FLAGS, auth.USAGE)
        return auth, auth.parse(flags, args, flags.get("namespace") or namespace), 0.0
    module = {"delete": delete, "scale": scale, "logs": logs, "exec": exec, "patch": patch}[verb]
    flags, args = parse_flags(words, module.FLAGS, module.USAGE)
    request = (module.parse(flags, args, flags.get("namespace") or namespace, custom)
               if verb in ("delete", "scale", "patch")
               else module.parse(flags, args, flags.get("namespace") or namespace))
    waits = verb == "delete" and request.wait
    return module, request, wait_seconds(request.timeout) if waits else 0.0
