"""How fast the scheduler framework places pods on large clusters: pods per second and peak memory.

It drives the scheduling cycle directly, not the SimPy API path: a Snapshot of NodeInfos built
from Node dicts shaped like KWOK fake nodes, and pods scheduled one after another with
`vectorized.schedule_pod` on the default profile, each then added to its chosen node with
`NodeInfo.add_pod` (the "assume" the scheduler loop does). The search starts where the previous
cycle stopped and examines numFeasibleNodesToFind nodes, as upstream (5,000 nodes → 10 % → 500).
The workload mixes pod sizes, best-effort pods, NoSchedule and PreferNoSchedule taints, required
and preferred node affinity and topology spread constraints (DoNotSchedule over zones,
ScheduleAnyway over hosts). Each size runs in its own process, so peak memory (max RSS) belongs
to that size alone (it includes the workload's pod dicts); `--plain` times the per-node cycle
(`schedule_one.schedule_pod`) instead. "fast %" is the share of cycles the vectorized cycle
decided itself (the others it handed to the per-node cycle, e.g. when no node fits). The issue's
target: 150,000 pods on 5,000 nodes in under 60 s.

    python benchmarks/bench_scheduler.py                    # 500, 1,000, 2,000, 5,000 nodes
    python benchmarks/bench_scheduler.py 5000 --pods 150000 # one size
    python benchmarks/bench_scheduler.py 500 --pods 3000 --plain
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout

SIZES = (500, 1000, 2000, 5000)
PODS_PER_NODE = 30  # 150,000 pods on 5,000 nodes, the supported envelope (reference §g)
ZONES = tuple(f"zone-{letter}" for letter in "abcdefgh")
INSTANCE_TYPES = (
    ("m5.4xlarge", "16", "64Gi"),
    ("m5.8xlarge", "32", "128Gi"),
    ("m5.16xlarge", "64", "256Gi"),
)
APPS = 40


def fake_node(index: int, rng: random.Random) -> dict:
    """A Node like the ones KWOK fakes: labels, allocatable, a few taints."""
    name = f"kwok-node-{index:05}"
    instance, cpu, memory = INSTANCE_TYPES[index % len(INSTANCE_TYPES)]
    node: dict = {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {
            "name": name,
            "labels": {
                "kubernetes.io/hostname": name,
                "kubernetes.io/os": "linux",
                "node.kubernetes.io/instance-type": instance,
                "topology.kubernetes.io/zone": ZONES[index % len(ZONES)],
                "type": "kwok",
            },
        },
        "spec": {},
        "status": {"allocatable": {"cpu": cpu, "memory": memory, "pods": "110"}},
    }
    draw = rng.random()
    if draw < 0.05:
        node["spec"]["taints"] = [{"key": "dedicated", "value": "gpu", "effect": "NoSchedule"}]
    elif draw < 0.15:
        node["spec"]["taints"] = [{"key": "spot", "value": "true", "effect": "PreferNoSchedule"}]
    return node


def app_template(app: int, rng: random.Random) -> dict:
    """The spec and labels one of the workload's deployments gives its pods."""
    cpu = rng.choice(("100m", "250m", "500m", "1", "2"))
    memory = rng.choice(("128Mi", "256Mi", "512Mi", "1Gi", "2Gi"))
    container: dict = {"name": "app", "image": f"registry.example/app-{app}:1.0"}
    if app % 10 != 9:  # one app in ten is best-effort
        container["resources"] = {"requests": {"cpu": cpu, "memory": memory}}
    spec: dict = {"containers": [container]}
    labels = {"app": f"app-{app}"}
    if app % 8 == 1:
        spec["tolerations"] = [
            {"key": "dedicated", "operator": "Equal", "value": "gpu", "effect": "NoSchedule"}
        ]
    if app % 6 == 2:
        spec["affinity"] = {
            "nodeAffinity": {
                "requiredDuringSchedulingIgnoredDuringExecution": {
                    "nodeSelectorTerms": [
                        {
                            "matchExpressions": [
                                {
                                    "key": "topology.kubernetes.io/zone",
                                    "operator": "In",
                                    "values": list(ZONES[: 2 + app % 5]),
                                }
                            ]
                        }
                    ]
                }
            }
        }
    if app % 5 == 3:
        spec.setdefault("affinity", {})["nodeAffinity"] = {
            "preferredDuringSchedulingIgnoredDuringExecution": [
                {
                    "weight": 50,
                    "preference": {
                        "matchExpressions": [
                            {
                                "key": "node.kubernetes.io/instance-type",
                                "operator": "In",
                                "values": ["m5.16xlarge"],
                            }
                        ]
                    },
                }
            ]
        }
    if app % 4 == 0:
        selector = {"matchLabels": labels}
        spec["topologySpreadConstraints"] = [
            {
                "maxSkew": 1,
                "topologyKey": "topology.kubernetes.io/zone",
                "whenUnsatisfiable": "DoNotSchedule",
                "labelSelector": selector,
            },
            {
                "maxSkew": 2,
                "topologyKey": "kubernetes.io/hostname",
                "whenUnsatisfiable": "ScheduleAnyway",
                "labelSelector": selector,
            },
        ]
    return {"labels": labels, "spec": spec}


def workload(num_pods: int, seed: int) -> list[dict]:
    """`num_pods` pods drawn from APPS deployment templates (one namespace)."""
    rng = random.Random(seed)
    templates = [app_template(app, rng) for app in range(APPS)]
    pods = []
    for index in range(num_pods):
        template = templates[rng.randrange(APPS)]
        pods.append(
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {
                    "name": f"pod-{index:06}",
                    "namespace": "bench",
                    "labels": dict(template["labels"]),
                },
                "spec": template["spec"],
            }
        )
    return pods


def run(num_nodes: int, num_pods: int, vectorized: bool, seed: int = 1) -> dict:
    """Schedule the workload on a fresh cluster, one pod after another, and time the loop."""
    from k8slab.scheduler import schedule_one
    from k8slab.scheduler import vectorized as fast
    from k8slab.scheduler.framework.diagnosis import VECTORIZED
    from k8slab.scheduler.node_info import NodeInfo
    from k8slab.scheduler.plugins.registry import default_profile
    from k8slab.scheduler.snapshot import Snapshot

    rng = random.Random(seed)
    infos = [NodeInfo(fake_node(i, rng)) for i in range(num_nodes)]
    snapshot = Snapshot(infos)
    by_name = {info.name: info for info in infos}
    pods = workload(num_pods, seed)
    framework = default_profile()
    schedule_pod = fast.schedule_pod if vectorized else schedule_one.schedule_pod
    tie_rng = random.Random(seed)
    start_index = scheduled = decided_fast = 0
    began = time.perf_counter()
    for pod in pods:
        decision = schedule_pod(framework, snapshot, pod, tie_rng, start_index=start_index)
        start_index = decision.next_start_index
        decided_fast += decision.path == VECTORIZED
        if decision.node is not None:
            by_name[decision.node].add_pod(pod)
            scheduled += 1
    wall = time.perf_counter() - began
    return {
        "nodes": num_nodes,
        "pods": num_pods,
        "scheduled": scheduled,
        "examined": schedule_one.num_feasible_nodes_to_find(num_nodes, 0),
        "path": "vectorized" if vectorized else "plain",
        "fast_share": round(100 * decided_fast / num_pods, 1),
        "wall_s": round(wall, 2),
        "pods_per_s": round(num_pods / wall),
        "us_per_pod": round(wall / num_pods * 1e6),
        "max_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def measure(num_nodes: int, num_pods: int, plain: bool) -> dict:
    """Run one size in a fresh process and return its figures."""
    command = [sys.executable, __file__, str(num_nodes), "--pods", str(num_pods), "--json"]
    if plain:
        command.append("--plain")
    output = subprocess.run(command, check=True, stdout=subprocess.PIPE, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("nodes", nargs="*", type=int, help="cluster sizes (default: all)")
    parser.add_argument("--pods", type=int, help=f"pods per run (default {PODS_PER_NODE}/node)")
    parser.add_argument("--plain", action="store_true", help="time the per-node path")
    parser.add_argument("--json", action="store_true", help="run in this process, print JSON")
    args = parser.parse_args()
    if args.json:
        (num_nodes,) = args.nodes
        print(json.dumps(run(num_nodes, args.pods or PODS_PER_NODE * num_nodes, not args.plain)))
        return
    print(
        f"{'nodes':>6} {'examined':>8} {'pods':>8} {'placed':>8} {'wall s':>7} {'pods/s':>7} "
        f"{'us/pod':>7} {'cost x':>7} {'RSS MiB':>8} {'fast %':>6}  path"
    )
    first = None
    for num_nodes in args.nodes or SIZES:
        result = measure(num_nodes, args.pods or PODS_PER_NODE * num_nodes, args.plain)
        first = first or result["us_per_pod"]
        print(
            f"{result['nodes']:>6} {result['examined']:>8} {result['pods']:>8} "
            f"{result['scheduled']:>8} {result['wall_s']:>7} {result['pods_per_s']:>7} "
            f"{result['us_per_pod']:>7} {result['us_per_pod'] / first:>7.2f} "
            f"{result['max_rss_mib']:>8} {result['fast_share']:>6}  {result['path']}",
            flush=True,
        )
    print("examined: numFeasibleNodesToFind per cycle; cost x: us/pod over the first size's")


if __name__ == "__main__":
    main()
