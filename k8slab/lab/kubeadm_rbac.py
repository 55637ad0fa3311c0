"""The RBAC objects kubeadm init adds to upstream's defaults, and those its add-ons and the
pod network bring, created as kubernetes-super-admin (system:masters) before admin.conf is used.

kk cmd/kubeadm/app/phases/kubeconfig (EnsureAdminClusterRoleBinding: `kubeadm:cluster-admins`),
phases/bootstraptoken/node (`kubeadm:get-nodes`), phases/addons/proxy (`kubeadm:node-proxier`),
phases/addons/dns (`system:coredns`); flannel's kube-flannel.yml (`flannel`). Left out: the
bootstrap-token CSR bindings (the lab has no TLS bootstrap).
"""

from __future__ import annotations

RBAC = "rbac.authorization.k8s.io"
SUPER_ADMIN = "kubernetes-super-admin"


def _role(name: str, rules: list[dict]) -> dict:
    return {"apiVersion": f"{RBAC}/v1", "kind": "ClusterRole", "metadata": {"name": name},
            "rules": rules}


def _binding(name: str, role: str, subject: dict) -> dict:
    return {"apiVersion": f"{RBAC}/v1", "kind": "ClusterRoleBinding",
            "metadata": {"name": name},
            "roleRef": {"apiGroup": RBAC, "kind": "ClusterRole", "name": role},
            "subjects": [subject]}


def _group(name: str) -> dict:
    return {"apiGroup": RBAC, "kind": "Group", "name": name}


def _account(namespace: str, name: str) -> dict:
    return {"kind": "ServiceAccount", "name": name, "namespace": namespace}


def kubeadm_objects() -> list[dict]:
    """kubeadm's ClusterRoles and ClusterRoleBindings, in the order kubeadm init makes them."""
    bootstrappers = _group("system:bootstrappers:kubeadm:default-node-token")
    return [
        _binding("kubeadm:cluster-admins", "cluster-admin", _group("kubeadm:cluster-admins")),
        _role("kubeadm:get-nodes", [{"apiGroups": [""], "resources": ["nodes"],
                                     "verbs": ["get"]}]),
        _binding("kubeadm:get-nodes", "kubeadm:get-nodes", bootstrappers),
        _role("system:coredns", [
            {"apiGroups": [""], "resources": ["endpoints", "services", "pods", "namespaces"],
             "verbs": ["list", "watch"]},
            {"apiGroups": ["discovery.k8s.io"], "resources": ["endpointslices"],
             "verbs": ["list", "watch"]}]),
        _binding("system:coredns", "system:coredns", _account("kube-system", "coredns")),
        _binding("kubeadm:node-proxier", "system:node-proxier",
                 _account("kube-system", "kube-proxy")),
        _role("flannel", [
            {"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]},
            {"apiGroups": [""], "resources": ["nodes"], "verbs": ["get", "list", "watch"]},
            {"apiGroups": [""], "resources": ["nodes/status"], "verbs": ["patch"]}]),
        _binding("flannel", "flannel", _account("kube-flannel", "flannel")),
    ]
