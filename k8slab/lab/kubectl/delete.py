"""`kubectl delete TYPE NAME... [--cascade] [--grace-period=N] [--force] [--wait]`, in kubectl
v1.35's words (staging/src/k8s.io/kubectl/pkg/cmd/delete/delete.go and delete_flags.go).

kubectl sends each DELETE with DeleteOptions (gracePeriodSeconds, propagationPolicy), prints
`pod "web" deleted from default namespace`, then by default waits until every object it deleted
is gone: a pod lingers as Terminating while its kubelet stops its containers.
"""

from __future__ import annotations

from collections.abc import Generator, Sequence
from dataclasses import dataclass

from k8slab.api.kinds import Kind
from k8slab.errors import BadRequestError, NotFoundError
from k8slab.lab.kubectl.api import Api
from k8slab.lab.kubectl.flags import NAMESPACE, Flag
from k8slab.lab.kubectl.output import KubectlError, KubectlNotFoundError, bounded_note, wait_seconds
from k8slab.lab.kubectl.targets import Target, parse_targets

USAGE = ("usage: kubectl delete (TYPE NAME... | TYPE/NAME...) [-n NAMESPACE] "
         "[--cascade=background|foreground|orphan] [--grace-period=N] [--force] [--now] "
         "[--wait=true|false] [--timeout=DURATION] [--ignore-not-found] [-o name]")
FLAGS = (
    NAMESPACE,
    Flag("cascade", bare="background"),
    Flag("grace-period", "int"),
    Flag("force", "bool"),
    Flag("now", "bool"),
    Flag("wait", "bool"),
    Flag("timeout", "duration"),
    Flag("ignore-not-found", "bool"),
    Flag("output", short="o"),
)
FORCE_WARNING = (
    "Warning: Immediate deletion does not wait for confirmation that the running resource has "
    "been terminated. The resource may continue to run on the cluster indefinitely.")
POLICIES = {"background": "Background", "foreground": "Foreground", "orphan": "Orphan"}
# How often the lab looks again while waiting; kubectl watches, so it returns within this.
POLL_SECONDS = 0.5


@dataclass(frozen=True)
class DeleteRequest:
    """A parsed `kubectl delete`: what to delete, with which DeleteOptions, and how to wait."""

    targets: tuple[Target, ...]
    grace_period: int  # -1: the object's own (a pod's terminationGracePeriodSeconds)
    propagation_policy: str
    wait: bool
    timeout: float | None
    ignore_not_found: bool
    output: str
    warnings: tuple[str, ...]


def parse(flags: dict, args: list[str], namespace: str,
          custom: Sequence[Kind] = ()) -> DeleteRequest:
    """Check a `kubectl delete` as kubectl's Complete and Validate do, before any request."""
    warnings: list[str] = []
    policy = _cascade(flags.get("cascade", "background"), warnings)
    grace = flags.get("grace-period", -1)
    force = flags.get("force", False)
    if flags.get("now", False):
        if grace != -1:
            raise BadRequestError("error: --now and --grace-period cannot be specified together")
        grace = 1
    if grace == 0 and not force:
        grace = 1  # grace 0 without --force is "as soon as possible", which is 1 s
    if force and grace < 0:
        grace = 0
    output = flags.get("output", "")
    if output not in ("", "name"):
        raise BadRequestError(
            f"error: unexpected -o output mode: {output}. We only support '-o name'")
    if force and grace > 0:
        raise BadRequestError(
            "error: --force and --grace-period greater than 0 cannot be specified together")
    if force and grace == 0:
        warnings.append(FORCE_WARNING)
    targets = parse_targets(args, namespace, USAGE, custom)
    return DeleteRequest(tuple(targets), grace, policy, flags.get("wait", True),
                         flags.get("timeout"), flags.get("ignore-not-found", False), output,
                         tuple(warnings))


def _cascade(value: str, warnings: list[str]) -> str:
    """parseCascadingFlag: a strategy name, or a deprecated boolean (true -> background)."""
    if value in POLICIES:
        return POLICIES[value]
    truth = {"1": True, "t": True, "T": True, "true": True, "TRUE": True, "True": True,
             "0": False, "f": False, "F": False, "false": False, "FALSE": False, "False": False}
    if value not in truth:
        raise BadRequestError(
            f'error: invalid cascade value ({value}). Must be "background", "foreground", '
            'or "orphan"')
    strategy = "background" if truth[value] else "orphan"
    warnings.append(f"warning: --cascade={value} is deprecated (boolean value) and can be "
                    f"replaced with --cascade={strategy}.")
    return POLICIES[strategy]


def steps(api: Api, request: DeleteRequest) -> Generator:
    """Send the DELETEs, print a line for each, then wait until each object is gone."""
    lines = list(request.warnings)
    # kubectl sends each DELETE and reports a missing object when it comes; the lab GETs them
    # all first, so that a misspelt name deletes nothing (the reader's cluster stays as it was).
    found: list[tuple[Target, str]] = []
    for target in request.targets:
        try:
            obj = yield from api.get(target.info.resource, target.name, target.namespace)
        except NotFoundError:
            if request.ignore_not_found:
                continue
            raise KubectlNotFoundError(lines, target.not_found) from None
        found.append((target, obj["metadata"].get("uid", "")))
    if not found:
        return "\n".join([*lines, "No resources found"])
    for target, _ in found:
        yield from api.delete(
            target.info.resource, target.name, target.namespace,
            grace_period_seconds=request.grace_period if request.grace_period >= 0 else None,
            propagation_policy=request.propagation_policy)
        lines.append(_deleted_line(target, request))
    if request.wait:
        yield from _wait_until_gone(api, found, request.timeout, lines)
    return "\n".join(lines)


def _deleted_line(target: Target, request: DeleteRequest) -> str:
    """PrintObj: `pod "web" deleted from default namespace`, `node "w" deleted`, `pod/web`."""
    if request.output == "name":
        return target.object_name
    operation = "force deleted" if request.grace_period == 0 else "deleted"
    if target.namespace is not None:
        operation = f"{operation} from {target.namespace} namespace"
    return f'{target.kind_string} "{target.name}" {operation}'


def _wait_until_gone(api: Api, found: list[tuple[Target, str]], timeout: float | None,
                     lines: list[str]) -> Generator:
    """cmdwait.IsDeleted for each object in turn: gone, or replaced by one with another uid."""
    deadline = api.now + wait_seconds(timeout)
    for target, uid in found:
        while True:
            try:
                obj = yield from api.get(target.info.resource, target.name, target.namespace)
            except NotFoundError:
                break
            if obj["metadata"].get("uid", "") != uid:
                break
            if api.now >= deadline:
                error = ("error: timed out waiting for the condition on "
                         f"{target.info.resource}/{target.name}")
                note = bounded_note(timeout)
                raise KubectlError(lines, f"{error}\n{note}" if note else error)
            yield from api.sleep(POLL_SECONDS)
