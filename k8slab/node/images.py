"""The kubelet's image manager: before a container is created, make sure its image is on the
node (CRI ImageStatus, then PullImage) and say so in Events, in v1.35's words.

Upstream: kk pkg/kubelet/images/image_manager.go. KubeletEnsureSecretPulledImages (beta, on in
v1.35) adds "and can be accessed by the pod" to the already-present message. Simplified: image
sizes are not modelled, so the Pulled message ends before upstream's "Image size: <n> bytes.",
and every pull policy behaves as IfNotPresent.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from k8slab.node.kubelet import Kubelet


def pull(kubelet: Kubelet, pod: dict, image: str, ref: str) -> Generator:
    """Pull `image` for `pod` unless present, recording Pulling/Pulled Events."""
    if kubelet.containerd.image_status(image):
        kubelet.event(pod, "Normal", "Pulled", f'Container image "{image}" already present on '
                      "machine and can be accessed by the pod")
        return
    kubelet.event(pod, "Normal", "Pulling", f'Pulling image "{image}"')
    began = kubelet.sim.now
    yield from kubelet.containerd.pull_image(image, ref)
    took = go_seconds(kubelet.sim.now - began)
    kubelet.event(pod, "Normal", "Pulled",
                  f'Successfully pulled image "{image}" in {took} ({took} including waiting)')


def go_seconds(seconds: float) -> str:
    """A duration under a minute as Go prints it, truncated to milliseconds: 2s, 2.5s.

    Simulated times are sums of floats, so 2 s can arrive as 1.9999999999996; a real clock
    reads whole nanoseconds, so the duration is rounded to those before it is truncated."""
    return f"{round(seconds * 1e9) // 1_000_000 / 1000:g}s"
