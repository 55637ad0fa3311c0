"""The cluster heals itself: whatever the schedule of node deaths, partitions and scaling, once
the network heals and every node is back, each ReplicaSet ends with exactly `replicas` Running
pods, no pod was ever bound twice, and no node holds more than it can allocate."""

from __future__ import annotations

from collections import Counter

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from k8slab import Cluster
from tests.lab.test_cluster import assert_within_allocatable

WORKERS = ("worker-1", "worker-2", "worker-3")
# Long enough after healing for every timer in the story: NotReady at 50 s, evictions 300 s
# after the taint, graceful termination (30 s), and the scheduler's back-off (at most 10 s).
SETTLE_SECONDS = 480.0


def replica_set(replicas: int) -> dict:
    return {"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": "web"},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": "web"}},
                     "template": {"metadata": {"labels": {"app": "web"}},
                                  "spec": {"containers": [{
                                      "name": "web", "image": "nginx:1.27",
                                      "resources": {"requests": {"cpu": "500m",
                                                                 "memory": "256Mi"}}}]}}}}


def owned_pods(c: Cluster) -> list[dict]:
    return [p for p in c.list("pods", "default")
            if any(r.get("name") == "web" for r in p["metadata"].get("ownerReferences", []))]


steps = st.one_of(
    st.tuples(st.just("kill"), st.sampled_from(WORKERS)),
    st.tuples(st.just("restart"), st.sampled_from(WORKERS)),
    st.tuples(st.just("partition"), st.sampled_from(WORKERS)),
    st.tuples(st.just("heal"), st.just("")),
    st.tuples(st.just("scale"), st.integers(0, 9)),
    st.tuples(st.just("wait"), st.sampled_from([5, 30, 60, 120, 360])),
)


def play(c: Cluster, step: tuple) -> None:
    verb, arg = step
    if verb == "kill" and c.host_is_up(arg):
        c.kill_node(arg)
    elif verb == "restart" and not c.host_is_up(arg):
        c.restart_node(arg)
    elif verb == "partition":
        c.partition([arg], [h for h in c.hosts if h != arg])
    elif verb == "heal":
        c.heal()
    elif verb == "scale":
        c.scale("replicaset/web", arg)
    elif verb == "wait":
        c.run(arg)


# Each example simulates some ten minutes of a cluster; shrinking a failure would take many
# more, so a failing schedule is reported as found (K8SLAB_EXAMPLES does not apply here).
@settings(max_examples=10, deadline=None, derandomize=True, phases=[Phase.generate],
          suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(1, 10_000), schedule=st.lists(steps, max_size=8))
def test_every_replica_set_converges_after_any_schedule(seed: int, schedule: list) -> None:
    # the property is the ReplicaSet's; the addons would add boot time to every example
    c = Cluster(workers=3, seed=seed, skip_phases=["addon"])
    c.apply(replica_set(4))
    c.run(20)
    for step in schedule:
        play(c, step)
    c.heal()
    for worker in WORKERS:
        if not c.host_is_up(worker):
            c.restart_node(worker)
    c.run(SETTLE_SECONDS)
    wanted = c.get("replicasets", "web")["spec"]["replicas"]
    pods = owned_pods(c)
    assert [p["status"].get("phase") for p in pods] == ["Running"] * wanted, schedule
    assert not any(p["metadata"].get("deletionTimestamp") for p in pods)
    assert c.get("replicasets", "web")["status"].get("readyReplicas", 0) == wanted
    binds = Counter(r.obj for r in c.trace.where(component="apiserver", kind="bind"))
    assert all(n == 1 for n in binds.values()), binds
    assert_within_allocatable(c)


def test_a_dead_workers_pods_are_replaced_elsewhere_after_50_plus_300_seconds() -> None:
    c = Cluster(workers=3, seed=4)
    c.apply(replica_set(6))
    c.run(20)
    victim = owned_pods(c)[0]["spec"]["nodeName"]
    lost = {p["metadata"]["name"] for p in owned_pods(c) if p["spec"]["nodeName"] == victim}
    # CoreDNS's ReplicaSet replaces its replica on the victim too (the DaemonSet's kube-proxy
    # pod is not replaced: it belongs to that node)
    dns_lost = [p for p in c.list("pods", "kube-system")
                if p["spec"]["nodeName"] == victim and p["metadata"]["name"].startswith("coredns-")]
    killed = c.now
    c.kill_node(victim)
    c.run(340)
    assert not [r for r in c.trace.where(kind="SuccessfulCreate") if r.time > killed]
    c.run(30)  # the last renewal + 50 s (+ a 5 s monitor period) + 5 s + 300 s has passed
    created = [r for r in c.trace.where(kind="SuccessfulCreate") if r.time > killed]
    assert sorted(r.obj for r in created) == (["replicaset/default/web"] * len(lost)
                                              + ["replicaset/kube-system/coredns-9fdf59497"]
                                              * len(dns_lost))
    assert (len(lost), len(dns_lost)) == (2, 1)
    assert all(340 < r.time - killed < 370 for r in created)
    c.run(10)
    running = [p for p in owned_pods(c) if not p["metadata"].get("deletionTimestamp")]
    assert len(running) == 6
    assert all(p["spec"]["nodeName"] != victim and p["status"]["phase"] == "Running"
               for p in running)
    # The evicted pods linger as Terminating: their kubelet is down and cannot confirm.
    terminating = {p["metadata"]["name"] for p in owned_pods(c)
                   if p["metadata"].get("deletionTimestamp")}
    assert terminating == lost
    c.restart_node(victim)
    c.run(60)
    assert {p["metadata"]["name"] for p in owned_pods(c)}.isdisjoint(lost)


def test_pods_marked_not_ready_by_the_node_controller_are_ready_again_after_a_partition() -> None:
    c = Cluster(workers=3, seed=520)
    c.apply(replica_set(4))
    c.run(20)
    c.partition(["worker-1"], [h for h in c.hosts if h != "worker-1"])
    c.run(120)  # NotReady: its pods' Ready condition is set False by the node controller
    on_worker_1 = [p for p in owned_pods(c) if p["spec"]["nodeName"] == "worker-1"]
    assert on_worker_1 and all(_ready(p) == "False" for p in on_worker_1)
    c.heal()
    c.run(30)  # the kubelet sees its pods' status differ from its own and writes it again
    assert [_ready(p) for p in owned_pods(c)] == ["True"] * 4
    assert c.get("replicasets", "web")["status"]["readyReplicas"] == 4


def _ready(pod: dict) -> str:
    return next(c["status"] for c in pod["status"]["conditions"] if c["type"] == "Ready")
