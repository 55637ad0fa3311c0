"""`runc exec`: a second process inside a running container, sharing its files, network
namespace and cgroup; its output goes back to the caller, not to the container's log."""

from __future__ import annotations

from collections.abc import Generator

import pytest

from k8slab import Cluster
from k8slab.errors import K8sLabError
from k8slab.node.cgroups import LinuxResources
from k8slab.node.cri import StartError
from k8slab.node.programs.catalogue import CATALOGUE
from k8slab.node.runc import Runc
from k8slab.sim.kernel import Simulation
from k8slab.sim.network import Network

POD = "pod/default/web"


class Box:
    """One host with runc, and busybox containers started from the catalogue's image."""

    def __init__(self) -> None:
        self.sim = Simulation(1)
        self.host = Network(self.sim).add_host("node-1")
        self.host.start()
        self.runc = Runc(self.host)
        self.log: list[str] = []

    def start(self, argv: list[str], image: str = "busybox:1.37", **extra) -> str:
        cid = f"c{len(self.runc.containers)}"
        bundle = {"image": image, "image_spec": CATALOGUE.find(image), "trace_ref": POD,
                  "argv": argv, "command": argv, "ip": "10.244.1.7",
                  "output": [lambda line: self.log.append(line.text)], **extra}
        self.runc.create(cid, bundle)
        self.runc.start(cid)
        return cid

    def exec(self, cid: str, argv: list[str], timeout: float | None = 10) -> tuple:
        group = self.host.group("caller")
        return self.sim.run_process(group.spawn(self.runc.exec(cid, argv, timeout)), 100)


@pytest.fixture
def box() -> Box:
    return Box()


def test_exec_sees_the_files_the_container_wrote(box: Box) -> None:
    cid = box.start(["sh", "-c", "echo ready > /tmp/state; sleep 600"])
    box.sim.run(1)
    assert box.exec(cid, ["cat", "/tmp/state"]) == (0, "ready\n", "")


def test_files_an_exec_writes_stay_in_the_container(box: Box) -> None:
    cid = box.start(["sleep", "600"])
    assert box.exec(cid, ["sh", "-c", "echo x > /tmp/mark"])[0] == 0
    assert box.exec(cid, ["cat", "/tmp/mark"]) == (0, "x\n", "")
    assert box.runc.containers[cid].fs.read("/tmp/mark") == "x\n"


def test_exec_output_does_not_reach_the_container_log(box: Box) -> None:
    cid = box.start(["sh", "-c", "echo main; sleep 600"])
    box.sim.run(1)
    assert box.exec(cid, ["echo", "side"]) == (0, "side\n", "")
    assert box.log == ["main"]


def test_exec_exit_status_and_stderr(box: Box) -> None:
    cid = box.start(["sleep", "600"])
    code, out, err = box.exec(cid, ["sh", "-c", "echo oops >&2; exit 4"])
    assert (code, out, err) == (4, "", "oops\n")


def test_exec_past_its_timeout_is_stopped_with_no_status(box: Box) -> None:
    cid = box.start(["sleep", "600"])
    t0 = box.sim.now
    assert box.exec(cid, ["sleep", "50"], timeout=3) == (None, "", "")
    assert box.sim.now - t0 == pytest.approx(3)
    assert box.runc.containers[cid].status == "running"  # the container itself lives on


def test_exec_of_a_command_not_in_the_image_is_refused(box: Box) -> None:
    cid = box.start(["sleep", "600"])
    with pytest.raises(StartError) as error:
        box.exec(cid, ["bash"])
    assert error.value.message == (
        "OCI runtime exec failed: exec failed: unable to start container process: "
        'exec: "bash": executable file not found in $PATH: unknown')


def test_exec_in_a_stopped_container_is_refused(box: Box) -> None:
    cid = box.start(["sh", "-c", "exit 0"])
    box.sim.run(1)
    with pytest.raises(StartError, match=f"container {cid} is not running"):
        box.exec(cid, ["true"])


def test_an_exec_ends_when_its_container_is_killed(box: Box) -> None:
    cid = box.start(["sleep", "600"])

    def kill_later() -> Generator:
        yield box.sim.env.timeout(2)
        box.runc.kill(cid)

    box.host.group("killer").spawn(kill_later())
    t0 = box.sim.now
    code, _, _ = box.exec(cid, ["sleep", "50"], timeout=None)
    assert code is None
    assert box.sim.now - t0 == pytest.approx(2)


def test_exec_shares_the_containers_cgroup(box: Box) -> None:
    stress = ["stress", "--vm", "1", "--vm-bytes", "60M", "--vm-hang", "1"]
    limit = LinuxResources(2, 0, 100_000, 100 * 2**20, 0)
    cid = box.start(stress, image="polinux/stress", resources=limit)
    box.sim.run(1)
    assert box.runc.containers[cid].cgroup.memory_current == 60 * 2**20
    # A second 60M allocation in the same cgroup passes memory.max: the OOM killer ends the
    # container, exec included.
    code, _, _ = box.exec(cid, stress, timeout=5)
    assert code == 137  # the exec process was OOM-killed with the container
    assert box.runc.containers[cid].status == "stopped"
    assert box.runc.containers[cid].reason == "OOMKilled"


def test_the_kubelet_execs_into_a_pods_container_through_containerd_and_runc():
    c = Cluster(workers=1)
    c.apply({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "box"},
             "spec": {"containers": [{"name": "main", "image": "busybox:1.37",
                                      "command": ["sh", "-c", "hostname > /tmp/h; sleep 3600"]}]}})
    c.run(5)
    host = c.network.host("worker-1")
    kubelet = host.memory["kubelet"]
    steps = kubelet.exec_sync("default/box", "main", ["cat", "/tmp/h"], 5)
    assert c.sim.run_process(host.group("kubectl exec").spawn(steps), 10) == (0, "box\n", "")
    records = [(r.component, r.kind) for r in c.trace.where(obj="pod/default/box")
               if r.kind in ("Exec", "exec")]
    assert records == [("containerd-shim-runc-v2", "Exec"), ("runc", "exec")]
    with pytest.raises(K8sLabError, match='container "other" of pod "default/box" is not running'):
        c.sim.run_process(host.group("kubectl exec").spawn(
            kubelet.exec_sync("default/box", "other", ["true"])), 10)
