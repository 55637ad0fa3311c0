"""The Corefile kubeadm v1.35 writes into the `coredns` ConfigMap, and what the model reads
from it (kk cmd/kubeadm/app/phases/addons/dns/manifests.go, as rendered since kk PR #128359).
"""

from __future__ import annotations

CLUSTER_DOMAIN = "cluster.local"
KUBE_DNS_IP = "10.96.0.10"  # the tenth address of kubeadm's serviceSubnet 10.96.0.0/12
TTL = 30  # the kubernetes plugin's `ttl 30` (the plugin's own default is 5)

COREFILE = """\
.:53 {
    errors
    health {
       lameduck 5s
    }
    ready
    kubernetes cluster.local in-addr.arpa ip6.arpa {
       pods insecure
       fallthrough in-addr.arpa ip6.arpa
       ttl 30
    }
    prometheus :9153
    forward . /etc/resolv.conf {
       max_concurrent 1000
    }
    cache 30 {
       disable success cluster.local
       disable denial cluster.local
    }
    loop
    reload
    loadbalance
}
"""


def configmap() -> dict:
    """The `coredns` ConfigMap in kube-system, holding the Corefile."""
    return {"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "coredns", "namespace": "kube-system"},
            "data": {"Corefile": COREFILE}}
