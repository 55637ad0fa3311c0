"""What a DELETE does in kube-apiserver: graceful deletion, finalizers, and the garbage
collector's finalizers that propagationPolicy chooses.

A pod bound to a node is not removed at once: the first DELETE writes
`metadata.deletionTimestamp` (now + grace) and `deletionGracePeriodSeconds`, the kubelet stops
its containers and then deletes it again with grace 0. Any object with finalizers is only
marked (deletionTimestamp, grace 0) and stays until an update removes the last finalizer.
Rules and words from upstream: apiserver pkg/registry/rest/delete.go (BeforeDelete),
pkg/registry/generic/registry/store.go (Delete, updateForGracefulDeletionAndFinalizers,
deletionFinalizersForGarbageCollection, markAsDeleting, shouldDeleteDuringUpdate), the pod
strategy's CheckGracefulDelete and the pods/eviction REST handler.
Simplified: only pods delete gracefully (upstream, too, gives only pods a graceful strategy);
no PodDisruptionBudgets exist, so an eviction never waits for one; no dry run.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Generator
from dataclasses import dataclass

from k8slab.api.kinds import POD, Kind
from k8slab.api.timestamps import from_time, to_time
from k8slab.apiserver.storage import Storage
from k8slab.errors import BadRequestError, ConflictError, InvalidError, NotFoundError

# metav1.FinalizerOrphanDependents / FinalizerDeleteDependents: the garbage collector's two.
ORPHAN_FINALIZER = "orphan"
FOREGROUND_FINALIZER = "foregroundDeletion"
POLICIES = ("Foreground", "Background", "Orphan")
# DefaultGarbageCollectionPolicy: ReplicationControllers (v1) and Jobs (batch/v1) orphan their
# dependents when a DELETE names no policy, for backward compatibility (pkg/registry/core/
# replicationcontroller and batch/job strategy.go); kubectl sends Background for them.
ORPHAN_BY_DEFAULT = (("", "ReplicationController"), ("batch", "Job"))
# The event strategy's policy is Unsupported: no GC finalizer is ever added to an Event.
GC_UNSUPPORTED = (("", "Event"), ("events.k8s.io", "Event"))
TERMINAL_PHASES = ("Succeeded", "Failed")


@dataclass(frozen=True)
class DeleteOptions:
    """metav1.DeleteOptions as k8slab models it: grace, propagation policy, preconditions."""

    grace_period_seconds: int | None = None
    propagation_policy: str | None = None
    uid: str | None = None
    resource_version: str | None = None


def parse_options(body: dict | None) -> DeleteOptions:
    """DeleteOptions from a request body (None: all defaults); a bad one is a 400 or 422.

    Accepts {"gracePeriodSeconds": int, "propagationPolicy": "Foreground"|"Background"|"Orphan",
    "preconditions": {"uid": str, "resourceVersion": str}}.
    """
    if body is None:
        return DeleteOptions()
    if not isinstance(body, dict):
        raise BadRequestError(f"DeleteOptions must be an object, got {body!r}")
    grace = body.get("gracePeriodSeconds")
    if grace is not None and (isinstance(grace, bool) or not isinstance(grace, int)):
        raise BadRequestError(
            f"json: cannot unmarshal {type(grace).__name__} into Go struct field "
            f"DeleteOptions.gracePeriodSeconds of type int64 (got {grace!r})")
    policy = body.get("propagationPolicy")
    if policy is not None and policy not in POLICIES:
        # validation.ValidateDeleteOptions: field.NotSupported, "nil" among the accepted.
        raise InvalidError(
            f'DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: '
            f'"{policy}": supported values: "Foreground", "Background", "Orphan", "nil"')
    preconditions = body.get("preconditions") or {}
    if not isinstance(preconditions, dict):
        raise BadRequestError(f"DeleteOptions.preconditions must be an object, got "
                              f"{preconditions!r}")
    return DeleteOptions(grace, policy, preconditions.get("uid"),
                         preconditions.get("resourceVersion"))


def check_preconditions(kind: Kind, obj: dict, options: DeleteOptions) -> None:
    """BeforeDelete's early check: a uid or resourceVersion that no longer matches is a 409."""
    meta = obj["metadata"]
    name = meta["name"]
    if options.uid is not None and options.uid != meta.get("uid"):
        raise ConflictError(
            f'Operation cannot be fulfilled on {kind.qualified_kind} "{name}": the UID in the '
            f"precondition ({options.uid}) does not match the UID in record ({meta.get('uid')}). "
            "The object might have been deleted and then recreated")
    rv = meta.get("resourceVersion")
    if options.resource_version is not None and options.resource_version != rv:
        raise ConflictError(
            f'Operation cannot be fulfilled on {kind.qualified_kind} "{name}": the '
            f"ResourceVersion in the precondition ({options.resource_version}) does not match the "
            f"ResourceVersion in record ({rv}). The object might have been modified")


def pod_grace_period(pod: dict, requested: int | None) -> int:
    """The pod strategy's CheckGracefulDelete: the requested grace, else the pod's
    terminationGracePeriodSeconds; 0 for a pod on no node or already Succeeded/Failed."""
    grace = requested if requested is not None else pod["spec"].get(
        "terminationGracePeriodSeconds", 0)
    if not pod["spec"].get("nodeName"):
        return 0
    if pod.get("status", {}).get("phase") in TERMINAL_PHASES:
        return 0
    return grace


def before_delete(kind: Kind, obj: dict, options: DeleteOptions, now: float) -> tuple[bool, bool]:
    """rest.BeforeDelete on `obj` (changed in place): (graceful, pending).

    graceful: deletionTimestamp and deletionGracePeriodSeconds were set or shortened.
    pending: a graceful deletion is already under way and this DELETE changes nothing.
    """
    check_preconditions(kind, obj, options)
    meta = obj["metadata"]
    requested = options.grace_period_seconds
    if requested is not None and requested < 0:
        requested = 1  # negative values are treated as 1 s on the delete path
    if kind is not POD:
        return False, False
    current = meta.get("deletionGracePeriodSeconds")
    if meta.get("deletionTimestamp"):
        if not current:
            return False, False  # grace 0 already: delete now
        if requested is None or requested >= current:
            return False, True  # only a shorter grace period may be given
        started = from_time(meta["deletionTimestamp"]) - current
        meta["deletionTimestamp"] = to_time(started + requested)
        meta["deletionGracePeriodSeconds"] = requested
        return True, False
    grace = pod_grace_period(obj, requested)
    meta["deletionTimestamp"] = to_time(now + grace)
    meta["deletionGracePeriodSeconds"] = grace
    if meta.get("generation"):
        meta["generation"] += 1
    return True, False


def gc_finalizers(kind: Kind, meta: dict, options: DeleteOptions) -> list[str]:
    """deletionFinalizersForGarbageCollection: the finalizers after this DELETE's policy.

    Orphan adds `orphan`, Foreground adds `foregroundDeletion`, Background neither; with no
    policy, a finalizer already there decides, then the kind's default.
    """
    finalizers = list(meta.get("finalizers") or [])
    if (kind.group, kind.kind) in GC_UNSUPPORTED:
        return finalizers
    policy = options.propagation_policy
    if policy is None:
        for finalizer in finalizers:
            if finalizer == ORPHAN_FINALIZER:
                policy = "Orphan"
                break
            if finalizer == FOREGROUND_FINALIZER:
                policy = "Foreground"
                break
    if policy is None and (kind.group, kind.kind) in ORPHAN_BY_DEFAULT:
        policy = "Orphan"
    kept = [f for f in finalizers if f not in (ORPHAN_FINALIZER, FOREGROUND_FINALIZER)]
    if policy == "Orphan":
        kept.append(ORPHAN_FINALIZER)
    if policy == "Foreground":
        kept.append(FOREGROUND_FINALIZER)
    return finalizers if sorted(kept) == sorted(finalizers) else kept


def mark_as_deleting(meta: dict, now: float) -> None:
    """markAsDeleting: an object with finalizers that is not deleted gracefully gets
    deletionTimestamp now (unless an earlier one is set) and deletionGracePeriodSeconds 0."""
    if not meta.get("deletionTimestamp") and meta.get("generation"):
        meta["generation"] += 1
    if not meta.get("deletionTimestamp") or from_time(meta["deletionTimestamp"]) > now:
        meta["deletionTimestamp"] = to_time(now)
    meta["deletionGracePeriodSeconds"] = 0


class _Stop(Exception):
    """How the update inside a DELETE ends it early: already deleting, or delete now."""

    def __init__(self, outcome: str, obj: dict | None = None) -> None:
        super().__init__(outcome)
        self.outcome = outcome
        self.obj = obj


class _Precondition(Exception):
    """A precondition that failed inside the update, carried out past the retry loop."""

    def __init__(self, error: ConflictError) -> None:
        super().__init__(error.message)
        self.error = error


class Deleter:
    """The DELETE path of one API server: it marks, waits for, and removes objects."""

    def __init__(self, storage: Storage, now: Callable[[], float]) -> None:
        self.storage = storage
        self.now = now

    def delete(self, kind: Kind, namespace: str | None, name: str,
               options: DeleteOptions) -> Generator:
        """store.Delete: mark the object (graceful or finalizers) or remove it; return it."""
        obj = yield from self.storage.get(kind, namespace, name)
        probe = copy.deepcopy(obj)
        graceful, pending = before_delete(kind, probe, options, self.now())
        if pending:
            return obj
        meta = obj["metadata"]
        finalizers_change = gc_finalizers(kind, meta, options) != list(meta.get("finalizers") or [])
        written = None
        if graceful or meta.get("finalizers") or finalizers_change:
            outcome, written = yield from self._mark(kind, namespace, name, options)
            if outcome != "delete now":
                return written
        rv = options.resource_version
        if rv is not None and written is not None:
            rv = written["metadata"]["resourceVersion"]  # we just wrote it ourselves
        try:
            return (yield from self.storage.delete(kind, namespace, name, uid=options.uid,
                                                   resource_version=rv))
        except NotFoundError:
            if written is None:
                raise
            return written  # someone else finished the deletion (kk issue #19403)

    def _mark(self, kind: Kind, namespace: str | None, name: str,
              options: DeleteOptions) -> Generator:
        """updateForGracefulDeletionAndFinalizers: ("kept"|"delete now", object written)."""
        state: dict = {}

        def mutate(existing: dict) -> dict:
            try:
                graceful, pending = before_delete(kind, existing, options, self.now())
            except ConflictError as error:
                raise _Precondition(error) from None
            if pending:
                raise _Stop("kept", existing)
            meta = existing["metadata"]
            finalizers = gc_finalizers(kind, meta, options)
            if finalizers:
                meta["finalizers"] = finalizers
            else:
                meta.pop("finalizers", None)
            state["finalizers"] = bool(finalizers)
            if not graceful:
                if finalizers:
                    mark_as_deleting(meta, self.now())
                    return existing
                raise _Stop("delete now")
            state["grace"] = meta["deletionGracePeriodSeconds"]
            return existing

        ref = {"metadata": {"name": name, "namespace": namespace}}
        while True:
            try:
                written = yield from self.storage.update(kind, ref, mutate)
                break
            except _Precondition as failed:
                raise failed.error from None
            except _Stop as stop:
                return stop.outcome, stop.obj
            except ConflictError:
                continue  # another write won the race: GuaranteedUpdate reads again
        if state["finalizers"] or state.get("grace", 0) > 0:
            return "kept", written
        return "delete now", written

    def finish_after_update(self, kind: Kind, updated: dict) -> Generator:
        """shouldDeleteDuringUpdate: an update that left a deleted object (grace 0) with no
        finalizers removes it, e.g. the garbage collector taking away the last finalizer."""
        meta = updated["metadata"]
        if (not meta.get("deletionTimestamp") or meta.get("finalizers")
                or meta.get("deletionGracePeriodSeconds") != 0):
            return updated
        try:
            yield from self.storage.delete(kind, meta.get("namespace"), meta["name"],
                                           resource_version=meta["resourceVersion"])
        except (NotFoundError, ConflictError):
            pass  # already gone, or a newer write will finish it
        return updated

    def evict(self, namespace: str | None, name: str, body: dict | None) -> Generator:
        """POST pods/<name>/eviction: delete the pod through the same path, answer 201.

        No PodDisruptionBudgets are modelled, so no eviction is ever refused for one.
        """
        if not isinstance(body, dict) or body.get("kind") != "Eviction":
            raise BadRequestError(
                f"the body of pods/eviction must be a policy/v1 Eviction, got {body!r}")
        if (body.get("metadata") or {}).get("name") != name:
            raise BadRequestError("name in URL does not match name in Eviction object")
        options = parse_options(body.get("deleteOptions"))
        yield from self.delete(POD, namespace, name, options)
        return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success",
                "code": 201}
