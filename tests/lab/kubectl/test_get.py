"""`kubectl get` prints what kubectl prints: tables, statuses, ages, and kubectl's error words."""

import json

import pytest

from k8slab.errors import K8sLabError, NotFoundError
from k8slab.lab.kubectl.durations import parse_timestamp
from k8slab.lab.kubectl.get import kubectl
from k8slab.lab.kubectl.printers import pod_status

NOW = 330.0  # 2026-01-01T00:05:30Z


class FakeReader:
    """A cluster reader over a fixed set of objects, sorted as the API server sorts them."""

    def __init__(self, *objects: dict, now: float = NOW) -> None:
        self.now = now
        self.objects = objects

    def _of(self, resource: str) -> list[dict]:
        kind = {"pods": "Pod", "nodes": "Node", "namespaces": "Namespace", "leases": "Lease"}
        found = [obj for obj in self.objects if obj["kind"] == kind[resource]]
        return sorted(
            found, key=lambda o: (o["metadata"].get("namespace", ""), o["metadata"]["name"])
        )

    def list(self, resource: str, namespace: str | None) -> list[dict]:
        items = self._of(resource)
        return [
            o for o in items if namespace is None or o["metadata"].get("namespace") == namespace
        ]

    def get(self, resource: str, namespace: str | None, name: str) -> dict:
        for obj in self.list(resource, namespace):
            if obj["metadata"]["name"] == name:
                return obj
        raise NotFoundError(f"{resource} {name} is not stored")


def stamp(seconds: int) -> str:
    """RFC3339 time `seconds` after the simulation's epoch (all tests stay within the hour)."""
    return f"2026-01-01T00:{seconds // 60:02d}:{seconds % 60:02d}Z"


def running(name: str = "app", restarts: int = 0, **extra) -> dict:
    return {
        "name": name,
        "image": "nginx:1.27",
        "containerID": "containerd://abc",
        "ready": True,
        "started": True,
        "restartCount": restarts,
        "state": {"running": {"startedAt": stamp(1)}},
        **extra,
    }


def waiting(reason: str, name: str = "app", restarts: int = 0, **extra) -> dict:
    return {
        "name": name,
        "image": "nginx:1.27",
        "ready": False,
        "started": False,
        "restartCount": restarts,
        "state": {"waiting": {"reason": reason}},
        **extra,
    }


def terminated(name: str = "app", **state) -> dict:
    return {
        "name": name,
        "image": "busybox",
        "ready": False,
        "restartCount": 0,
        "state": {"terminated": state},
    }


def pod(
    name,
    *,
    namespace="default",
    created=0,
    phase="Running",
    statuses=(),
    node="worker-1",
    ip=None,
    labels=None,
    containers=1,
    **extra,
) -> dict:
    status = {"phase": phase, "containerStatuses": list(statuses)}
    if ip:
        status |= {"podIP": ip, "podIPs": [{"ip": ip}], "hostIP": "10.0.0.11"}
    spec = {"containers": [{"name": f"c{i}", "image": "nginx:1.27"} for i in range(containers)]}
    if node:
        spec["nodeName"] = node
    metadata = {"name": name, "namespace": namespace, "creationTimestamp": stamp(created)}
    if labels:
        metadata["labels"] = labels
    obj = {"apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": spec, "status": status}
    for key, value in extra.items():
        section, field = key.split("__")
        obj.setdefault(section, {})[field] = value
    return obj


def node(name, *, ready="True", unschedulable=False, labels=None, info=None, addresses=()):
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": name, "labels": labels or {}, "creationTimestamp": stamp(0)},
        "spec": {"unschedulable": True} if unschedulable else {},
        "status": {
            "conditions": [
                {"type": "MemoryPressure", "status": "False"},
                {"type": "Ready", "status": ready},
            ],
            "addresses": list(addresses),
            "nodeInfo": info if info is not None else {"kubeletVersion": "v1.35.0"},
        },
    }


def namespace(name, phase="Active", created=0):
    return {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {"name": name, "creationTimestamp": stamp(created)},
        "status": {"phase": phase},
    }


def lease(name, ns, holder, created=0):
    return {
        "apiVersion": "coordination.k8s.io/v1",
        "kind": "Lease",
        "metadata": {"name": name, "namespace": ns, "creationTimestamp": stamp(created)},
        "spec": {"holderIdentity": holder, "leaseDurationSeconds": 40},
    }


CRASHING = pod(
    "crash-1",
    created=30,
    statuses=[
        waiting(
            "CrashLoopBackOff",
            restarts=5,
            lastState={"terminated": {"reason": "Error", "exitCode": 1, "finishedAt": stamp(240)}},
        )
    ],
)
PENDING = pod("pending-1", created=320, phase="Pending", node=None)
WEB_1 = pod("web-1", statuses=[running()], ip="10.244.1.5", labels={"tier": "front", "app": "web"})
WEB_2 = pod("web-2", created=240, phase="Pending", statuses=[waiting("ContainerCreating")])
WEB_3 = pod("web-3", statuses=[running()], metadata__deletionTimestamp=stamp(300))
COREDNS = pod(
    "coredns-1", namespace="kube-system", statuses=[running()], node="worker-2", ip="10.244.2.3"
)


# ---------------------------------------------------------------------------- tables


def test_pods_in_the_default_namespace():
    reader = FakeReader(WEB_3, WEB_2, WEB_1, PENDING, CRASHING, COREDNS)
    assert kubectl(reader, "kubectl get pods") == (
        "NAME        READY   STATUS              RESTARTS      AGE\n"
        "crash-1     0/1     CrashLoopBackOff    5 (90s ago)   5m\n"
        "pending-1   0/1     Pending             0             10s\n"
        "web-1       1/1     Running             0             5m30s\n"
        "web-2       0/1     ContainerCreating   0             90s\n"
        "web-3       1/1     Terminating         0             5m30s"
    )


def test_pods_in_all_namespaces_wide():
    reader = FakeReader(WEB_1, PENDING, COREDNS)
    assert kubectl(reader, "get pods -A -o wide") == (
        "NAMESPACE     NAME        READY   STATUS    RESTARTS   AGE     IP           NODE       "
        "NOMINATED NODE   READINESS GATES\n"
        "default       pending-1   0/1     Pending   0          10s     <none>       <none>     "
        "<none>           <none>\n"
        "default       web-1       1/1     Running   0          5m30s   10.244.1.5   worker-1   "
        "<none>           <none>\n"
        "kube-system   coredns-1   1/1     Running   0          5m30s   10.244.2.3   worker-2   "
        "<none>           <none>"
    )


def test_pods_with_labels_in_another_namespace():
    reader = FakeReader(WEB_1, PENDING, COREDNS)
    assert kubectl(reader, "get po --show-labels") == (
        "NAME        READY   STATUS    RESTARTS   AGE     LABELS\n"
        "pending-1   0/1     Pending   0          10s     <none>\n"
        "web-1       1/1     Running   0          5m30s   app=web,tier=front"
    )
    assert kubectl(reader, "get pods -n kube-system") == (
        "NAME        READY   STATUS    RESTARTS   AGE\n"
        "coredns-1   1/1     Running   0          5m30s"
    )


def test_nodes_ready_not_ready_and_cordoned_with_roles():
    reader = FakeReader(
        node(
            "worker-3",
            unschedulable=True,
            labels={"node-role.kubernetes.io/worker": "", "node-role.kubernetes.io/infra": ""},
        ),
        node("worker-2", ready="Unknown", unschedulable=True),
        node("worker-1"),
        node("cp-1", labels={"node-role.kubernetes.io/control-plane": ""}),
    )
    assert kubectl(reader, "get nodes") == (
        "NAME       STATUS                        ROLES           AGE     VERSION\n"
        "cp-1       Ready                         control-plane   5m30s   v1.35.0\n"
        "worker-1   Ready                         <none>          5m30s   v1.35.0\n"
        "worker-2   NotReady,SchedulingDisabled   <none>          5m30s   v1.35.0\n"
        "worker-3   Ready,SchedulingDisabled      infra,worker    5m30s   v1.35.0"
    )


def test_nodes_wide_and_a_node_without_conditions():
    full = node(
        "cp-1",
        labels={"kubernetes.io/role": "master"},
        addresses=[
            {"type": "Hostname", "address": "cp-1"},
            {"type": "InternalIP", "address": "10.0.0.10"},
        ],
        info={
            "kubeletVersion": "v1.35.0",
            "osImage": "Ubuntu 24.04 LTS",
            "kernelVersion": "6.8.0-31-generic",
            "containerRuntimeVersion": "containerd://2.0.0",
        },
    )
    bare = node("new-1", info={})
    bare["status"]["conditions"] = []
    assert kubectl(FakeReader(full, bare), "get no -o wide") == (
        "NAME    STATUS    ROLES    AGE     VERSION   INTERNAL-IP   EXTERNAL-IP   "
        "OS-IMAGE           KERNEL-VERSION     CONTAINER-RUNTIME\n"
        "cp-1    Ready     master   5m30s   v1.35.0   10.0.0.10     <none>        "
        "Ubuntu 24.04 LTS   6.8.0-31-generic   containerd://2.0.0\n"
        "new-1   Unknown   <none>   5m30s             <none>        <none>        "
        "<unknown>          <unknown>          <unknown>"
    )


def test_namespaces_ignore_all_namespaces():
    reader = FakeReader(
        namespace("default"),
        namespace("kube-system", created=10),
        namespace("old", "Terminating", created=300),
    )
    expected = (
        "NAME          STATUS        AGE\n"
        "default       Active        5m30s\n"
        "kube-system   Active        5m20s\n"
        "old           Terminating   30s"
    )
    assert kubectl(reader, "get ns") == expected
    assert kubectl(reader, "get namespaces -A") == expected


def test_leases_across_namespaces_and_by_name():
    reader = FakeReader(
        lease("worker-1", "kube-node-lease", "worker-1", created=5),
        lease("kube-scheduler", "kube-system", "cp-1_4f2a"),
    )
    assert kubectl(reader, "get leases --all-namespaces") == (
        "NAMESPACE         NAME             HOLDER      AGE\n"
        "kube-node-lease   worker-1         worker-1    5m25s\n"
        "kube-system       kube-scheduler   cp-1_4f2a   5m30s"
    )
    assert kubectl(reader, "get lease/worker-1 -n kube-node-lease") == (
        "NAME       HOLDER     AGE\nworker-1   worker-1   5m25s"
    )


def test_one_pod_by_name_and_by_type_slash_name():
    reader = FakeReader(WEB_1, PENDING)
    expected = (
        "NAME    READY   STATUS    RESTARTS   AGE\nweb-1   1/1     Running   0          5m30s"
    )
    assert kubectl(reader, "get pod web-1") == expected
    assert kubectl(reader, "get pod/web-1") == expected
    assert kubectl(reader, "get Pods web-1 pending-1").splitlines()[1:] == [
        "web-1       1/1     Running   0          5m30s",
        "pending-1   0/1     Pending   0          10s",
    ]


def test_output_name():
    reader = FakeReader(WEB_1, PENDING, node("worker-1"), lease("worker-1", "kube-node-lease", "w"))
    assert kubectl(reader, "get pods -o name") == "pod/pending-1\npod/web-1"
    assert kubectl(reader, "get nodes -oname") == "node/worker-1"
    assert kubectl(reader, "get leases -A -o=name") == "lease.coordination.k8s.io/worker-1"


def test_nothing_found():
    reader = FakeReader(COREDNS)
    assert kubectl(reader, "get pods") == "No resources found in default namespace."
    assert kubectl(reader, "get pods -n empty") == "No resources found in empty namespace."
    assert kubectl(reader, "get pods -n empty -o name") == "No resources found in empty namespace."
    assert kubectl(reader, "get leases -A") == "No resources found"
    assert kubectl(reader, "get nodes") == "No resources found"


# ---------------------------------------------------------------------------- flags


@pytest.mark.parametrize(
    "command",
    [
        "get pods -n kube-system",
        "get pods -nkube-system",
        "get pods -n=kube-system",
        "get pods --namespace kube-system",
        "get pods --namespace=kube-system",
        "kubectl -n kube-system get pods",
        "get pods -n kube-system -o wide --show-labels=false",
        "get pods -A --all-namespaces=false -n kube-system",
    ],
)
def test_namespace_flag_spellings(command):
    reader = FakeReader(WEB_1, COREDNS)
    assert kubectl(reader, command).splitlines()[1].startswith("coredns-1   1/1")


def test_combined_shorthands():
    reader = FakeReader(WEB_1, COREDNS)
    assert kubectl(reader, "get pods -Ao name") == "pod/web-1\npod/coredns-1"


def test_name_across_all_namespaces_is_fine_for_cluster_scoped_kinds():
    assert kubectl(FakeReader(node("worker-1")), "get node worker-1 -A -o name") == "node/worker-1"


# ---------------------------------------------------------------------------- yaml and json


def test_json_of_one_object_is_sorted_indented_and_escaped_like_go():
    obj = pod("web-1", metadata__annotations={"note": "a<b & c>d"})
    text = kubectl(FakeReader(obj), "get pod web-1 -o json")
    assert json.loads(text) == obj
    assert text.startswith('{\n    "apiVersion": "v1",\n    "kind": "Pod",\n    "metadata": {\n')
    assert '"note": "a\\u003cb \\u0026 c\\u003ed"' in text


def test_json_of_a_list_is_a_kubernetes_list():
    assert json.loads(kubectl(FakeReader(WEB_1, PENDING), "get pods -o json")) == {
        "apiVersion": "v1",
        "items": [PENDING, WEB_1],
        "kind": "List",
        "metadata": {"resourceVersion": ""},
    }
    assert json.loads(kubectl(FakeReader(), "get pods -o json"))["items"] == []


def test_yaml_is_printed_as_kubectls_go_yaml():
    # Keys sorted (a List's items before kind), strings that need quotes double-quoted, long
    # strings folded at 80 columns, as real kubectl v1.36 prints them (test_equivalence.py).
    text = kubectl(FakeReader(WEB_1), "get pods -o yaml")
    assert text.startswith("apiVersion: v1\nitems:\n- apiVersion: v1\n  kind: Pod\n")
    assert text.endswith("kind: List\nmetadata:\n  resourceVersion: \"\"")
    assert '  creationTimestamp: "2026-01-01T00:00:00Z"' in text


# ---------------------------------------------------------------------------- pod status


def status_of(**fields) -> str:
    return pod_status(pod("p", **fields), NOW)[1]


def test_init_containers_report_progress_and_failures():
    two_inits = {"spec__initContainers": [{"name": "a"}, {"name": "b"}], "phase": "Pending"}
    done = terminated("a", reason="Completed", exitCode=0)
    cases = {
        "Init:0/2": [waiting("PodInitializing", "a")],
        "Init:1/2": [done, running("b")],
        "Init:CrashLoopBackOff": [done, waiting("CrashLoopBackOff", "b")],
        "Init:Error": [terminated("a", reason="Error", exitCode=1)],
        "Init:Signal:9": [terminated("a", exitCode=137, signal=9)],
        "Init:ExitCode:2": [terminated("a", exitCode=2)],
    }
    for expected, init_statuses in cases.items():
        got = status_of(status__initContainerStatuses=init_statuses, **two_inits)
        assert got == expected, init_statuses


def test_container_reasons():
    assert status_of(statuses=[terminated(reason="OOMKilled", exitCode=137)]) == "OOMKilled"
    assert status_of(statuses=[terminated(exitCode=137, signal=9)]) == "Signal:9"
    assert status_of(statuses=[terminated(exitCode=3)]) == "ExitCode:3"
    # The first container's reason wins over later ones.
    first_wins = [waiting("ErrImagePull", "a"), waiting("CrashLoopBackOff", "b")]
    assert status_of(statuses=first_wins, containers=2) == "ErrImagePull"


def test_completed_with_a_running_sidecar_reads_running_or_not_ready():
    statuses = [terminated("a", reason="Completed", exitCode=0), running("b")]
    ready = [{"type": "Ready", "status": "True"}]
    assert status_of(statuses=statuses, containers=2, status__conditions=ready) == "Running"
    assert status_of(statuses=statuses, containers=2) == "NotReady"
    assert status_of(statuses=statuses[:1], phase="Succeeded") == "Completed"


def test_deletion_node_lost_and_scheduling_gates():
    deleting = {"metadata__deletionTimestamp": stamp(300)}
    assert status_of(statuses=[running()], **deleting) == "Terminating"
    done = [terminated(reason="Completed", exitCode=0)]
    assert status_of(statuses=done, phase="Succeeded", **deleting) == "Completed"
    assert status_of(phase="Running", status__reason="NodeLost") == "NodeLost"
    assert status_of(phase="Running", status__reason="NodeLost", **deleting) == "Unknown"
    gated = [{"type": "PodScheduled", "status": "False", "reason": "SchedulingGated"}]
    assert status_of(phase="Pending", node=None, status__conditions=gated) == "SchedulingGated"


def test_sidecars_count_toward_ready():
    sidecar = running("proxy")
    sidecar_pod = pod(
        "p",
        statuses=[running()],
        spec__initContainers=[{"name": "proxy", "restartPolicy": "Always"}],
        status__initContainerStatuses=[sidecar],
    )
    assert pod_status(sidecar_pod, NOW) == ("2/2", "Running", "0")


def test_restarts_sum_and_say_when_the_last_one_was():
    finished = {"terminated": {"reason": "Error", "exitCode": 1, "finishedAt": stamp(30)}}
    later = {"terminated": {"reason": "Error", "exitCode": 1, "finishedAt": stamp(150)}}
    statuses = [running("a", 2, lastState=finished), running("b", 3, lastState=later)]
    assert pod_status(pod("p", statuses=statuses, containers=2), NOW) == (
        "2/2",
        "Running",
        "5 (3m ago)",
    )
    no_history = [running("a", 2), running("b", 3)]
    assert pod_status(pod("p", statuses=no_history, containers=2), NOW)[2] == "5"


def test_finished_init_containers_restarts_stop_counting():
    init_done = terminated("init", reason="Completed", exitCode=0) | {"restartCount": 2}
    initialized = pod(
        "p",
        statuses=[running(restarts=1)],
        spec__initContainers=[{"name": "init"}],
        status__initContainerStatuses=[init_done],
    )
    assert pod_status(initialized, NOW) == ("1/1", "Running", "1")
    still_initializing = pod(
        "p",
        phase="Pending",
        spec__initContainers=[{"name": "init"}],
        status__initContainerStatuses=[waiting("CrashLoopBackOff", "init", restarts=4)],
    )
    assert pod_status(still_initializing, NOW) == ("0/1", "Init:CrashLoopBackOff", "4")


def test_readiness_gates_in_wide_output():
    gated = pod(
        "p",
        statuses=[running()],
        spec__readinessGates=[{"conditionType": "example.com/lb"}, {"conditionType": "x/y"}],
        status__conditions=[{"type": "example.com/lb", "status": "True"}],
    )
    assert (
        kubectl(FakeReader(gated), "get pods -o wide")
        .splitlines()[1]
        .endswith("   <none>           1/2")
    )


# ---------------------------------------------------------------------------- errors


def test_missing_objects_are_not_found_in_kubectl_words():
    reader = FakeReader(WEB_1, lease("worker-1", "kube-node-lease", "worker-1"))
    with pytest.raises(NotFoundError) as caught:
        kubectl(reader, "get pods nope")
    assert str(caught.value) == 'Error from server (NotFound): pods "nope" not found'
    assert caught.value.code == 404
    with pytest.raises(NotFoundError, match=r'leases\.coordination\.k8s\.io "worker-1" not found'):
        kubectl(reader, "get lease worker-1")
    with pytest.raises(NotFoundError, match='nodes "worker-9" not found'):
        kubectl(reader, "get node/worker-9")


def test_bad_timestamps_are_named():
    broken = pod("p")
    broken["metadata"]["creationTimestamp"] = "yesterday"
    with pytest.raises(K8sLabError, match="metadata.creationTimestamp 'yesterday'"):
        kubectl(FakeReader(broken), "get pods")
    with pytest.raises(K8sLabError, match="no time zone"):
        parse_timestamp("2026-01-01T00:00:00")
    missing = pod("p")
    del missing["metadata"]["creationTimestamp"]
    assert kubectl(FakeReader(missing), "get pods").endswith("<unknown>")
