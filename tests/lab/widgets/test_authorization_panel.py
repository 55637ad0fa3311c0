"""The authorization panel asks the API server as the chosen user, says what decided, draws the
user's grid, and its button really binds jane: kubectl's own `auth can-i` agrees with every
answer it shows, before and after."""

import ipywidgets as widgets
import pytest

from k8slab.errors import K8sLabError, NotFoundError
from k8slab.lab.cluster import Cluster
from k8slab.lab.widgets.authorization_panel import (
    RESOURCES,
    VERBS,
    AuthorizationPanel,
    identities,
)


@pytest.fixture
def panel() -> AuthorizationPanel:
    return AuthorizationPanel(Cluster(workers=1, seed=1))


def choose(panel, user=None, verb=None, resource=None, namespace=None):
    """Set the dropdowns as a reader would (each change asks again)."""
    if user is not None:
        panel.user_dropdown.value = next(i for i in panel.identities if i.user == user)
    if namespace is not None:
        panel.namespace_dropdown.value = namespace
    if verb is not None:
        panel.verb_dropdown.value = verb
    if resource is not None:
        panel.resource_dropdown.value = resource


def can_i(cluster, identity, verb, resource, namespace):
    """kubectl auth can-i as that identity: an answer reached without the panel."""
    groups = "".join(f" --as-group {g}" for g in identity.groups)
    scope = f" -n {namespace}" if resource not in ("nodes",) else ""
    return cluster.kubectl(f"auth can-i {verb} {resource}{scope} --as {identity.user}{groups}")


def test_jane_starts_denied_with_the_api_servers_403(panel):
    assert isinstance(panel.ui, widgets.VBox)
    assert panel.user_dropdown.value.user == "jane"
    assert panel.message.value == (
        'denied — pods is forbidden: User "jane" cannot list resource "pods" in API group "" '
        'in the namespace "default"')
    assert "rolebinding/jane-view in default: absent" in panel.status.value
    assert panel.bind_button.description == "Bind jane: view"


def test_the_admin_is_allowed_by_kubeadms_binding(panel):
    choose(panel, user="kubernetes-admin", verb="delete", resource="nodes")
    assert panel.message.value == (
        'allowed — RBAC: allowed by ClusterRoleBinding "kubeadm:cluster-admins" of ClusterRole '
        '"cluster-admin" to Group "kubeadm:cluster-admins"')


def test_a_denial_outside_the_core_group_names_its_group(panel):
    choose(panel, verb="create", resource="deployments", namespace="kube-system")
    assert panel.message.value == (
        'denied — deployments.apps is forbidden: User "jane" cannot create resource '
        '"deployments" in API group "apps" in the namespace "kube-system"')


def test_the_button_binds_jane_in_the_chosen_namespace_only_and_unbinds_her(panel):
    cluster = panel.cluster
    panel.bind_button.click()
    assert [b["roleRef"]["name"] for b in cluster.list("rolebindings", "default")
            if b["metadata"]["name"] == "jane-view"] == ["view"]
    assert panel.message.value.startswith("rolebinding.rbac.authorization.k8s.io/jane-view "
                                          "created · now: allowed — RBAC: allowed by "
                                          'RoleBinding "jane-view/default" of ClusterRole "view"')
    assert panel.bind_button.description == "Unbind jane"
    choose(panel, resource="secrets")
    assert panel.message.value.startswith("denied — secrets is forbidden")  # view omits them
    choose(panel, resource="pods", namespace="kube-system")
    assert panel.message.value.startswith("denied — pods is forbidden")
    choose(panel, namespace="default")
    panel.bind_button.click()
    assert not [b for b in cluster.list("rolebindings", "default")
                if b["metadata"]["name"] == "jane-view"]
    assert panel.message.value.endswith(
        'now: denied — pods is forbidden: User "jane" cannot list resource "pods" in API group '
        '"" in the namespace "default"')


def test_binding_shows_janes_answer_whoever_was_chosen(panel):
    choose(panel, user="kubernetes-admin", verb="get", resource="pods/log")
    panel.bind_button.click()
    assert panel.user_dropdown.value.user == "jane"
    assert panel.message.value.endswith('now: allowed — RBAC: allowed by RoleBinding '
                                        '"jane-view/default" of ClusterRole "view" to User '
                                        '"jane"')
    assert "<caption style='text-align:left'>jane in namespace default" in panel.chart.value


def test_every_cell_of_the_grid_is_what_kubectl_auth_can_i_says(panel):
    cluster = panel.cluster
    panel.bind_button.click()
    for identity in identities(cluster)[3:]:  # the node, the ServiceAccount, jane
        choose(panel, user=identity.user)
        for verb in VERBS:
            for resource in RESOURCES:
                shown = panel.decision(identity, verb, resource).allowed
                assert can_i(cluster, identity, verb, resource, "default") == (
                    "yes" if shown else "no"), (identity.user, verb, resource)
        assert panel.chart.value.count(">yes<") + panel.chart.value.count(">no<") == (
            len(VERBS) * len(RESOURCES))


def test_the_node_is_answered_by_the_node_authorizer_with_its_reasons(panel):
    node = next(i for i in panel.identities if i.user.startswith("system:node:"))
    choose(panel, user=node.user, verb="create", resource="pods")  # its mirror pods
    assert panel.message.value == ("allowed — no reason given (the Node authorizer and "
                                   "system:masters give none)")
    choose(panel, verb="delete", resource="configmaps")
    assert panel.message.value == (
        f'denied — configmaps is forbidden: User "{node.user}" cannot delete resource '
        '"configmaps" in API group "" in the namespace "default": can only read resources of '
        "this type")
    choose(panel, verb="list", resource="nodes")
    assert panel.message.value.endswith(
        "at the cluster scope: node can only list/watch its own Node object (fieldSelector "
        "metadata.name=worker-1)")


def test_a_namespace_that_does_not_exist_is_refused_before_anything_is_drawn():
    cluster = Cluster(workers=0, seed=1)
    with pytest.raises(NotFoundError, match='namespaces "nowhere" not found'):
        AuthorizationPanel(cluster, namespaces=["default", "nowhere"])
    with pytest.raises(K8sLabError, match="namespaces must be a list of namespace names"):
        AuthorizationPanel(cluster, namespaces=[])
