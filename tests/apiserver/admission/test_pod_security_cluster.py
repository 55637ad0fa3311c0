"""PodSecurity in a whole cluster, through kubectl apply: a privileged pod is refused where the
namespace enforces baseline, and let in with kubectl's `Warning:` line where it only warns."""

from __future__ import annotations

import pytest

from k8slab import Cluster
from k8slab.lab.apply import ApplyError

PRIVILEGED_POD = """
apiVersion: v1
kind: Pod
metadata: {{name: root, namespace: {namespace}}}
spec:
  containers:
  - name: shell
    image: busybox:1.36
    command: [sleep, "3600"]
    securityContext: {{privileged: true}}
"""


def labelled(name: str, mode: str, level: str) -> str:
    return (f"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {name}\n  labels:\n"
            f"    pod-security.kubernetes.io/{mode}: {level}\n")


@pytest.fixture(scope="module")
def cluster() -> Cluster:
    cluster = Cluster(workers=1, seed=7)
    cluster.apply(labelled("locked", "enforce", "baseline") + "---\n"
                  + labelled("watched", "warn", "restricted"))
    cluster.run(1)
    return cluster


def test_enforce_baseline_refuses_the_privileged_pod(cluster):
    with pytest.raises(ApplyError) as refused:
        cluster.apply(PRIVILEGED_POD.format(namespace="locked"))
    assert str(refused.value) == (
        'Error from server (Forbidden): error when creating "STDIN": pods "root" is forbidden: '
        'violates PodSecurity "baseline:latest": privileged (container "shell" must not set '
        "securityContext.privileged=true)")


def test_warn_restricted_accepts_it_with_a_warning(cluster):
    [printed] = cluster.apply(PRIVILEGED_POD.format(namespace="watched"))
    warning, created = printed.split("\n")
    assert created == "pod/root created"
    assert warning == (
        'Warning: would violate PodSecurity "restricted:latest": privileged (container "shell" '
        'must not set securityContext.privileged=true), allowPrivilegeEscalation != false '
        '(container "shell" must set securityContext.allowPrivilegeEscalation=false), '
        'unrestricted capabilities (container "shell" must set '
        'securityContext.capabilities.drop=["ALL"]), runAsNonRoot != true (pod or container '
        '"shell" must set securityContext.runAsNonRoot=true), seccompProfile (pod or container '
        '"shell" must set securityContext.seccompProfile.type to "RuntimeDefault" or '
        '"Localhost")')
    cluster.run(5)
    assert cluster.get("pods", "root", namespace="watched")["status"]["phase"] == "Running"


def test_the_system_pods_keep_their_priority_classes(cluster):
    pods = {p["metadata"]["name"]: p["spec"] for p in cluster.list("pods", namespace="kube-system")}
    assert pods["etcd-control-plane"]["priority"] == 2000001000
    coredns = [spec for name, spec in pods.items() if name.startswith("coredns")]
    assert coredns and all(spec["priority"] == 2000000000 for spec in coredns)


def test_kubectl_gets_the_priority_classes(cluster):
    lines = cluster.kubectl("get pc").splitlines()
    assert lines[0].split() == ["NAME", "VALUE", "GLOBAL-DEFAULT", "AGE", "PREEMPTIONPOLICY"]
    assert [line.split()[:3] + line.split()[4:] for line in lines[1:]] == [
        ["system-cluster-critical", "2000000000", "false", "PreemptLowerPriority"],
        ["system-node-critical", "2000001000", "false", "PreemptLowerPriority"]]
