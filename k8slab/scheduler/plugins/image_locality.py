"""ImageLocality: prefer nodes that already have the pod's container images.

Each image already on the node adds its size × (nodes having it / all nodes): an image that is
everywhere counts in full, a rare one little, so pods do not pile onto the one node that pulled it
("node heating"). The sum is clamped to [23 MiB, 1000 MiB × number of containers] and scaled to
0..100. Images are matched by name after adding ":latest" to an untagged name. Upstream: kk
pkg/scheduler/framework/plugins/imagelocality/image_locality.go (init containers counted, as since
v1.26). Like upstream's it has a Score extension point only; upstream's scheduler cache keeps how
many nodes hold each image (ImageStateSummary.NumNodes), here the first Score of a cycle counts
them and keeps the counts in the CycleState.
"""

from __future__ import annotations

from collections.abc import Hashable

from k8slab.scheduler.framework.cycle_state import CycleState
from k8slab.scheduler.framework.interface import MAX_NODE_SCORE, Plugin
from k8slab.scheduler.node_info import NodeInfo

MB = 1024 * 1024
MIN_THRESHOLD = 23 * MB
MAX_CONTAINER_THRESHOLD = 1000 * MB
DEFAULT_IMAGE_TAG = "latest"
# Where Score keeps the per-image node counts for the rest of the cycle.
IMAGE_COUNTS_KEY = "ImageLocalityImageCounts"


def normalized_image_name(name: str) -> str:
    """The image name with ":latest" added when it has no tag (normalizedImageName)."""
    if name.rfind(":") <= name.rfind("/"):
        return f"{name}:{DEFAULT_IMAGE_TAG}"
    return name


def pod_images(pod: dict) -> list[str]:
    """The normalized images of the pod's init containers and containers."""
    spec = pod.get("spec") or {}
    containers = list(spec.get("initContainers") or []) + list(spec.get("containers") or [])
    return [normalized_image_name(c.get("image") or "") for c in containers]


def calculate_priority(sum_scores: int, num_containers: int) -> int:
    """100 × (sum − 23 MiB) div (1000 MiB × containers − 23 MiB), the sum clamped to that range."""
    if num_containers == 0:
        return 0
    max_threshold = MAX_CONTAINER_THRESHOLD * num_containers
    clamped = min(max(sum_scores, MIN_THRESHOLD), max_threshold)
    return MAX_NODE_SCORE * (clamped - MIN_THRESHOLD) // (max_threshold - MIN_THRESHOLD)


def scaled_image_score(size: int, nodes_having_image: int, total_nodes: int) -> int:
    """int(size × spread), spread = nodes having the image / all nodes (float, truncated)."""
    return int(float(size) * (nodes_having_image / total_nodes))


class ImageLocality(Plugin):
    """Score nodes by the (spread-scaled) size of the pod's images they already hold."""

    name = "ImageLocality"
    extends = ("score",)

    def node_signature(self, pod: dict, point: str) -> Hashable | None:
        """Score reads only the pod's images and the images of the nodes (fixed by the kubelet's
        report), so two pods with the same images score every node alike."""
        return tuple(pod_images(pod))

    def _image_counts(self, state: CycleState, pod: dict) -> tuple[list[str], dict[str, int], int]:
        """The pod's images, how many nodes of the cluster hold each, and how many nodes there are;
        counted once per cycle (upstream reads them from its scheduler cache)."""
        if IMAGE_COUNTS_KEY not in state:
            images = pod_images(pod)
            counts = {
                image: sum(1 for info in state.nodes if image in info.images)
                for image in dict.fromkeys(images)
            }
            state[IMAGE_COUNTS_KEY] = (images, counts, len(state.nodes))
        return state[IMAGE_COUNTS_KEY]

    def score(self, state: CycleState, pod: dict, node_info: NodeInfo) -> int:
        """0..100 from the sum of scaled_image_score over the pod's images on this node."""
        images, counts, total = self._image_counts(state, pod)
        total_score = sum(
            scaled_image_score(node_info.images[image], counts[image], total)
            for image in images
            if image in node_info.images
        )
        return calculate_priority(total_score, len(images))
