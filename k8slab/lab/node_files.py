"""A node's files, read from its host's disk: static pod manifests, the kubelet's configuration,
and the containers' log files, as `ls` and `cat` on the node would show them.

The disk (`host.disk`) maps paths to contents. Two paths are folders whose value maps file
names to contents: /etc/kubernetes/manifests (name -> Pod manifest dict) and /var/log/pods
(`<namespace>_<pod>_<uid>/<container>/<restart>.log` -> list of lines). Every other path holds
one file. /var/lib/kubelet is the kubelet's state directory, not a place containers run from.
"""

from __future__ import annotations

import yaml

from k8slab.api.manifests import dump_manifest
from k8slab.errors import K8sLabError
from k8slab.node.node_object import NodeConfig

MANIFESTS = "/etc/kubernetes/manifests"
POD_LOGS = "/var/log/pods"
KUBELET_CONFIG = "/var/lib/kubelet/config.yaml"
FOLDERS = (MANIFESTS, POD_LOGS)
DEFAULT_MAX_PODS = 110


class NodeFileError(K8sLabError):
    """A path that is not on the node's disk, in the words `cat` and `ls` use."""


def kubelet_config(node: NodeConfig | None = None, cluster_dns: str = "10.96.0.10",
                   cluster_domain: str = "cluster.local") -> dict:
    """The KubeletConfiguration kubeadm v1.35 writes to /var/lib/kubelet/config.yaml.

    kubeadm sets the cgroup driver (systemd), cluster DNS (the kube-dns Service, 10th IP of
    10.96.0.0/12), the static pod path and webhook authentication/authorization against the
    API server; it writes the durations it leaves unset as "0s", which the kubelet replaces
    with its own defaults (syncFrequency 1m, fileCheckFrequency 20s, imageMinimumGCAge 2m,
    evictionPressureTransitionPeriod 5m, ...). No kubeReserved or systemReserved.
    """
    zero_durations = (
        "cpuManagerReconcilePeriod", "evictionPressureTransitionPeriod", "fileCheckFrequency",
        "httpCheckFrequency", "imageMaximumGCAge", "imageMinimumGCAge",
        "nodeStatusReportFrequency", "nodeStatusUpdateFrequency", "runtimeRequestTimeout",
        "shutdownGracePeriod", "shutdownGracePeriodCriticalPods",
        "streamingConnectionIdleTimeout", "syncFrequency", "volumeStatsAggPeriod",
    )
    config = {
        "apiVersion": "kubelet.config.k8s.io/v1beta1",
        "kind": "KubeletConfiguration",
        "authentication": {
            "anonymous": {"enabled": False},
            "webhook": {"cacheTTL": "0s", "enabled": True},
            "x509": {"clientCAFile": "/etc/kubernetes/pki/ca.crt"},
        },
        "authorization": {
            "mode": "Webhook",
            "webhook": {"cacheAuthorizedTTL": "0s", "cacheUnauthorizedTTL": "0s"},
        },
        "cgroupDriver": "systemd",
        "clusterDNS": [cluster_dns],
        "clusterDomain": cluster_domain,
        "containerRuntimeEndpoint": "",
        "crashLoopBackOff": {},
        "healthzBindAddress": "127.0.0.1",
        "healthzPort": 10248,
        "logging": {"flushFrequency": 0, "options": {"json": {"infoBufferSize": "0"},
                                                      "text": {"infoBufferSize": "0"}},
                    "verbosity": 0},
        "memorySwap": {},
        "resolvConf": "/run/systemd/resolve/resolv.conf",
        "rotateCertificates": True,
        "staticPodPath": MANIFESTS,
        **{name: "0s" for name in zero_durations},
    }
    if node is not None and node.max_pods != DEFAULT_MAX_PODS:
        config["maxPods"] = node.max_pods
    return config


def list_files(disk: dict, directory: str = "/") -> list[str]:
    """Every file path on the disk under `directory`, sorted."""
    prefix = directory if directory.endswith("/") else directory + "/"
    paths = []
    for key, value in disk.items():
        if key in FOLDERS and isinstance(value, dict):
            paths += [f"{key}/{name}" for name in value]
        else:
            paths.append(key)
    found = sorted(p for p in paths if p.startswith(prefix) or p == directory)
    if not found and directory.rstrip("/") not in disk:
        raise NodeFileError(f"ls: cannot access '{directory}': No such file or directory")
    return found


def read_file(disk: dict, path: str) -> str:
    """The text of one file: a manifest as YAML, config.yaml as YAML, a log file's lines."""
    for folder in FOLDERS:
        if path.startswith(folder + "/") and isinstance(disk.get(folder), dict):
            name = path.removeprefix(folder + "/")
            if name in disk[folder]:
                return _render(disk[folder][name], manifest=folder == MANIFESTS)
    if path in disk and path not in FOLDERS:
        return _render(disk[path], manifest=False)
    if path in FOLDERS or any(p.startswith(path.rstrip("/") + "/") for p in list_files(disk)):
        raise NodeFileError(f"cat: {path}: Is a directory")
    raise NodeFileError(f"cat: {path}: No such file or directory")


def _render(content: object, manifest: bool) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, (list, tuple)):
        return "".join(f"{line}\n" for line in content)
    if isinstance(content, dict) and manifest:
        return dump_manifest(content)
    if isinstance(content, dict):
        return yaml.safe_dump(content, sort_keys=True, default_flow_style=False)
    return repr(content)
