"""The kubelet's volume manager for the volumes it models: emptyDir (an empty directory that
lives as long as the pod, shared by its containers) and configMap (the ConfigMap's keys as
files, fetched from the API server before the pod starts). A configMap that does not exist
holds the pod in ContainerCreating with a FailedMount Event, retried until it appears
(kk pkg/kubelet/volumemanager, pkg/volume/configmap).
Simplified: a mounted ConfigMap is not refreshed when the ConfigMap changes later; hostPath
volumes are handled by the runtime's mounts (static_pod_files.host_mounts).
"""

from __future__ import annotations

from collections.abc import Generator

from k8slab.client.rest import Client
from k8slab.errors import K8sLabError, NotFoundError


class MountError(K8sLabError):
    """A volume could not be set up; the message is the kubelet's FailedMount text."""


def mount_all(client: Client, pod: dict) -> Generator:
    """Set up every modelled volume of `pod`: name -> its files (path within the volume ->
    text). Raises MountError for the first volume that cannot be set up."""
    namespace = pod["metadata"].get("namespace", "default")
    volumes: dict[str, dict[str, str]] = {}
    for volume in pod["spec"].get("volumes", []):
        name = volume["name"]
        if "emptyDir" in volume:
            volumes[name] = {}
        elif "configMap" in volume:
            source = volume["configMap"]
            try:
                configmap = yield from client.get("configmaps", source["name"], namespace)
            except NotFoundError:
                if source.get("optional"):
                    volumes[name] = {}
                    continue
                raise MountError(f'MountVolume.SetUp failed for volume "{name}" : configmap '
                                 f'"{source["name"]}" not found') from None
            volumes[name] = configmap_files(configmap, source)
    return volumes


def configmap_files(configmap: dict, source: dict) -> dict[str, str]:
    """The files a configMap volume shows: every key as a file, or only `items` at their
    paths."""
    data = configmap.get("data") or {}
    items = source.get("items")
    if items is None:
        return {f"/{key}": value for key, value in sorted(data.items())}
    return {f"/{item['path']}": data[item["key"]] for item in items if item["key"] in data}
