"""The StatefulSet controller: stable names, OrderedReady one at a time up and down, Parallel
all at once, and the rolling update from the highest ordinal down to the partition."""

from k8slab.controllers.controller_utils import CONTROLLER_REVISION_HASH
from k8slab.controllers.statefulset import StatefulSetController, ordinal_of
from tests.controllers.helpers import advance, fake_world, names, pod, start


def stateful_set(replicas=3, policy=None, image="db:1", partition=None):
    spec = {"replicas": replicas, "serviceName": "web",
            "selector": {"matchLabels": {"app": "web"}},
            "template": {"metadata": {"labels": {"app": "web"}},
                         "spec": {"containers": [{"name": "db", "image": image}]}}}
    if policy:
        spec["podManagementPolicy"] = policy
    if partition is not None:
        spec["updateStrategy"] = {"type": "RollingUpdate",
                                  "rollingUpdate": {"partition": partition}}
    return {"apiVersion": "apps/v1", "kind": "StatefulSet",
            "metadata": {"name": "web", "namespace": "default", "uid": "uid-sts",
                         "generation": 1}, "spec": spec}


def run(fake, call):
    return fake.group.sim.run_process(fake.group.spawn(call), 1)


def make_ready(fake):
    """The scheduler and kubelet's part: every pending pod bound, Running and Ready."""
    for stored in fake.stored("pods"):
        if stored.get("status", {}).get("phase") == "Running":
            continue
        ready = {**stored, "status": {"phase": "Running", "conditions": [
            {"type": "Ready", "status": "True", "lastTransitionTime": "2026-01-01T00:00:00Z"}]}}
        run(fake, fake.update_status(ready))
    advance(fake, 1)


def set_spec(fake, **changes):
    current = fake.stored("statefulsets")[0]
    run(fake, fake.update({**current, "spec": {**current["spec"], **changes}}))
    advance(fake, 1)


def messages(fake):
    return [r.details["message"] for r in fake.group.sim.trace
            if r.component == "kube-controller-manager"]


def test_ordered_ready_creates_one_pod_at_a_time_with_stable_names():
    fake = fake_world()
    fake.add(stateful_set())
    start(fake, StatefulSetController)
    assert names(fake.stored("pods")) == ["web-0"]
    advance(fake, 5)
    assert names(fake.stored("pods")) == ["web-0"]  # waits for web-0 to be Running and Ready
    make_ready(fake)
    assert names(fake.stored("pods")) == ["web-0", "web-1"]
    make_ready(fake)
    make_ready(fake)
    assert names(fake.stored("pods")) == ["web-0", "web-1", "web-2"]
    web1 = fake.stored("pods")[1]
    assert web1["metadata"]["labels"]["statefulset.kubernetes.io/pod-name"] == "web-1"
    assert web1["metadata"]["labels"]["apps.kubernetes.io/pod-index"] == "1"
    assert (web1["spec"]["hostname"], web1["spec"]["subdomain"]) == ("web-1", "web")
    assert messages(fake)[:3] == [f"create Pod web-{i} in StatefulSet web successful"
                                  for i in range(3)]
    status = fake.stored("statefulsets")[0]["status"]
    assert (status["replicas"], status["readyReplicas"]) == (3, 3)


def test_ordered_ready_scales_down_from_the_highest_ordinal_one_at_a_time():
    fake = fake_world()
    fake.add(stateful_set())
    start(fake, StatefulSetController)
    for _ in range(3):
        make_ready(fake)
    fake.actions.clear()
    set_spec(fake, replicas=1)
    # The fake removes a pod at once; each deletion wakes the next sync: web-2, then web-1.
    assert [w[2] for w in fake.writes() if w[0] == "delete"] == ["default/web-2", "default/web-1"]
    assert names(fake.stored("pods")) == ["web-0"]
    assert "delete Pod web-2 in StatefulSet web successful" in messages(fake)


def test_ordered_ready_does_not_scale_down_past_an_unhealthy_pod():
    fake = fake_world()
    sts = stateful_set(replicas=1)
    fake.add(sts)
    fake.add(pod("web-0", owner=sts, node="n1", ready=False))
    fake.add(pod("web-1", owner=sts, node="n1"))
    start(fake, StatefulSetController)
    assert [w for w in fake.writes() if w[0] == "delete"] == []


def test_parallel_creates_and_deletes_all_at_once():
    fake = fake_world()
    fake.add(stateful_set(replicas=3, policy="Parallel"))
    start(fake, StatefulSetController)
    assert names(fake.stored("pods")) == ["web-0", "web-1", "web-2"]
    set_spec(fake, replicas=0)
    assert names(fake.stored("pods")) == []


def test_a_failed_member_is_deleted_and_made_again_with_the_same_name():
    fake = fake_world()
    sts = stateful_set(replicas=1)
    fake.add(sts)
    fake.add(pod("web-0", owner=sts, node="n1", phase="Failed", ready=False))
    start(fake, StatefulSetController)
    assert [w[:2] + (w[2],) for w in fake.writes() if w[1] == "pods"] == [
        ("delete", "pods", "default/web-0"), ("create", "pods", "default/web-0")]


def test_adopts_only_orphans_named_as_members():
    fake = fake_world()
    fake.add(stateful_set(replicas=1))
    fake.add(pod("web-0"))
    fake.add(pod("web-x"))
    start(fake, StatefulSetController)
    stored = {p["metadata"]["name"]: p for p in fake.stored("pods")}
    assert stored["web-0"]["metadata"]["ownerReferences"][0]["uid"] == "uid-sts"
    assert "ownerReferences" not in stored["web-x"]["metadata"]
    assert ordinal_of("web", stored["web-0"]) == 0 and ordinal_of("web", stored["web-x"]) == -1


def test_rolling_update_goes_from_the_highest_ordinal_down_to_the_partition():
    fake = fake_world()
    fake.add(stateful_set(replicas=3, partition=1))
    start(fake, StatefulSetController)
    for _ in range(3):
        make_ready(fake)
    old = fake.stored("pods")[0]["metadata"]["labels"][CONTROLLER_REVISION_HASH]
    fake.actions.clear()
    set_spec(fake, template={"metadata": {"labels": {"app": "web"}},
                             "spec": {"containers": [{"name": "db", "image": "db:2"}]}})
    advance(fake, 10)
    # web-2 is replaced first; web-1 waits until the new web-2 is Running and Ready.
    assert [w[2] for w in fake.writes() if w[0] == "delete"] == ["default/web-2"]
    order = []
    for _ in range(4):
        order += [w[2] for w in fake.writes() if w[0] == "delete" and w[2] not in order]
        make_ready(fake)
    assert order == ["default/web-2", "default/web-1"]  # web-0 is below the partition
    revisions = {p["metadata"]["name"]: p["metadata"]["labels"][CONTROLLER_REVISION_HASH]
                 for p in fake.stored("pods")}
    assert revisions["web-0"] == old and revisions["web-1"] == revisions["web-2"] != old
    status = fake.stored("statefulsets")[0]["status"]
    assert (status["updatedReplicas"], status["currentReplicas"]) == (2, 1)
    assert status["currentRevision"] == old != status["updateRevision"]
