"""`kubectl auth can-i` (and --list), --as/--as-group, `c.kubectl(..., as_user=...)` and
`c.authorize(...)` on a cluster with kubeadm's Node,RBAC authorization."""

from __future__ import annotations

import pytest

from k8slab.errors import BadRequestError, ForbiddenError, K8sLabError
from k8slab.lab.cluster import Cluster
from tests.pki_fixtures import cluster_credentials

JANE_VIEWS_DEFAULT = """
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: jane-view, namespace: default}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects: [{kind: User, name: jane}]
"""


@pytest.fixture(scope="module")
def cluster() -> Cluster:
    return Cluster(workers=1)


def test_the_admin_can_and_a_new_user_cannot(cluster):
    assert cluster.kubectl("auth can-i list pods") == "yes"
    assert cluster.kubectl("auth can-i list pods --as jane") == "no"
    assert cluster.kubectl("auth can-i get /healthz --as jane") == "yes"
    with pytest.raises(ForbiddenError, match='^pods is forbidden: User "jane" cannot list '
                                             'resource "pods" in API group "" in the namespace '
                                             '"default"$'):
        cluster.kubectl("get pods", as_user="jane")


def test_a_group_given_with_as_group_counts(cluster):
    assert cluster.kubectl("auth can-i delete nodes --as jane --as-group system:masters") == "yes"
    assert cluster.kubectl("auth can-i delete nodes", as_user="jane",
                           as_groups=["system:masters"]) == "yes"


def test_a_role_binding_lets_jane_read_one_namespace_only(cluster):
    cluster.apply(JANE_VIEWS_DEFAULT)
    cluster.run(1)
    assert cluster.kubectl("get pods", as_user="jane") == "No resources found in default namespace."
    assert cluster.kubectl("auth can-i get pods/log --as=jane") == "yes"
    assert cluster.kubectl("auth can-i list pods -n kube-system --as jane") == "no"
    assert cluster.kubectl("auth can-i list secrets --as jane") == "no"
    decision = cluster.authorize("jane", "list", "pods", "default")
    assert decision.allowed
    assert decision.reason == ('RBAC: allowed by RoleBinding "jane-view/default" of ClusterRole '
                               '"view" to User "jane"')
    assert not cluster.authorize("jane", "create", "deployments", "default").allowed


def test_can_i_list_prints_kubectls_table(cluster):
    table = cluster.kubectl("auth can-i --list --as bob").splitlines()
    assert table[0].split() == ["Resources", "Non-Resource", "URLs", "Resource", "Names",
                                "Verbs"]
    assert table[1].split() == ["selfsubjectreviews.authentication.k8s.io", "[]", "[]",
                                "[create]"]
    assert any("/version/" in row and row.endswith("[get]") for row in table)


def test_the_admin_reaches_a_namespace_it_is_bound_in_through_kubeadm(cluster):
    decision = cluster.authorize("kubernetes-admin", "delete", "nodes",
                                 groups=["kubeadm:cluster-admins"])
    assert decision.reason == ('RBAC: allowed by ClusterRoleBinding "kubeadm:cluster-admins" of '
                               'ClusterRole "cluster-admin" to Group "kubeadm:cluster-admins"')


def test_impersonation_needs_the_impersonate_verb(cluster):
    # jane may view pods but not impersonate: the request is refused before it runs as bob.
    from k8slab.client.rest import Client

    def as_jane_impersonating_bob(group):
        client = Client(group, cluster_credentials(cluster, "jane"), cluster.endpoint,
                        impersonate_user="bob")
        return (yield from client.list("pods", "default"))

    with pytest.raises(ForbiddenError, match='^users "bob" is forbidden: User "jane" cannot '
                                             'impersonate resource "users" in API group "" at '
                                             'the cluster scope$'):
        cluster._on_control_plane(as_jane_impersonating_bob)


@pytest.mark.parametrize("command, message", [
    ("auth can-i list", "you must specify two or three arguments"),
    ("auth can-i --list pods", "--list does not take arguments"),
    ("auth whoami", "this lab's kubectl auth knows can-i"),
    ("get pods --as-group dev", "without impersonating a user"),
])
def test_bad_auth_commands_are_refused_in_words(cluster, command, message):
    with pytest.raises(BadRequestError, match=message):
        cluster.kubectl(command)


def test_bad_facade_arguments_are_refused(cluster):
    with pytest.raises(K8sLabError, match="as_groups needs as_user"):
        cluster.kubectl("get pods", as_groups=["dev"])
    with pytest.raises(K8sLabError, match="user must be"):
        cluster.authorize(None, "get", "pods")
