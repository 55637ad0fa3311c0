"""The kube-scheduler loop against a scripted API server, where the test decides when each answer
and event arrives: binding races, backoff, the queue's retries, start-index rotation, profiles.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Generator

import pytest

from k8slab.cmd.kube_scheduler import main as scheduler_main
from k8slab.errors import ConflictError, K8sLabError, NotFoundError
from k8slab.node.process import Process
from k8slab.scheduler.framework.diagnosis import PER_NODE
from k8slab.scheduler.plugins.registry import default_profile
from k8slab.scheduler.profile import load_config
from k8slab.scheduler.queue import (
    POD_MAX_IN_UNSCHEDULABLE_PODS_DURATION as UNSCHEDULABLE_MAX_SECONDS,
)
from k8slab.scheduler.queue import UNSCHEDULABLE_FLUSH_INTERVAL as UNSCHEDULABLE_FLUSH_SECONDS
from k8slab.scheduler.scheduler import Scheduler
from k8slab.scheduler.view import ProfileView, SchedulerView, decision_log
from k8slab.sim.kernel import Simulation
from k8slab.sim.network import Network, Stream
from tests.pki_fixtures import kubeconfig_for
from tests.scheduler.objects import PLUGINS, node, pod

NAMES = ("spread", "packed", "theirs")

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

    By default two nodes: node-a, free, and node-b, tainted so that the scheduler never picks it;
    bindings are refused (someone else bound the pod) unless the test says otherwise.
    """

    TAINT = {"key": "dedicated", "value": "others", "effect": "NoSchedule"}

    def __init__(
        self,
        nodes: list[dict] | None = None,
        make: Callable[..., Scheduler] = Scheduler,
    ) -> None:
        self.sim = Simulation(1)
        network = Network(self.sim)
        self.api = ScriptedAPIServer(network, "api")
        self.api.objects["nodes"] = nodes if nodes is not None else [
            listed_node("node-a"),
            listed_node("node-b", taints=[self.TAINT]),
        ]
        self.host = network.add_host("scheduler")
        self.host.start()
        self.scheduler = make(self.host.group("kube-scheduler"), "api")
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
    assert world.kinds() == ["Assumed", "Scheduled", "Bound"]
    # The event takes 0.5 ms to reach the scheduler, the binding 0.5 ms to come back.
    assert world.api.binds == [(pytest.approx(1.001), "web", "node-a")]
    assert world.counted() == {"node-a": ["web"], "node-b": []}


def test_a_failed_binding_is_recorded_and_the_pod_counted_once_where_it_landed() -> None:
    world = Scripted()
    world.api.push("pods", "ADDED", pod("web"))
    world.sim.run(0.5)  # the binding is refused: someone else bound the pod to node-b
    # No Scheduled event: upstream records it only after the bind plugins succeed, and a failed
    # binding a FailedScheduling event with the error (handleSchedulingFailure).
    assert world.kinds() == ["Assumed", "FailedScheduling"]
    failed = world.sim.trace.where(kind="FailedScheduling")[0]
    assert failed.details == {
        "node": "node-a",
        "type": "Warning",
        "source": "default-scheduler",
        "message": 'running Bind plugin "DefaultBinder": pod web is already assigned to node '
        '"node-b"',
    }
    [logged] = decision_log(world.sim.trace, "default/web")
    assert (logged.decision.node, logged.outcome) == ("node-a", failed.details["message"])
    [condition] = world.api.stored["pods", "web"]["status"]["conditions"]
    assert (condition["type"], condition["status"], condition["reason"]) == (
        "PodScheduled",
        "False",
        "SchedulerError",  # not Unschedulable: a failed binding is an error, not a misfit
    )
    assert condition["message"] == failed.details["message"]
    assert world.counted() == {"node-a": [], "node-b": []}
    world.api.push("pods", "MODIFIED", pod("web", nodeName="node-b"))
    world.sim.run(30)
    assert world.kinds() == ["Assumed", "FailedScheduling"]
    assert world.counted() == {"node-a": [], "node-b": ["web"]}
    assert len(world.api.binds) == 1


def test_the_scheduled_event_waits_for_a_slow_binding() -> None:
    world = Scripted()
    world.api.bind_answer = lambda request: {}
    world.api.bind_delay = 1.0
    world.api.push("pods", "ADDED", pod("web"))
    world.sim.run(0.5)
    assert world.kinds() == ["Assumed"]
    world.sim.run(2)
    assert world.kinds() == ["Assumed", "Scheduled", "Bound"]
    [assumed], [scheduled] = world.records("Assumed"), world.records("Scheduled")
    assert scheduled - assumed == pytest.approx(1.0, abs=0.01)
    [logged] = decision_log(world.sim.trace, "default/web")
    assert logged.outcome == "Successfully assigned default/web to node-a"


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
    assert world.kinds() == ["Assumed"]  # no Scheduled event before the binding succeeds
    assert decision_log(world.sim.trace, "default/web")[0].outcome == ""
    world.api.push("pods", "MODIFIED", pod("web", nodeName="node-b"))
    world.sim.run(0.1)
    assert world.counted() == {"node-a": [], "node-b": ["web"]}
    world.sim.run(30)  # the binding was refused at 2.0
    assert world.counted() == {"node-a": [], "node-b": ["web"]}
    assert world.kinds() == ["Assumed", "FailedScheduling"]
    assert ("pods", "web") not in world.api.stored  # bound already: no SchedulerError written


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
    assert world.kinds() == ["FailedScheduling", "Assumed", "Scheduled", "Bound"]
    assert world.counted() == {"node-a": ["huge"], "node-b": []}


def test_a_heartbeat_only_node_update_does_not_retry_unschedulable_pods() -> None:
    world = Scripted()
    world.api.push("pods", "ADDED", pod("huge", cpu="8"))
    world.sim.run(10)
    world.api.push("nodes", "MODIFIED", listed_node("node-a", beat="2026-01-01T00:00:10Z"))
    world.sim.run(1)
    assert world.kinds() == ["FailedScheduling"]


# -- the scheduling queue in the loop --------------------------------------------------------


def relabelled(name: str, value: int) -> dict:
    """node-a with a new label value: a change of scheduling properties (a cluster event)."""
    node_now = listed_node(name)
    node_now["metadata"]["labels"] = {"round": str(value)}
    return node_now


def test_events_keep_coming_and_the_backoff_doubles_per_attempt_up_to_10_s() -> None:
    world = Scripted()
    world.api.push("pods", "ADDED", pod("huge", cpu="8"))
    for step in range(120):  # a node event every 0.25 s for 30 s
        world.api.push("nodes", "MODIFIED", relabelled("node-a", step))
        world.sim.run(0.25)
    times = world.records("FailedScheduling")
    gaps = [round(b - a, 6) for a, b in zip(times, times[1:], strict=False)]
    assert gaps == [1, 2, 4, 8, 10]


def test_a_status_only_update_does_not_retry_but_a_label_change_does() -> None:
    world = Scripted()
    world.api.push("pods", "ADDED", pod("huge", cpu="8"))
    world.sim.run(5)
    reported = pod("huge", cpu="8")
    reported["status"] = {"phase": "Pending", "conditions": [{"type": "PodScheduled"}]}
    world.api.push("pods", "MODIFIED", reported)
    world.sim.run(5)
    assert world.kinds() == ["FailedScheduling"]
    relabel = copy.deepcopy(reported)
    relabel["metadata"]["labels"] = {"tier": "batch"}
    world.api.push("pods", "MODIFIED", relabel)
    world.sim.run(0.01)
    assert world.kinds() == ["FailedScheduling", "FailedScheduling"]


def test_every_attempt_s_decision_is_in_the_trace_and_says_which_cycle_made_it() -> None:
    world = Scripted()
    world.api.push("pods", "ADDED", pod("huge", cpu="8"))
    for step in range(40):
        world.api.push("nodes", "MODIFIED", relabelled("node-a", step))
        world.sim.run(0.25)
    assert len(world.records("FailedScheduling")) == 4  # at 0, 1, 3 and 7 s
    past = decision_log(world.sim.trace, "default/huge")
    assert [p.time for p in past] == world.records("FailedScheduling")
    assert {p.host for p in past} == {"scheduler"}
    assert all(p.decision.state is None for p in past)  # the cycle's scratch space is not kept
    assert past[-1].decision.path == PER_NODE
    assert past[-1].decision.why_per_node == "2 nodes, fewer than 100: node by node is quicker"


def test_the_view_is_what_the_lab_reads_of_a_scheduler() -> None:
    world = Scripted()
    world.api.push("pods", "ADDED", pod("huge", cpu="8"))
    world.sim.run(0.5)
    assert world.scheduler.view() == SchedulerView(
        host="scheduler",
        leading=True,
        profiles=(ProfileView("default-scheduler", PLUGINS, "LeastAllocated"),),
        nodes_seen=2,
        pods_active=0,
        pods_backing_off=0,
        pods_unschedulable=1,
    )
    assert world.scheduler.view().profile_names == ("default-scheduler",)


def test_a_pod_bound_before_its_node_is_known_counts_once_the_node_arrives() -> None:
    world = Scripted()
    world.api.push("pods", "ADDED", pod("early", cpu="1", nodeName="node-c"))
    world.sim.run(0.1)
    world.api.push("nodes", "ADDED", listed_node("node-c"))
    world.sim.run(0.1)
    assert world.counted()["node-c"] == ["early"]
    assert world.scheduler.nodes["node-c"].requested["cpu"] == 1000
    world.api.push("nodes", "MODIFIED", listed_node("node-c", cpu="8"))
    world.sim.run(0.1)
    assert world.scheduler.nodes["node-c"].requested["cpu"] == 1000


def test_the_search_start_rotates_so_every_node_gets_examined() -> None:
    # 200 nodes: each cycle stops after 100 feasible ones (numFeasibleNodesToFind), and the
    # next cycle starts where this one stopped (nextStartNodeIndex).
    world = Scripted(nodes=[listed_node(f"n-{i:03d}") for i in range(200)])
    world.api.bind_answer = lambda request: {}
    examined = []
    for name in ("first", "second", "third"):
        world.api.push("pods", "ADDED", pod(name))
        world.sim.run(0.1)
        examined.append(decision_log(world.sim.trace, f"default/{name}")[-1].decision.feasible)
    names = [f"n-{i:03d}" for i in range(200)]
    assert examined == [tuple(names[:100]), tuple(names[100:]), tuple(names[:100])]
    assert world.scheduler.next_start_index == 100


# -- profiles and the configuration file ------------------------------------------------------

TWO_PROFILES = """
apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
clientConnection:
  kubeconfig: /etc/kubernetes/scheduler.conf
podMaxBackoffSeconds: 4
profiles:
- schedulerName: default-scheduler
- schedulerName: bin-packer
  pluginConfig:
  - name: NodeResourcesFit
    args:
      scoringStrategy:
        type: MostAllocated
"""


def test_each_profile_schedules_the_pods_that_name_it_and_no_others() -> None:
    def make(group, server):
        return Scheduler.from_config(group, server, load_config(TWO_PROFILES))

    nodes = [listed_node("small", cpu="2"), listed_node("large", cpu="16")]
    world = Scripted(nodes=nodes, make=make)
    world.api.bind_answer = lambda request: {}
    world.api.push("pods", "ADDED", pod("spread", cpu="1"))
    world.api.push("pods", "ADDED", pod("packed", cpu="1", schedulerName="bin-packer"))
    world.api.push("pods", "ADDED", pod("theirs", cpu="1", schedulerName="someone-else"))
    world.sim.run(1)
    assert world.counted() == {"small": ["packed"], "large": ["spread"]}
    decided = {name: decision_log(world.sim.trace, f"default/{name}") != [] for name in NAMES}
    assert decided == {"spread": True, "packed": True, "theirs": False}
    assert world.scheduler.queue.max_backoff == 4


def test_a_scheduler_refuses_a_profile_that_is_not_a_framework() -> None:
    with pytest.raises(K8sLabError, match="profile 'x' must be a Framework"):
        Scripted(make=lambda group, server: Scheduler(group, server, {"x": "not a framework"}))


def test_kube_scheduler_reads_its_config_flag_from_the_hosts_disk() -> None:
    world = Scripted()
    host = world.host
    host.disk["/etc/kubernetes/scheduler.conf"] = kubeconfig_for("https://api:6443",
                                                                 "system:kube-scheduler")
    host.disk["/etc/kubernetes/config.yaml"] = TWO_PROFILES
    group = host.group("kube-scheduler-2")
    group.spawn(scheduler_main(Process(group, {"command": ["kube-scheduler",
                                                   "--config=/etc/kubernetes/config.yaml"]}, [])))
    world.sim.run(0.1)
    started = host.memory["kube-scheduler"]
    assert started is not world.scheduler
    assert list(started.profiles) == ["default-scheduler", "bin-packer"]
    assert started.client.server == "api"


def test_kube_scheduler_with_a_missing_config_file_stops_with_a_clear_error() -> None:
    world = Scripted()
    bundle = {"command": ["kube-scheduler", "--config=/etc/kubernetes/nope.yaml"]}
    with pytest.raises(K8sLabError, match="open /etc/kubernetes/nope.yaml: no such file"):
        next(scheduler_main(Process(world.host.group("kube-scheduler-2"), bundle, [])))


def test_without_default_preemption_a_high_priority_pod_just_waits() -> None:
    def make(group, server):
        return Scheduler(group, server, {"default-scheduler": default_profile(
            disabled=["DefaultPreemption"])})

    world = Scripted(make=make)
    world.api.push("pods", "ADDED", pod("low", cpu="3", nodeName="node-a"))
    world.api.push("pods", "ADDED", pod("high", cpu="3", priority=1000))
    world.sim.run(1)
    assert world.kinds() == ["FailedScheduling"]
    assert decision_log(world.sim.trace, "default/high")[-1].decision.nominated_node is None
    assert world.counted()["node-a"] == ["low"]
