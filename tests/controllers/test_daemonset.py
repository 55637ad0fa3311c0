"""The DaemonSet controller: the eligibility table, pods pinned by node affinity, deletion from
nodes that no longer qualify, status, and the rolling update one node at a time."""

import pytest

from k8slab.controllers.controller_utils import CONTROLLER_REVISION_HASH, compute_hash
from k8slab.controllers.daemonset import DaemonSetsController
from k8slab.controllers.daemonset_util import (
    node_should_run_daemon_pod,
    target_node,
    with_daemon_tolerations,
)
from tests.controllers.helpers import advance, fake_world, pod, start


def node(name, labels=None, taints=None):
    return {"apiVersion": "v1", "kind": "Node",
            "metadata": {"name": name, "labels": dict(labels or {}), "uid": f"uid-{name}"},
            "spec": {"taints": list(taints or [])}}


def daemon_set(node_selector=None, tolerations=None, host_network=False, image="agent:1",
               max_unavailable=None, affinity=None):
    spec = {"containers": [{"name": "agent", "image": image}]}
    if node_selector:
        spec["nodeSelector"] = node_selector
    if tolerations:
        spec["tolerations"] = tolerations
    if host_network:
        spec["hostNetwork"] = True
    if affinity:
        spec["affinity"] = affinity
    ds = {"apiVersion": "apps/v1", "kind": "DaemonSet",
          "metadata": {"name": "agent", "namespace": "default", "uid": "uid-agent",
                       "generation": 1},
          "spec": {"selector": {"matchLabels": {"app": "agent"}},
                   "template": {"metadata": {"labels": {"app": "agent"}}, "spec": spec}}}
    if max_unavailable is not None:
        ds["spec"]["updateStrategy"] = {"type": "RollingUpdate",
                                        "rollingUpdate": {"maxUnavailable": max_unavailable}}
    return ds


def taint(key, effect, value=""):
    return {"key": key, "value": value, "effect": effect}


ELIGIBILITY = [
    ("plain node", node("n"), daemon_set(), (True, True)),
    ("nodeSelector matches", node("n", {"disk": "ssd"}), daemon_set({"disk": "ssd"}),
     (True, True)),
    ("nodeSelector does not match", node("n", {"disk": "hdd"}), daemon_set({"disk": "ssd"}),
     (False, False)),
    ("required affinity NotIn", node("n", {"zone": "a"}),
     daemon_set(affinity={"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
         "nodeSelectorTerms": [{"matchExpressions": [
             {"key": "zone", "operator": "NotIn", "values": ["a"]}]}]}}}), (False, False)),
    ("control-plane NoSchedule taint, untolerated",
     node("n", taints=[taint("node-role.kubernetes.io/control-plane", "NoSchedule")]),
     daemon_set(), (False, True)),
    ("control-plane taint tolerated",
     node("n", taints=[taint("node-role.kubernetes.io/control-plane", "NoSchedule")]),
     daemon_set(tolerations=[{"key": "node-role.kubernetes.io/control-plane",
                              "operator": "Exists", "effect": "NoSchedule"}]), (True, True)),
    ("custom NoExecute taint", node("n", taints=[taint("dedicated", "NoExecute", "db")]),
     daemon_set(), (False, False)),
    ("unreachable NoExecute: daemon pods tolerate it",
     node("n", taints=[taint("node.kubernetes.io/unreachable", "NoExecute")]), daemon_set(),
     (True, True)),
    ("not-ready NoExecute", node("n", taints=[taint("node.kubernetes.io/not-ready",
                                                    "NoExecute")]), daemon_set(), (True, True)),
    ("cordoned", node("n", taints=[taint("node.kubernetes.io/unschedulable", "NoSchedule")]),
     daemon_set(), (True, True)),
    ("memory pressure", node("n", taints=[taint("node.kubernetes.io/memory-pressure",
                                                "NoSchedule")]), daemon_set(), (True, True)),
    ("network unavailable, pod network",
     node("n", taints=[taint("node.kubernetes.io/network-unavailable", "NoSchedule")]),
     daemon_set(), (False, True)),
    ("network unavailable, hostNetwork",
     node("n", taints=[taint("node.kubernetes.io/network-unavailable", "NoSchedule")]),
     daemon_set(host_network=True), (True, True)),
]


@pytest.mark.parametrize("the_node, ds, expected", [c[1:] for c in ELIGIBILITY],
                         ids=[c[0] for c in ELIGIBILITY])
def test_eligibility(the_node, ds, expected):
    assert node_should_run_daemon_pod(the_node, ds) == expected


def test_daemon_tolerations_replace_a_timed_one_and_have_no_seconds():
    spec = {"tolerations": [{"key": "node.kubernetes.io/unreachable", "operator": "Exists",
                             "effect": "NoExecute", "tolerationSeconds": 300}]}
    tolerations = with_daemon_tolerations(spec)["tolerations"]
    assert [t["key"].rsplit("/", 1)[1] for t in tolerations] == [
        "unreachable", "not-ready", "disk-pressure", "memory-pressure", "pid-pressure",
        "unschedulable"]
    assert all("tolerationSeconds" not in t for t in tolerations)


def ds_pods(fake):
    return {target_node(p): p for p in fake.stored("pods")}


def test_one_pod_per_eligible_node_pinned_by_affinity_with_events():
    fake = fake_world()
    for seeded in [node("n1"), node("n2"), node("cp", taints=[
            taint("node-role.kubernetes.io/control-plane", "NoSchedule")])]:
        fake.add(seeded)
    fake.add(daemon_set())
    start(fake, DaemonSetsController)
    made = ds_pods(fake)
    assert sorted(made) == ["n1", "n2"]
    pinned = made["n1"]["spec"]["affinity"]["nodeAffinity"][
        "requiredDuringSchedulingIgnoredDuringExecution"]
    assert pinned == {"nodeSelectorTerms": [{"matchFields": [
        {"key": "metadata.name", "operator": "In", "values": ["n1"]}]}]}
    assert "nodeName" not in made["n1"]["spec"]  # the scheduler binds it
    revision = compute_hash(daemon_set()["spec"]["template"])
    assert made["n1"]["metadata"]["labels"] == {"app": "agent",
                                                CONTROLLER_REVISION_HASH: revision}
    messages = [r.details["message"] for r in fake.group.sim.trace if r.kind == "SuccessfulCreate"]
    assert sorted(messages) == sorted(f"Created pod: {p['metadata']['name']}"
                                      for p in made.values())
    status = fake.stored("daemonsets")[0]["status"]
    assert {k: status[k] for k in ("desiredNumberScheduled", "currentNumberScheduled",
                                   "numberMisscheduled", "numberReady", "numberUnavailable",
                                   "updatedNumberScheduled")} == {
        "desiredNumberScheduled": 2, "currentNumberScheduled": 2, "numberMisscheduled": 0,
        "numberReady": 0, "numberUnavailable": 2, "updatedNumberScheduled": 2}


def test_follows_nodes_added_relabelled_and_deleted():
    fake = fake_world()
    fake.add(node("n1", {"role": "edge"}))
    fake.add(daemon_set({"role": "edge"}))
    start(fake, DaemonSetsController)
    assert sorted(ds_pods(fake)) == ["n1"]
    run = fake.group.sim.run_process
    run(fake.group.spawn(fake.create(node("n2", {"role": "edge"}))), 1)
    advance(fake, 1)
    assert sorted(ds_pods(fake)) == ["n1", "n2"]
    relabelled = dict(fake.stored("nodes")[0])
    relabelled["metadata"] = dict(relabelled["metadata"], labels={"role": "core"})
    run(fake.group.spawn(fake.update(relabelled)), 1)
    advance(fake, 1)
    assert sorted(ds_pods(fake)) == ["n2"]
    run(fake.group.spawn(fake.delete("nodes", "n2")), 1)
    advance(fake, 1)
    assert ds_pods(fake) == {}  # the pod for a deleted node goes too


def test_failed_pod_is_killed_and_replaced_and_extras_removed():
    fake = fake_world()
    ds = daemon_set()
    fake.add(node("n1"))
    fake.add(node("n2"))
    fake.add(ds)
    revision = compute_hash(ds["spec"]["template"])
    labels = {"app": "agent", CONTROLLER_REVISION_HASH: revision}
    fake.add(pod("broken", labels=labels, owner=ds, node="n1", phase="Failed"))
    fake.add(pod("older", labels=labels, owner=ds, node="n2", created=0))
    fake.add(pod("newer", labels=labels, owner=ds, node="n2", created=50))
    start(fake, DaemonSetsController)
    deleted = [w[2] for w in fake.writes() if w[0] == "delete"]
    assert sorted(deleted) == ["default/broken", "default/newer"]
    warning = next(r for r in fake.group.sim.trace if r.kind == "FailedDaemonPod")
    assert warning.details["message"] == ("Found failed daemon pod default/broken on node n1, "
                                          "will try to kill it")
    assert sorted(ds_pods(fake)) == ["n1", "n2"]


def make_ready(fake):
    """What the scheduler and kubelet would do: bind every pod and report it Running, Ready."""
    for stored in fake.stored("pods"):
        if stored.get("status", {}).get("phase") == "Running":
            continue
        changed = {**stored, "spec": dict(stored["spec"], nodeName=target_node(stored))}
        fake.group.sim.run_process(fake.group.spawn(fake.update(changed)), 1)
        current = next(p for p in fake.stored("pods") if p["metadata"]["name"] ==
                       stored["metadata"]["name"])
        ready = {**current, "status": {"phase": "Running", "conditions": [
            {"type": "Ready", "status": "True", "lastTransitionTime": "2026-01-01T00:00:00Z"}]}}
        fake.group.sim.run_process(fake.group.spawn(fake.update_status(ready)), 1)


def test_rolling_update_replaces_max_unavailable_nodes_at_a_time():
    fake = fake_world()
    for name in ("n1", "n2", "n3", "n4"):
        fake.add(node(name))
    fake.add(daemon_set(max_unavailable=1))
    start(fake, DaemonSetsController)
    old = compute_hash(daemon_set()["spec"]["template"])
    make_ready(fake)
    advance(fake, 1)
    fake.actions.clear()
    new_ds = dict(fake.stored("daemonsets")[0])
    new_ds["spec"] = daemon_set(image="agent:2", max_unavailable=1)["spec"]
    fake.group.sim.run_process(fake.group.spawn(fake.update(new_ds)), 1)
    advance(fake, 1)
    # One old pod deleted, its node given a new pod; the others wait until that one is ready.
    assert len([w for w in fake.writes() if w[0] == "delete"]) == 1
    revisions = [p["metadata"]["labels"][CONTROLLER_REVISION_HASH] for p in fake.stored("pods")]
    assert revisions.count(old) == 3 and len(revisions) == 4
    rounds = 1
    while old in [p["metadata"]["labels"][CONTROLLER_REVISION_HASH]
                  for p in fake.stored("pods")]:
        make_ready(fake)
        advance(fake, 1)
        rounds += 1
        assert rounds <= 4
        assert len([w for w in fake.writes() if w[0] == "delete"]) == rounds
    assert rounds == 4 and len(fake.stored("pods")) == 4
    make_ready(fake)
    advance(fake, 1)
    status = fake.stored("daemonsets")[0]["status"]
    assert (status["updatedNumberScheduled"], status["numberAvailable"]) == (4, 4)
