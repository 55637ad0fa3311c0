"""The kubelet's image manager: before a container is created, make sure its image is on the
node (CRI ImageStatus, then PullImage), back off from failed pulls, and say so in Events and in
the container's waiting reason, in v1.35's words.

Upstream: kk pkg/kubelet/images/image_manager.go. KubeletEnsureSecretPulledImages (beta, on in
v1.35) adds "and can be accessed by the pod" to the already-present message. A failed pull is
ErrImagePull; while its back-off (10 s doubling to 300 s) lasts, ImagePullBackOff.
Simplified: pulls are not serialized (serializeImagePulls), and a pull with policy Always of an
image already on the node asks the registry for the manifest only.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING

from k8slab.client.informer import cache_key
from k8slab.node.cri import PullError

if TYPE_CHECKING:
    from k8slab.node.kubelet import Kubelet
    from k8slab.node.pod_status import RunningPod


def ensure(kubelet: Kubelet, pod: dict, spec: dict, running: RunningPod) -> Generator:
    """True once `spec`'s image is on the node; False (with the container waiting and a
    re-sync planned) when it cannot be pulled now."""
    image, name = spec["image"], spec["name"]
    key = cache_key(pod)
    policy = spec.get("imagePullPolicy", "IfNotPresent")
    present = kubelet.containerd.image_status(image)
    if policy == "Never" and not present:
        message = f'Container image "{image}" is not present with pull policy of Never'
        running.waiting[name] = ("ErrImageNeverPull", message)
        kubelet.event(pod, "Warning", "ErrImageNeverPull", message)
        return False
    if present and policy != "Always":
        kubelet.event(pod, "Normal", "Pulled", f'Container image "{image}" already present on '
                      "machine and can be accessed by the pod")
        return True
    backoff_key = f"{pod['metadata'].get('uid', key)}/{image}"
    if kubelet.pull_backoff.remaining(backoff_key, kubelet.sim.now) > 0:
        last = kubelet.pull_errors.get(backoff_key, "")
        running.waiting[name] = ("ImagePullBackOff",
                                 f'Back-off pulling image "{image}": ErrImagePull: {last}')
        kubelet.event(pod, "Normal", "BackOff", f'Back-off pulling image "{image}"')
        kubelet.event(pod, "Warning", "Failed", "Error: ImagePullBackOff")
        kubelet.resync_after(key, kubelet.sync_error_backoff())
        return False
    kubelet.event(pod, "Normal", "Pulling", f'Pulling image "{image}"')
    began = kubelet.sim.now
    try:
        size = yield from kubelet.containerd.pull_image(image, f"pod/{key}", always=present)
    except PullError as error:
        kubelet.pull_backoff.restarted(backoff_key, kubelet.sim.now)
        kubelet.pull_errors[backoff_key] = error.rpc_error()
        running.waiting[name] = ("ErrImagePull", error.rpc_error())
        kubelet.event(pod, "Warning", "Failed",
                      f'Failed to pull image "{image}": {error.rpc_error()}')
        kubelet.event(pod, "Warning", "Failed", "Error: ErrImagePull")
        kubelet.resync_after(key, kubelet.sync_error_backoff())
        return False
    kubelet.pull_errors.pop(backoff_key, None)
    took = go_seconds(kubelet.sim.now - began)
    kubelet.event(pod, "Normal", "Pulled", f'Successfully pulled image "{image}" in {took} '
                  f"({took} including waiting). Image size: {size} bytes.")
    return True


def go_seconds(seconds: float) -> str:
    """A duration under a minute as Go prints it, truncated to milliseconds: 2s, 2.5s, 150ms.

    Simulated times are sums of floats, so 2 s can arrive as 1.9999999999996; a real clock
    reads whole nanoseconds, so the duration is rounded to those before it is truncated."""
    millis = round(seconds * 1e9) // 1_000_000
    if millis < 1000:
        return f"{millis}ms"
    return f"{millis / 1000:g}s"
