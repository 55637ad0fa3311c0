"""Upstream's default ClusterRoles and ClusterRoleBindings, which kube-apiserver creates and
reconciles at every start (its bootstrap policy).

Facts from kk plugin/pkg/auth/authorizer/rbac/bootstrappolicy/testdata/cluster-roles.yaml,
cluster-role-bindings.yaml and controller-roles.yaml (the golden files of policy.go and
controller_policy.go; a recent copy, reference i.4). Every role is here as upstream writes it,
also the rules for resources k8slab does not model (they match nothing). Left out: the
certificates, CSI, volume and DRA roles, and the system:controller:* roles of controllers the
lab does not run (k8slab.controllers.accounts says which account each controller runs as).
"""

from __future__ import annotations

RBAC_GROUP = "rbac.authorization.k8s.io"
BOOTSTRAP_LABEL = ("kubernetes.io/bootstrapping", "rbac-defaults")
AUTOUPDATE = "rbac.authorization.kubernetes.io/autoupdate"
READ = ("get", "list", "watch")
WRITE = ("create", "delete", "deletecollection", "patch", "update")
EVENTS = (("create", "patch", "update"), ("", "events.k8s.io"), ("events",))


def rule(verbs: tuple, groups: tuple, resources: tuple, names: tuple = ()) -> dict:
    """One PolicyRule on resources."""
    out = {"apiGroups": list(groups), "resources": list(resources), "verbs": list(verbs)}
    if names:
        out["resourceNames"] = list(names)
    return out


def urls(verbs: tuple, paths: tuple) -> dict:
    """One PolicyRule on non-resource URLs."""
    return {"nonResourceURLs": list(paths), "verbs": list(verbs)}


_VIEW = [
    rule(READ, ("",), ("configmaps", "endpoints", "persistentvolumeclaims",
                       "persistentvolumeclaims/status", "pods", "replicationcontrollers",
                       "replicationcontrollers/scale", "serviceaccounts", "services",
                       "services/status")),
    rule(READ, ("",), ("bindings", "events", "limitranges", "namespaces/status", "pods/log",
                       "pods/status", "replicationcontrollers/status", "resourcequotas",
                       "resourcequotas/status")),
    rule(READ, ("",), ("namespaces",)),
    rule(READ, ("discovery.k8s.io",), ("endpointslices",)),
    rule(READ, ("apps",), ("controllerrevisions", "daemonsets", "daemonsets/status",
                           "deployments", "deployments/scale", "deployments/status",
                           "replicasets", "replicasets/scale", "replicasets/status",
                           "statefulsets", "statefulsets/scale", "statefulsets/status")),
    rule(READ, ("autoscaling",), ("horizontalpodautoscalers",
                                  "horizontalpodautoscalers/status")),
    rule(READ, ("batch",), ("cronjobs", "cronjobs/status", "jobs", "jobs/status")),
    rule(READ, ("extensions",), ("daemonsets", "daemonsets/status", "deployments",
                                 "deployments/scale", "deployments/status", "ingresses",
                                 "ingresses/status", "networkpolicies", "replicasets",
                                 "replicasets/scale", "replicasets/status",
                                 "replicationcontrollers/scale")),
    rule(READ, ("policy",), ("poddisruptionbudgets", "poddisruptionbudgets/status")),
    rule(READ, ("networking.k8s.io",), ("ingresses", "ingresses/status", "networkpolicies")),
]
_EDIT = [
    rule(READ, ("",), ("pods/attach", "pods/exec", "pods/portforward", "pods/proxy", "secrets",
                       "services/proxy")),
    rule(("impersonate",), ("",), ("serviceaccounts",)),
    rule(WRITE, ("",), ("pods", "pods/attach", "pods/exec", "pods/portforward", "pods/proxy")),
    rule(("create",), ("",), ("pods/eviction",)),
    rule(WRITE, ("",), ("configmaps", "events", "persistentvolumeclaims",
                        "replicationcontrollers", "replicationcontrollers/scale", "secrets",
                        "serviceaccounts", "services", "services/proxy")),
    rule(("create",), ("",), ("serviceaccounts/token",)),
    rule(WRITE, ("apps",), ("daemonsets", "deployments", "deployments/rollback",
                            "deployments/scale", "replicasets", "replicasets/scale",
                            "statefulsets", "statefulsets/scale")),
    rule(WRITE, ("autoscaling",), ("horizontalpodautoscalers",)),
    rule(WRITE, ("batch",), ("cronjobs", "jobs")),
    rule(WRITE, ("extensions",), ("daemonsets", "deployments", "deployments/rollback",
                                  "deployments/scale", "ingresses", "networkpolicies",
                                  "replicasets", "replicasets/scale",
                                  "replicationcontrollers/scale")),
    rule(WRITE, ("policy",), ("poddisruptionbudgets",)),
    rule(WRITE, ("networking.k8s.io",), ("ingresses", "networkpolicies")),
    rule(("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"),
         ("coordination.k8s.io",), ("leases",)),
]
_ADMIN = [
    rule(("create",), ("authorization.k8s.io",), ("localsubjectaccessreviews",)),
    rule(("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"),
         (RBAC_GROUP,), ("rolebindings", "roles")),
]
_REVIEWS = [rule(("create",), ("authentication.k8s.io",), ("tokenreviews",)),
            rule(("create",), ("authorization.k8s.io",), ("subjectaccessreviews",))]
_LEADER = "coordination.k8s.io"

# name -> (rules, aggregate-to label it carries or "", the label its aggregationRule selects)
CLUSTER_ROLES: dict[str, tuple[list[dict], str, str]] = {
    "cluster-admin": ([rule(("*",), ("*",), ("*",)), urls(("*",), ("*",))], "", ""),
    "admin": ([], "", "admin"),
    "edit": ([], "admin", "edit"),
    "view": ([], "edit", "view"),
    "system:aggregate-to-admin": (_ADMIN, "admin", ""),
    "system:aggregate-to-edit": (_EDIT, "edit", ""),
    "system:aggregate-to-view": (_VIEW, "view", ""),
    "system:auth-delegator": (_REVIEWS, "", ""),
    "system:basic-user": ([
        rule(("create",), ("authorization.k8s.io",), ("selfsubjectaccessreviews",
                                                      "selfsubjectrulesreviews")),
        rule(("create",), ("authentication.k8s.io",), ("selfsubjectreviews",))], "", ""),
    "system:discovery": ([urls(("get",), ("/api", "/api/*", "/apis", "/apis/*", "/healthz",
                                          "/livez", "/openapi", "/openapi/*", "/readyz",
                                          "/version", "/version/"))], "", ""),
    "system:public-info-viewer": ([urls(("get",), ("/healthz", "/livez", "/readyz",
                                                   "/version", "/version/"))], "", ""),
    "system:monitoring": ([urls(("get",), ("/healthz", "/healthz/*", "/livez", "/livez/*",
                                           "/metrics", "/metrics/slis", "/readyz",
                                           "/readyz/*"))], "", ""),
    "system:service-account-issuer-discovery": ([urls(("get",), (
        "/.well-known/openid-configuration", "/openid/v1/jwks"))], "", ""),
    "system:kube-dns": ([rule(("list", "watch"), ("",), ("endpoints", "services"))], "", ""),
    "system:node": ([
        *_REVIEWS[:1],
        rule(("create",), ("authorization.k8s.io",), ("localsubjectaccessreviews",
                                                      "subjectaccessreviews")),
        rule(READ, ("",), ("services",)),
        rule(("create", "get", "list", "watch"), ("",), ("nodes",)),
        rule(("patch", "update"), ("",), ("nodes/status",)),
        rule(("patch", "update"), ("",), ("nodes",)),
        rule(("create", "patch", "update"), ("",), ("events",)),
        rule(READ, ("",), ("pods",)),
        rule(("create", "delete"), ("",), ("pods",)),
        rule(("patch", "update"), ("",), ("pods/status",)),
        rule(("create",), ("",), ("pods/eviction",)),
        rule(READ, ("",), ("configmaps", "secrets")),
        rule(("get",), ("",), ("persistentvolumeclaims", "persistentvolumes")),
        rule(("get",), ("",), ("endpoints",)),
        rule(("create", "get", "list", "watch"), ("certificates.k8s.io",),
             ("certificatesigningrequests",)),
        rule(("create", "delete", "get", "patch", "update"), (_LEADER,), ("leases",)),
        rule(("get",), ("storage.k8s.io",), ("volumeattachments",)),
        rule(("create",), ("",), ("serviceaccounts/token",)),
        rule(("get", "patch", "update"), ("",), ("persistentvolumeclaims/status",)),
        rule(READ, ("storage.k8s.io",), ("csidrivers",)),
        rule(("create", "delete", "get", "patch", "update"), ("storage.k8s.io",), ("csinodes",)),
        rule(READ, ("node.k8s.io",), ("runtimeclasses",))], "", ""),
    "system:node-proxier": ([
        rule(("list", "watch"), ("",), ("endpoints", "services")),
        rule(READ, ("",), ("nodes",)),
        rule(*EVENTS),
        rule(("list", "watch"), ("discovery.k8s.io",), ("endpointslices",))], "", ""),
    "system:kube-scheduler": ([
        rule(*EVENTS),
        rule(("create",), (_LEADER,), ("leases",)),
        rule(("get", "update"), (_LEADER,), ("leases",), ("kube-scheduler",)),
        rule(READ, ("",), ("nodes",)),
        rule(("delete", "get", "list", "watch"), ("",), ("pods",)),
        rule(("create",), ("",), ("bindings", "pods/binding")),
        rule(("patch", "update"), ("",), ("pods/status",)),
        rule(READ, ("",), ("replicationcontrollers", "services")),
        rule(READ, ("apps", "extensions"), ("replicasets",)),
        rule(READ, ("apps",), ("statefulsets",)),
        rule(READ, ("policy",), ("poddisruptionbudgets",)),
        rule(READ, ("",), ("persistentvolumeclaims", "persistentvolumes")),
        *_REVIEWS,
        rule(READ, ("storage.k8s.io",), ("csinodes",)),
        rule(READ, ("",), ("namespaces",)),
        rule(READ, ("storage.k8s.io",), ("csidrivers",)),
        rule(READ, ("storage.k8s.io",), ("csistoragecapacities",))], "", ""),
    "system:kube-controller-manager": ([
        rule(*EVENTS),
        rule(("create",), (_LEADER,), ("leases",)),
        rule(("get", "update"), (_LEADER,), ("leases",), ("kube-controller-manager",)),
        rule(("create",), ("",), ("secrets", "serviceaccounts")),
        rule(("delete",), ("",), ("secrets",)),
        rule(("get",), ("",), ("configmaps", "namespaces", "secrets", "serviceaccounts")),
        rule(("update",), ("",), ("secrets", "serviceaccounts")),
        *_REVIEWS,
        rule(("list", "watch"), ("*",), ("*",)),
        rule(("create",), ("",), ("serviceaccounts/token",))], "", ""),
    # The controllers kube-controller-manager runs as their own ServiceAccounts
    # (--use-service-account-credentials=true, as kubeadm sets it).
    "system:controller:clusterrole-aggregation-controller": ([
        rule(("escalate", "get", "list", "patch", "update", "watch"), (RBAC_GROUP,),
             ("clusterroles",))], "", ""),
    "system:controller:daemon-set-controller": ([
        rule(READ, ("apps", "extensions"), ("daemonsets",)),
        rule(("update",), ("apps", "extensions"), ("daemonsets/status",)),
        rule(("update",), ("apps", "extensions"), ("daemonsets/finalizers",)),
        rule(("list", "watch"), ("",), ("nodes",)),
        rule(("create", "delete", "list", "patch", "watch"), ("",), ("pods",)),
        rule(("create",), ("",), ("pods/binding",)),
        rule(("create", "delete", "get", "list", "patch", "update", "watch"), ("apps",),
             ("controllerrevisions",)),
        rule(*EVENTS)], "", ""),
    "system:controller:deployment-controller": ([
        rule(("get", "list", "update", "watch"), ("apps", "extensions"), ("deployments",)),
        rule(("update",), ("apps", "extensions"), ("deployments/status",)),
        rule(("update",), ("apps", "extensions"), ("deployments/finalizers",)),
        rule(("create", "delete", "get", "list", "patch", "update", "watch"),
             ("apps", "extensions"), ("replicasets",)),
        rule(("get", "list", "update", "watch"), ("",), ("pods",)),
        rule(*EVENTS)], "", ""),
    "system:controller:endpointslice-controller": ([
        rule(READ, ("",), ("nodes", "pods", "services")),
        rule(("update",), ("",), ("services/finalizers",)),
        rule(("create", "delete", "get", "list", "update", "watch"), ("discovery.k8s.io",),
             ("endpointslices",)),
        rule(*EVENTS)], "", ""),
    "system:controller:generic-garbage-collector": ([
        rule(("delete", "get", "list", "patch", "update", "watch"), ("*",), ("*",)),
        rule(*EVENTS)], "", ""),
    "system:controller:job-controller": ([
        rule(("get", "list", "patch", "update", "watch"), ("batch",), ("jobs",)),
        rule(("update",), ("batch",), ("jobs/status",)),
        rule(("update",), ("batch",), ("jobs/finalizers",)),
        rule(("create", "delete", "list", "patch", "watch"), ("",), ("pods",)),
        rule(*EVENTS)], "", ""),
    "system:controller:namespace-controller": ([
        rule(("delete", "get", "list", "watch"), ("",), ("namespaces",)),
        rule(("update",), ("",), ("namespaces/finalize", "namespaces/status")),
        rule(("delete", "deletecollection", "get", "list", "watch"), ("*",), ("*",))], "", ""),
    "system:controller:node-controller": ([
        rule(("delete", "get", "list", "patch", "update", "watch"), ("",), ("nodes",)),
        rule(("patch", "update"), ("",), ("nodes/status",)),
        rule(("patch", "update"), ("",), ("pods/status",)),
        rule(("delete", "get", "list", "watch"), ("",), ("pods",)),
        rule(*EVENTS)], "", ""),
    "system:controller:resourcequota-controller": ([
        # quota counts anything, so it may list and watch everything (controller_policy.go)
        rule(("list", "watch"), ("*",), ("*",)),
        rule(("update",), ("",), ("resourcequotas/status",)),
        rule(*EVENTS)], "", ""),
    "system:controller:root-ca-cert-publisher": ([
        rule(("create", "update"), ("",), ("configmaps",)),
        rule(*EVENTS)], "", ""),
    "system:controller:service-account-controller": ([
        rule(("create",), ("",), ("serviceaccounts",)),
        rule(*EVENTS)], "", ""),
    "system:controller:replicaset-controller": ([
        rule(("get", "list", "update", "watch"), ("apps", "extensions"), ("replicasets",)),
        rule(("update",), ("apps", "extensions"), ("replicasets/status",)),
        rule(("update",), ("apps", "extensions"), ("replicasets/finalizers",)),
        rule(("create", "delete", "list", "patch", "watch"), ("",), ("pods",)),
        rule(*EVENTS)], "", ""),
    "system:controller:replication-controller": ([
        rule(("get", "list", "update", "watch"), ("",), ("replicationcontrollers",)),
        rule(("update",), ("",), ("replicationcontrollers/status",)),
        rule(("update",), ("",), ("replicationcontrollers/finalizers",)),
        rule(("create", "delete", "list", "patch", "watch"), ("",), ("pods",)),
        rule(*EVENTS)], "", ""),
    "system:controller:statefulset-controller": ([
        rule(("list", "watch"), ("",), ("pods",)),
        rule(READ, ("apps",), ("statefulsets",)),
        rule(("update",), ("apps",), ("statefulsets/status",)),
        rule(("update",), ("apps",), ("statefulsets/finalizers",)),
        rule(("create", "delete", "get", "patch", "update"), ("",), ("pods",)),
        rule(("create", "delete", "get", "list", "patch", "update", "watch"), ("apps",),
             ("controllerrevisions",)),
        rule(("create", "get", "list", "watch"), ("",), ("persistentvolumeclaims",)),
        rule(("delete", "update"), ("",), ("persistentvolumeclaims",)),
        rule(("update",), ("",), ("pods/finalizers",)),
        rule(*EVENTS)], "", ""),
}
def _user(name: str) -> dict:
    return {"apiGroup": RBAC_GROUP, "kind": "User", "name": name}


def _group(name: str) -> dict:
    return {"apiGroup": RBAC_GROUP, "kind": "Group", "name": name}


def _account(namespace: str, name: str) -> dict:
    return {"kind": "ServiceAccount", "name": name, "namespace": namespace}


# ClusterRoleBinding name (= the ClusterRole it binds) -> subjects.
CLUSTER_ROLE_BINDINGS: dict[str, list[dict]] = {
    "cluster-admin": [_group("system:masters")],
    "system:basic-user": [_group("system:authenticated")],
    "system:discovery": [_group("system:authenticated")],
    "system:public-info-viewer": [_group("system:authenticated"),
                                  _group("system:unauthenticated")],
    "system:monitoring": [_group("system:monitoring")],
    "system:service-account-issuer-discovery": [_group("system:serviceaccounts")],
    "system:kube-controller-manager": [_user("system:kube-controller-manager")],
    "system:kube-dns": [_account("kube-system", "kube-dns")],
    "system:kube-scheduler": [_user("system:kube-scheduler")],
    "system:node": [],  # the Node authorizer does this job (reference i.4)
    "system:node-proxier": [_user("system:kube-proxy")],
    # Each controller role to its ServiceAccount in kube-system (controller-role-bindings.yaml).
    **{name: [_account("kube-system", name.removeprefix("system:controller:"))]
       for name in CLUSTER_ROLES if name.startswith("system:controller:")},
}


def _metadata(name: str, extra_labels: dict[str, str]) -> dict:
    return {"name": name, "labels": {BOOTSTRAP_LABEL[0]: BOOTSTRAP_LABEL[1], **extra_labels},
            "annotations": {AUTOUPDATE: "true"}}


def cluster_roles() -> list[dict]:
    """Every default ClusterRole as an object, in name order."""
    out = []
    for name in sorted(CLUSTER_ROLES):
        rules, aggregate_to, selects = CLUSTER_ROLES[name]
        labels = {f"{RBAC_GROUP}/aggregate-to-{aggregate_to}": "true"} if aggregate_to else {}
        role = {"apiVersion": f"{RBAC_GROUP}/v1", "kind": "ClusterRole",
                "metadata": _metadata(name, labels), "rules": [dict(r) for r in rules]}
        if selects:
            role["aggregationRule"] = {"clusterRoleSelectors": [
                {"matchLabels": {f"{RBAC_GROUP}/aggregate-to-{selects}": "true"}}]}
        out.append(role)
    return out


def cluster_role_bindings() -> list[dict]:
    """Every default ClusterRoleBinding as an object, in name order."""
    return [{"apiVersion": f"{RBAC_GROUP}/v1", "kind": "ClusterRoleBinding",
             "metadata": _metadata(name, {}),
             "roleRef": {"apiGroup": RBAC_GROUP, "kind": "ClusterRole", "name": name},
             "subjects": [dict(s) for s in CLUSTER_ROLE_BINDINGS[name]]}
            for name in sorted(CLUSTER_ROLE_BINDINGS)]
