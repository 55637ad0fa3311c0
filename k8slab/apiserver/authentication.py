"""Authentication: which user sent a request, and in which groups.

For now the API server takes the user name the client states (every component's Client names
itself) and gives it the groups kubeadm's certificate for that name carries (reference i.3):
kubernetes-admin is in kubeadm:cluster-admins, a kubelet `system:node:<name>` in system:nodes,
a ServiceAccount in system:serviceaccounts and system:serviceaccounts:<namespace>. Credentials
checked against the cluster CA and token authenticators replace the stated name (issue 13).
"""

from __future__ import annotations

from k8slab.apiserver.request_info import (
    ALL_AUTHENTICATED,
    ANONYMOUS,
    SYSTEM_MASTERS,
    UserInfo,
)

# The O= of the client certificates kubeadm issues (kubeadm constants; reference i.3), and the
# API server's own loopback identity (system:apiserver in system:masters).
_GROUPS_BY_USER = {
    "kubernetes-admin": ("kubeadm:cluster-admins",),
    "kubernetes-super-admin": (SYSTEM_MASTERS,),
    "system:apiserver": (SYSTEM_MASTERS,),
}
NODE_USER_PREFIX = "system:node:"
NODES_GROUP = "system:nodes"
SERVICE_ACCOUNT_PREFIX = "system:serviceaccount:"


def authenticate(request: dict) -> UserInfo:
    """The user a request comes from, with its groups; the anonymous user when it names none."""
    name = request.get("user") or ""
    if not name:
        return ANONYMOUS
    return UserInfo(name, (*groups_of(name), ALL_AUTHENTICATED))


def groups_of(name: str) -> tuple[str, ...]:
    """The groups kubeadm's credential for `name` puts it in (before system:authenticated)."""
    if name.startswith(NODE_USER_PREFIX):
        return (NODES_GROUP,)
    if name.startswith(SERVICE_ACCOUNT_PREFIX):
        namespace = name[len(SERVICE_ACCOUNT_PREFIX):].partition(":")[0]
        return ("system:serviceaccounts", f"system:serviceaccounts:{namespace}")
    return _GROUPS_BY_USER.get(name, ())
