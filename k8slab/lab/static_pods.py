"""Editing a static pod's manifest on a host, as an administrator edits
/etc/kubernetes/manifests/*.yaml: the kubelet sees the change at its next file check and
replaces the pod (k8slab.node.static_pod_files).
"""

from __future__ import annotations

import copy
from collections.abc import Callable

from k8slab.api.manifests import load_manifests
from k8slab.errors import K8sLabError
from k8slab.lab import arguments
from k8slab.node.kubelet import MANIFESTS
from k8slab.sim.network import Network


def edit_static_pod(network: Network, host: str, filename: str,
                    edit: Callable[[dict], None]) -> dict:
    """Apply `edit` to a copy of `filename`'s manifest on `host` and write it back; returns
    the new manifest. If `edit` fails, or leaves a manifest the API's validation refuses, the
    file stays as it was (a simplification: a real kubelet would read the broken file, log
    the error and ignore it)."""
    host = arguments.host(host, [h.name for h in network.hosts()], "edit_static_pod()'s host")
    filename = arguments.text(filename, "edit_static_pod()'s filename",
                              'a file name like "etcd.yaml"')
    if not callable(edit):
        raise K8sLabError("edit_static_pod()'s edit must be a function that changes the manifest "
                          "dict in place (such as set_host_path(...)), "
                          f"got {arguments.shown(edit)}")
    files = network.host(host).disk.get(MANIFESTS, {})
    if filename not in files:
        raise K8sLabError(f"{host} has no {MANIFESTS}/{filename}; its static pod manifests are "
                          f"{', '.join(sorted(files)) or 'none'}")
    manifest = copy.deepcopy(files[filename])
    edit(manifest)
    load_manifests(manifest)
    files[filename] = manifest
    return manifest


def set_host_path(volume: str, path: str) -> Callable[[dict], None]:
    """An edit pointing the hostPath volume `volume` at `path` (kubeadm's etcd restore: the
    `etcd-data` volume to the restored data dir)."""
    if not isinstance(path, str) or not path.startswith("/"):
        raise K8sLabError(f"a hostPath is an absolute path like /var/lib/etcd-from-backup, "
                          f"got {path!r}")

    def edit(manifest: dict) -> None:
        volumes = manifest["spec"].get("volumes", [])
        found = [v for v in volumes if v.get("name") == volume and "hostPath" in v]
        if not found:
            names = ", ".join(v.get("name", "?") for v in volumes if "hostPath" in v)
            raise K8sLabError(f"the manifest has no hostPath volume {volume!r}; its hostPath "
                              f"volumes are {names or 'none'}")
        found[0]["hostPath"]["path"] = path

    return edit


def write_static_pod(network: Network, host: str, filename: str, manifest: object) -> dict:
    """Write a Pod manifest (YAML text or a dict) to /etc/kubernetes/manifests/<filename> on
    `host`, as an administrator drops a file there; the kubelet starts it at its next check.
    A manifest that is not one valid Pod is refused and nothing is written."""
    host = arguments.host(host, [h.name for h in network.hosts()], "write_static_pod()'s host")
    filename = arguments.text(filename, "write_static_pod()'s filename",
                              'a file name like "web.yaml"')
    if "/" in filename or not filename.endswith((".yaml", ".yml", ".json")):
        raise K8sLabError(f"a manifest file name is a plain name ending in .yaml, .yml or "
                          f".json, got {filename!r}")
    documents = load_manifests(manifest)
    if len(documents) != 1 or documents[0].get("kind") != "Pod":
        kinds = ", ".join(str(d.get("kind")) for d in documents) or "nothing"
        raise K8sLabError(f"a static pod manifest holds exactly one Pod, got {kinds}")
    network.host(host).disk.setdefault(MANIFESTS, {})[filename] = copy.deepcopy(documents[0])
    return documents[0]


def remove_static_pod(network: Network, host: str, filename: str) -> None:
    """Delete /etc/kubernetes/manifests/<filename> on `host`; the kubelet stops its pod."""
    host = arguments.host(host, [h.name for h in network.hosts()], "remove_static_pod()'s host")
    files = network.host(host).disk.get(MANIFESTS, {})
    if filename not in files:
        raise K8sLabError(f"{host} has no {MANIFESTS}/{filename}; its static pod manifests are "
                          f"{', '.join(sorted(files)) or 'none'}")
    del files[filename]
