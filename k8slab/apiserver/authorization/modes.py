"""`--authorization-mode=Node,RBAC` as kubeadm sets it, behind the privileged-group check, and
the start-up job that creates and reconciles the default roles and bindings.

kube-apiserver puts `system:masters` first (authorizerfactory.NewPrivilegedGroups), then the
modes in flag order. Its RBAC post-start hook (pkg/registry/rbac/rest/storage_rbac.go
PostStartHook) creates every missing default and, unless an object carries
`rbac.authorization.kubernetes.io/autoupdate: "false"`, puts back rules (or subjects) a user
removed; aggregated roles' rules are the aggregation controller's to fill, so it leaves them.
"""

from __future__ import annotations

from collections.abc import Callable, Generator

from k8slab.apiserver.authorization import Union
from k8slab.apiserver.authorization.bootstrap_policy import (
    AUTOUPDATE,
    cluster_role_bindings,
    cluster_roles,
)
from k8slab.apiserver.authorization.node import NodeAuthorizer, NodeGraph
from k8slab.apiserver.authorization.rbac import PrivilegedGroups, RBACAuthorizer, RBACIndex
from k8slab.errors import AlreadyExistsError


class NodeRBAC(Union):
    """PrivilegedGroups, then Node, then RBAC, reading the indexes it keeps of the watch cache
    (`reset` after the cache re-lists, `apply` for each change)."""

    def __init__(self) -> None:
        self.rbac_index = RBACIndex()
        self.node_graph = NodeGraph()
        self.rbac = RBACAuthorizer(self.rbac_index)
        self.node = NodeAuthorizer(self.node_graph)
        super().__init__([PrivilegedGroups(), self.node, self.rbac])

    def reset(self, objects: dict[str, dict]) -> None:
        """Index the whole cache."""
        self.rbac_index.reset(objects)
        self.node_graph.reset(objects)

    def apply(self, key: str, obj: dict | None) -> None:
        """Follow one change of the cache."""
        self.rbac_index.apply(key, obj)
        self.node_graph.apply(key, obj)


def _reconciled(current: dict, wanted: dict) -> dict | None:
    """The object to write back, or None when nothing needs changing (autoupdate "false",
    or already holding what the default holds)."""
    annotations = current["metadata"].get("annotations") or {}
    if annotations.get(AUTOUPDATE) == "false":
        return None
    if wanted["kind"] == "ClusterRole":
        if "aggregationRule" in wanted or all(r in (current.get("rules") or [])
                                              for r in wanted["rules"]):
            return None
        rules = list(current.get("rules") or [])
        return dict(current, rules=rules + [r for r in wanted["rules"] if r not in rules])
    subjects = list(current.get("subjects") or [])
    missing = [s for s in wanted["subjects"] if s not in subjects]
    return dict(current, subjects=subjects + missing) if missing else None


def bootstrap_policy(serve: Callable[[dict], Generator]) -> Generator:
    """Create each default ClusterRole, then ClusterRoleBinding; reconcile those that exist.
    Raises the first other APIError (the caller retries the whole pass)."""
    for obj in [*cluster_roles(), *cluster_role_bindings()]:
        resource = "clusterroles" if obj["kind"] == "ClusterRole" else "clusterrolebindings"
        try:
            yield from serve({"verb": "create", "resource": resource, "body": obj})
            continue
        except AlreadyExistsError:
            pass
        current = yield from serve({"verb": "get", "resource": resource,
                                    "name": obj["metadata"]["name"]})
        changed = _reconciled(current, obj)
        if changed is not None:
            yield from serve({"verb": "update", "resource": resource, "body": changed})
