"""The RBAC authorizer: a request is allowed when a rule of a role bound to its user allows it.

plugin/pkg/auth/authorizer/rbac/rbac.go: the rules of every ClusterRoleBinding's ClusterRole,
then (for a namespaced request) of every RoleBinding in that namespace, are visited in order
until one allows; RBAC never denies, it has no opinion. It reads the API server's watch cache,
never etcd, through `RBACIndex`, which keeps the bindings by subject so that a decision looks
at the bindings of this user and its groups only, not at every binding in the cluster.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from k8slab.apiserver.authorization import ALLOW, NO_OPINION, Decision
from k8slab.apiserver.authorization.rules import rule_allows
from k8slab.apiserver.request_info import SYSTEM_MASTERS, Attributes, UserInfo

PREFIX = "/registry/"
ROLES, CLUSTER_ROLES = "/registry/roles/", "/registry/clusterroles/"
BINDINGS, CLUSTER_BINDINGS = "/registry/rolebindings/", "/registry/clusterrolebindings/"
SERVICE_ACCOUNT_PREFIX = "system:serviceaccount:"


def subject_user(subject: dict, binding_namespace: str) -> tuple[str, str]:
    """The (kind, name) an authenticated user must match for this subject: ("user", "jane"),
    ("group", "dev"), or a ServiceAccount as the user `system:serviceaccount:<ns>:<name>`
    (its namespace defaults to the binding's)."""
    kind = subject.get("kind", "")
    if kind == "ServiceAccount":
        namespace = subject.get("namespace") or binding_namespace
        return "user", f"{SERVICE_ACCOUNT_PREFIX}{namespace}:{subject.get('name', '')}"
    return ("group" if kind == "Group" else "user"), subject.get("name", "")


def describe_subject(subject: dict, binding_namespace: str) -> str:
    """rbac.go describeSubject: `User "jane"`, `ServiceAccount "coredns/kube-system"`."""
    if subject.get("kind") == "ServiceAccount":
        namespace = subject.get("namespace") or binding_namespace
        return f'ServiceAccount "{subject.get("name", "")}/{namespace}"'
    return f'{subject.get("kind", "")} "{subject.get("name", "")}"'


@dataclass(frozen=True)
class Grant:
    """One rule a user holds, and the binding that grants it (for the allow reason)."""

    rule: dict
    source: str


class RBACIndex:
    """The RBAC objects of the watch cache: roles by key, bindings by the subjects they name.
    `apply` follows every change the cache sees; `reset` rebuilds after a re-list."""

    def __init__(self) -> None:
        self.objects: dict[str, dict] = {}
        # (kind, name) of a subject -> binding keys naming it, in insertion order
        self.by_subject: dict[tuple[str, str], dict[str, None]] = {}

    def reset(self, objects: dict[str, dict]) -> None:
        """Forget everything and index the RBAC objects among `objects` (sorted by key)."""
        self.objects, self.by_subject = {}, {}
        for key in sorted(objects):
            self.apply(key, objects[key])

    def apply(self, key: str, obj: dict | None) -> None:
        """Follow one change in the cache (obj None: deleted); other kinds are ignored."""
        if not key.startswith((ROLES, CLUSTER_ROLES, BINDINGS, CLUSTER_BINDINGS)):
            return
        old = self.objects.pop(key, None)
        if old is not None and key.startswith((BINDINGS, CLUSTER_BINDINGS)):
            for subject in self._subjects(old):
                self.by_subject.get(subject, {}).pop(key, None)
        if obj is None:
            return
        self.objects[key] = obj
        if key.startswith((BINDINGS, CLUSTER_BINDINGS)):
            for subject in self._subjects(obj):
                self.by_subject.setdefault(subject, {})[key] = None

    @staticmethod
    def _subjects(binding: dict) -> list[tuple[str, str]]:
        namespace = binding["metadata"].get("namespace", "")
        return [subject_user(s, namespace) for s in binding.get("subjects") or []]

    def bindings_for(self, user: UserInfo, namespace: str) -> list[dict]:
        """The bindings naming this user or one of its groups: ClusterRoleBindings first, then
        the RoleBindings of `namespace`, each group sorted by key (etcd's order)."""
        keys: set[str] = set()
        for subject in [("user", user.name), *(("group", g) for g in user.groups)]:
            keys.update(self.by_subject.get(subject, {}))
        cluster = sorted(k for k in keys if k.startswith(CLUSTER_BINDINGS))
        local = sorted(k for k in keys if namespace and k.startswith(f"{BINDINGS}{namespace}/"))
        return [self.objects[k] for k in cluster + local]

    def role_rules(self, binding: dict) -> list[dict] | None:
        """The rules of the role a binding refers to, or None when that role does not exist."""
        ref = binding.get("roleRef") or {}
        if ref.get("kind") == "ClusterRole":
            role = self.objects.get(f"{CLUSTER_ROLES}{ref.get('name', '')}")
        else:
            namespace = binding["metadata"].get("namespace", "")
            role = self.objects.get(f"{ROLES}{namespace}/{ref.get('name', '')}")
        return None if role is None else list(role.get("rules") or [])

    def grants(self, user: UserInfo, namespace: str) -> Iterator[Grant]:
        """Every rule this user holds in `namespace` ("" = cluster-wide only), with its source."""
        for binding in self.bindings_for(user, namespace):
            rules = self.role_rules(binding)
            if rules is None:
                continue
            source = _describe(binding, user)
            for rule in rules:
                yield Grant(rule, source)


def _describe(binding: dict, user: UserInfo) -> str:
    """rbac.go's clusterRoleBindingDescriber / roleBindingDescriber, with the subject that
    matched this user."""
    meta, ref = binding["metadata"], binding.get("roleRef") or {}
    namespace = meta.get("namespace", "")
    subject = next(s for s in binding.get("subjects") or []
                   if subject_user(s, namespace) in
                   [("user", user.name), *(("group", g) for g in user.groups)])
    name = f"{meta['name']}/{namespace}" if namespace else meta["name"]
    kind = "RoleBinding" if namespace else "ClusterRoleBinding"
    return (f'{kind} "{name}" of {ref.get("kind", "")} "{ref.get("name", "")}" to '
            f"{describe_subject(subject, namespace)}")


class RBACAuthorizer:
    """--authorization-mode=RBAC over an `RBACIndex` of the watch cache."""

    name = "RBAC"

    def __init__(self, index: RBACIndex) -> None:
        self.index = index

    def authorize(self, attributes: Attributes) -> Decision:
        """Allow, naming the binding and role, when some granted rule allows; else no opinion."""
        grant = self.allowing(attributes)
        if grant is not None:
            return Decision(ALLOW, f"RBAC: allowed by {grant.source}", self.name)
        return Decision(NO_OPINION, "", self.name)

    def allowing(self, attributes: Attributes) -> Grant | None:
        """The first granted rule that allows the request, or None."""
        for grant in self.index.grants(attributes.user, attributes.namespace):
            if rule_allows(attributes, grant.rule):
                return grant
        return None


class PrivilegedGroups:
    """kube-apiserver's first authorizer: system:masters may do anything, RBAC or not
    (authorizerfactory.NewPrivilegedGroups)."""

    name = "PrivilegedGroups"

    def authorize(self, attributes: Attributes) -> Decision:
        """Allow a member of system:masters; no opinion on anyone else."""
        if SYSTEM_MASTERS in attributes.user.groups:
            return Decision(ALLOW, "", self.name)
        return Decision(NO_OPINION, "", self.name)
