"""The workload controllers against the real API server (etcd, admission, validation, watch):
what the fake cannot show, e.g. that the pods they write are accepted and their Events stored."""

from k8slab.client.informer import SharedInformerFactory
from k8slab.client.rest import Client
from k8slab.controllers.context import ControllerContext
from k8slab.controllers.daemonset import DaemonSetsController
from k8slab.controllers.job import JobController
from k8slab.controllers.replicaset import ReplicaSetController
from k8slab.controllers.statefulset import StatefulSetController
from tests.pki_fixtures import SYSTEM_MASTERS, credentials

TEMPLATE = {"metadata": {"labels": {"app": "web"}},
            "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]}}


def run_controllers(cp, *classes):
    group = cp.control_plane.group("kube-controller-manager")
    # system:masters: these tests are about the controllers, not their RBAC roles.
    client = Client(group, credentials("kubernetes-super-admin", (SYSTEM_MASTERS,)),
                    "control-plane")
    factory = SharedInformerFactory(client)
    for controller_class in classes:
        controller_class(ControllerContext(group, client, factory)).start()
    factory.start()


def pods(cp):
    items, _ = cp.ok(cp.client().list("pods", "default"))
    return sorted(items, key=lambda p: p["metadata"]["name"])


def test_replica_set_pods_and_events_through_the_api_server(cp):
    rs = {"apiVersion": "apps/v1", "kind": "ReplicaSet",
          "metadata": {"name": "web", "namespace": "default"},
          "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}},
                   "template": TEMPLATE}}
    cp.ok(cp.client().create(rs))
    run_controllers(cp, ReplicaSetController)
    cp.sim.run(cp.sim.now + 5)
    made = pods(cp)
    assert len(made) == 3
    assert all(p["metadata"]["name"].startswith("web-") and
               p["metadata"]["ownerReferences"][0]["kind"] == "ReplicaSet" for p in made)
    stored = cp.ok(cp.client().get("replicasets", "web", "default"))
    assert stored["status"]["replicas"] == 3
    assert stored["status"]["observedGeneration"] == stored["metadata"]["generation"]
    traced = [r.details["message"] for r in cp.sim.trace if r.kind == "SuccessfulCreate"]
    assert sorted(traced) == sorted(f"Created pod: {p['metadata']['name']}" for p in made)
    # Stored Events: at least one. Events about one object recorded in the same simulated
    # instant get the same client-go name (<object>.<unix nanoseconds>), so the later ones of
    # a batch are refused as AlreadyExists by the recorder's writer (reported to the lead).
    events, _ = cp.ok(cp.client().list("events", "default"))
    assert {e["message"] for e in events if e["reason"] == "SuccessfulCreate"} <= set(traced)
    assert any(e["reason"] == "SuccessfulCreate" for e in events)
    stored["spec"]["replicas"] = 1
    cp.ok(cp.client().update(stored))
    cp.sim.run(cp.sim.now + 5)
    live = [p for p in pods(cp) if not p["metadata"].get("deletionTimestamp")]
    assert len(live) == 1


def test_daemon_set_and_stateful_set_through_the_api_server(cp):
    for name in ("worker-1", "worker-2"):
        cp.ok(cp.client().create({"apiVersion": "v1", "kind": "Node",
                                  "metadata": {"name": name}}))
    cp.ok(cp.client().create({
        "apiVersion": "apps/v1", "kind": "DaemonSet",
        "metadata": {"name": "agent", "namespace": "default"},
        "spec": {"selector": {"matchLabels": {"app": "agent"}},
                 "template": {"metadata": {"labels": {"app": "agent"}},
                              "spec": {"containers": [{"name": "a", "image": "agent:1"}]}}}}))
    cp.ok(cp.client().create({
        "apiVersion": "apps/v1", "kind": "StatefulSet",
        "metadata": {"name": "db", "namespace": "default"},
        "spec": {"replicas": 2, "serviceName": "db",
                 "selector": {"matchLabels": {"app": "db"}},
                 "template": {"metadata": {"labels": {"app": "db"}},
                              "spec": {"containers": [{"name": "d", "image": "db:1"}]}}}}))
    run_controllers(cp, DaemonSetsController, StatefulSetController)
    cp.sim.run(cp.sim.now + 5)
    names = [p["metadata"]["name"] for p in pods(cp)]
    assert len([n for n in names if n.startswith("agent-")]) == 2
    assert [n for n in names if n.startswith("db-")] == ["db-0"]  # db-1 waits for db-0 Ready


def test_job_with_the_generated_selector_through_the_api_server(cp):
    cp.ok(cp.client().create({
        "apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "pi", "namespace": "default"},
        "spec": {"completions": 2, "parallelism": 2,
                 "template": {"spec": {"restartPolicy": "Never",
                                       "containers": [{"name": "pi", "image": "perl"}]}}}}))
    run_controllers(cp, JobController)
    cp.sim.run(cp.sim.now + 5)
    made = pods(cp)
    assert len(made) == 2
    assert all(p["metadata"]["labels"]["batch.kubernetes.io/job-name"] == "pi" for p in made)
    stored = cp.ok(cp.client().get("jobs", "pi", "default"))
    assert stored["status"]["active"] == 2 and "startTime" in stored["status"]


def test_same_seed_same_controller_history(control_plane_factory):
    histories = []
    for _ in range(2):
        cp = control_plane_factory(3)
        cp.ok(cp.client().create({
            "apiVersion": "apps/v1", "kind": "ReplicaSet",
            "metadata": {"name": "web", "namespace": "default"},
            "spec": {"replicas": 5, "selector": {"matchLabels": {"app": "web"}},
                     "template": TEMPLATE}}))
        run_controllers(cp, ReplicaSetController)
        cp.sim.run(cp.sim.now + 5)
        # Less the start of the control plane's own serviceaccount controller (conftest).
        histories.append([r.row() for r in cp.sim.trace.by_component("kube-controller-manager")
                          if r.kind != "Started controller"])
    assert histories[0] == histories[1] and len(histories[0]) == 5
