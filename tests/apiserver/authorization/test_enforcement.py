"""Authorization and NodeRestriction enforced by a running API server: malformed RBAC objects
refused in upstream's words, NodeRestriction's table, and a property: no request from an
identity without permission changes anything in etcd."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from k8slab.client.rest import Client
from k8slab.errors import ForbiddenError, InvalidError
from tests.conftest import CONTROL_PLANE, build_control_plane, pod_manifest
from tests.pki_fixtures import kubeadm_credentials

RBAC = "rbac.authorization.k8s.io"


def binding(**changes) -> dict:
    obj = {"apiVersion": f"{RBAC}/v1", "kind": "RoleBinding",
           "metadata": {"name": "read", "namespace": "default"},
           "roleRef": {"apiGroup": RBAC, "kind": "Role", "name": "reader"},
           "subjects": [{"kind": "User", "name": "jane"}]}
    obj.update(changes)
    return obj


@pytest.mark.parametrize("obj, message", [
    (binding(subjects=[{"kind": "Robot", "name": "x"}]),
     'RoleBinding.rbac.authorization.k8s.io "read" is invalid: subjects[0].kind: Unsupported '
     'value: "Robot": supported values: "ServiceAccount", "User", "Group"'),
    (binding(roleRef={"apiGroup": "", "kind": "Role", "name": "reader"}),
     'RoleBinding.rbac.authorization.k8s.io "read" is invalid: roleRef.apiGroup: Unsupported '
     'value: "": supported values: "rbac.authorization.k8s.io"'),
    ({"apiVersion": f"{RBAC}/v1", "kind": "ClusterRoleBinding", "metadata": {"name": "x"},
      "roleRef": {"apiGroup": RBAC, "kind": "Role", "name": "r"},
      "subjects": [{"kind": "ServiceAccount", "name": "bot"}]},
     'ClusterRoleBinding.rbac.authorization.k8s.io "x" is invalid: [roleRef.kind: Unsupported '
     'value: "Role": supported values: "ClusterRole", subjects[0].namespace: Required value]'),
    ({"apiVersion": f"{RBAC}/v1", "kind": "Role",
      "metadata": {"name": "r", "namespace": "default"},
      "rules": [{"verbs": ["get"], "nonResourceURLs": ["/healthz"]}]},
     'Role.rbac.authorization.k8s.io "r" is invalid: rules[0].nonResourceURLs: Invalid value: '
     '["/healthz"]: namespaced rules cannot apply to non-resource URLs'),
    ({"apiVersion": f"{RBAC}/v1", "kind": "ClusterRole", "metadata": {"name": "a/b"},
      "rules": [{"verbs": ["get"], "apiGroups": [""]}]},
     'ClusterRole.rbac.authorization.k8s.io "a/b" is invalid: [metadata.name: Invalid value: '
     '"a/b": may not contain \'/\', rules[0].resources: Required value: resource rules must '
     'supply at least one resource]'),
])
def test_malformed_rbac_objects_are_refused_and_nothing_is_stored(cp, obj, message):
    error = cp.call(cp.client().create(obj))
    assert isinstance(error, InvalidError) and error.message == message


def test_role_ref_may_not_change(cp):
    cp.ok(cp.client().create(binding()))
    stored = cp.ok(cp.client().get("rolebindings", "read", "default"))
    stored["roleRef"]["name"] = "writer"
    error = cp.call(cp.client().update(stored))
    assert isinstance(error, InvalidError)
    assert error.message.endswith("roleRef: Invalid value: {\"apiGroup\":\"rbac.authorization."
                                  "k8s.io\",\"kind\":\"Role\",\"name\":\"writer\"}: cannot "
                                  "change roleRef")


# -- NodeRestriction ----------------------------------------------------------------------------

def kubelet(cp, node: str = "worker-1") -> Client:
    return Client(cp.worker.group(f"kubelet/{node}"), kubeadm_credentials(f"system:node:{node}"),
                  CONTROL_PLANE)


def node_object(name: str, labels: dict | None = None) -> dict:
    return {"apiVersion": "v1", "kind": "Node",
            "metadata": {"name": name, "labels": labels or {}}}


@pytest.mark.parametrize("name, labels, message", [
    ("worker-2", {}, 'node "worker-1" is not allowed to modify node "worker-2"'),
    ("worker-1", {"node-role.kubernetes.io/control-plane": ""},
     "is not allowed to create labels: node-role.kubernetes.io/control-plane"),
    ("worker-1", {"node-restriction.kubernetes.io/pool": "a"},
     "is not allowed to create labels: node-restriction.kubernetes.io/pool"),
    ("worker-1", {"kubernetes.io/hostname": "worker-1", "topology.kubernetes.io/zone": "a",
                  "example.com/team": "x"}, None),
])
def test_node_restriction_on_node_create(cp, name, labels, message):
    answer = cp.call(kubelet(cp).create(node_object(name, labels)))
    if message is None:
        assert answer["metadata"]["name"] == name
    else:
        assert isinstance(answer, ForbiddenError) and answer.message == message


def test_a_node_updates_only_pods_bound_to_it_and_creates_only_mirror_pods(cp):
    cp.ok(cp.client().create(pod_manifest("mine", node="worker-1")))
    cp.ok(cp.client().create(pod_manifest("theirs", node="worker-2")))
    cp.sim.run(cp.sim.now + 0.5)
    theirs = cp.ok(cp.client().get("pods", "theirs", "default"))
    error = cp.call(kubelet(cp).update_status(theirs))
    assert isinstance(error, ForbiddenError)  # the Node authorizer refuses first
    mine = cp.ok(kubelet(cp).get("pods", "mine", "default"))
    mine["status"]["phase"] = "Running"
    assert cp.ok(kubelet(cp).update_status(mine))["status"]["phase"] == "Running"
    plain = pod_manifest("static", node="worker-1")
    error = cp.call(kubelet(cp).create(plain))
    assert isinstance(error, ForbiddenError)
    assert error.message == ('pod does not have "kubernetes.io/config.mirror" annotation, node '
                             "can only create mirror pods")


# -- the property: an identity without permission changes nothing ------------------------------

REQUESTS = st.sampled_from([
    ("create", pod_manifest("p")),
    ("create", {"apiVersion": "v1", "kind": "ConfigMap",
                "metadata": {"name": "c", "namespace": "default"}}),
    ("create", {"apiVersion": f"{RBAC}/v1", "kind": "ClusterRoleBinding",
                "metadata": {"name": "me-admin"},
                "roleRef": {"apiGroup": RBAC, "kind": "ClusterRole", "name": "cluster-admin"},
                "subjects": [{"apiGroup": RBAC, "kind": "User", "name": "mallory"}]}),
    ("create", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "mine"}}),
    ("delete", ("namespaces", "kube-system", None)),
    ("delete", ("clusterroles", "cluster-admin", None)),
    ("delete", ("pods", "existing", "default")),
    ("update", ("clusterroles", "view", None)),
    ("update", ("pods", "existing", "default")),
])
USERS = st.sampled_from(["mallory", "system:serviceaccount:default:default",
                         "system:node:worker-9", "system:kube-proxy"])


def _etcd_contents(cp) -> dict:
    answer = cp.ok(cp.etcd_client().get("/registry/", prefix=True))
    return {kv.key: (kv.value, kv.mod_revision) for kv in answer.kvs}


@settings(max_examples=12, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.lists(st.tuples(USERS, REQUESTS), min_size=1, max_size=4))
def test_no_request_from_an_unauthorized_identity_changes_etcd(requests):
    cp = build_control_plane()
    cp.ok(cp.client().create(pod_manifest("existing")))
    cp.sim.run(cp.sim.now + 1)
    before = _etcd_contents(cp)
    for user, (verb, what) in requests:
        client = Client(cp.worker.group(f"as/{user}"), kubeadm_credentials(user), CONTROL_PLANE)
        if verb == "create":
            steps = client.create(what)
        elif verb == "delete":
            steps = client.delete(*what)
        else:
            current = cp.ok(cp.client().get(what[0], what[1], what[2]))
            current["metadata"].setdefault("labels", {})["owned"] = "yes"
            steps = client.update(current)
        assert isinstance(cp.call(steps), ForbiddenError)
    assert _etcd_contents(cp) == before
