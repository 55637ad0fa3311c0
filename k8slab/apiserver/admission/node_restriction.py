"""The NodeRestriction admission plugin: a kubelet may change only its own Node and the pods
bound to it, and may not give its Node labels that steer workloads.

plugin/pkg/admission/noderestriction/admission.go (kubeadm enables it): for a user
`system:node:<n>` in system:nodes, a Node write must name node <n>, a pod create must be a
mirror pod bound to <n>, a pod update/delete or status write must concern a pod bound to <n>,
and node labels under node-restriction.kubernetes.io/ (or kubernetes.io/k8s.io labels outside
the kubelet's allowed set) may not be set or changed. Simplified: the Node's taints, configSource
and the pod eviction subresource checks are not modelled.
"""

from __future__ import annotations

from collections.abc import Generator

from k8slab.api.kinds import NODE, POD
from k8slab.apiserver.admission import CREATE, DELETE, AdmissionPlugin, AdmissionRequest
from k8slab.errors import ForbiddenError

NODE_PREFIX, NODES_GROUP = "system:node:", "system:nodes"
MIRROR_ANNOTATION = "kubernetes.io/config.mirror"
# kubelet's allowed node labels (kk pkg/kubelet/apis/well_known_labels.go kubeletLabels and
# kubeletLabelNamespaces).
KUBELET_LABELS = ("kubernetes.io/hostname", "kubernetes.io/arch", "kubernetes.io/os",
                  "beta.kubernetes.io/arch", "beta.kubernetes.io/os",
                  "beta.kubernetes.io/instance-type",
                  "node.kubernetes.io/instance-type", "topology.kubernetes.io/region",
                  "topology.kubernetes.io/zone", "failure-domain.beta.kubernetes.io/region",
                  "failure-domain.beta.kubernetes.io/zone")
KUBELET_LABEL_NAMESPACES = ("kubelet.kubernetes.io", "node.kubernetes.io")


def _restricted_label(key: str) -> bool:
    """A label a node may not set on itself: node-restriction.kubernetes.io/*, or a
    kubernetes.io / k8s.io label outside the kubelet's allowed set."""
    prefix = key.partition("/")[0] if "/" in key else ""
    if prefix == "node-restriction.kubernetes.io" or prefix.endswith(
            ".node-restriction.kubernetes.io"):
        return True
    if key in KUBELET_LABELS:
        return False
    if any(prefix == ns or prefix.endswith("." + ns) for ns in KUBELET_LABEL_NAMESPACES):
        return False
    return any(prefix == d or prefix.endswith("." + d) for d in ("kubernetes.io", "k8s.io"))


class NodeRestriction(AdmissionPlugin):
    """Limits what a kubelet's requests may change to its own node and its pods."""

    name = "NodeRestriction"
    validating = True

    def validate(self, request: AdmissionRequest) -> Generator:
        """Refuse, with upstream's message, what a node may not do."""
        user = request.attributes.user
        if NODES_GROUP not in user.groups or not user.name.startswith(NODE_PREFIX):
            return
        node = user.name[len(NODE_PREFIX):]
        if request.kind is NODE:
            self._node(node, request)
        elif request.kind is POD:
            self._pod(node, request)
        return
        yield

    def _node(self, node: str, request: AdmissionRequest) -> None:
        name = request.attributes.name or ((request.obj or {}).get("metadata") or {}).get("name")
        if name != node:
            raise ForbiddenError(f'node "{node}" is not allowed to modify node "{name}"')
        if request.operation == DELETE or request.attributes.subresource:
            return
        new = ((request.obj or {}).get("metadata") or {}).get("labels") or {}
        old = ((request.old or {}).get("metadata") or {}).get("labels") or {}
        changed = sorted(k for k in set(new) | set(old)
                         if new.get(k) != old.get(k) and _restricted_label(k))
        if changed:
            verb = "create" if request.operation == CREATE else "modify"
            raise ForbiddenError(f"is not allowed to {verb} labels: {', '.join(changed)}")

    def _pod(self, node: str, request: AdmissionRequest) -> None:
        pod = request.obj if request.operation == CREATE else request.old
        meta, spec = (pod or {}).get("metadata") or {}, (pod or {}).get("spec") or {}
        if request.operation == CREATE:
            if MIRROR_ANNOTATION not in (meta.get("annotations") or {}):
                raise ForbiddenError(f"pod does not have \"{MIRROR_ANNOTATION}\" annotation, "
                                     "node can only create mirror pods")
            if spec.get("nodeName") != node:
                raise ForbiddenError(f'node "{node}" can only create pods with spec.nodeName '
                                     "set to itself")
            return
        if spec.get("nodeName") != node:
            what = "delete" if request.operation == DELETE else "update"
            raise ForbiddenError(f'node "{node}" can only {what} pods with spec.nodeName set '
                                 f"to itself")
