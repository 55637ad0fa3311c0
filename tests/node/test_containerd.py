"""containerd's CRI calls on one host with a registry host beside it: pulls that take what the
layers weigh over the bandwidth, the image cache, ExecSync, container status reasons, and the
CRI-format log file the kubelet reads."""

from __future__ import annotations

import re
from collections.abc import Generator

import pytest

from k8slab.cmd.registry import registry_boot
from k8slab.node import cri
from k8slab.node.cgroups import LinuxResources
from k8slab.node.cni.testing import pod_network_for
from k8slab.node.containerd import (
    CREATE_SECONDS,
    PAUSE_IMAGE,
    SANDBOX_SECONDS,
    START_SECONDS,
    Containerd,
    cri_timestamp,
)
from k8slab.node.image_store import BANDWIDTH, REGISTRY
from k8slab.node.programs.catalogue import CATALOGUE
from k8slab.node.runc import Runc
from k8slab.node.shim import ShimBinary
from k8slab.sim.kernel import Simulation
from k8slab.sim.network import DEFAULT_LINK_LATENCY, Network

POD = "pod/default/web"
BUSYBOX = "docker.io/library/busybox:1.37"
LOG = "/var/log/pods/default_web_uid/main/0.log"


class Node:
    """One host running containerd, its shims and runc, and the registry host it pulls from;
    `call` runs a CRI call to its end and returns its result."""

    def __init__(self) -> None:
        self.sim = Simulation(1)
        self.network = Network(self.sim)
        registry = self.network.add_host(REGISTRY)
        registry.boot = registry_boot(CATALOGUE)
        registry.start()
        self.host = self.network.add_host("node-1")
        self.host.start()
        self.runc = Runc(self.host)
        self.group = self.host.group("containerd")
        self.containerd = Containerd(self.group, ShimBinary(self.runc),
                                     pod_network_for(self.host, "10.0.0.21", "10.244.1.0/24"))

    def call(self, steps: Generator, limit: float = 600.0):
        return self.sim.run_process(self.group.spawn(steps), limit)

    def run(self, command: list[str], image: str = BUSYBOX, **config) -> str:
        """Pull `image`, make a sandbox and start `command` in it; returns the container id."""
        self.call(self.containerd.pull_image(image, POD))
        sandbox = self.call(self.containerd.run_pod_sandbox(POD))
        cid = self.call(self.containerd.create_container(sandbox.id, dict(
            {"name": "main", "image": image, "command": command, "log_path": LOG}, **config)))
        self.call(self.containerd.start_container(cid))
        return cid


@pytest.fixture
def node() -> Node:
    return Node()


def test_a_pull_takes_the_layers_size_over_the_bandwidth(node: Node) -> None:
    image = CATALOGUE.find(BUSYBOX)
    size = node.call(node.containerd.pull_image(BUSYBOX, POD))
    assert size == image.size == sum(image.layers)
    # The manifest and each layer are one request each, 0.5 ms there and 0.5 ms back.
    round_trips = (1 + len(image.layers)) * 4 * DEFAULT_LINK_LATENCY
    assert node.sim.now == pytest.approx(sum(image.layers) / BANDWIDTH + round_trips)
    assert node.containerd.image_status(BUSYBOX)
    assert node.containerd.image_status("busybox:1.37")  # the short name normalizes


def test_a_cached_image_is_not_pulled_again(node: Node) -> None:
    node.call(node.containerd.pull_image(BUSYBOX, POD))
    before = node.sim.now
    node.call(node.containerd.pull_image("busybox:1.37", POD))
    assert node.sim.now == before
    pulls = node.sim.trace.where(component="containerd", kind="PullImage")
    assert [r.details["cached"] for r in pulls] == [False, True]


def test_list_and_remove_images(node: Node) -> None:
    node.call(node.containerd.pull_image(BUSYBOX, POD))
    node.call(node.containerd.pull_image("nginx:1.27", POD))
    tags = [info.repo_tags for info in node.containerd.list_images()]
    assert tags == [(BUSYBOX,), ("docker.io/library/nginx:1.27",)]
    assert node.containerd.remove_image(BUSYBOX) is True
    assert node.containerd.remove_image(BUSYBOX) is False
    assert not node.containerd.image_status(BUSYBOX)
    assert [info.repo_tags for info in node.containerd.list_images()] == [
        ("docker.io/library/nginx:1.27",)]


def test_an_image_a_container_uses_is_not_removed(node: Node) -> None:
    node.run(["sleep", "100"])
    assert node.containerd.remove_image(BUSYBOX) is False
    assert node.containerd.image_status(BUSYBOX)


def test_an_unknown_tag_fails_the_pull_with_not_found(node: Node) -> None:
    with pytest.raises(cri.PullError) as error:
        node.call(node.containerd.pull_image("busybox:9.9", POD))
    assert error.value.code == "NotFound"
    assert error.value.message.startswith(
        'failed to pull and unpack image "docker.io/library/busybox:9.9": ')
    assert "not found" in error.value.message
    assert not node.containerd.image_status("busybox:9.9")


def test_a_registry_cut_off_fails_the_pull_with_an_i_o_timeout(node: Node) -> None:
    node.network.partition(["node-1"], [REGISTRY])
    with pytest.raises(cri.PullError) as error:
        node.call(node.containerd.pull_image(BUSYBOX, POD))
    assert error.value.message.endswith(
        'Head "https://registry-1.docker.io/v2/library/busybox/manifests/1.37": '
        "dial tcp: i/o timeout")
    [failed] = node.sim.trace.where(component="containerd", kind="PullImageFailed")
    assert failed.details["error"] == error.value.message


def test_create_and_start_take_their_time(node: Node) -> None:
    node.call(node.containerd.pull_image(BUSYBOX, POD))
    t0 = node.sim.now
    sandbox = node.call(node.containerd.run_pod_sandbox(POD))
    assert node.sim.now - t0 == pytest.approx(SANDBOX_SECONDS)
    assert node.runc.containers[sandbox.pause_id].bundle["image"] == PAUSE_IMAGE
    cid = node.call(node.containerd.create_container(
        sandbox.id, {"name": "main", "image": BUSYBOX, "command": ["sleep", "100"]}))
    assert node.sim.now - t0 == pytest.approx(SANDBOX_SECONDS + CREATE_SECONDS)
    assert node.containerd.container_status(cid).state == cri.CREATED
    node.call(node.containerd.start_container(cid))
    assert node.sim.now - t0 == pytest.approx(SANDBOX_SECONDS + CREATE_SECONDS + START_SECONDS)
    status = node.containerd.container_status(cid)
    assert (status.state, status.reason, status.exit_code) == (cri.RUNNING, "", None)
    assert [c.id for c in node.containerd.list_containers()] == [cid]


def test_creating_from_an_image_not_on_the_node_fails(node: Node) -> None:
    sandbox = node.call(node.containerd.run_pod_sandbox(POD))
    with pytest.raises(cri.CreateError, match='failed to get image "nginx:1.27": not found'):
        node.call(node.containerd.create_container(sandbox.id,
                                                   {"name": "x", "image": "nginx:1.27"}))


def finish(node: Node, cid: str, seconds: float = 5) -> cri.ContainerInfo:
    node.sim.run(seconds)
    return node.containerd.container_status(cid)


@pytest.mark.parametrize(("script", "code", "reason"), [
    ("exit 0", 0, "Completed"), ("exit 3", 3, "Error")])
def test_an_exited_container_says_completed_or_error(node: Node, script, code, reason) -> None:
    cid = node.run(["sh", "-c", script])
    status = finish(node, cid)
    assert (status.state, status.exit_code, status.reason) == (cri.EXITED, code, reason)
    assert status.finished is not None and status.finished >= status.started


def test_memory_past_the_limit_is_oom_killed(node: Node) -> None:
    cid = node.run(["stress"], image="polinux/stress",
                   args=["--vm", "1", "--vm-bytes", "250M", "--vm-hang", "1"],
                   resources=LinuxResources(2, 0, 100_000, 100 * 2**20, 0))
    status = finish(node, cid)
    assert (status.state, status.exit_code, status.reason) == (cri.EXITED, 137, "OOMKilled")
    [oom] = node.sim.trace.where(component="runc", kind="oom-kill")
    assert oom.details["memory_max"] == 100 * 2**20


def test_a_command_not_in_the_image_is_a_start_error(node: Node) -> None:
    with pytest.raises(cri.StartError) as error:
        node.run(["no-such-command"])
    assert 'exec: "no-such-command": executable file not found in $PATH' in error.value.message
    [container] = node.containerd.list_containers()
    assert (container.state, container.exit_code, container.reason) == (
        cri.EXITED, 128, "StartError")
    assert container.message == error.value.message


def test_exec_sync_returns_output_and_exit_code(node: Node) -> None:
    cid = node.run(["sleep", "1000"])
    code, out, err = node.call(node.containerd.exec_sync(cid, ["echo", "hello"], 5))
    assert (code, out, err) == (0, "hello\n", "")
    code, out, err = node.call(node.containerd.exec_sync(cid, ["cat", "/nope"], 5))
    assert code == 1
    assert "/nope" in err


def test_exec_sync_past_its_timeout_has_no_exit_code(node: Node) -> None:
    cid = node.run(["sleep", "1000"])
    t0 = node.sim.now
    code, _, _ = node.call(node.containerd.exec_sync(cid, ["sleep", "30"], 2))
    assert code is None
    assert node.sim.now - t0 == pytest.approx(2)


def test_exec_sync_in_an_unknown_container_is_not_found(node: Node) -> None:
    with pytest.raises(cri.CriError, match='container "abc" not found'):
        node.call(node.containerd.exec_sync("abc", ["true"], 1))


def test_output_goes_to_the_log_path_in_the_cri_format(node: Node) -> None:
    cid = node.run(["sh", "-c", "echo one; sleep 2; echo two >&2"])
    started = node.containerd.container_status(cid).started
    node.sim.run(5)
    lines = node.host.disk[LOG]
    assert lines == [f"{cri_timestamp(started)} stdout F one",
                     f"{cri_timestamp(started + 2)} stderr F two"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z", lines[0].split()[0])


def test_cri_timestamp_is_gos_rfc3339nano_with_trailing_zeros_trimmed() -> None:
    assert cri_timestamp(5.25).endswith(":00:05.25Z")
    assert cri_timestamp(5).endswith(":00:05Z")


def test_stats_count_cpu_and_throttling(node: Node) -> None:
    cid = node.run(["stress"], image="vish/stress", args=["-cpus", "2"],
                   resources=LinuxResources(2, 100_000, 100_000, 0, 0))
    node.sim.run(10)
    stats = node.containerd.container_stats(cid)
    assert stats.nr_throttled > 0
    assert stats.cpu_usage_usec == pytest.approx(10_000_000, rel=0.05)


def test_stop_container_sends_sigterm_then_sigkill_after_the_timeout(node: Node) -> None:
    cid = node.run(["sh", "-c", "sleep 600"])  # sh as PID 1 ignores SIGTERM
    t0 = node.sim.now
    code = node.call(node.containerd.stop_container(cid, 30))
    assert code == 137
    assert node.sim.now - t0 == pytest.approx(30)
    signals = [r.details["signal"] for r in node.sim.trace.where(component="runc", kind="kill")]
    assert signals == [15, 9]


def test_stop_pod_sandbox_frees_the_ip(node: Node) -> None:
    node.run(["sleep", "1000"])
    [sandbox] = node.containerd.list_pod_sandboxes()
    node.call(node.containerd.stop_pod_sandbox(sandbox.id))
    assert node.containerd.list_pod_sandboxes() == []
    assert node.containerd.list_containers() == []
    assert sandbox.ip == "10.244.1.2"
    assert "/var/lib/cni/networks/cbr0/10.244.1.2" not in node.host.disk
    assert sandbox.ip not in node.containerd.netns
    # host-local resumes after the last address it gave (last_reserved_ip.0), not at the start
    again = node.call(node.containerd.run_pod_sandbox("pod/default/other"))
    assert again.ip == "10.244.1.3"
