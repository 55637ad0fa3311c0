"""A control panel for authorization: choose who asks (one of kubeadm's identities, a
ServiceAccount, or jane, a user nobody has bound yet), a verb, a resource and a namespace, and
see the API server's answer with the binding and role that decided it, beside a grid of the
same user's answers for every verb and resource the panel knows.

Every answer is `Cluster.authorize`: a SelfSubjectAccessReview sent as that user (the admin
impersonating it), decided by kube-apiserver's Node and RBAC authorizers as any request is. The
button binds jane to the ClusterRole `view` in the chosen namespace with a RoleBinding
(`kubectl apply`), or removes it (`kubectl delete`), and shows jane's answers, which change
as you watch.
ipywidgets loads on first use.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING

from k8slab.errors import K8sLabError
from k8slab.lab.authorization_view import denial_text
from k8slab.lab.widgets.panel import Panel

if TYPE_CHECKING:
    from k8slab.lab.authorization_view import Decision
    from k8slab.lab.cluster import Cluster

VERBS = ("get", "list", "watch", "create", "update", "delete")
# The resources the panel asks about: their API group, and whether they live in a namespace.
RESOURCES = {"pods": ("", True), "pods/log": ("", True), "pods/exec": ("", True),
             "services": ("", True), "configmaps": ("", True), "secrets": ("", True),
             "deployments": ("apps", True), "nodes": ("", False),
             "rolebindings": ("rbac.authorization.k8s.io", True)}
NAMESPACES = ("default", "kube-system")
JANE = "jane"
BINDING = "jane-view"  # the RoleBinding the button makes, to the ClusterRole view
NO_REASON = "no reason given (the Node authorizer and system:masters give none)"
SETTLE_SECONDS = 1  # the authorizers read the watch cache: a new binding counts a moment later
ALLOWED_COLOUR, DENIED_COLOUR = "#c8e6c9", "#ffcdd2"
ABOUT = ("User, verb, resource, namespace: what to ask (a SelfSubjectAccessReview as that "
         "user) · the grid: the same user's answer for every verb and resource here · "
         f"Bind jane: kubectl apply a RoleBinding {BINDING} of ClusterRole view to User jane "
         f"in the chosen namespace (or kubectl delete it), then {SETTLE_SECONDS} s run.")


@dataclass(frozen=True)
class Identity:
    """Someone who can ask: a label for the dropdown, the user name and the groups its
    credential carries (kubeadm's certificates put the groups in O=)."""

    label: str
    user: str
    groups: tuple[str, ...] = ()


def identities(cluster: Cluster) -> list[Identity]:
    """kubeadm's identities on this cluster (reference i.3), a ServiceAccount, and jane."""
    nodes = [h for h in cluster.hosts if h.startswith("worker-")] or cluster.control_planes
    return [
        Identity("kubernetes-admin (admin.conf)", "kubernetes-admin",
                 ("kubeadm:cluster-admins",)),
        Identity("system:kube-scheduler (scheduler.conf)", "system:kube-scheduler"),
        Identity("system:kube-controller-manager", "system:kube-controller-manager"),
        Identity(f"system:node:{nodes[0]} (kubelet.conf)", f"system:node:{nodes[0]}",
                 ("system:nodes",)),
        Identity("ServiceAccount default/default", "system:serviceaccount:default:default"),
        Identity("jane (a new user)", JANE),
    ]


def jane_binding(namespace: str) -> dict:
    """RoleBinding `jane-view` in `namespace`: User jane gets the ClusterRole view there."""
    return {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
            "metadata": {"name": BINDING, "namespace": namespace},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                        "name": "view"},
            "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User",
                          "name": JANE}]}


class AuthorizationPanel(Panel):
    """Dropdowns for who asks what where, the answer and what decided it, a grid of the user's
    answers, and a button that binds jane (or unbinds her) in the chosen namespace.

    Show it with `AuthorizationPanel(cluster).ui` as a cell's last expression.
    """

    def __init__(self, cluster: Cluster, namespaces: Sequence[str] = NAMESPACES) -> None:
        import ipywidgets as widgets

        if not namespaces or not all(isinstance(n, str) and n for n in namespaces):
            raise K8sLabError(f"namespaces must be a list of namespace names, got "
                              f"{namespaces!r}")
        for namespace in namespaces:
            cluster.get("namespaces", namespace, None)  # NotFound names a missing one
        super().__init__(cluster)
        self.identities = identities(cluster)
        self.jane = next(i for i in self.identities if i.user == JANE)
        self.answers: dict[tuple[str, str, str], Decision] = {}
        self.user_dropdown = widgets.Dropdown(
            options=[(i.label, i) for i in self.identities], value=self.jane,
            description="User")
        self.verb_dropdown = widgets.Dropdown(options=VERBS, value="list", description="Verb")
        self.resource_dropdown = widgets.Dropdown(options=list(RESOURCES), value="pods",
                                                  description="Resource")
        self.namespace_dropdown = widgets.Dropdown(options=list(namespaces),
                                                   value=namespaces[0], description="Namespace")
        self.bind_button = widgets.Button(button_style="warning")
        for dropdown in (self.user_dropdown, self.namespace_dropdown):
            dropdown.observe(lambda _: self._forget_and_ask(), names="value")
        for dropdown in (self.verb_dropdown, self.resource_dropdown):
            dropdown.observe(lambda _: self.ask(), names="value")
        self._wire((self.bind_button, self.toggle_binding))
        self._lay_out([[self.user_dropdown, self.namespace_dropdown],
                       [self.verb_dropdown, self.resource_dropdown, self.bind_button]],
                      about=ABOUT)
        self.ask()

    # -- handlers -------------------------------------------------------------------------------

    def ask(self) -> None:
        """Ask the chosen question and say the answer: allowed, by which binding and role (or
        which authorizer), or denied with the API server's 403 message."""
        identity, verb, resource = (self.user_dropdown.value, self.verb_dropdown.value,
                                    self.resource_dropdown.value)
        self._attempt(lambda: self.explain(identity, verb, resource))

    def toggle_binding(self) -> None:
        """`kubectl apply` the RoleBinding jane-view in the chosen namespace, or `kubectl
        delete` it if it is there; then 1 s, and ask again as jane."""
        namespace = self.namespace_dropdown.value

        def act() -> str:
            if self._jane_bound(namespace):
                said = self.cluster.kubectl(f"delete rolebinding {BINDING} -n {namespace}")
            else:
                said = "\n".join(self.cluster.apply(jane_binding(namespace)))
            self.cluster.run(SETTLE_SECONDS)
            self.answers.clear()
            self.user_dropdown.value = self.jane
            answer = self.explain(self.jane, self.verb_dropdown.value,
                                  self.resource_dropdown.value)
            return f"{said.strip()} · now: {answer}"
        self._attempt(act)

    def refresh(self) -> None:
        """Redraw the status line, the button's words and the grid of the chosen user."""
        namespace = self.namespace_dropdown.value
        identity = self.user_dropdown.value
        bound = self._jane_bound(namespace)
        self.bind_button.description = "Unbind jane" if bound else "Bind jane: view"
        groups = ", ".join(identity.groups) or "none besides system:authenticated"
        self.status.value = (f"t = {self.cluster.now:.1f} s · {identity.user} (groups: "
                             f"{groups}) · rolebinding/{BINDING} in {namespace}: "
                             f"{'present' if bound else 'absent'}")
        self.chart.value = self._grid_html(identity, namespace)

    # -- answers --------------------------------------------------------------------------------

    def decision(self, identity: Identity, verb: str, resource: str) -> Decision:
        """The API server's answer for `identity` in the chosen namespace (kept until the user,
        the namespace or the bindings change)."""
        namespace = self._scope(resource)
        key = (identity.user, verb, resource)
        if key not in self.answers:
            self.answers[key] = self.cluster.authorize(identity.user, verb, resource, namespace,
                                                       groups=identity.groups)
        return self.answers[key]

    def explain(self, identity: Identity, verb: str, resource: str) -> str:
        """One line: `allowed — <what decided>` or `denied — <the 403 the request would get>`."""
        decision = self.decision(identity, verb, resource)
        if decision.allowed:
            return f"allowed — {decision.reason or NO_REASON}"
        text = denial_text(identity.user, identity.groups, verb, resource,
                           self._scope(resource) or "", RESOURCES[resource][0], decision.reason)
        return f"denied — {text}"

    # -- helpers --------------------------------------------------------------------------------

    def _forget_and_ask(self) -> None:
        self.answers.clear()
        self.ask()

    def _scope(self, resource: str) -> str | None:
        """The chosen namespace for a namespaced resource, None for a cluster-scoped one."""
        return self.namespace_dropdown.value if RESOURCES[resource][1] else None

    def _jane_bound(self, namespace: str) -> bool:
        return any(b["metadata"]["name"] == BINDING
                   for b in self.cluster.list("rolebindings", namespace))

    def _grid_html(self, identity: Identity, namespace: str) -> str:
        """A table: a row per verb, a column per resource, green where allowed, red where not;
        the chosen question framed."""
        chosen = (self.verb_dropdown.value, self.resource_dropdown.value)
        head = "".join(f"<th style='padding:2px 6px'>{escape(r)}</th>" for r in RESOURCES)
        rows = []
        for verb in VERBS:
            cells = []
            for resource in RESOURCES:
                allowed = self.decision(identity, verb, resource).allowed
                frame = "outline:2px solid #333;" if (verb, resource) == chosen else ""
                colour = ALLOWED_COLOUR if allowed else DENIED_COLOUR
                cells.append(f"<td title='{escape(verb)} {escape(resource)}: "
                             f"{'allowed' if allowed else 'denied'}' style='background:{colour};"
                             f"{frame}text-align:center;padding:2px 6px'>"
                             f"{'yes' if allowed else 'no'}</td>")
            rows.append(f"<tr><th style='text-align:left;padding:2px 6px'>{verb}</th>"
                        f"{''.join(cells)}</tr>")
        caption = (f"<caption style='text-align:left'>{escape(identity.user)} in namespace "
                   f"{escape(namespace)} (nodes: cluster-wide)</caption>")
        return (f"<table style='border-collapse:collapse;font-size:12px'>{caption}"
                f"<thead><tr><th></th>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>")
