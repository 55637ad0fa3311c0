"""What the kubelet writes in a pod's status when things go wrong before or at start: an image
that cannot be pulled (ErrImagePull, then ImagePullBackOff), a command not in the image
(RunContainerError, StartError); and, for random small pods, that the status stays sane."""

from __future__ import annotations

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from k8slab import Cluster
from k8slab.node.image_store import REGISTRY

PHASES = ("Pending", "Running", "Succeeded", "Failed", "Unknown")


def pod(name: str, image: str, command: list[str] | None = None, policy: str = "Always") -> dict:
    container: dict = {"name": "app", "image": image}
    if command:
        container["command"] = command
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
            "spec": {"containers": [container], "restartPolicy": policy}}


def waiting(c: Cluster, name: str) -> dict:
    statuses = c.get("pods", name)["status"].get("containerStatuses", [{"state": {}}])
    return statuses[0]["state"].get("waiting", {})


def event_messages(c: Cluster, name: str, reason: str) -> list[str]:
    return [r.details["message"] for r in c.trace.where(component="kubelet", kind=reason,
                                                        obj=f"pod/default/{name}")]


def test_an_unknown_tag_is_err_image_pull_then_image_pull_back_off():
    c = Cluster(workers=1)
    c.apply(pod("badtag", "nginx:no-such-tag"))
    c.run(60)
    failed = event_messages(c, "badtag", "Failed")
    assert failed[0].startswith('Failed to pull image "nginx:no-such-tag": rpc error: code = '
                                'NotFound desc = failed to pull and unpack image '
                                '"docker.io/library/nginx:no-such-tag": ')
    assert "not found" in failed[0]
    # Each failed pull is ErrImagePull; a sync while its back-off lasts is ImagePullBackOff.
    assert failed[1] == "Error: ErrImagePull"
    assert "Error: ImagePullBackOff" in failed
    state = waiting(c, "badtag")
    assert state["reason"] == "ImagePullBackOff"
    assert state["message"].startswith(
        'Back-off pulling image "nginx:no-such-tag": ErrImagePull: rpc error: code = NotFound')
    assert c.kubectl("get pods").splitlines()[1].split()[:3] == [
        "badtag", "0/1", "ImagePullBackOff"]
    # Pulls are retried no sooner than the back-off: 10 s, then 20 s.
    pulls = [r.time for r in c.trace.where(component="containerd", kind="PullImage",
                                           obj="pod/default/badtag")]
    assert len(pulls) == 3
    assert pulls[1] - pulls[0] >= 10 and pulls[2] - pulls[1] >= 20


def test_err_image_pull_stays_until_the_next_sync():
    c = Cluster(workers=1)
    c.apply(pod("badtag", "nginx:no-such-tag"))
    c.run(5)
    assert waiting(c, "badtag")["reason"] == "ErrImagePull"


def test_cluster_partition_can_cut_a_node_off_from_the_registry():
    Cluster(workers=1).partition(["worker-1"], [REGISTRY])


def test_a_registry_cut_off_is_an_i_o_timeout_then_back_off():
    c = Cluster(workers=1)
    c.network.partition(["worker-1"], [REGISTRY])
    c.apply(pod("cut", "nginx:1.27"))
    c.run(60)
    failed = event_messages(c, "cut", "Failed")
    assert failed[0].endswith('Head "https://registry-1.docker.io/v2/library/nginx/manifests/'
                              '1.27": dial tcp: i/o timeout')
    assert waiting(c, "cut")["reason"] in ("ErrImagePull", "ImagePullBackOff")
    c.heal()
    c.run(320)
    status = c.get("pods", "cut")["status"]
    assert status["phase"] == "Running"
    assert status["containerStatuses"][0]["state"]["running"]


def test_a_command_not_in_the_image_is_a_start_error_and_backs_off():
    c = Cluster(workers=1)
    c.apply(pod("nocmd", "busybox:1.37", ["no-such-binary"]))
    c.run(3)
    [message, *_] = [m for m in event_messages(c, "nocmd", "Failed") if m.startswith("Error: ")]
    assert message == (
        "Error: failed to create containerd task: failed to create shim task: OCI runtime create "
        "failed: runc create failed: unable to start container process: error during container "
        'init: exec: "no-such-binary": executable file not found in $PATH: unknown')
    status = c.get("pods", "nocmd")["status"]["containerStatuses"][0]
    last = status["lastState"]["terminated"]
    assert (last["reason"], last["exitCode"]) == ("StartError", 128)
    assert last["message"] == message.removeprefix("Error: ")
    assert status["state"]["waiting"]["reason"] in ("RunContainerError", "CrashLoopBackOff")


def test_run_container_error_shows_until_the_back_off_starts():
    c = Cluster(workers=1)
    c.apply(pod("nocmd", "busybox:1.37", ["no-such-binary"]))
    reasons = []
    for _ in range(30):
        c.run(0.1)
        reason = (waiting(c, "nocmd") or {}).get("reason")
        if reason and reason not in reasons:
            reasons.append(reason)
    # The start fails twice (the second try is at once), then the back-off holds it.
    assert reasons[-2:] == ["RunContainerError", "CrashLoopBackOff"]


IDIOMS = ["exit 0", "exit 1", "exit 137", "sleep 2", "sleep 30; exit 2", "echo hi; exit 0",
          "while true; do sleep 1; done", "sleep 5; false", "true", "cat /nope"]
CLUSTER = Cluster(workers=1)  # one cluster for every example, each pod deleted after it
NAMES = itertools.count()


@settings(max_examples=12, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(scripts=st.lists(st.sampled_from(IDIOMS), min_size=1, max_size=3),
       policy=st.sampled_from(["Always", "OnFailure", "Never"]))
def test_random_small_pods_run_five_minutes_sanely(scripts, policy):
    c = CLUSTER
    name = f"random-{next(NAMES)}"
    c.apply({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
             "spec": {"restartPolicy": policy,
                      "containers": [{"name": f"c{i}", "image": "busybox:1.37",
                                      "command": ["sh", "-c", script]}
                                     for i, script in enumerate(scripts)]}})
    counts: dict[str, int] = {}
    for _ in range(10):
        c.run(30)
        status = c.get("pods", name)["status"]
        assert status["phase"] in PHASES
        for container in status.get("containerStatuses", []):
            assert container["restartCount"] >= counts.get(container["name"], 0)
            counts[container["name"]] = container["restartCount"]
            if policy == "Never":
                assert container["restartCount"] == 0
    assert sorted(counts) == [f"c{i}" for i in range(len(scripts))]  # every container reported
    if policy != "Always" and all(s in ("exit 0", "true", "echo hi; exit 0") for s in scripts):
        assert status["phase"] == "Succeeded"
    c.delete("pods", name)
