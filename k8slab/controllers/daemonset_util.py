"""Which nodes a DaemonSet runs on, and the pod it puts there (kk pkg/controller/daemon/util/
daemonset_util.go and daemon_controller.go NodeShouldRunDaemonPod).

A node is eligible when the pod's nodeSelector and required node affinity match it and the pod
tolerates its NoSchedule and NoExecute taints, counting the tolerations every DaemonSet pod
gets: a node that is not ready, unreachable, under pressure or cordoned still runs its
daemons. A daemon pod already there may stay while only NoSchedule taints are untolerated.
The pod is pinned with node affinity `metadata.name In [<node>]`, and the default scheduler
binds it (ScheduleDaemonSetPods, GA in v1.17).

Simplified: the matching of taints and node selectors is the same rule the scheduler's
TaintToleration and NodeAffinity apply; it is written again here because a controller may not
import the scheduler (upstream shares it through k8s.io/component-helpers).
"""

from __future__ import annotations

import copy

from k8slab.api.tolerations import tolerations_tolerate_taint
from k8slab.controllers.controller_utils import CONTROLLER_REVISION_HASH, pod_from_template

OBJECT_NAME_FIELD = "metadata.name"
# AddOrUpdateDaemonPodTolerations: keys and effects, operator Exists, no tolerationSeconds, so
# the taint-eviction controller never evicts a daemon pod from a failing node.
DAEMON_TOLERATIONS = (
    ("node.kubernetes.io/not-ready", "NoExecute"),
    ("node.kubernetes.io/unreachable", "NoExecute"),
    ("node.kubernetes.io/disk-pressure", "NoSchedule"),
    ("node.kubernetes.io/memory-pressure", "NoSchedule"),
    ("node.kubernetes.io/pid-pressure", "NoSchedule"),
    ("node.kubernetes.io/unschedulable", "NoSchedule"),
)
NETWORK_UNAVAILABLE = ("node.kubernetes.io/network-unavailable", "NoSchedule")


def untolerated_taint(taints: list[dict], tolerations: list[dict],
                      effects: tuple[str, ...]) -> dict | None:
    """The first taint with one of `effects` that no toleration tolerates, or None."""
    for taint in taints:
        if taint.get("effect") in effects and not tolerations_tolerate_taint(tolerations, taint):
            return taint
    return None


def with_daemon_tolerations(spec: dict) -> dict:
    """A copy of the pod spec with the DaemonSet tolerations added (daemon_tolerations)."""
    spec = copy.deepcopy(spec)
    spec["tolerations"] = daemon_tolerations(spec)
    return spec


def daemon_tolerations(spec: dict) -> list[dict]:
    """The pod spec's tolerations with the DaemonSet ones added; one of the pod's own with
    the same key, operator, value and effect is replaced, so its tolerationSeconds go
    (AddOrUpdateTolerationInPodSpec). The spec is left as it was."""
    tolerations = list(spec.get("tolerations") or [])
    wanted = list(DAEMON_TOLERATIONS) + ([NETWORK_UNAVAILABLE] if spec.get("hostNetwork") else [])
    for key, effect in wanted:
        toleration = {"key": key, "operator": "Exists", "effect": effect}
        same = [i for i, t in enumerate(tolerations)
                if (t.get("key"), t.get("operator"), t.get("value") or "", t.get("effect"))
                == (key, "Exists", "", effect)]
        if same:
            tolerations[same[0]] = toleration
        else:
            tolerations.append(toleration)
    return tolerations


def _requirement(expression: dict, value: str | None) -> bool:
    operator, values = expression.get("operator"), expression.get("values") or []
    if operator == "In":
        return value is not None and value in values
    if operator == "NotIn":
        return value is None or value not in values
    if operator == "Exists":
        return value is not None
    if operator == "DoesNotExist":
        return value is None
    if operator in ("Gt", "Lt") and len(values) == 1 and value is not None:
        try:
            have, bound = int(value), int(values[0])
        except ValueError:
            return False
        return have > bound if operator == "Gt" else have < bound
    return False


def _term_matches(term: dict, labels: dict, name: str) -> bool:
    expressions, fields = term.get("matchExpressions") or [], term.get("matchFields") or []
    if not expressions and not fields:
        return False  # an empty term matches no node
    return (all(_requirement(e, labels.get(e.get("key"))) for e in expressions)
            and all(e.get("key") == OBJECT_NAME_FIELD and _requirement(e, name)
                    for e in fields))


def node_matches_pod(spec: dict, node: dict) -> bool:
    """The pod spec's nodeSelector and required node affinity accept `node`."""
    labels = node["metadata"].get("labels") or {}
    name = node["metadata"]["name"]
    if any(labels.get(k) != v for k, v in (spec.get("nodeSelector") or {}).items()):
        return False
    required = ((spec.get("affinity") or {}).get("nodeAffinity") or {}).get(
        "requiredDuringSchedulingIgnoredDuringExecution")
    if required is None:
        return True
    return any(_term_matches(t, labels, name) for t in required.get("nodeSelectorTerms") or [])


def node_should_run_daemon_pod(node: dict, daemon_set: dict) -> tuple[bool, bool]:
    """(should run, should continue running) of the DaemonSet's pod on `node`."""
    template_spec = daemon_set["spec"]["template"].get("spec") or {}
    if template_spec.get("nodeName") not in (None, "", node["metadata"]["name"]):
        return False, False
    if not node_matches_pod(template_spec, node):
        return False, False
    tolerations = daemon_tolerations(template_spec)
    taints = (node.get("spec") or {}).get("taints") or []
    if untolerated_taint(taints, tolerations, ("NoSchedule", "NoExecute")) is None:
        return True, True
    return False, untolerated_taint(taints, tolerations, ("NoExecute",)) is None


def pin_to_node(spec: dict, node_name: str) -> dict:
    """Replace the required node affinity by one term, `metadata.name In [node]`
    (ReplaceDaemonSetPodNodeNameNodeAffinity); preferred terms are kept."""
    spec = copy.deepcopy(spec)
    affinity = spec.setdefault("affinity", {})
    node_affinity = affinity.setdefault("nodeAffinity", {})
    node_affinity["requiredDuringSchedulingIgnoredDuringExecution"] = {"nodeSelectorTerms": [
        {"matchFields": [{"key": OBJECT_NAME_FIELD, "operator": "In", "values": [node_name]}]}]}
    return spec


def daemon_pod(daemon_set: dict, node_name: str, revision_hash: str) -> dict:
    """The pod for `node_name`: the template, the hash label, tolerations, pinned affinity."""
    template = copy.deepcopy(daemon_set["spec"]["template"])
    template.setdefault("metadata", {}).setdefault("labels", {})[CONTROLLER_REVISION_HASH] = \
        revision_hash
    pod = pod_from_template(template, daemon_set)
    pod["spec"] = pin_to_node(with_daemon_tolerations(pod["spec"]), node_name)
    return pod


def target_node(pod: dict) -> str:
    """The node a daemon pod is for: spec.nodeName, or the name its affinity pins
    (GetTargetNodeName)."""
    if pod["spec"].get("nodeName"):
        return pod["spec"]["nodeName"]
    required = (((pod["spec"].get("affinity") or {}).get("nodeAffinity") or {}).get(
        "requiredDuringSchedulingIgnoredDuringExecution") or {})
    for term in required.get("nodeSelectorTerms") or []:
        for field in term.get("matchFields") or []:
            values = field.get("values") or []
            if field.get("key") == OBJECT_NAME_FIELD and field.get("operator") == "In" \
                    and len(values) == 1:
                return values[0]
    return ""
