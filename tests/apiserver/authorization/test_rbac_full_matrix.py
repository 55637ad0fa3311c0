"""Every default ClusterRole x verbs x resources x scope (cluster-wide binding, namespaced binding,
another namespace, cluster scope) against an oracle written here from upstream's matching rules
(rbac/v1 helpers: VerbMatches, APIGroupMatches, ResourceMatches with `*` and `*/sub`,
ResourceNameMatches), independent of the authorizer's own matcher, index and aggregation."""

from __future__ import annotations

import pytest

from k8slab.apiserver.authorization.bootstrap_policy import cluster_role_bindings, cluster_roles
from k8slab.apiserver.authorization.modes import NodeRBAC
from k8slab.apiserver.request_info import Attributes, UserInfo

RBAC = "rbac.authorization.k8s.io"
VERBS = ("get", "list", "watch", "create", "update", "patch", "delete", "deletecollection",
         "impersonate", "bind", "escalate")
# (group, resource, subresource, namespaced)
RESOURCES = (
    ("", "pods", "", True), ("", "pods", "log", True), ("", "pods", "exec", True),
    ("", "pods", "status", True), ("", "pods", "binding", True), ("", "pods", "eviction", True),
    ("", "services", "", True), ("", "endpoints", "", True), ("", "configmaps", "", True),
    ("", "secrets", "", True), ("", "serviceaccounts", "", True),
    ("", "serviceaccounts", "token", True), ("", "events", "", True),
    ("", "resourcequotas", "", True), ("", "resourcequotas", "status", True),
    ("", "limitranges", "", True), ("", "nodes", "", False), ("", "nodes", "status", False),
    ("", "namespaces", "", False), ("", "namespaces", "finalize", False),
    ("apps", "deployments", "", True), ("apps", "deployments", "scale", True),
    ("apps", "replicasets", "", True), ("apps", "daemonsets", "", True),
    ("apps", "statefulsets", "", True), ("batch", "jobs", "", True),
    ("coordination.k8s.io", "leases", "", True),
    ("discovery.k8s.io", "endpointslices", "", True), ("events.k8s.io", "events", "", True),
    (RBAC, "roles", "", True), (RBAC, "rolebindings", "", True),
    (RBAC, "clusterroles", "", False), (RBAC, "clusterrolebindings", "", False),
    ("scheduling.k8s.io", "priorityclasses", "", False),
    ("apiextensions.k8s.io", "customresourcedefinitions", "", False),
    ("authorization.k8s.io", "selfsubjectaccessreviews", "", False),
    ("authentication.k8s.io", "tokenreviews", "", False),
)
NAMESPACE, OTHER = "dev", "prod"


def _oracle_rules() -> dict[str, list[dict]]:
    """Each default ClusterRole's rules, with admin/edit/view aggregated the way upstream's
    aggregation controller converges (every role labelled aggregate-to-X, recursively)."""
    roles = {r["metadata"]["name"]: r for r in cluster_roles()}

    def labelled(target: str) -> list[str]:
        return sorted(name for name, role in roles.items()
                      if (role["metadata"].get("labels") or {}).get(
                          f"{RBAC}/aggregate-to-{target}") == "true")

    def rules_of(name: str, seen: frozenset = frozenset()) -> list[dict]:
        own = list(roles[name].get("rules") or [])
        if name in ("admin", "edit", "view") and name not in seen:
            for child in labelled(name):
                own += [r for r in rules_of(child, seen | {name}) if r not in own]
        return own

    return {name: rules_of(name) for name in sorted(roles)}


def _matches(rule: dict, verb: str, group: str, resource: str, subresource: str) -> bool:
    if not rule.get("resources"):
        return False  # a non-resource rule
    verbs, groups = rule.get("verbs") or [], rule.get("apiGroups") or []
    if "*" not in verbs and verb not in verbs:
        return False
    if "*" not in groups and group not in groups:
        return False
    if rule.get("resourceNames"):
        return False  # the requests here name no object
    wanted = f"{resource}/{subresource}" if subresource else resource
    return any(r == "*" or r == wanted or (subresource and r == f"*/{subresource}")
               for r in rule["resources"])


ROLES = _oracle_rules()


@pytest.fixture(scope="module")
def authorizer() -> NodeRBAC:
    roles = {r["metadata"]["name"]: r for r in cluster_roles()}
    for name in ("admin", "edit", "view"):  # as the aggregation controller leaves them
        roles[name] = dict(roles[name], rules=ROLES[name])
    objects = {f"/registry/clusterroles/{n}": r for n, r in roles.items()}
    objects.update({f"/registry/clusterrolebindings/{b['metadata']['name']}": b
                    for b in cluster_role_bindings()})  # what system:authenticated gets
    for index, name in enumerate(ROLES):
        subject = [{"apiGroup": RBAC, "kind": "User", "name": f"cluster-{index}"}]
        objects[f"/registry/clusterrolebindings/matrix-{index}"] = {
            "kind": "ClusterRoleBinding", "metadata": {"name": f"matrix-{index}"},
            "roleRef": {"apiGroup": RBAC, "kind": "ClusterRole", "name": name},
            "subjects": subject}
        objects[f"/registry/rolebindings/{NAMESPACE}/matrix-{index}"] = {
            "kind": "RoleBinding", "metadata": {"name": f"matrix-{index}", "namespace": NAMESPACE},
            "roleRef": {"apiGroup": RBAC, "kind": "ClusterRole", "name": name},
            "subjects": [{"apiGroup": RBAC, "kind": "User", "name": f"local-{index}"}]}
    chosen = NodeRBAC()
    chosen.reset(objects)
    return chosen


def _allowed(authorizer: NodeRBAC, user: str, verb: str, group: str, resource: str,
             subresource: str, namespace: str) -> bool:
    # No groups but system:authenticated: the bindings under test are the only way in, except
    # what every authenticated user gets (system:basic-user, system:discovery...).
    who = UserInfo(user, ("system:authenticated",))
    return authorizer.authorize(Attributes(who, verb, resource, subresource, "", namespace,
                                           group, "v1")).allowed


def _everyone(verb: str, group: str, resource: str, subresource: str) -> bool:
    """What system:authenticated alone is allowed (its default bindings)."""
    return any(_matches(rule, verb, group, resource, subresource)
               for name in ("system:basic-user", "system:discovery",
                            "system:public-info-viewer")
               for rule in ROLES.get(name, []))


@pytest.mark.parametrize("index, role", list(enumerate(ROLES)), ids=list(ROLES))
def test_every_default_cluster_role_answers_as_its_rules_say(authorizer, index, role):
    wrong = []
    for group, resource, subresource, namespaced in RESOURCES:
        for verb in VERBS:
            grants = any(_matches(rule, verb, group, resource, subresource)
                         for rule in ROLES[role])
            base = _everyone(verb, group, resource, subresource)
            scopes = ((NAMESPACE, OTHER, "") if namespaced else ("",))
            for namespace in scopes:
                # bound cluster-wide: everywhere; bound in dev: in dev only, never cluster scope
                cases = ((f"cluster-{index}", grants or base),
                         (f"local-{index}", (grants and namespace == NAMESPACE) or base))
                for user, expected in cases:
                    got = _allowed(authorizer, user, verb, group, resource, subresource,
                                   namespace)
                    if got is not expected:
                        wrong.append((user, verb, f"{group}/{resource}/{subresource}",
                                      namespace or "<cluster>", got))
    assert wrong == []
