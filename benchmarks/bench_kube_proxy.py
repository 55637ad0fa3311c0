"""What one kube-proxy sync costs: syncProxyRules' wall time and the rules it writes at
1,000 Services x 10 endpoints, in each of kube-proxy's three Linux modes.

The Proxier is the real one, fed through its informers from a FakeClient holding the Services
and their EndpointSlices (endpoints spread over 100 nodes, the measured node holding some); the
timed part is `sync_proxy_rules()` alone: reading the caches, building the table, counting it.

    python benchmarks/bench_kube_proxy.py [services endpoints]     (default: 1000 10)
"""

from __future__ import annotations

import statistics
import sys
import time

from k8slab.client.fake import FakeClient
from k8slab.node.kube_proxy.config import kubeadm_config_conf, parse_config
from k8slab.node.kube_proxy.proxier import Proxier
from k8slab.sim.kernel import Simulation
from k8slab.sim.network import Network

SERVICES, ENDPOINTS = 1000, 10
NODES = 100
REPEATS = 5
NODE_NAME, NODE_IP = "worker-1", "10.0.0.21"


def objects(services: int, endpoints: int) -> list[dict]:
    """Services `svc-N` (ClusterIPs from 10.96.0.0/12, port 80 -> 8080) and one
    EndpointSlice each with `endpoints` ready pod addresses spread over NODES nodes."""
    made = []
    for n in range(services):
        ip = f"10.96.{(n + 16) // 250}.{(n + 16) % 250 + 1}"
        made.append({"apiVersion": "v1", "kind": "Service",
                     "metadata": {"name": f"svc-{n}", "namespace": "default"},
                     "spec": {"clusterIP": ip, "type": "ClusterIP",
                              "ports": [{"name": "http", "port": 80, "targetPort": 8080,
                                         "protocol": "TCP"}]}})
        pods = [n * endpoints + e for e in range(endpoints)]
        made.append({"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
                     "metadata": {"name": f"svc-{n}-abcde", "namespace": "default",
                                  "labels": {"kubernetes.io/service-name": f"svc-{n}"}},
                     "addressType": "IPv4",
                     "ports": [{"name": "http", "port": 8080, "protocol": "TCP"}],
                     "endpoints": [{"addresses": [f"10.244.{p // 250}.{p % 250 + 2}"],
                                    "conditions": {"ready": True},
                                    "nodeName": f"worker-{p % NODES + 1}"} for p in pods]})
    return made


def measure(mode: str, services: int, endpoints: int) -> dict:
    """One Proxier in `mode` over the objects: its synced rule count and sync times."""
    sim = Simulation(1)
    host = Network(sim).add_host(NODE_NAME)
    host.start()
    client = FakeClient(host.group("kube-proxy"))
    for obj in objects(services, endpoints):
        client.add(obj)
    proxier = Proxier(client, parse_config(kubeadm_config_conf("10.244.0.0/16", mode)),
                      NODE_NAME, (NODE_IP,))
    proxier.start()
    sim.run(1)  # the informers list, and the loop's first sync runs
    times, rules = [], 0
    for _ in range(REPEATS):
        started = time.perf_counter()
        rules = proxier.sync_proxy_rules()
        times.append(time.perf_counter() - started)
    return {"mode": mode, "rules": rules, "median_s": statistics.median(times),
            "min_s": min(times), "syncs_before": len(proxier.syncs) - REPEATS}


def main(services: int, endpoints: int) -> None:
    """Print one line per mode."""
    print(f"{services} Services x {endpoints} endpoints, one node's proxier, "
          f"median of {REPEATS} syncs")
    for mode in ("iptables", "ipvs", "nftables"):
        r = measure(mode, services, endpoints)
        unit = "real servers" if mode == "ipvs" else "rules"
        print(f"{mode:>9}: {r['rules']:>6} {unit:<12} sync {r['median_s'] * 1000:7.1f} ms "
              f"(min {r['min_s'] * 1000:.1f} ms)", flush=True)


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:]]
    main(*(args or [SERVICES, ENDPOINTS]))
