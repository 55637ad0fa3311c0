"""`coredns -conf /etc/coredns/Corefile`: the cluster's DNS server, as kubeadm deploys it (a
Deployment of 2 in kube-system behind the kube-dns Service at 10.96.0.10).

It serves DNS on :53 of its pod, `/health` on :8080 (the liveness probe) and `/ready` on :8181
(the readiness probe: 200 once the kubernetes plugin's informers have synced, 503 before).
Simplified: it reaches the API server named in its node's kubeconfig, not through the
`kubernetes` Service's ClusterIP, and authenticates with a certificate for its ServiceAccount's
user name (kubeadm's stand-in file COREDNS_CONF), not a ServiceAccount token.
"""

from __future__ import annotations

from collections.abc import Generator

from k8slab.addons.coredns.corefile import configmap
from k8slab.addons.coredns.server import DNS_PORT, CoreDNS
from k8slab.client.rest import Client
from k8slab.cmd.cli import kubeconfig_client, serve_forever
from k8slab.errors import K8sLabError
from k8slab.node.process import Process

BINARY = "coredns"
IMAGE = "registry.k8s.io/coredns/coredns:v1.13.1"  # kubeadm v1.35 (reference i.3, kk #133968)
HEALTH_PORT, READY_PORT = 8080, 8181
NODE_KUBECONFIG = "/etc/kubernetes/kubelet.conf"
COREDNS_CONF = "/etc/kubernetes/coredns.conf"  # the lab's stand-in for its ServiceAccount token


def main(process: Process) -> Generator:
    """Start the kubernetes plugin's informers and serve DNS, health and readiness."""
    argv = process.argv or [BINARY]
    if "-conf" in argv and argv.index("-conf") + 1 >= len(argv):
        raise K8sLabError(f"{BINARY}: flag needs an argument: -conf")
    group = process.group
    if COREDNS_CONF not in group.host.disk:
        raise K8sLabError(f"{BINARY}: cannot reach the API server: no {COREDNS_CONF}")
    server, credentials = kubeconfig_client(group, COREDNS_CONF)
    dns = CoreDNS(Client(group, credentials, server))
    dns.start()
    process.listen(DNS_PORT, dns.handle)
    process.listen(HEALTH_PORT, lambda request: _reply(200, "OK"))
    process.listen(READY_PORT, lambda request: _reply(200 if dns.ready else 503,
                                                      "OK" if dns.ready else ""))
    process.write(".:53\nCoreDNS-1.13.1\nlinux/amd64, go1.25.3", "stdout")
    yield from serve_forever(group)


def _reply(status: int, body: str) -> Generator:
    yield from ()
    return {"status": status, "body": body}


def manifests() -> list[dict]:
    """What `kubeadm init` installs for DNS: the `coredns` ConfigMap, Deployment (2 replicas)
    and the `kube-dns` Service (kk cmd/kubeadm/app/phases/addons/dns/manifests.go)."""
    labels = {"k8s-app": "kube-dns"}
    container = {
        "name": "coredns", "image": IMAGE, "args": ["-conf", "/etc/coredns/Corefile"],
        "resources": {"limits": {"memory": "170Mi"},
                      "requests": {"cpu": "100m", "memory": "70Mi"}},
        "ports": [{"containerPort": 53, "name": "dns", "protocol": "UDP"},
                  {"containerPort": 53, "name": "dns-tcp", "protocol": "TCP"},
                  {"containerPort": 9153, "name": "metrics", "protocol": "TCP"}],
        "livenessProbe": {"httpGet": {"path": "/health", "port": HEALTH_PORT},
                          "initialDelaySeconds": 60, "timeoutSeconds": 5,
                          "successThreshold": 1, "failureThreshold": 5},
        "readinessProbe": {"httpGet": {"path": "/ready", "port": READY_PORT}},
        "volumeMounts": [{"name": "config-volume", "mountPath": "/etc/coredns",
                          "readOnly": True}],
    }
    deployment = {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "coredns", "namespace": "kube-system", "labels": labels},
        "spec": {
            "replicas": 2, "selector": {"matchLabels": labels},
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1}},
            "template": {"metadata": {"labels": labels}, "spec": {
                "priorityClassName": "system-cluster-critical",
                "serviceAccountName": "coredns",
                "tolerations": [{"key": "CriticalAddonsOnly", "operator": "Exists"},
                                {"key": "node-role.kubernetes.io/control-plane",
                                 "effect": "NoSchedule"}],
                "nodeSelector": {"kubernetes.io/os": "linux"},
                # On by default since kubeadm v1.25 (kk PR #110593): the two replicas prefer
                # different nodes, so one node's loss keeps DNS up.
                "affinity": {"podAntiAffinity": {
                    "preferredDuringSchedulingIgnoredDuringExecution": [
                        {"weight": 100, "podAffinityTerm": {
                            "labelSelector": {"matchExpressions": [
                                {"key": "k8s-app", "operator": "In", "values": ["kube-dns"]}]},
                            "topologyKey": "kubernetes.io/hostname"}}]}},
                "containers": [container], "dnsPolicy": "Default",
                "volumes": [{"name": "config-volume", "configMap": {
                    "name": "coredns", "items": [{"key": "Corefile", "path": "Corefile"}]}}],
            }},
        },
    }
    service = {
        "apiVersion": "v1", "kind": "Service",
        "metadata": {"name": "kube-dns", "namespace": "kube-system",
                     "labels": {**labels, "kubernetes.io/cluster-service": "true",
                                "kubernetes.io/name": "CoreDNS"}},
        "spec": {"clusterIP": "10.96.0.10", "selector": labels,
                 "ports": [{"name": "dns", "port": 53, "protocol": "UDP", "targetPort": 53},
                           {"name": "dns-tcp", "port": 53, "protocol": "TCP", "targetPort": 53},
                           {"name": "metrics", "port": 9153, "protocol": "TCP",
                            "targetPort": 9153}]},
    }
    return [configmap(), deployment, service]
