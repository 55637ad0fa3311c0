"""The Node authorizer: a kubelet (`system:node:<name>` in system:nodes) may read only what
the pods bound to its node need, and write only its own Node, Lease and pods' status.

plugin/pkg/auth/authorizer/node/node_authorizer.go (reference i.4): secrets and configmaps are
allowed when a pod bound to the node refers to them (the graph of pods, nodes and what pods
use, kept here by `NodeGraph` from the watch cache); pods may be read one by one when bound
to the node and listed or watched only with `fieldSelector=spec.nodeName=<node>`; its own
Node only; its Lease in kube-node-lease; everything else by the static rules of the
system:node ClusterRole. Any other user: no opinion. Simplified: PVCs, PVs, ServiceAccount
tokens, DRA and CSI objects are not in the graph (k8slab models none of them).
"""

from __future__ import annotations

from collections import Counter

from k8slab.apiserver.authorization import ALLOW, NO_OPINION, Decision
from k8slab.apiserver.authorization.bootstrap_policy import CLUSTER_ROLES
from k8slab.apiserver.authorization.rules import rule_allows
from k8slab.apiserver.request_info import Attributes

NODE_PREFIX, NODES_GROUP = "system:node:", "system:nodes"
PODS = "/registry/pods/"
LEASE_NAMESPACE = "kube-node-lease"


def pod_references(pod: dict) -> list[tuple[str, str]]:
    """The ("configmaps"|"secrets", name) a pod uses: volumes (also projected), env and
    envFrom of every container, and image pull secrets (as the graph populator adds them)."""
    spec = pod.get("spec") or {}
    refs: list[tuple[str, str]] = []
    for volume in spec.get("volumes") or []:
        sources = [volume, *((volume.get("projected") or {}).get("sources") or [])]
        for source in sources:
            if (source.get("configMap") or {}).get("name"):
                refs.append(("configmaps", source["configMap"]["name"]))
            secret = source.get("secret") or {}
            if secret.get("secretName") or secret.get("name"):
                refs.append(("secrets", secret.get("secretName") or secret.get("name")))
    containers = [*(spec.get("initContainers") or []), *(spec.get("containers") or [])]
    for container in containers:
        for env in container.get("env") or []:
            source = env.get("valueFrom") or {}
            if (source.get("configMapKeyRef") or {}).get("name"):
                refs.append(("configmaps", source["configMapKeyRef"]["name"]))
            if (source.get("secretKeyRef") or {}).get("name"):
                refs.append(("secrets", source["secretKeyRef"]["name"]))
        for env_from in container.get("envFrom") or []:
            if (env_from.get("configMapRef") or {}).get("name"):
                refs.append(("configmaps", env_from["configMapRef"]["name"]))
            if (env_from.get("secretRef") or {}).get("name"):
                refs.append(("secrets", env_from["secretRef"]["name"]))
    refs += [("secrets", s["name"]) for s in spec.get("imagePullSecrets") or [] if s.get("name")]
    return refs


class NodeGraph:
    """Which node each pod is bound to, and per node the objects its pods refer to (counted,
    so that one pod leaving does not hide what another still uses)."""

    def __init__(self) -> None:
        self.pods: dict[str, tuple[str, list[tuple[str, str, str]]]] = {}
        self.uses: dict[str, Counter] = {}

    def reset(self, objects: dict[str, dict]) -> None:
        """Rebuild from the whole cache."""
        self.pods, self.uses = {}, {}
        for key in sorted(objects):
            self.apply(key, objects[key])

    def apply(self, key: str, obj: dict | None) -> None:
        """Follow one change in the cache; only bound pods matter."""
        if not key.startswith(PODS):
            return
        old = self.pods.pop(key, None)
        if old is not None:
            self.uses[old[0]].subtract(old[1])
        node = ((obj or {}).get("spec") or {}).get("nodeName")
        if not node:
            return
        namespace = obj["metadata"].get("namespace", "")
        refs = [("pods", namespace, obj["metadata"]["name"])]
        refs += [(resource, namespace, name) for resource, name in pod_references(obj)]
        self.pods[key] = (node, refs)
        self.uses.setdefault(node, Counter()).update(refs)

    def related(self, node: str, resource: str, namespace: str, name: str) -> bool:
        """Does a pod bound to `node` use (or is it) this object?"""
        return self.uses.get(node, Counter())[(resource, namespace, name)] > 0


class NodeAuthorizer:
    """--authorization-mode=Node over a `NodeGraph` of the watch cache."""

    name = "Node"

    def __init__(self, graph: NodeGraph) -> None:
        self.graph = graph
        self.rules = CLUSTER_ROLES["system:node"][0]

    def authorize(self, attributes: Attributes) -> Decision:
        """Allow, or no opinion with upstream's reason."""
        user = attributes.user
        if NODES_GROUP not in user.groups or not user.name.startswith(NODE_PREFIX):
            return Decision(NO_OPINION, "", self.name)
        node = user.name[len(NODE_PREFIX):]
        if not node:
            return self._no(f'unknown node for user "{user.name}"')
        if attributes.resource_request and attributes.api_group == "":
            if attributes.resource in ("secrets", "configmaps"):
                return self._read_namespaced(node, attributes)
            if attributes.resource == "pods" and not attributes.subresource:
                return self._pods(node, attributes)
            if attributes.resource == "nodes":
                return self._node(node, attributes)
        if attributes.resource_request and attributes.resource == "leases" and (
                attributes.api_group == "coordination.k8s.io"):
            return self._lease(node, attributes)
        return self._static(attributes)

    def _no(self, reason: str) -> Decision:
        return Decision(NO_OPINION, reason, self.name)

    def _static(self, attributes: Attributes) -> Decision:
        if any(rule_allows(attributes, rule) for rule in self.rules):
            return Decision(ALLOW, "", self.name)
        return self._no("")

    def _related(self, node: str, attributes: Attributes) -> Decision:
        if not attributes.name:
            return self._no("No Object name found")
        if self.graph.related(node, attributes.resource, attributes.namespace, attributes.name):
            return Decision(ALLOW, "", self.name)
        return self._no(f"no relationship found between node '{node}' and this object")

    def _read_namespaced(self, node: str, attributes: Attributes) -> Decision:
        if attributes.verb not in ("get", "list", "watch"):
            return self._no("can only read resources of this type")
        if attributes.subresource:
            return self._no("cannot read subresource")
        if not attributes.namespace:
            return self._no("can only read namespaced object of this type")
        return self._related(node, attributes)

    def _pods(self, node: str, attributes: Attributes) -> Decision:
        if attributes.verb == "get":
            return self._related(node, attributes)
        if attributes.verb in ("list", "watch"):
            if f"spec.nodeName={node}" in attributes.field_selector.split(","):
                return Decision(ALLOW, "", self.name)
            return self._no("can only list/watch pods with spec.nodeName field selector")
        return self._static(attributes)

    def _node(self, node: str, attributes: Attributes) -> Decision:
        # Its own Node object only (read, write and status); a list or watch must select it.
        if attributes.verb in ("list", "watch"):
            if f"metadata.name={node}" in attributes.field_selector.split(","):
                return self._static(attributes)
            return self._no("node can only list/watch its own Node object "
                            f"(fieldSelector metadata.name={node})")
        if attributes.verb != "create" and attributes.name != node:
            return self._no(f"node '{node}' cannot access node '{attributes.name}'")
        return self._static(attributes)

    def _lease(self, node: str, attributes: Attributes) -> Decision:
        if attributes.verb not in ("get", "create", "update", "patch", "delete"):
            return self._no("can only get, create, update, patch, or delete a node lease")
        if attributes.namespace != LEASE_NAMESPACE:
            return self._no(f'can only access leases in the "{LEASE_NAMESPACE}" system '
                            "namespace")
        if attributes.verb != "create" and attributes.name != node:
            return self._no("can only access node lease with the same name as the "
                            "requesting node")
        return Decision(ALLOW, "", self.name)
