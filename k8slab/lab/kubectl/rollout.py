"""`kubectl rollout status|history|undo|pause|resume|restart`, in kubectl v1.35's words
(staging/src/k8s.io/kubectl/pkg/cmd/rollout/, pkg/polymorphichelpers/).

Everything here happens on kubectl's side, as upstream: undo copies an old ReplicaSet's pod
template back into the Deployment, pause and resume flip spec.paused, restart stamps the pod
template with `kubectl.kubernetes.io/restartedAt`; the controllers do the rest.
"""

from __future__ import annotations

import copy
from collections.abc import Generator
from dataclasses import dataclass

from k8slab.api.kinds import DAEMON_SET, DEPLOYMENT, STATEFUL_SET
from k8slab.api.timestamps import to_time
from k8slab.errors import BadRequestError, ConflictError, NotFoundError
from k8slab.lab.kubectl import rollout_status
from k8slab.lab.kubectl.api import Api
from k8slab.lab.kubectl.flags import NAMESPACE, Flag, parse_flags
from k8slab.lab.kubectl.output import KubectlError, KubectlNotFoundError, bounded_note, wait_seconds
from k8slab.lab.kubectl.targets import Target, parse_targets

SUBCOMMANDS = ("history", "pause", "restart", "resume", "status", "undo")
USAGE = ("usage: kubectl rollout SUBCOMMAND (TYPE NAME | TYPE/NAME) [-n NAMESPACE]; "
         "SUBCOMMAND one of: status [-w=true|false] [--revision=N] [--timeout=DURATION], "
         "history, undo [--to-revision=N], pause, resume, restart")
FLAGS = {
    "status": (Flag("watch", "bool", short="w"), Flag("revision", "int"),
               Flag("timeout", "duration")),
    "history": (),
    "undo": (Flag("to-revision", "int"),),
    "pause": (),
    "resume": (),
    "restart": (),
}
# The kinds each subcommand works on: upstream's, less what needs ControllerRevisions
# (DaemonSet and StatefulSet history and undo), which the lab does not model.
SUPPORTED = {
    "status": (DEPLOYMENT, DAEMON_SET, STATEFUL_SET),
    "history": (DEPLOYMENT,),
    "undo": (DEPLOYMENT,),
    "pause": (DEPLOYMENT,),
    "resume": (DEPLOYMENT,),
    "restart": (DEPLOYMENT, DAEMON_SET, STATEFUL_SET),
}
RESTARTED_AT = "kubectl.kubernetes.io/restartedAt"
HASH_LABEL = "pod-template-hash"
# Annotations a rollback keeps from the Deployment instead of copying them from the old
# ReplicaSet (rollback.go annotationsToSkip).
KEPT_ANNOTATIONS = (
    "kubectl.kubernetes.io/last-applied-configuration",
    "deployment.kubernetes.io/revision",
    "deployment.kubernetes.io/revision-history",
    "deployment.kubernetes.io/desired-replicas",
    "deployment.kubernetes.io/max-replicas",
    "deprecated.deployment.rollback.to",
)
POLL_SECONDS = 0.5  # kubectl watches the object; the lab looks again this often


@dataclass(frozen=True)
class RolloutRequest:
    """A parsed `kubectl rollout <subcommand>`."""

    subcommand: str
    target: Target
    watch: bool = True
    revision: int = 0
    timeout: float | None = None


def parse(words: list[str], namespace: str) -> RolloutRequest:
    """Read `rollout SUBCOMMAND TYPE NAME [flags]` (the words after `rollout`); `namespace` is
    the one given before the subcommand, if any, which a -n after it overrides."""
    subcommand = words[0] if words else ""
    if subcommand not in SUBCOMMANDS:
        raise BadRequestError(
            f'error: unknown command "{subcommand}" for "kubectl rollout"\n{USAGE}'
            if subcommand else f"error: a rollout subcommand is required\n{USAGE}")
    flags, args = parse_flags(words[1:], (NAMESPACE, *FLAGS[subcommand]), USAGE)
    if not args:
        raise BadRequestError(f"error: required resource not specified\n{USAGE}")
    targets = parse_targets(args, flags.get("namespace") or namespace, USAGE)
    if len(targets) > 1:
        raise BadRequestError(f"error: this lab's kubectl rolls out one object at a time\n{USAGE}")
    revision = flags.get("revision", flags.get("to-revision", 0))
    if subcommand == "status" and revision < 0:
        raise BadRequestError(f"error: revision must be a positive integer: {revision}")
    if subcommand == "undo" and revision < 0:
        raise BadRequestError(f"error: unable to find specified revision {revision} in history")
    if targets[0].info not in SUPPORTED[subcommand]:
        raise BadRequestError(_unsupported(subcommand, targets[0]))
    return RolloutRequest(subcommand, targets[0], flags.get("watch", True), revision,
                          flags.get("timeout"))


def steps(api: Api, request: RolloutRequest) -> Generator:
    """Run the subcommand against the object and return what kubectl prints."""
    target = request.target
    try:
        if request.subcommand == "status":
            return (yield from _status(api, request))
        obj = yield from api.get(target.info.resource, target.name, target.namespace)
        if request.subcommand == "history":
            replica_sets = yield from rollout_status.owned_replica_sets(api, obj)
            return f"{target.object_name} \n{rollout_status.history_table(replica_sets)}"
        if request.subcommand == "undo":
            return (yield from _undo(api, target, obj, request.revision))
        try:
            return (yield from _edit(api, target, obj, request.subcommand))
        except ConflictError:
            obj = yield from api.get(target.info.resource, target.name, target.namespace)
            return (yield from _edit(api, target, obj, request.subcommand))
    except NotFoundError:
        raise KubectlNotFoundError([], target.not_found) from None


def _unsupported(subcommand: str, target: Target) -> str:
    kind = target.info.qualified_kind
    if subcommand == "status":
        return f"error: no status viewer has been implemented for {kind}"
    if subcommand == "history":
        return f'error: no history viewer has been implemented for "{kind}"'
    if subcommand == "undo":
        return f'error: no rollbacker has been implemented for "{kind}"'
    verb = {"pause": "pausing", "resume": "resuming", "restart": "restarting"}[subcommand]
    return f'error: {target.resource_string} "{target.name}" {verb} is not supported'


def _status(api: Api, request: RolloutRequest) -> Generator:
    """Print the status line each time it changes, until done (or once without --watch)."""
    target, lines = request.target, []
    deadline = api.now + wait_seconds(request.timeout)
    while True:
        obj = yield from api.get(target.info.resource, target.name, target.namespace)
        try:
            line, done = rollout_status.status(target, obj, request.revision)
        except rollout_status.StatusError as error:
            raise KubectlError(lines, f"error: {error}") from None
        if not lines or lines[-1] != line:
            lines.append(line)
        if done or not request.watch:
            return "\n".join(lines)
        if api.now >= deadline:
            note = bounded_note(request.timeout)
            error = "error: timed out waiting for the condition"
            raise KubectlError(lines, f"{error}\n{note}" if note else error)
        yield from api.sleep(POLL_SECONDS)


def _edit(api: Api, target: Target, obj: dict, subcommand: str) -> Generator:
    """pause / resume / restart: change the object as kubectl's patch does, and write it."""
    spec = obj.setdefault("spec", {})
    paused = bool(spec.get("paused"))
    problem = ""
    if subcommand == "pause" and paused:
        problem = "is already paused"
    elif subcommand == "resume" and not paused:
        problem = "is not paused"
    elif subcommand == "restart" and paused and target.info is DEPLOYMENT:
        problem = "can't restart paused deployment (run rollout resume first)"
    if problem:
        raise KubectlError([], f'error: {target.resource_string} "{target.name}" {problem}')
    if subcommand == "restart":
        template_meta = spec.setdefault("template", {}).setdefault("metadata", {})
        annotations = template_meta.setdefault("annotations", {})
        stamp = to_time(api.now)  # time.Now().Format(time.RFC3339), on simulated time
        if annotations.get(RESTARTED_AT) == stamp:
            raise KubectlError([], f"error: failed to create patch for {target.name}: if restart "
                                   "has already been triggered within the past second, please "
                                   "wait before attempting to trigger another")
        annotations[RESTARTED_AT] = stamp
    else:
        spec["paused"] = subcommand == "pause"
    yield from api.update(obj)
    done = {"pause": "paused", "resume": "resumed", "restart": "restarted"}[subcommand]
    return f"{target.object_name} {done}"


def _undo(api: Api, target: Target, deployment: dict, to_revision: int) -> Generator:
    """DeploymentRollbacker.Rollback: find the revision, copy its template back."""
    replica_sets = yield from rollout_status.owned_replica_sets(api, deployment)
    chosen = _revision_to_restore(deployment, replica_sets, to_revision)
    if (deployment.get("spec") or {}).get("paused"):
        raise KubectlError([], "error: you cannot rollback a paused deployment; resume it first "
                               "with 'kubectl rollout resume' and try again")
    template = copy.deepcopy((chosen.get("spec") or {}).get("template") or {})
    current = deployment["spec"].get("template") or {}
    if _without_hash(template) == _without_hash(current):
        number = rollout_status.revision_of(chosen)
        return (f"{target.object_name} skipped rollback (current template already matches "
                f"revision {number})")
    (template.get("metadata") or {}).get("labels", {}).pop(HASH_LABEL, None)
    old = deployment["metadata"].get("annotations") or {}
    annotations = {key: old[key] for key in KEPT_ANNOTATIONS if key in old}
    annotations |= {key: value
                    for key, value in (chosen["metadata"].get("annotations") or {}).items()
                    if key not in KEPT_ANNOTATIONS}
    deployment["spec"]["template"] = template
    deployment["metadata"]["annotations"] = annotations
    yield from api.update(deployment)
    return f"{target.object_name} rolled back"


def _revision_to_restore(deployment: dict, replica_sets: list[dict], to_revision: int) -> dict:
    """The ReplicaSet of revision `to_revision`, or with 0 the one before the latest."""
    numbered = sorted(((rollout_status.revision_of(rs), rs) for rs in replica_sets
                       if rollout_status.revision_of(rs) is not None), key=lambda pair: pair[0])
    if to_revision > 0:
        for number, rs in numbered:
            if number == to_revision:
                return rs
        raise KubectlError([], f"error: unable to find specified revision {to_revision} in "
                               "history")
    if len(numbered) < 2:
        name = deployment["metadata"]["name"]
        raise KubectlError([], f'error: no rollout history found for deployment "{name}"')
    return numbered[-2][1]


def _without_hash(template: dict) -> dict:
    """The template with pod-template-hash removed and empty maps and lists dropped, since
    apiequality.Semantic.DeepEqual holds empty and nil maps and slices equal."""
    clean = copy.deepcopy(template)
    (clean.get("metadata") or {}).get("labels", {}).pop(HASH_LABEL, None)
    return _pruned(clean)


def _pruned(value: object) -> object:
    if isinstance(value, dict):
        pruned = {key: _pruned(item) for key, item in value.items()}
        return {key: item for key, item in pruned.items() if item not in ({}, [])}
    if isinstance(value, list):
        return [_pruned(item) for item in value]
    return value
