"""What `kubectl rollout status` and `rollout history` read: the status viewers and the history
viewer of kubectl v1.35 (staging/src/k8s.io/kubectl/pkg/polymorphichelpers/rollout_status.go,
history.go), over Kubernetes-shaped dicts.

A Deployment's history is its ReplicaSets, one per pod template, numbered by the
`deployment.kubernetes.io/revision` annotation the deployment controller writes on them.
"""

from __future__ import annotations

from collections.abc import Generator

from k8slab.api.kinds import DAEMON_SET, DEPLOYMENT, STATEFUL_SET
from k8slab.lab.kubectl.api import Api
from k8slab.lab.kubectl.targets import Target

REVISION = "deployment.kubernetes.io/revision"
CHANGE_CAUSE = "kubernetes.io/change-cause"
TIMED_OUT_REASON = "ProgressDeadlineExceeded"  # deploymentutil.TimedOutReason


class StatusError(Exception):
    """A status viewer's error (kubectl prints it after `error: `)."""


def status(target: Target, obj: dict, revision: int) -> tuple[str, bool]:
    """(the line kubectl prints, whether the rollout is done) for one read of the object.

    Raises StatusError for a kind with no status viewer, a pinned revision that does not match,
    a Deployment past its progress deadline, or a strategy other than RollingUpdate.
    """
    if target.info is DEPLOYMENT:
        return _deployment_status(obj, revision)
    if target.info is DAEMON_SET:
        return _daemon_set_status(obj)
    if target.info is STATEFUL_SET:
        return _stateful_set_status(obj)
    raise StatusError(f"no status viewer has been implemented for {target.info.qualified_kind}")


def _counts(obj: dict) -> tuple[str, dict, dict, int, int]:
    meta, spec, state = obj["metadata"], obj.get("spec") or {}, obj.get("status") or {}
    return (meta["name"], spec, state, meta.get("generation", 0),
            state.get("observedGeneration", 0))


def _deployment_status(obj: dict, revision: int) -> tuple[str, bool]:
    name, spec, state, generation, observed = _counts(obj)
    if revision > 0:
        text = (obj["metadata"].get("annotations") or {}).get(REVISION, "")
        if not text.isdigit():
            raise StatusError(f'cannot get the revision of deployment "{name}": '
                              f'strconv.ParseInt: parsing "{text}": invalid syntax')
        if int(text) != revision:
            raise StatusError(f"desired revision ({revision}) is different from the running "
                              f"revision ({int(text)})")
    if generation > observed:
        return "Waiting for deployment spec update to be observed...", False
    progressing = [c for c in state.get("conditions") or [] if c.get("type") == "Progressing"]
    if progressing and progressing[0].get("reason") == TIMED_OUT_REASON:
        raise StatusError(f'deployment "{name}" exceeded its progress deadline')
    replicas = spec.get("replicas")
    updated = state.get("updatedReplicas", 0)
    if replicas is not None and updated < replicas:
        return (f'Waiting for deployment "{name}" rollout to finish: {updated} out of '
                f"{replicas} new replicas have been updated..."), False
    if state.get("replicas", 0) > updated:
        return (f'Waiting for deployment "{name}" rollout to finish: '
                f"{state.get('replicas', 0) - updated} old replicas are pending "
                "termination..."), False
    available = state.get("availableReplicas", 0)
    if available < updated:
        return (f'Waiting for deployment "{name}" rollout to finish: {available} of {updated} '
                "updated replicas are available..."), False
    return f'deployment "{name}" successfully rolled out', True


def _strategy_type(spec: dict, key: str) -> str:
    return (spec.get(key) or {}).get("type", "RollingUpdate")


def _daemon_set_status(obj: dict) -> tuple[str, bool]:
    name, spec, state, generation, observed = _counts(obj)
    if _strategy_type(spec, "updateStrategy") != "RollingUpdate":
        raise StatusError("rollout status is only available for RollingUpdate strategy type")
    if generation > observed:
        return "Waiting for daemon set spec update to be observed...", False
    desired = state.get("desiredNumberScheduled", 0)
    updated = state.get("updatedNumberScheduled", 0)
    if updated < desired:
        return (f'Waiting for daemon set "{name}" rollout to finish: {updated} out of {desired} '
                "new pods have been updated..."), False
    available = state.get("numberAvailable", 0)
    if available < desired:
        return (f'Waiting for daemon set "{name}" rollout to finish: {available} of {desired} '
                "updated pods are available..."), False
    return f'daemon set "{name}" successfully rolled out', True


def _stateful_set_status(obj: dict) -> tuple[str, bool]:
    _, spec, state, generation, observed = _counts(obj)
    if _strategy_type(spec, "updateStrategy") != "RollingUpdate":
        raise StatusError("rollout status is only available for RollingUpdate strategy type")
    if observed == 0 or generation > observed:
        return "Waiting for statefulset spec update to be observed...", False
    replicas = spec.get("replicas")
    ready = state.get("readyReplicas", 0)
    if replicas is not None and ready < replicas:
        return f"Waiting for {replicas - ready} pods to be ready...", False
    updated = state.get("updatedReplicas", 0)
    rolling = (spec.get("updateStrategy") or {}).get("rollingUpdate")
    if rolling is not None:
        partition = rolling.get("partition")
        if replicas is not None and partition is not None and updated < replicas - partition:
            return ("Waiting for partitioned roll out to finish: "
                    f"{updated} out of {replicas - partition} new pods have been updated..."), False
        return f"partitioned roll out complete: {updated} new pods have been updated...", True
    if state.get("updateRevision") != state.get("currentRevision"):
        return ("waiting for statefulset rolling update to complete "
                f"{updated} pods at revision {state.get('updateRevision')}..."), False
    return ("statefulset rolling update complete "
            f"{state.get('currentReplicas', 0)} pods at revision "
            f"{state.get('currentRevision')}..."), True


def owned_replica_sets(api: Api, deployment: dict) -> Generator:
    """The ReplicaSets the Deployment controls (ownerReference with controller: true and its
    uid), as deploymentutil.GetAllReplicaSets finds them."""
    meta = deployment["metadata"]
    items = yield from api.list("replicasets", meta["namespace"])
    return [rs for rs in items
            if any(ref.get("controller") and ref.get("uid") == meta.get("uid")
                   for ref in rs["metadata"].get("ownerReferences") or [])]


def revision_of(obj: dict) -> int | None:
    """The revision annotation as a number; None when absent or not a number (kubectl skips
    such a ReplicaSet with a warning in its log)."""
    text = (obj["metadata"].get("annotations") or {}).get(REVISION, "")
    return int(text) if text.isdigit() else None


def history_table(replica_sets: list[dict]) -> str:
    """ViewHistory: REVISION and CHANGE-CAUSE, one row per revision, oldest first, padded as
    its text/tabwriter (minwidth 0, padding 2) pads them."""
    causes: dict[int, str] = {}
    for rs in replica_sets:
        number = revision_of(rs)
        if number is not None:
            causes[number] = (rs["metadata"].get("annotations") or {}).get(CHANGE_CAUSE, "")
    if not causes:
        return "No rollout history found."
    rows = [("REVISION", "CHANGE-CAUSE")] + [
        (str(number), causes[number] or "<none>") for number in sorted(causes)]
    width = max(len(row[0]) for row in rows) + 2
    return "\n".join(row[0].ljust(width) + row[1] for row in rows)
