"""crictl's outputs from CRI records, against layouts written from cri-tools' cmd/crictl source
(display.go tabwriter 20/3, getTruncatedID, go-units HumanDuration and HumanSizeWithPrecision)."""

from __future__ import annotations

import json

import pytest

from k8slab.lab.crictl import CrictlError, CrictlView, crictl, human_duration, human_size
from k8slab.node.cri import (
    EXITED,
    POD_NAME,
    POD_NAMESPACE,
    RUNNING,
    SANDBOX_READY,
    ContainerInfo,
    ContainerStats,
    ImageInfo,
    SandboxInfo,
)

IMAGE_ID = "sha256:9bea9f2796e236cb18c2b3ad561ff29f655d1001f9ec7247a0bc5e08d25652a1"
LABELS = {POD_NAME: "web", POD_NAMESPACE: "default"}


def container(id_: str, attempt: int, state: str, created: float, **more) -> ContainerInfo:
    fields = dict(id=id_, sandbox_id="a1b2c3d4e5f60718293a", name="nginx", attempt=attempt,
                  image="docker.io/library/nginx:1.29", image_id=IMAGE_ID, state=state,
                  created=created, started=created + 0.5, finished=None, exit_code=None,
                  reason="", message="",
                  log_path=f"/var/log/pods/default_web_u/nginx/{attempt}.log",
                  labels=LABELS)
    fields.update(more)
    return ContainerInfo(**fields)


VIEW = CrictlView(
    now=400.0,
    containers=(
        container("0ld0000000000000aaaa", 0, EXITED, 30.0, finished=200.0, exit_code=137,
                  reason="OOMKilled"),
        container("3f2a9b8c7d6e5f4a3b2c", 1, RUNNING, 210.0),
    ),
    sandboxes=(SandboxInfo("a1b2c3d4e5f60718293a", "web", "default", "u", 0, SANDBOX_READY,
                           29.0, "10.244.1.2"),),
    images=(ImageInfo(IMAGE_ID, ("docker.io/library/nginx:1.29", "docker.io/library/nginx:latest"),
                      72_300_000),
            ImageInfo("sha256:873ed75102791e5b0b8a7fcd41606c92fcec98d56d05ead4ac5131650004c136",
                      ("registry.k8s.io/pause:3.10.1",), 320_368, pinned=True)),
    stats=(ContainerStats("3f2a9b8c7d6e5f4a3b2c", 8_388_608, 2_500_000, 0, 0),),
    previous_stats=(ContainerStats("3f2a9b8c7d6e5f4a3b2c", 8_388_608, 2_000_000, 0, 0),),
    interval=1.0,
    logs={"3f2a9b8c7d6e5f4a3b2c": ["/docker-entrypoint.sh: Configuration complete",
                                   "start worker process 29"]},
)


def test_ps_shows_running_containers() -> None:
    assert crictl("ps", VIEW) == (
        "CONTAINER           IMAGE               CREATED             STATE               NAME"
        "                ATTEMPT             POD ID              POD                 NAMESPACE\n"
        "3f2a9b8c7d6e5       9bea9f2796e23       3 minutes ago       Running             nginx"
        "               1                   a1b2c3d4e5f60       web                 default\n"
    )


def test_ps_all_adds_exited_containers_newest_first() -> None:
    lines = crictl("crictl ps -a", VIEW).splitlines()
    assert [line.split()[0] for line in lines[1:]] == ["3f2a9b8c7d6e5", "0ld0000000000"]
    assert "6 minutes ago" in lines[2] and "Exited" in lines[2]


def test_pods() -> None:
    assert crictl("pods", VIEW) == (
        "POD ID              CREATED             STATE               NAME                "
        "NAMESPACE           ATTEMPT             RUNTIME\n"
        "a1b2c3d4e5f60       6 minutes ago       Ready               web                 "
        "default             0                   (default)\n"
    )


def test_images_one_row_per_tag() -> None:
    assert crictl("images", VIEW) == (
        # The first column is as wide as its widest cell (23) plus the padding of 3.
        "IMAGE                     TAG                 IMAGE ID            SIZE\n"
        "docker.io/library/nginx   1.29                9bea9f2796e23       72.3MB\n"
        "docker.io/library/nginx   latest              9bea9f2796e23       72.3MB\n"
        "registry.k8s.io/pause     3.10.1              873ed75102791       320kB\n"
    )


def test_inspect_by_prefix() -> None:
    status = json.loads(crictl("inspect 0ld", VIEW))["status"]
    assert (status["state"], status["exitCode"], status["reason"]) == (
        "CONTAINER_EXITED", 137, "OOMKilled")
    assert (status["createdAt"], status["startedAt"], status["finishedAt"]) == (
        "2026-01-01T00:00:30Z", "2026-01-01T00:00:30.5Z", "2026-01-01T00:03:20Z")
    assert crictl("inspect 0ld", VIEW).startswith('{\n  "info": {\n    "pid": 0')


def test_inspect_shows_the_oci_spec_a_pod_container_runs_from() -> None:
    from k8slab import Cluster

    c = Cluster(workers=1)
    c.apply({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web"}, "spec": {
        "containers": [{"name": "web", "image": "nginx:1.27",
                        "resources": {"limits": {"cpu": "500m", "memory": "128Mi"}}}]}})
    c.run(10)
    # newest first: the pod's container, then the addons' (kube-proxy, one of CoreDNS's two)
    lines = c.crictl("worker-1", "ps").splitlines()[1:]
    assert [row.split()[6] for row in lines] == ["web", "kube-proxy", "coredns"]
    line = lines[0]
    info = json.loads(c.crictl("worker-1", f"inspect {line.split()[0]}"))["info"]
    linux = info["runtimeSpec"]["linux"]
    assert linux["resources"]["cpu"] == {"shares": 512, "quota": 50000, "period": 100000}
    assert linux["resources"]["memory"] == {"limit": 128 * 2**20}
    # Network, IPC and UTS are the pause container's; PID and mount are the container's own.
    shared = {n["type"]: n.get("path", "") for n in linux["namespaces"]}
    assert [kind for kind, path in shared.items() if path] == ["ipc", "uts", "network"]
    assert shared["network"].startswith("/proc/") and info["pid"] > 0


def test_logs() -> None:
    assert crictl("logs 3f2a", VIEW) == (
        "/docker-entrypoint.sh: Configuration complete\nstart worker process 29\n")


def test_stats_cpu_percent_over_the_interval() -> None:
    lines = crictl("stats", VIEW).splitlines()
    assert lines[0].split() == ["CONTAINER", "NAME", "CPU", "%", "MEM", "DISK", "INODES", "SWAP"]
    assert lines[1].split() == ["3f2a9b8c7d6e5", "nginx", "50.00", "8.389MB", "0B", "0", "0B"]


@pytest.mark.parametrize(("seconds", "text"), [
    (0.5, "Less than a second"), (1, "1 second"), (59, "59 seconds"), (60, "About a minute"),
    (119, "About a minute"), (120, "2 minutes"), (3599, "59 minutes"), (5399, "About an hour"),
    (5400, "2 hours"), (47 * 3600, "47 hours"), (48 * 3600, "2 days"), (15 * 86400, "2 weeks"),
    (61 * 86400, "2 months"), (800 * 86400, "2 years"),
])
def test_human_duration(seconds: float, text: str) -> None:
    assert human_duration(seconds) == text


@pytest.mark.parametrize(("size", "precision", "text"), [
    (999, 3, "999B"), (1000, 3, "1kB"), (67_300_000, 3, "67.3MB"), (999_700, 3, "1e+03kB"),
    (2_746_000, 4, "2.746MB"),
])
def test_human_size(size: int, precision: int, text: str) -> None:
    assert human_size(size, precision) == text


@pytest.mark.parametrize(("command", "words"), [
    ("frobnicate", "No help topic for 'frobnicate'"),
    ("inspect nope", 'find container "nope": not found'),
    ("logs", "ID cannot be empty"),
    ("ps -q", "flag provided but not defined: -q"),
    ("", "needs a command"),
])
def test_errors(command: str, words: str) -> None:
    with pytest.raises(CrictlError, match=words):
        crictl(command, VIEW)
