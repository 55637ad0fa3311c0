"""kubeadm's PKI on the hosts: the CA, the certificates it signs and the kubeconfigs under
/etc/kubernetes/, read with the lab's file verbs; every component authenticates as the identity
its kubeconfig gives it; the audit log answers "who deleted my pod?"."""

from __future__ import annotations

import pytest
import yaml

from k8slab.api.certificates import (
    CA_VALIDITY,
    CERTIFICATE_VALIDITY,
    SERVER_AUTH,
    Certificate,
    CertificateAuthority,
    key_from_pem,
)
from k8slab.api.kubeconfig import Credentials, read_kubeconfig
from k8slab.apiserver.audit_policy import AuditPolicyError
from k8slab.apiserver.bootstrap_tokens import KUBEADM_GROUP
from k8slab.client.rest import Client
from k8slab.errors import K8sLabError, UnauthorizedError
from k8slab.lab import pki
from k8slab.lab.cluster import Cluster

CP = "control-plane"


@pytest.fixture(scope="module")
def cluster() -> Cluster:
    c = Cluster(workers=1, audit_policy="metadata")
    c.apply({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web"},
             "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]}})
    c.run(5)
    c.kubectl("delete pod web")
    return c


def kubeconfig_of(c: Cluster, node: str, path: str) -> tuple[str, Certificate]:
    server, credentials = read_kubeconfig(yaml.safe_load(c.node_file(node, path)))
    return server, credentials.certificate


def cluster_ca(c: Cluster) -> CertificateAuthority:
    return CertificateAuthority(Certificate.from_pem(c.node_file(CP, pki.CA_CERT)),
                                key_from_pem(c.node_file(CP, pki.CA_KEY)))


@pytest.mark.parametrize("node, path, server, user, groups", [
    (CP, pki.ADMIN_CONF, CP, "kubernetes-admin", ("kubeadm:cluster-admins",)),
    (CP, pki.SUPER_ADMIN_CONF, CP, "kubernetes-super-admin", ("system:masters",)),
    (CP, pki.CONTROLLER_MANAGER_CONF, CP, "system:kube-controller-manager", ()),
    (CP, pki.SCHEDULER_CONF, CP, "system:kube-scheduler", ()),
    (CP, pki.KUBELET_CONF, CP, "system:node:control-plane", ("system:nodes",)),
    ("worker-1", pki.KUBELET_CONF, CP, "system:node:worker-1", ("system:nodes",)),
])
def test_each_kubeconfig_carries_the_identity_kubeadm_gives(cluster, node, path, server, user,
                                                            groups) -> None:
    url, certificate = kubeconfig_of(cluster, node, path)
    assert url == f"https://{server}:6443"
    assert (certificate.common_name, certificate.organizations) == (user, groups)
    assert certificate.not_after - certificate.not_before == CERTIFICATE_VALIDITY
    assert cluster_ca(cluster).signed(certificate)


def test_the_ca_lives_ten_years_and_the_serving_certificate_names_the_service(cluster) -> None:
    ca = cluster_ca(cluster).certificate
    assert (ca.common_name, ca.is_ca, ca.not_after - ca.not_before) == (
        "kubernetes", True, CA_VALIDITY)
    serving = Certificate.from_pem(cluster.node_file(CP, f"{pki.PKI}/apiserver.crt"))
    assert serving.usages == (SERVER_AUTH,)
    for name in ("10.96.0.1", "kubernetes.default.svc.cluster.local", CP, "10.0.0.10"):
        assert name in serving.sans
    assert f"{pki.PKI}/ca.key" not in cluster.node_files("worker-1", "/etc/kubernetes")


def test_components_authenticate_as_their_kubeconfigs_say(cluster) -> None:
    users = {(r.details["user"], r.details["method"]) for r in cluster.trace
             if r.kind == "authn" and "user" in r.details}
    for user in ("kubernetes-admin", "system:kube-scheduler", "system:kube-controller-manager",
                 "system:node:worker-1", "system:node:control-plane"):
        assert (user, "x509") in users
    assert ("system:apiserver", "token:loopback") in users


def test_one_seed_makes_one_pki_and_another_seed_another() -> None:
    first, again, other = (pki.ClusterPKI(seed) for seed in (1, 1, 2))
    assert first.ca.certificate == again.ca.certificate
    assert first.issue("jane") == again.issue("jane")
    assert first.ca.certificate.signature != other.ca.certificate.signature


def test_the_audit_log_says_who_deleted_the_pod(cluster) -> None:
    deletes = cluster.audit_log(verb="delete", resource="pods", name="web")
    assert deletes[0]["user"]["username"] == "kubernetes-admin"
    assert deletes[0]["responseStatus"]["code"] == 200
    # the kubelet's final delete once the containers stopped
    assert "system:node:worker-1" in [e["user"]["username"] for e in deletes]
    assert all(e["stage"] == "ResponseComplete" for e in cluster.audit_log(user="jane"))
    log = cluster.node_file(CP, "/var/log/kubernetes/audit/audit.log")
    assert log.count("\n") == len(cluster.audit_log(stage=None))


def test_audit_log_needs_a_policy_and_a_policy_must_read() -> None:
    with pytest.raises(K8sLabError, match="the audit log is off"):
        Cluster(workers=0, skip_phases=["addon"]).audit_log()
    with pytest.raises(AuditPolicyError, match="Unsupported value"):
        Cluster(workers=0, audit_policy={"rules": [{"level": "Loud"}]})


def test_certificate_reads_a_crt_or_a_kubeconfig_as_openssl_shows_the_subject(cluster) -> None:
    kubelet = cluster.certificate("worker-1", pki.KUBELET_CONF)
    assert kubelet.subject == "O = system:nodes, CN = system:node:worker-1"
    assert cluster.certificate(CP, pki.CA_CERT).subject == "CN = kubernetes"
    with pytest.raises(K8sLabError, match="no such file"):
        cluster.certificate(CP, "/etc/kubernetes/nope.conf")
    with pytest.raises(K8sLabError, match="expected a PEM block"):
        cluster.certificate(CP, f"{pki.PKI}/ca.key")


def test_kubeadm_token_create_makes_a_bootstrap_token_that_authenticates(cluster) -> None:
    token = cluster.kubeadm_token_create()
    token_id = token.split(".")[0]
    secret = cluster.get("secrets", f"bootstrap-token-{token_id}", "kube-system")
    assert secret["type"] == "bootstrap.kubernetes.io/token"
    assert cluster.kubeadm_token_create(ttl=60) != token

    def with_token(token: str):
        def steps(group):
            try:
                yield from Client(group, Credentials(token=token), cluster.endpoint).list("nodes")
            except K8sLabError as error:
                return error
        return cluster._on_control_plane(steps)

    with_token(token)  # allowed or forbidden, it is authenticated
    (event,) = cluster.audit_log(user=f"system:bootstrap:{token_id}")
    assert event["user"]["groups"] == ["system:bootstrappers", KUBEADM_GROUP,
                                       "system:authenticated"]
    wrong = f"{token_id}.{'0' * 16}"
    assert isinstance(with_token(wrong), UnauthorizedError)
    with pytest.raises(K8sLabError, match="ttl must be a finite number"):
        cluster.kubeadm_token_create(ttl=-1)
