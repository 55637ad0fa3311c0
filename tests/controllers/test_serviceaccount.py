"""The serviceaccount controller and the root-ca-cert-publisher over the API: a `default`
account and a `kube-root-ca.crt` ConfigMap in every namespace, made again when deleted."""

from k8slab.controllers.context import ControllerOptions
from k8slab.controllers.manager import ControllerManager
from k8slab.controllers.root_ca_publisher import DESCRIPTION, root_ca_bundle
from tests.pki_fixtures import account_credentials, credentials

NAMESPACES = ["default", "kube-node-lease", "kube-public", "kube-system"]


def names_by_namespace(cp, resource: str, name: str) -> list[str]:
    items, _ = cp.ok(cp.client().list(resource))
    return sorted(o["metadata"]["namespace"] for o in items if o["metadata"]["name"] == name)


def test_every_namespace_has_a_default_account_made_again_when_deleted(cp):
    assert names_by_namespace(cp, "serviceaccounts", "default") == NAMESPACES
    cp.ok(cp.client().create({"apiVersion": "v1", "kind": "Namespace",
                              "metadata": {"name": "team"}}))
    cp.sim.run(1.0)
    assert "team" in names_by_namespace(cp, "serviceaccounts", "default")
    old = cp.ok(cp.client().get("serviceaccounts", "default", "team"))
    cp.ok(cp.client().delete("serviceaccounts", "default", "team"))
    cp.sim.run(1.0)
    new = cp.ok(cp.client().get("serviceaccounts", "default", "team"))
    assert new["metadata"]["uid"] != old["metadata"]["uid"]


def test_a_terminating_namespace_gets_no_new_account(cp):
    cp.ok(cp.client().create({"apiVersion": "v1", "kind": "Namespace",
                              "metadata": {"name": "team"}}))
    cp.sim.run(1.0)
    cp.ok(cp.client().delete("namespaces", "team"))  # Terminating: no namespace controller
    cp.ok(cp.client().delete("serviceaccounts", "default", "team"))
    cp.sim.run(2.0)
    assert "team" not in names_by_namespace(cp, "serviceaccounts", "default")


def test_the_root_ca_is_published_into_every_namespace_and_put_back(cp):
    publisher = ControllerManager(cp.control_plane.group("publisher"), "control-plane",
                                  ControllerOptions(), ("root-ca-cert-publisher",),
                                  leader_elect=False,
                                  credentials=credentials("system:kube-controller-manager"),
                                  account_credentials=account_credentials)
    publisher.start()
    cp.sim.run(1.0)
    assert list(publisher.controllers) == ["root-ca-certificate-publisher-controller"]
    assert names_by_namespace(cp, "configmaps", "kube-root-ca.crt") == NAMESPACES
    configmap = cp.ok(cp.client().get("configmaps", "kube-root-ca.crt", "default"))
    assert configmap["data"] == {"ca.crt": root_ca_bundle(cp.sim.seed)}
    assert configmap["metadata"]["annotations"] == {"kubernetes.io/description": DESCRIPTION}
    assert configmap["data"]["ca.crt"].startswith("-----BEGIN CERTIFICATE-----\n")
    configmap["data"] = {"ca.crt": "tampered"}
    cp.ok(cp.client().update(configmap))
    cp.sim.run(1.0)
    fixed = cp.ok(cp.client().get("configmaps", "kube-root-ca.crt", "default"))
    assert fixed["data"] == {"ca.crt": root_ca_bundle(cp.sim.seed)}
    cp.ok(cp.client().delete("configmaps", "kube-root-ca.crt", "kube-public"))
    cp.sim.run(1.0)
    assert names_by_namespace(cp, "configmaps", "kube-root-ca.crt") == NAMESPACES


def test_the_root_ca_depends_on_the_seed_alone():
    assert root_ca_bundle(1) == root_ca_bundle(1) != root_ca_bundle(2)
