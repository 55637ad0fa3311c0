"""The kubelet's volume manager for the volumes it models: emptyDir (an empty directory that
lives as long as the pod, shared by its containers), configMap (the ConfigMap's keys as
files, fetched from the API server before the pod starts) and projected (several sources in one
directory: a bound ServiceAccount token asked of TokenRequest, ConfigMap keys and downward-API
fields; the ServiceAccount admission plugin gives every pod one, kube-api-access-<xxxxx>).
A configMap that does not exist holds the pod in ContainerCreating with a FailedMount Event,
retried until it appears (kk pkg/kubelet/volumemanager, pkg/volume/configmap, projected).
The token is refreshed once 80 % of its lifetime has passed (`refresh_tokens`).
Simplified: a mounted ConfigMap is not refreshed when the ConfigMap changes later; hostPath
volumes are handled by the runtime's mounts (static_pod_files.host_mounts).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Generator
from dataclasses import dataclass

from k8slab.api.timestamps import from_time
from k8slab.client.rest import Client
from k8slab.errors import K8sLabError, NotFoundError

# kk pkg/kubelet/token/token_manager.go: refresh when less than 20 % of the lifetime is left,
# or the token is older than 24 h, each less a jitter of up to 10 s.
REFRESH_REMAINING_FRACTION = 0.2
MAX_TOKEN_AGE = 24 * 60 * 60
MAX_JITTER_SECONDS = 10.0
# A refresh the API server did not answer is tried again at the next remount; the kubelet's
# --sync-frequency (1 min) stands for it here.
RETRY_SECONDS = 60.0


class MountError(K8sLabError):
    """A volume could not be set up; the message is the kubelet's FailedMount text."""


@dataclass
class ProjectedToken:
    """One serviceAccountToken source as mounted: its volume and file, what it asks for, and
    the TokenRequest the API server answered (spec.expirationSeconds, status.*)."""

    volume: str
    path: str
    source: dict
    answer: dict

    def refresh_at(self, jitter: float) -> float:
        """When the token manager first says "requires refresh" (simulated seconds)."""
        expires = from_time(self.answer["status"]["expirationTimestamp"])
        lifetime = self.answer["spec"]["expirationSeconds"]
        issued = expires - lifetime
        return min(issued + MAX_TOKEN_AGE, expires - lifetime * REFRESH_REMAINING_FRACTION
                   ) - jitter


def mount_all(client: Client, pod: dict,
              tokens: list[ProjectedToken] | None = None) -> Generator:
    """Set up every modelled volume of `pod`: name -> its files (path within the volume ->
    text). Raises MountError for the first volume that cannot be set up. Each projected
    token mounted is appended to `tokens`, for `refresh_tokens`."""
    namespace = pod["metadata"].get("namespace", "default")
    volumes: dict[str, dict[str, str]] = {}
    for volume in pod["spec"].get("volumes", []):
        name = volume["name"]
        if "emptyDir" in volume:
            volumes[name] = {}
        elif "configMap" in volume:
            volumes[name] = yield from _configmap_source(client, namespace, name,
                                                         volume["configMap"])
        elif "projected" in volume:
            files: dict[str, str] = {}
            for source in volume["projected"].get("sources") or []:
                if "serviceAccountToken" in source:
                    token = source["serviceAccountToken"]
                    answer = yield from request_token(client, pod, token)
                    files[f"/{token['path']}"] = answer["status"]["token"]
                    if tokens is not None:
                        tokens.append(ProjectedToken(name, f"/{token['path']}", token, answer))
                elif "configMap" in source:
                    files.update((yield from _configmap_source(client, namespace, name,
                                                               source["configMap"])))
                elif "downwardAPI" in source:
                    files.update(downward_api_files(pod, source["downwardAPI"]))
            volumes[name] = files
    return volumes


def _configmap_source(client: Client, namespace: str, volume: str, source: dict) -> Generator:
    try:
        configmap = yield from client.get("configmaps", source["name"], namespace)
    except NotFoundError:
        if source.get("optional"):
            return {}
        raise MountError(f'MountVolume.SetUp failed for volume "{volume}" : configmap '
                         f'"{source["name"]}" not found') from None
    return configmap_files(configmap, source)


def configmap_files(configmap: dict, source: dict) -> dict[str, str]:
    """The files a configMap volume shows: every key as a file, or only `items` at their
    paths."""
    data = configmap.get("data") or {}
    items = source.get("items")
    if items is None:
        return {f"/{key}": value for key, value in sorted(data.items())}
    return {f"/{item['path']}": data[item["key"]] for item in items if item["key"] in data}


def _pairs(values: dict) -> str:
    # fieldpath.FormatMap: key="value" lines, sorted by key.
    return "".join(f'{key}="{value}"\n' for key, value in sorted(values.items()))


# The fields a downwardAPI volume file may show (fieldpath.ExtractFieldPathAsString).
_DOWNWARD_FIELDS: dict[str, Callable[[dict], str]] = {
    "metadata.name": lambda pod: pod["metadata"]["name"],
    "metadata.namespace": lambda pod: pod["metadata"].get("namespace", "default"),
    "metadata.uid": lambda pod: pod["metadata"].get("uid", ""),
    "metadata.labels": lambda pod: _pairs(pod["metadata"].get("labels") or {}),
    "metadata.annotations": lambda pod: _pairs(pod["metadata"].get("annotations") or {}),
}


def downward_api_files(pod: dict, source: dict) -> dict[str, str]:
    """The files of a downwardAPI projection: each item's fieldRef value at its path.
    Simplified: resourceFieldRef items are not modelled and show no file."""
    files = {}
    for item in source.get("items") or []:
        field = (item.get("fieldRef") or {}).get("fieldPath")
        if field in _DOWNWARD_FIELDS:
            files[f"/{item['path']}"] = _DOWNWARD_FIELDS[field](pod)
    return files


def request_token(client: Client, pod: dict, source: dict) -> Generator:
    """Ask TokenRequest for a token of the pod's ServiceAccount, bound to the pod (the audience
    the source names, else the API server's), as the kubelet's projected volume plugin does."""
    meta = pod["metadata"]
    spec: dict = {"audiences": [source["audience"]] if source.get("audience") else [],
                  "boundObjectRef": {"apiVersion": "v1", "kind": "Pod", "name": meta["name"],
                                     "uid": meta.get("uid", "")}}
    if source.get("expirationSeconds") is not None:
        spec["expirationSeconds"] = source["expirationSeconds"]
    body = {"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest", "spec": spec}
    namespace = meta.get("namespace", "default")
    account = pod["spec"].get("serviceAccountName") or "default"
    return (yield from client.create_token(namespace, account, body))


def refresh_tokens(client: Client, pod: dict, volumes: dict[str, dict[str, str]],
                   tokens: list[ProjectedToken], clock: Callable[[], float],
                   sleep: Callable[[float], object], alive: Callable[[], bool],
                   rng: random.Random) -> Generator:
    """Keep each projected token fresh while `alive()`: once 80 % of its lifetime has passed
    (less a jitter), ask a new one and write it over the file the containers read."""
    due = [token.refresh_at(rng.uniform(0, MAX_JITTER_SECONDS)) for token in tokens]
    while tokens:
        index = min(range(len(tokens)), key=due.__getitem__)
        token = tokens[index]
        yield sleep(max(0.0, due[index] - clock()))
        if not alive():
            return
        try:
            token.answer = yield from request_token(client, pod, token.source)
        except K8sLabError:
            due[index] = clock() + RETRY_SECONDS
            continue
        volumes[token.volume][token.path] = token.answer["status"]["token"]
        due[index] = token.refresh_at(rng.uniform(0, MAX_JITTER_SECONDS))
