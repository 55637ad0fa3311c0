"""The RBAC and Node authorizers against upstream's default policy: hand-written cells of the
matrix (default ClusterRole x verb x resource x namespaced/cluster scope), whose expected
answers come from reading upstream's golden roles, not from our matcher."""

from __future__ import annotations

import pytest

from k8slab.apiserver.authorization import forbidden_message
from k8slab.apiserver.authorization.bootstrap_policy import (
    CLUSTER_ROLES,
    cluster_role_bindings,
    cluster_roles,
)
from k8slab.apiserver.authorization.modes import NodeRBAC
from k8slab.apiserver.request_info import ANONYMOUS, Attributes, UserInfo
from k8slab.lab.kubeadm_rbac import kubeadm_objects

RBAC = "rbac.authorization.k8s.io"


def _aggregate(roles: dict[str, dict]) -> None:
    # What the clusterrole-aggregation controller converges to: view, then edit, then admin.
    for name, label in (("view", "view"), ("edit", "edit"), ("admin", "admin")):
        rules = []
        for other in sorted(roles):
            if (roles[other]["metadata"].get("labels") or {}).get(
                    f"{RBAC}/aggregate-to-{label}") == "true":
                rules += [r for r in roles[other].get("rules") or [] if r not in rules]
        roles[name]["rules"] = rules


def _binding(name: str, role: str, user: str, namespace: str = "") -> tuple[str, dict]:
    kind = "RoleBinding" if namespace else "ClusterRoleBinding"
    meta = {"name": name, **({"namespace": namespace} if namespace else {})}
    key = (f"/registry/rolebindings/{namespace}/{name}" if namespace
           else f"/registry/clusterrolebindings/{name}")
    return key, {"kind": kind, "metadata": meta,
                 "roleRef": {"apiGroup": RBAC, "kind": "ClusterRole", "name": role},
                 "subjects": [{"apiGroup": RBAC, "kind": "User", "name": user}]}


@pytest.fixture(scope="module")
def authorizer() -> NodeRBAC:
    roles = {r["metadata"]["name"]: r for r in cluster_roles()}
    _aggregate(roles)
    objects = {f"/registry/clusterroles/{n}": r for n, r in roles.items()}
    objects.update({f"/registry/clusterrolebindings/{b['metadata']['name']}": b
                    for b in cluster_role_bindings()})
    for obj in kubeadm_objects():  # kubeadm init's own (kubeadm:cluster-admins...)
        objects[f"/registry/{obj['kind'].lower()}s/{obj['metadata']['name']}"] = obj
    # One test user per aggregated role, bound in namespace "dev" only, and one cluster-wide.
    for role in ("view", "edit", "admin"):
        objects.update([_binding(f"{role}-dev", role, f"{role}-user", "dev")])
    objects.update([_binding("viewer-everywhere", "view", "cluster-viewer")])
    pods = {"/registry/pods/dev/web": {"kind": "Pod", "metadata": {"name": "web",
                                                                   "namespace": "dev"},
                                       "spec": {"nodeName": "worker-1", "volumes": [
                                           {"name": "c", "configMap": {"name": "web-config"}}],
                                           "containers": [{"name": "a", "envFrom": [
                                               {"secretRef": {"name": "web-secret"}}]}]}}}
    objects.update(pods)
    chosen = NodeRBAC()
    chosen.reset(objects)
    return chosen


def user(name: str, *groups: str) -> UserInfo:
    return UserInfo(name, (*groups, "system:authenticated"))


def ask(authorizer, who: UserInfo, verb: str, resource: str, namespace: str = "", name: str = "",
        group: str = "", subresource: str = "", field_selector: str = "") -> bool:
    return authorizer.authorize(Attributes(who, verb, resource, subresource, name, namespace,
                                           group, "v1", field_selector=field_selector)).allowed


def ask_url(authorizer, who: UserInfo, path: str, verb: str = "get") -> bool:
    return authorizer.authorize(Attributes(who, verb, path=path, resource_request=False)).allowed


# (user, verb, resource, subresource, group, namespace, name, expected)
MATRIX = [
    # view, bound in namespace dev by a RoleBinding
    ("view-user", "get", "pods", "", "", "dev", "web", True),
    ("view-user", "list", "pods", "", "", "dev", "", True),
    ("view-user", "get", "pods", "log", "", "dev", "web", True),
    ("view-user", "get", "deployments", "scale", "apps", "dev", "web", True),
    ("view-user", "list", "secrets", "", "", "dev", "", False),
    ("view-user", "create", "pods", "", "", "dev", "", False),
    ("view-user", "update", "deployments", "", "apps", "dev", "web", False),
    ("view-user", "list", "roles", "", RBAC, "dev", "", False),
    ("view-user", "list", "pods", "", "", "prod", "", False),
    ("view-user", "list", "pods", "", "", "", "", False),
    ("view-user", "list", "nodes", "", "", "", "", False),
    # view, bound cluster-wide
    ("cluster-viewer", "list", "pods", "", "", "", "", True),
    ("cluster-viewer", "list", "configmaps", "", "", "prod", "", True),
    ("cluster-viewer", "list", "nodes", "", "", "", "", False),
    ("cluster-viewer", "get", "secrets", "", "", "prod", "x", False),
    # edit
    ("edit-user", "create", "pods", "", "", "dev", "", True),
    ("edit-user", "create", "pods", "exec", "", "dev", "web", True),
    ("edit-user", "get", "secrets", "", "", "dev", "x", True),
    ("edit-user", "impersonate", "serviceaccounts", "", "", "dev", "default", True),
    ("edit-user", "delete", "jobs", "", "batch", "dev", "j", True),
    ("edit-user", "update", "deployments", "scale", "apps", "dev", "web", True),
    ("edit-user", "create", "roles", "", RBAC, "dev", "", False),
    ("edit-user", "update", "resourcequotas", "", "", "dev", "q", False),
    ("edit-user", "create", "endpointslices", "", "discovery.k8s.io", "dev", "", False),
    ("edit-user", "update", "pods", "status", "", "dev", "web", False),
    # admin
    ("admin-user", "create", "rolebindings", "", RBAC, "dev", "", True),
    ("admin-user", "create", "localsubjectaccessreviews", "", "authorization.k8s.io", "dev",
     "", True),
    ("admin-user", "create", "pods", "", "", "dev", "", True),
    ("admin-user", "delete", "namespaces", "", "", "dev", "dev", False),
    ("admin-user", "update", "resourcequotas", "", "", "dev", "q", False),
    ("admin-user", "create", "clusterroles", "", RBAC, "", "", False),
    # cluster-admin through kubeadm's group
    ("kubernetes-admin", "delete", "nodes", "", "", "", "worker-1", True),
    ("kubernetes-admin", "escalate", "clusterroles", "", RBAC, "", "x", True),
    # system:kube-scheduler
    ("system:kube-scheduler", "create", "pods", "binding", "", "dev", "web", True),
    ("system:kube-scheduler", "update", "pods", "status", "", "dev", "web", True),
    ("system:kube-scheduler", "update", "pods", "", "", "dev", "web", False),
    ("system:kube-scheduler", "get", "leases", "", "coordination.k8s.io", "kube-system",
     "kube-scheduler", True),
    ("system:kube-scheduler", "get", "leases", "", "coordination.k8s.io", "kube-system",
     "kube-controller-manager", False),
    ("system:kube-scheduler", "list", "nodes", "", "", "", "", True),
    ("system:kube-scheduler", "create", "nodes", "", "", "", "", False),
    ("system:kube-scheduler", "list", "secrets", "", "", "", "", False),
    # system:kube-controller-manager: list/watch everything, write almost nothing
    ("system:kube-controller-manager", "watch", "deployments", "", "apps", "", "", True),
    ("system:kube-controller-manager", "list", "secrets", "", "", "", "", True),
    ("system:kube-controller-manager", "create", "pods", "", "", "dev", "", False),
    ("system:kube-controller-manager", "update", "leases", "", "coordination.k8s.io",
     "kube-system", "kube-controller-manager", True),
    # system:node-proxier (user system:kube-proxy)
    ("system:kube-proxy", "list", "services", "", "", "", "", True),
    ("system:kube-proxy", "watch", "endpointslices", "", "discovery.k8s.io", "", "", True),
    ("system:kube-proxy", "get", "services", "", "", "dev", "x", False),
    ("system:kube-proxy", "list", "pods", "", "", "", "", False),
    # a controller's ServiceAccount
    ("system:serviceaccount:kube-system:replicaset-controller", "create", "pods", "", "",
     "dev", "", True),
    ("system:serviceaccount:kube-system:replicaset-controller", "update", "replicasets",
     "status", "apps", "dev", "rs", True),
    ("system:serviceaccount:kube-system:replicaset-controller", "create", "deployments", "",
     "apps", "dev", "", False),
    ("system:serviceaccount:kube-system:namespace-controller", "update", "namespaces",
     "finalize", "", "dev", "dev", True),
    # everyone authenticated: system:basic-user
    ("jane", "create", "selfsubjectaccessreviews", "", "authorization.k8s.io", "", "", True),
    ("jane", "list", "pods", "", "", "default", "", False),
]


@pytest.mark.parametrize("who, verb, resource, sub, group, namespace, name, expected", MATRIX,
                         ids=[f"{r[0]}-{r[1]}-{r[2]}{'/' * bool(r[3])}{r[3]}-{r[5] or '*'}"
                              for r in MATRIX])
def test_default_policy_matrix(authorizer, who, verb, resource, sub, group, namespace, name,
                               expected):
    groups = ("kubeadm:cluster-admins",) if who == "kubernetes-admin" else ()
    if who.startswith("system:serviceaccount:"):
        groups = ("system:serviceaccounts", "system:serviceaccounts:kube-system")
    assert ask(authorizer, user(who, *groups), verb, resource, namespace, name, group,
               sub) is expected


@pytest.mark.parametrize("path, who, expected", [
    ("/api", user("jane"), True),
    ("/apis/apps/v1", user("jane"), True),
    ("/version", ANONYMOUS, True),
    ("/healthz", ANONYMOUS, True),
    ("/api", ANONYMOUS, False),
    ("/metrics", user("jane"), False),
    ("/readyz/etcd", user("prometheus", "system:monitoring"), True),
    ("/metrics", user("kubernetes-admin", "kubeadm:cluster-admins"), True),
])
def test_non_resource_urls(authorizer, path, who, expected):
    assert ask_url(authorizer, who, path) is expected


def test_system_masters_is_allowed_everything_without_rbac():
    empty = NodeRBAC()
    decision = empty.authorize(Attributes(user("root", "system:masters"), "delete", "nodes",
                                          name="x"))
    assert decision.allowed and decision.authorizer == "PrivilegedGroups"


def test_the_allow_reason_names_the_binding_role_and_subject(authorizer):
    decision = authorizer.authorize(Attributes(
        user("kubernetes-admin", "kubeadm:cluster-admins"), "list", "pods", namespace="default"))
    assert decision.reason == ('RBAC: allowed by ClusterRoleBinding "kubeadm:cluster-admins" of '
                               'ClusterRole "cluster-admin" to Group "kubeadm:cluster-admins"')


def test_a_role_binding_reason_names_namespace_and_service_account():
    chosen = NodeRBAC()
    chosen.reset({
        "/registry/roles/dev/reader": {"kind": "Role", "metadata": {"name": "reader",
                                                                    "namespace": "dev"},
                                       "rules": [{"apiGroups": [""], "resources": ["pods"],
                                                  "verbs": ["get"]}]},
        "/registry/rolebindings/dev/read": {
            "kind": "RoleBinding", "metadata": {"name": "read", "namespace": "dev"},
            "roleRef": {"apiGroup": RBAC, "kind": "Role", "name": "reader"},
            "subjects": [{"kind": "ServiceAccount", "name": "bot"}]}})
    bot = UserInfo("system:serviceaccount:dev:bot", ("system:serviceaccounts",))
    decision = chosen.authorize(Attributes(bot, "get", "pods", name="x", namespace="dev"))
    assert decision.reason == ('RBAC: allowed by RoleBinding "read/dev" of Role "reader" to '
                               'ServiceAccount "bot/dev"')
    assert not chosen.authorize(Attributes(bot, "get", "pods", name="x",
                                           namespace="prod")).allowed
    # The binding goes, and so does the permission: the index follows deletions.
    chosen.apply("/registry/rolebindings/dev/read", None)
    assert not chosen.authorize(Attributes(bot, "get", "pods", name="x", namespace="dev")).allowed


@pytest.mark.parametrize("attributes, message", [
    (Attributes(user("jane"), "list", "pods", namespace="default"),
     'pods is forbidden: User "jane" cannot list resource "pods" in API group "" in the '
     'namespace "default"'),
    (Attributes(user("jane"), "get", "deployments", name="web", namespace="dev",
                api_group="apps"),
     'deployments.apps "web" is forbidden: User "jane" cannot get resource "deployments" in '
     'API group "apps" in the namespace "dev"'),
    (Attributes(user("jane"), "list", "nodes"),
     'nodes is forbidden: User "jane" cannot list resource "nodes" in API group "" at the '
     'cluster scope'),
    (Attributes(user("jane"), "get", "pods", "log", "web", "dev"),
     'pods "web" is forbidden: User "jane" cannot get resource "pods/log" in API group "" in '
     'the namespace "dev"'),
    (Attributes(user("jane"), "get", path="/metrics", resource_request=False),
     'forbidden: User "jane" cannot get path "/metrics"'),
])
def test_forbidden_messages_are_upstreams(authorizer, attributes, message):
    decision = authorizer.authorize(attributes)
    assert not decision.allowed and decision.reason == ""  # RBAC gives ordinary users none
    assert forbidden_message(attributes, decision.reason) == message


# -- the Node authorizer ---------------------------------------------------------------------

KUBELET = UserInfo("system:node:worker-1", ("system:nodes", "system:authenticated"))
OTHER = UserInfo("system:node:worker-2", ("system:nodes", "system:authenticated"))


@pytest.mark.parametrize("who, verb, resource, namespace, name, group, selector, expected", [
    (KUBELET, "get", "pods", "dev", "web", "", "", True),
    (OTHER, "get", "pods", "dev", "web", "", "", False),
    (KUBELET, "list", "pods", "", "", "", "spec.nodeName=worker-1", True),
    (KUBELET, "list", "pods", "", "", "", "", False),
    (KUBELET, "watch", "pods", "", "", "", "spec.nodeName=worker-2", False),
    (KUBELET, "get", "configmaps", "dev", "web-config", "", "", True),
    (OTHER, "get", "configmaps", "dev", "web-config", "", "", False),
    (KUBELET, "get", "secrets", "dev", "web-secret", "", "", True),
    (KUBELET, "get", "secrets", "dev", "other", "", "", False),
    (KUBELET, "update", "configmaps", "dev", "web-config", "", "", False),
    (KUBELET, "get", "nodes", "", "worker-1", "", "", True),
    (KUBELET, "get", "nodes", "", "worker-2", "", "", False),
    (KUBELET, "create", "nodes", "", "", "", "", True),
    (KUBELET, "list", "services", "", "", "", "", True),
    (KUBELET, "create", "events", "dev", "", "", "", True),
    (KUBELET, "get", "leases", "kube-node-lease", "worker-1", "coordination.k8s.io", "", True),
    (KUBELET, "update", "leases", "kube-node-lease", "worker-2", "coordination.k8s.io", "",
     False),
    (KUBELET, "get", "leases", "kube-system", "worker-1", "coordination.k8s.io", "", False),
    (KUBELET, "create", "deployments", "dev", "", "apps", "", False),
])
def test_node_authorizer(authorizer, who, verb, resource, namespace, name, group, selector,
                         expected):
    assert ask(authorizer, who, verb, resource, namespace, name, group,
               field_selector=selector) is expected


def test_node_authorizer_reason_says_there_is_no_relationship(authorizer):
    attributes = Attributes(OTHER, "get", "configmaps", name="web-config", namespace="dev")
    decision = authorizer.authorize(attributes)
    assert decision.reason == "no relationship found between node 'worker-2' and this object"
    assert forbidden_message(attributes, decision.reason).endswith(
        'in the namespace "dev": no relationship found between node \'worker-2\' and this '
        "object")


def test_the_graph_forgets_a_pod_that_moves_away(authorizer):
    chosen = NodeRBAC()
    pod = {"kind": "Pod", "metadata": {"name": "a", "namespace": "dev"},
           "spec": {"nodeName": "worker-1", "volumes": [{"name": "v",
                                                         "configMap": {"name": "cfg"}}]}}
    chosen.reset({"/registry/pods/dev/a": pod})
    assert ask(chosen, KUBELET, "get", "configmaps", "dev", "cfg")
    chosen.apply("/registry/pods/dev/a", None)
    assert not ask(chosen, KUBELET, "get", "configmaps", "dev", "cfg")


def test_every_default_role_is_valid_and_labelled():
    from k8slab.api.defaults import apply_defaults
    from k8slab.api.validation import validate

    for obj in cluster_roles() + cluster_role_bindings():
        validate(apply_defaults(obj))
        assert obj["metadata"]["labels"]["kubernetes.io/bootstrapping"] == "rbac-defaults"
    assert set(CLUSTER_ROLES) >= {"cluster-admin", "admin", "edit", "view", "system:node",
                                  "system:kube-scheduler", "system:kube-controller-manager"}
