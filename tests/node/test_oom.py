"""The OOM killer ends a whole container, whichever of its processes passed memory.max."""

from k8slab import Cluster


def test_a_program_started_by_the_shell_is_oom_killed_with_its_container():
    c = Cluster(workers=1)
    c.apply({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "m"}, "spec": {
        "restartPolicy": "Never",
        "containers": [{"name": "m", "image": "polinux/stress",
                        "command": ["sh", "-c", "stress --vm 1 --vm-bytes 250M --vm-hang 1"],
                        "resources": {"limits": {"memory": "100Mi"}}}]}})
    c.run(10)
    status = c.get("pods", "m")["status"]
    terminated = status["containerStatuses"][0]["state"]["terminated"]
    assert (terminated["reason"], terminated["exitCode"]) == ("OOMKilled", 137)
    assert status["phase"] == "Failed"
    assert c.kubectl("get pods").splitlines()[1].split()[2] == "OOMKilled"
