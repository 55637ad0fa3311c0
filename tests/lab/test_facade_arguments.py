"""Every facade call checks its arguments first: a wrong type or value is a K8sLabError naming
the argument, what was given and what is accepted, and the cluster is left as it was."""

from __future__ import annotations

import math
import os
import signal

import pytest

from k8slab import Cluster
from k8slab.errors import K8sLabError
from k8slab.lab import progress


@pytest.fixture(scope="module")
def cluster() -> Cluster:
    return Cluster(workers=1)


BAD_CALLS = {
    "kill_node(list)": (lambda c: c.kill_node(["worker-1"]),
                        "kill_node()'s name must be one host name: control-plane, worker-1, "
                        "got ['worker-1']"),
    "partition(nested)": (lambda c: c.partition([["worker-1"]], ["control-plane"]),
                          "each host in a group must be one host name"),
    "get(int)": (lambda c: c.get(5, "x"), 'resource must be a resource name such as "pods", '
                                          "got 5"),
    "list(None)": (lambda c: c.list(None), "resource must be a resource name"),
    "delete(list)": (lambda c: c.delete("pods", ["a"]), "name must be an object's name, "
                                                        "got ['a']"),
    "delete(cascade)": (lambda c: c.delete("pods", "a", cascade="all"),
                        "cascade must be one of background, foreground, orphan, got 'all'"),
    "delete(grace)": (lambda c: c.delete("pods", "a", grace_period=1.5),
                      "grace_period must be a whole number of seconds or None, got 1.5"),
    "delete(force)": (lambda c: c.delete("pods", "a", force="yes"),
                      "force must be True or False"),
    "delete(force+grace)": (lambda c: c.delete("pods", "a", force=True, grace_period=5),
                            "--force and --grace-period greater than 0 cannot be specified"),
    "scale(str)": (lambda c: c.scale("deployment/web", "3"), "replicas must be a whole number"),
    "scale(pod)": (lambda c: c.scale("pod/web", 3), "error: pods have no scale subresource"),
    "scale(-1)": (lambda c: c.scale("deployment/web", -1), "COUNT must be greater than or "
                                                           "equal to 0"),
    "get(namespace)": (lambda c: c.get("pods", "a", 3), "namespace must be a string or None"),
    "trace_of(int)": (lambda c: c.trace_of(3), "trace_of()'s object must be a string"),
    "scheduling_history": (lambda c: c.scheduling_history(1),
                           "scheduling_history()'s pod must be a string"),
    "etcdctl(int)": (lambda c: c.etcdctl(2), "etcdctl()'s command must be a string"),
    "kubectl(bytes)": (lambda c: c.kubectl(b"get pods"), "kubectl()'s command must be a string"),
    "set_faults(str)": (lambda c: c.set_faults(duplicate="x"),
                        "duplicate must be a finite number from 0 to 1 (a probability), got 'x'"),
    "set_link(str)": (lambda c: c.set_link("worker-1", latency="x"),
                      "latency must be a finite number from 0 to 86400 seconds, got 'x'"),
    "set_link(nan)": (lambda c: c.set_link("worker-1", latency=math.nan), "got nan"),
    "set_link(half bad)": (lambda c: c.set_link("worker-1", latency=1, loss=2), "loss must be"),
    "run(nan)": (lambda c: c.run(math.nan), "run()'s seconds must be a finite number"),
    "run(inf)": (lambda c: c.run(math.inf), "got inf"),
    "run(1e7)": (lambda c: c.run(1e7), "from 0 to 86400 (one simulated day at most; call run() "
                                       "again for more), got 10000000.0"),
    "run(True)": (lambda c: c.run(True), "got True"),
    "taint(int)": (lambda c: c.taint("worker-1", 5), "taint()'s spec must be a string"),
    "cordon(None)": (lambda c: c.cordon(None), "node must be a node name, got None"),
    "label(overwrite)": (lambda c: c.label("worker-1", "a=b", overwrite="yes"),
                         "overwrite must be True or False"),
    "containers(list)": (lambda c: c.containers([]), "name must be one host name"),
}


@pytest.mark.parametrize("call", BAD_CALLS.values(), ids=BAD_CALLS.keys())
def test_a_bad_argument_is_named_and_changes_nothing(cluster, call):
    act, words = call
    before = (cluster.now, len(cluster.trace), cluster.etcd_status()["control-plane"].revision)
    with pytest.raises(K8sLabError) as raised:
        act(cluster)
    assert words in str(raised.value)
    after = (cluster.now, len(cluster.trace), cluster.etcd_status()["control-plane"].revision)
    assert after == before


@pytest.mark.parametrize(("argument", "value", "words"), [
    ("worker_memory", [1], 'worker_memory must be a memory quantity such as "16Gi" or "512Mi", '
                           "got [1]"),
    ("worker_cpu", "abc", 'worker_cpu must be a CPU quantity such as "4" or "2500m", got \'abc\''),
    ("worker_cpu", "0", "worker_cpu must be more than 0"),
    ("worker_memory", "100Mi", "must be more than 100Mi"),
    ("check_invariants", "yes", "check_invariants must be True or False"),
])
def test_a_bad_machine_size_is_named_before_anything_boots(argument, value, words):
    with pytest.raises(K8sLabError, match=None) as raised:
        Cluster(workers=1, **{argument: value})
    assert words in str(raised.value)


def test_a_kernel_interrupt_stops_run_and_the_cluster_answers_and_runs_on(cluster):
    start = cluster.now
    host = cluster.network.host("worker-1")
    group = host.group("test-interrupter")

    def interrupt():
        yield group.env.timeout(12.25)
        os.kill(os.getpid(), signal.SIGINT)

    group.spawn(interrupt())
    with pytest.raises(KeyboardInterrupt, match="simulated seconds, between two events"):
        cluster.run(600)
    assert cluster.now == pytest.approx(start + 12.25)
    group.stop()
    assert "No resources found" in cluster.kubectl("get pods")
    cluster.run(1)
    assert cluster.now == pytest.approx(start + 13.25)


def test_the_progress_line_is_fixed_by_simulated_time_alone():
    assert progress.progress_line(600) is None  # short runs, and outside a kernel: nothing
    assert progress.progress_line(7200) is None
    ends = progress.steps(100.0, 7200.0)
    assert len(ends) == progress.STEPS and ends[-1] == 7300.0
    assert progress._line(3600, 7200, 3700) == f"running [{'#' * 25}{'.' * 25}] 3600 of 7200 s"
    assert progress._line(7200, 7200, 7300.04) == "ran 7200 s: now t=7300.0 s"
