"""A lab cluster with Services for the data-path tests: kube-proxy on every node (started
here only if the lab did not install it), nginx Deployments and their Services."""

from __future__ import annotations

from k8slab import Cluster
from k8slab.client.rest import Client
from k8slab.cmd import coredns
from k8slab.cmd.cli import kubeconfig_server
from k8slab.node.kube_proxy.config import ProxyConfig
from k8slab.node.kube_proxy.proxier import Proxier

CLUSTER_CIDR = "10.244.0.0/16"
SLEEPER = {"name": "app", "image": "busybox:1.37", "command": ["sleep", "1000000"]}


def with_kube_proxy(c: Cluster, mode: str = "iptables") -> Cluster:
    """A Proxier on every node that has none, in `mode`; an installed one is switched to it."""
    for name in c.hosts:
        host = c.network.host(name)
        proxier = host.memory.get("kube-proxy")
        if proxier is not None:
            if proxier.config.mode != mode:
                proxier.config = ProxyConfig(mode=mode, cluster_cidr=proxier.config.cluster_cidr)
                proxier.request_sync()
            continue
        group = host.group("kube-proxy")
        client = Client(group, "system:kube-proxy",
                        kubeconfig_server(group, "/etc/kubernetes/kubelet.conf"))
        proxier = Proxier(client, ProxyConfig(mode=mode, cluster_cidr=CLUSTER_CIDR), name,
                          tuple(host.memory["node-addresses"]))
        host.memory["kube-proxy"] = proxier
        proxier.start()
    return c


def with_coredns(c: Cluster) -> Cluster:
    """kubeadm's CoreDNS (Deployment of 2, kube-dns at 10.96.0.10) unless the lab installed
    it; its binary on every node, for a lab whose images do not carry it yet."""
    for name in c.hosts:
        c.network.host(name).programs.setdefault(coredns.IMAGE.rsplit(":", 1)[0], coredns.main)
    if not any(s["metadata"]["name"] == "kube-dns" for s in c.list("services", "kube-system")):
        for manifest in coredns.manifests():
            c.apply(manifest)
    return c


def pod(name: str, node: str, container: dict | None = None) -> dict:
    """A bare pod pinned to `node` (a busybox sleeper unless `container` says otherwise)."""
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "labels": {"run": name}},
            "spec": {"nodeName": node, "containers": [container or SLEEPER]}}


def web(name: str = "web", *, nodes: tuple[str, ...] = ("worker-1", "worker-2", "worker-3"),
        **spec: object) -> list[dict]:
    """One nginx pod per node in `nodes`, labelled app=`name`, and its Service on port 80."""
    pods = [{"apiVersion": "v1", "kind": "Pod",
             "metadata": {"name": f"{name}-{i}", "labels": {"app": name}},
             "spec": {"nodeName": node, "containers": [{"name": "nginx", "image": "nginx:1.27"}]}}
            for i, node in enumerate(nodes, 1)]
    service = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name},
               "spec": {"selector": {"app": name}, "ports": [{"port": 80, "targetPort": 80}],
                        **spec}}
    return [*pods, service]


def cluster_with(*manifests: dict, mode: str = "iptables", workers: int = 3,
                 dns: bool = False) -> Cluster:
    """A booted cluster with kube-proxy in `mode` (and CoreDNS if `dns`), a client pod on
    worker-1 and `manifests`, run until the pods serve and every node's rules are written."""
    c = Cluster(workers=workers)
    with_kube_proxy(c, mode)
    if dns:
        with_coredns(c)
    c.apply(pod("client", "worker-1"))
    for manifest in manifests:
        c.apply(manifest)
    c.run(40)
    return c


def cluster_ip(c: Cluster, name: str) -> str:
    """The Service's ClusterIP."""
    return c.get("services", name)["spec"]["clusterIP"]
