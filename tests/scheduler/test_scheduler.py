"""The kube-scheduler loop as a transcript: pods in, Scheduled / FailedScheduling / Bound out.

Queue order, retries and status reports are checked inside a whole `Cluster`; binding races are
checked against a scripted API server, where the test decides when each answer and event arrives.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Generator

import pytest

from k8slab import Cluster
from k8slab.errors import ConflictError, NotFoundError
from k8slab.scheduler.scheduler import (
    UNSCHEDULABLE_FLUSH_SECONDS,
    UNSCHEDULABLE_MAX_SECONDS,
    Scheduler,
)
from k8slab.sim.kernel import Simulation
from k8slab.sim.network import Network, Stream

CONTROL_PLANE_TAINT_MSG = "node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }"


def pod(name: str, cpu: str = "100m", **spec) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {
            "containers": [
                {"name": "app", "image": "nginx:1.27", "resources": {"requests": {"cpu": cpu}}}
            ],
            **spec,
        },
    }


def node(name: str, cpu: str = "4", taints: list | None = None) -> dict:
    """A Node with no kubelet behind it: just the object, with its capacity."""
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": name},
        "spec": {"taints": taints or []},
        "status": {"capacity": {"cpu": cpu, "memory": "8Gi", "pods": "110"}},
    }


def scheduler_of(cluster: Cluster) -> Scheduler:
    return cluster.network.host("control-plane").memory["kube-scheduler"]


def leading_cluster(**options) -> Cluster:
    """A Cluster whose kube-scheduler already holds its leader Lease (it schedules only then)."""
    cluster = Cluster(**options)
    deadline = cluster.now + 30
    while not scheduler_of(cluster).leading:
        assert cluster.now < deadline, "the scheduler never became leader"
        cluster.run(0.1)
    return cluster


def outcomes(cluster: Cluster, since: int = -1) -> list[tuple[str, str, str | None]]:
    """(kind, pod, node) of each scheduler record after trace position `since`."""
    return [
        (rec.kind, rec.obj, rec.details.get("node"))
        for rec in cluster.trace.since(since)
        if rec.component == "scheduler"
    ]


def delete_pod(cluster: Cluster, name: str) -> None:
    cluster._request(lambda c: c.delete("pods", name, "default"))


# -- the loop in a whole cluster -------------------------------------------------------------


def test_a_pod_is_scheduled_bound_and_counted_on_its_node() -> None:
    cluster = leading_cluster(workers=1)
    mark = len(cluster.trace) - 1
    cluster.apply(pod("web", cpu="500m"))
    cluster.run(1)
    assert outcomes(cluster, mark) == [
        ("Scheduled", "pod/default/web", "worker-1"),
        ("Bound", "pod/default/web", "worker-1"),
    ]
    scheduled = cluster.trace.where(component="scheduler", kind="Scheduled")[0]
    assert scheduled.details["feasible"] == 1
    assert scheduled.details["message"] == "Successfully assigned default/web to worker-1"
    assert cluster.get("pods", "web")["spec"]["nodeName"] == "worker-1"
    info = scheduler_of(cluster).nodes["worker-1"]
    assert [p["metadata"]["name"] for p in info.pods] == ["web"]
    assert info.requested["cpu"] == 500


def test_pods_are_scheduled_in_priority_order_then_first_come_first_served() -> None:
    cluster = leading_cluster(workers=0)  # the only node is tainted: every pod waits
    cluster.apply(
        [
            pod("low"),
            pod("high", priority=1000),
            pod("mid", priority=500),
            pod("high-too", priority=1000),
            pod("negative", priority=-10),
        ]
    )
    cluster.run(1)
    assert [kind for kind, _, _ in outcomes(cluster)] == ["FailedScheduling"] * 5
    mark = len(cluster.trace) - 1
    cluster.apply(node("extra-1"))
    cluster.run(1)
    scheduled = [p for kind, p, _ in outcomes(cluster, mark) if kind == "Scheduled"]
    assert scheduled == [
        "pod/default/high",
        "pod/default/high-too",
        "pod/default/mid",
        "pod/default/low",
        "pod/default/negative",
    ]


def test_an_unschedulable_pod_says_why_in_the_trace_and_in_its_status() -> None:
    cluster = leading_cluster(workers=1, worker_cpu="1")
    cluster.apply(pod("big", cpu="2"))
    cluster.run(1)
    message = f"0/2 nodes are available: 1 Insufficient cpu, 1 {CONTROL_PLANE_TAINT_MSG}."
    failed = cluster.trace.where(component="scheduler", kind="FailedScheduling")
    assert [(rec.obj, rec.details) for rec in failed] == [("pod/default/big", {"message": message})]
    status = cluster.get("pods", "big")["status"]
    assert status["phase"] == "Pending"
    assert [(c["type"], c["status"], c["reason"], c["message"]) for c in status["conditions"]] == [
        ("PodScheduled", "False", "Unschedulable", message)
    ]
    decision = scheduler_of(cluster).decisions["default/big"]
    assert (decision.scheduled, decision.message) == (False, message)


def test_an_unschedulable_pod_is_scheduled_as_soon_as_a_node_joins() -> None:
    cluster = leading_cluster(workers=1, worker_cpu="1")
    cluster.apply(pod("big", cpu="2"))
    cluster.run(10)
    joined = cluster.now
    cluster.apply(node("extra-1", cpu="4"))
    cluster.run(1)
    scheduled = cluster.trace.where(component="scheduler", kind="Scheduled")
    assert [(rec.obj, rec.details["node"]) for rec in scheduled] == [("pod/default/big", "extra-1")]
    assert scheduled[0].time - joined < 0.1  # not after the 5-minute unschedulable flush
    pod_now = cluster.get("pods", "big")
    assert pod_now["spec"]["nodeName"] == "extra-1"
    assert [(c["type"], c["status"]) for c in pod_now["status"]["conditions"]] == [
        ("PodScheduled", "True")
    ]


def test_an_unschedulable_pod_is_scheduled_as_soon_as_a_big_pod_leaves() -> None:
    cluster = leading_cluster(workers=1, worker_cpu="2")
    cluster.apply(pod("big", cpu="1500m"))
    cluster.run(5)
    cluster.apply(pod("next", cpu="1"))
    cluster.run(5)
    assert outcomes(cluster)[-1] == ("FailedScheduling", "pod/default/next", None)
    mark = len(cluster.trace) - 1
    delete_pod(cluster, "big")
    cluster.run(1)
    assert outcomes(cluster, mark) == [
        ("Scheduled", "pod/default/next", "worker-1"),
        ("Bound", "pod/default/next", "worker-1"),
    ]
    info = scheduler_of(cluster).nodes["worker-1"]
    assert [p["metadata"]["name"] for p in info.pods] == ["next"]
    assert info.requested["cpu"] == 1000


def test_decisions_keep_only_the_last_decision_per_pod() -> None:
    cluster = leading_cluster(workers=1, worker_cpu="1")
    cluster.apply([pod("big", cpu="2"), pod("small")])
    cluster.run(5)
    scheduler = scheduler_of(cluster)
    assert not scheduler.decisions["default/big"].scheduled
    cluster.apply(node("extra-1", cpu="4"))
    cluster.run(1)
    assert sorted(scheduler.decisions) == ["default/big", "default/small"]
    assert scheduler.decisions["default/big"].node == "extra-1"
    assert scheduler.decisions["default/small"].node == "worker-1"
    rows = scheduler.decisions["default/big"].rows()
    assert [(row["node"], row["chosen"]) for row in rows] == [
        ("control-plane", False),
        ("extra-1", True),
        ("worker-1", False),
    ]


def test_pods_for_another_scheduler_or_already_bound_are_not_scheduled() -> None:
    cluster = leading_cluster(workers=2)
    cluster.apply(
        [
            pod("theirs", schedulerName="my-scheduler"),
            pod("pinned", cpu="1", nodeName="worker-2"),
        ]
    )
    cluster.run(5)
    assert outcomes(cluster) == []
    scheduler = scheduler_of(cluster)
    assert scheduler.decisions == {}
    assert cluster.get("pods", "theirs")["spec"].get("nodeName") is None
    assert scheduler.nodes["worker-2"].requested["cpu"] == 1000


def test_a_deleted_pod_no_longer_counts_on_its_node() -> None:
    cluster = leading_cluster(workers=1)
    cluster.apply([pod("a", cpu="1"), pod("b", cpu="2")])
    cluster.run(5)
    info = scheduler_of(cluster).nodes["worker-1"]
    assert (info.pod_count, info.requested["cpu"]) == (2, 3000)
    delete_pod(cluster, "a")
    cluster.run(1)
    info = scheduler_of(cluster).nodes["worker-1"]
    assert (info.pod_count, info.requested["cpu"]) == (1, 2000)


def test_a_node_that_leaves_is_no_longer_a_candidate() -> None:
    cluster = leading_cluster(workers=0)
    cluster.apply(node("extra-1"))
    cluster.run(1)
    cluster._request(lambda c: c.delete("nodes", "extra-1"))
    cluster.run(1)
    cluster.apply(pod("web"))
    cluster.run(1)
    assert outcomes(cluster)[-1] == ("FailedScheduling", "pod/default/web", None)
    assert list(scheduler_of(cluster).nodes) == ["control-plane"]


# -- against a scripted API server --------------------------------------------------------------


class ScriptedAPIServer:
    """A stand-in kube-apiserver on port 6443 that the test drives.

    It lists the objects in `objects`, keeps every watch stream so `push` can send events on it,
    answers `bind` with `bind_answer` after `bind_delay` seconds; other writes are kept as sent
    (the scheduler's leader Lease), and a get returns what was kept.
    """

    def __init__(self, network: Network, name: str) -> None:
        host = network.add_host(name)
        host.start()
        self.group = host.group("kube-apiserver")
        self.group.listen(6443, self)
        self.objects: dict[str, list[dict]] = {"nodes": [], "pods": []}
        self.watches: dict[str, list[Stream]] = {"nodes": [], "pods": []}
        self.stored: dict[tuple[str, str], dict] = {}
        self.bind_delay = 0.0
        self.bind_answer: Callable[[dict], dict] = lambda request: {}
        self.binds: list[tuple[float, str, str]] = []

    def serve(self, request: dict) -> Generator:
        env = self.group.env
        if request["verb"] == "bind":
            self.binds.append((env.now, request["name"], request["node"]))
            yield env.timeout(self.bind_delay)
            return self.bind_answer(request)
        yield env.timeout(0)
        verb, resource = request["verb"], request["resource"]
        if verb == "list":
            items = copy.deepcopy(self.objects[resource])
            return {"items": items, "resourceVersion": "1"}
        if verb == "get":
            if (resource, request["name"]) not in self.stored:
                raise NotFoundError(f'{resource} "{request["name"]}" not found')
            return copy.deepcopy(self.stored[resource, request["name"]])
        body = copy.deepcopy(request["body"])
        self.stored[resource, body["metadata"]["name"]] = body
        return copy.deepcopy(body)

    def accept(self, request: dict, stream: Stream) -> None:
        self.watches[request["resource"]].append(stream)

    def push(self, resource: str, event: str, obj: dict) -> None:
        """Send a watch event (ADDED, MODIFIED, DELETED) to every watcher of `resource`."""
        for stream in self.watches[resource]:
            stream.send({"type": event, "object": copy.deepcopy(obj)})


def already_bound(request: dict) -> dict:
    raise ConflictError(f'pod {request["name"]} is already assigned to node "node-b"')


def listed_node(name: str, cpu: str = "4", taints: list | None = None, beat: str = "") -> dict:
    """A Node as the API server lists it: allocatable, and a Ready condition heard at `beat`."""
    ready = {
        "type": "Ready",
        "status": "True",
        "lastHeartbeatTime": beat or "2026-01-01T00:00:00Z",
        "lastTransitionTime": "2026-01-01T00:00:00Z",
    }
    status = {"allocatable": {"cpu": cpu, "pods": "110"}, "conditions": [ready]}
    return {**node(name, cpu, taints), "status": status}


class Scripted:
    """A scheduler on host "scheduler" watching a ScriptedAPIServer on host "api"; the test sends
    the watch events and chooses when and how the API server answers a binding.

    Two nodes: node-a, free, and node-b, tainted so that the scheduler never picks it.
    """

    TAINT = {"key": "dedicated", "value": "others", "effect": "NoSchedule"}

    def __init__(self) -> None:
        self.sim = Simulation(1)
        network = Network(self.sim)
        self.api = ScriptedAPIServer(network, "api")
        self.api.objects["nodes"] = [
            listed_node("node-a"),
            listed_node("node-b", taints=[self.TAINT]),
        ]
        host = network.add_host("scheduler")
        host.start()
        self.scheduler = Scheduler(host.group("kube-scheduler"), "api")
        self.scheduler.start()
        self.sim.run(1)
        assert self.scheduler.leading
        self.api.bind_answer = already_bound

    def counted(self) -> dict[str, list[str]]:
        """The pods each node is charged with in the scheduler's NodeInfo."""
        return {
            name: [p["metadata"]["name"] for p in info.pods]
            for name, info in self.scheduler.nodes.items()
        }

    def records(self, kind: str) -> list[float]:
        return [rec.time for rec in self.sim.trace.where(component="scheduler", kind=kind)]

    def kinds(self) -> list[str]:
        return [rec.kind for rec in self.sim.trace.by_component("scheduler")]


def test_the_scripted_world_schedules_onto_node_a() -> None:
    world = Scripted()
    world.api.bind_answer = lambda request: {}
    world.api.push("pods", "ADDED", pod("web"))
    world.sim.run(1)
    assert world.kinds() == ["Scheduled", "Bound"]
    # The event takes 0.5 ms to reach the scheduler, the binding 0.5 ms to come back.
    assert world.api.binds == [(pytest.approx(1.001), "web", "node-a")]
    assert world.counted() == {"node-a": ["web"], "node-b": []}


def test_a_failed_binding_is_recorded_and_the_pod_counted_once_where_it_landed() -> None:
    world = Scripted()
    world.api.push("pods", "ADDED", pod("web"))
    world.sim.run(0.5)  # the binding is refused: someone else bound the pod to node-b
    assert world.kinds() == ["Scheduled", "BindingFailed"]
    failed = world.sim.trace.where(kind="BindingFailed")[0]
    assert failed.details == {
        "node": "node-a",
        "error": 'pod web is already assigned to node "node-b"',
    }
    assert world.counted() == {"node-a": [], "node-b": []}
    world.api.push("pods", "MODIFIED", pod("web", nodeName="node-b"))
    world.sim.run(30)
    assert world.kinds() == ["Scheduled", "BindingFailed"]
    assert world.counted() == {"node-a": [], "node-b": ["web"]}
    assert len(world.api.binds) == 1


def test_a_refused_binding_is_retried_with_backoff_while_the_pod_looks_unbound() -> None:
    world = Scripted()
    world.api.push("pods", "ADDED", pod("web"))
    world.sim.run(4)
    times = [t for t, _, _ in world.api.binds]
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    assert gaps == [pytest.approx(1, abs=0.01), pytest.approx(2, abs=0.01)]
    assert world.counted() == {"node-a": [], "node-b": []}


def test_a_binding_refused_after_the_informer_saw_the_pod_bound_elsewhere() -> None:
    world = Scripted()
    world.api.bind_delay = 1.0
    world.api.push("pods", "ADDED", pod("web"))
    world.sim.run(0.5)  # the scheduler assumed web on node-a; its binding is on its way
    assert world.kinds() == ["Scheduled"]
    world.api.push("pods", "MODIFIED", pod("web", nodeName="node-b"))
    world.sim.run(0.1)
    assert world.counted() == {"node-a": [], "node-b": ["web"]}
    world.sim.run(30)  # the binding was refused at 2.0
    assert world.counted() == {"node-a": [], "node-b": ["web"]}
    assert world.kinds() == ["Scheduled", "BindingFailed"]


def test_with_no_event_an_unschedulable_pod_is_retried_after_5_minutes() -> None:
    world = Scripted()
    world.api.push("pods", "ADDED", pod("huge", cpu="8"))
    world.sim.run(UNSCHEDULABLE_MAX_SECONDS + 2 * UNSCHEDULABLE_FLUSH_SECONDS)
    first, second = world.records("FailedScheduling")
    # The flusher looks every 30 s for pods unschedulable for 5 minutes or more.
    assert (
        UNSCHEDULABLE_MAX_SECONDS
        <= second - first
        < (UNSCHEDULABLE_MAX_SECONDS + UNSCHEDULABLE_FLUSH_SECONDS)
    )


def test_a_node_that_grows_makes_an_unschedulable_pod_try_again_at_once() -> None:
    world = Scripted()
    world.api.push("pods", "ADDED", pod("huge", cpu="8"))
    world.sim.run(10)
    world.api.bind_answer = lambda request: {}
    world.api.push("nodes", "MODIFIED", listed_node("node-a", cpu="16"))
    world.sim.run(0.01)
    assert world.kinds() == ["FailedScheduling", "Scheduled", "Bound"]
    assert world.counted() == {"node-a": ["huge"], "node-b": []}


def test_a_heartbeat_only_node_update_does_not_retry_unschedulable_pods() -> None:
    world = Scripted()
    world.api.push("pods", "ADDED", pod("huge", cpu="8"))
    world.sim.run(10)
    world.api.push("nodes", "MODIFIED", listed_node("node-a", beat="2026-01-01T00:00:10Z"))
    world.sim.run(1)
    assert world.kinds() == ["FailedScheduling"]
