"""The container-states chart reads a pod's runs from the trace: the kubelet's ContainerStarted
opens a run, the shim's TaskExit closes it, runc's oom-kill names the reason; the gaps between
runs are the kubelet's back-off."""

from k8slab.lab.cluster import Cluster
from k8slab.lab.plots.container_states import (
    Run,
    container_runs,
    container_states,
    kubelet_marks,
    restart_delays,
)
from k8slab.sim.trace import Trace
from tests.lab.widgets.chart import tips

REF = "pod/default/app"
SHIM = "containerd-shim-runc-v2"


def story() -> Trace:
    """app's container `main` starts, is OOM-killed, restarts at once, exits 1, and waits 10 s;
    another pod's records are noise."""
    t = Trace()
    for time, cid, attempt in ((2.0, "aaa", 0), (2.2, "bbb", 1), (12.3, "ccc", 2)):
        t.record(time - 0.05, "worker-1", "containerd", "StartContainer", REF, container=cid)
        t.record(time - 0.05, "worker-1", "containerd", "StartContainer", "pod/default/other",
                 container="zzz")
        t.record(time, "worker-1", "kubelet", "ContainerStarted", REF, container="main",
                 attempt=attempt)
    t.record(2.1, "worker-1", "runc", "oom-kill", REF, container="aaa", memory_max=100)
    t.record(2.1, "worker-1", SHIM, "TaskExit", REF, container="aaa", exit_status=137)
    t.record(2.3, "worker-1", SHIM, "TaskExit", REF, container="bbb", exit_status=1)
    t.record(2.3, "worker-1", "kubelet", "BackOff", REF, type="Warning", message="Back-off")
    t.record(2.3, "worker-1", "kubelet", "Pulled", REF, type="Normal", message="present")
    return t


def test_runs_start_at_container_started_and_end_at_the_shims_task_exit():
    assert container_runs(story(), REF) == [
        Run("main", 0, 2.0, 2.1, 137, "OOMKilled"),
        Run("main", 1, 2.2, 2.3, 1, "Error"),
        Run("main", 2, 12.3),
    ]


def test_the_gaps_between_runs_are_the_back_off():
    assert restart_delays(container_runs(story(), REF), "main") == [0.1, 10.0]


def test_only_the_kubelets_probe_kill_and_back_off_events_are_marked():
    assert [(m.time, m.kind) for m in kubelet_marks(story(), REF)] == [(2.3, "BackOff")]


def test_a_crashing_container_backs_off_10_20_40_80_160_300_s():
    # the back-off is the kubelet's alone; without the addons boot ends at 1.6 s, as timed here
    c = Cluster(workers=1, seed=1, skip_phases=["addon"])
    c.apply({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "crash"},
             "spec": {"containers": [{"name": "app", "image": "busybox:1.37",
                                      "command": ["sh", "-c", "exit 1"]}]}})
    c.run(700)
    runs = container_runs(c.trace, "pod/default/crash")
    assert {(run.exit_status, run.reason) for run in runs} == {(1, "Error")}
    # The first restart comes as soon as the PLEG's 1 s relist sees the exit; then upstream's
    # back-off, plus 0.1 s to create and start.
    first, *later = restart_delays(runs, "app")
    assert 0 < first <= 1.1
    assert later == [10.1, 20.1, 40.1, 80.1, 160.1, 300.1]
    picture = container_states(c, "crash")
    assert "app: 8 run(s)" in repr(picture)
    assert "BackOff 7" in repr(picture)
    exits = [t for t in tips(picture.markup) if t.endswith("exit 1 (Error)")]
    assert len(exits) == 2 * 8  # each run's bar and its exit mark say so
    assert tips(picture.markup)[-1].startswith("616.0 s BackOff: Back-off restarting failed ")
