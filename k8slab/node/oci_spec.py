"""The OCI runtime spec containerd's CRI plugin writes for a container (config.json in its
bundle): the process's argv and environment, the cgroup limits the kubelet asked for, and the
namespaces — a pod's containers join its pause container's network, IPC and UTS namespaces
(hence one IP and one localhost per pod) and get their own PID and mount namespaces
(containerd internal/cri/opts/spec_linux.go; runtime-spec config-linux.md).
"""

from __future__ import annotations

from k8slab.node.cgroups import LinuxResources
from k8slab.node.container_state import OCI_VERSION

SHARED_WITH_SANDBOX = ("ipc", "uts", "network")


def namespaces(sandbox_pid: int | None, host_network: bool) -> list[dict]:
    """linux.namespaces: new ones for the pause container (`sandbox_pid` None), else the
    pause container's by path; a host-network pod has no network namespace of its own."""
    entries = []
    for kind in ("pid", "ipc", "uts", "mount", "network"):
        if kind == "network" and host_network:
            continue
        entry = {"type": kind}
        if sandbox_pid is not None and kind in SHARED_WITH_SANDBOX:
            short = "net" if kind == "network" else kind
            entry["path"] = f"/proc/{sandbox_pid}/ns/{short}"
        entries.append(entry)
    return entries


def runtime_spec(argv: list[str], env: dict[str, str], hostname: str,
                 resources: LinuxResources | None, spaces: list[dict]) -> dict:
    """config.json for one container."""
    linux: dict = {"namespaces": spaces}
    if resources is not None:
        linux["resources"] = {
            "cpu": {"shares": resources.cpu_shares, "quota": resources.cpu_quota,
                    "period": resources.cpu_period},
            "memory": {"limit": resources.memory_limit_in_bytes},
            "unified": dict(resources.unified),
        }
        linux["oomScoreAdj"] = resources.oom_score_adj
    return {
        "ociVersion": OCI_VERSION,
        "process": {"args": list(argv), "env": [f"{k}={v}" for k, v in env.items()],
                    "cwd": "/"},
        "root": {"path": "rootfs"},
        "hostname": hostname,
        "linux": linux,
    }
