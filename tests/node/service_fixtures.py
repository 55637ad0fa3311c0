"""A lab cluster with Services for the data-path tests: kubeadm's kube-proxy in the mode asked
for (and its CoreDNS when a test needs names), nginx pods and their Services."""

from __future__ import annotations

from k8slab import Cluster

SLEEPER = {"name": "app", "image": "busybox:1.37", "command": ["sleep", "1000000"]}


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
    # As `kubeadm init --skip-phases=addon/coredns` would: no CoreDNS unless the test needs it.
    c = Cluster(workers=workers, proxy_mode=mode, skip_phases=[] if dns else ["addon/coredns"])
    c.apply(pod("client", "worker-1"))
    for manifest in manifests:
        c.apply(manifest)
    c.run(40)
    return c


def cluster_ip(c: Cluster, name: str) -> str:
    """The Service's ClusterIP."""
    return c.get("services", name)["spec"]["clusterIP"]
