"""Image garbage collection, as a pure rule: when the image disk is too full, which images go.

Every 5 minutes the kubelet checks the image filesystem. At imageGCHighThresholdPercent (85 %)
used or more, it frees enough to come back down to imageGCLowThresholdPercent (80 %), deleting
the least recently used images first, never one a container uses, never a pinned one (pause),
never one first seen less than imageMinimumGCAge (2 min) ago. Source: kubernetes
pkg/kubelet/images/image_gc_manager.go (GarbageCollect, freeSpace); defaults from the kubelet
configuration reference v1.35. imageMaximumGCAge (off by default) is not modelled.
"""

from __future__ import annotations

from dataclasses import dataclass

from k8slab.errors import K8sLabError

HIGH_THRESHOLD_PERCENT = 85
LOW_THRESHOLD_PERCENT = 80
MINIMUM_GC_AGE = 120.0
GC_PERIOD = 300.0  # kubelet.go ImageGCPeriod
# image_gc_manager.go's error when not enough could be freed.
NOT_ENOUGH_FREED = ("Failed to garbage collect required amount of images. Attempted to free {} "
                    "bytes, but only found {} bytes eligible to free.")


class ImageGCConfigError(K8sLabError):
    """Thresholds or disk figures the kubelet would refuse."""


@dataclass(frozen=True)
class ImageRecord:
    """What the image manager knows of one image: size, when last used and first seen."""

    id: str
    size: int
    last_used: float
    first_detected: float
    in_use: bool = False
    pinned: bool = False


@dataclass(frozen=True)
class GCDecision:
    """The outcome of one pass: images to remove in order, bytes they free, and why if short."""

    usage_percent: int
    bytes_to_free: int
    delete: tuple[str, ...]
    freed: int
    error: str = ""


def usage_percent(capacity: int, available: int) -> int:
    """Disk use as GarbageCollect computes it: 100 - int(available * 100 / capacity)."""
    return 100 - available * 100 // capacity


def garbage_collect(capacity: int, available: int, images: list[ImageRecord], now: float,
                    high: int = HIGH_THRESHOLD_PERCENT, low: int = LOW_THRESHOLD_PERCENT,
                    min_age: float = MINIMUM_GC_AGE) -> GCDecision:
    """Decide one image GC pass over the image filesystem (`capacity`, `available` in bytes).

    Below `high` percent used nothing is deleted. Otherwise the goal is capacity x (100 - low)
    / 100 - available bytes, freed from the eligible images least recently used first (ties:
    first detected earlier), stopping once the goal is met.
    """
    _check(capacity, available, high, low)
    used = usage_percent(capacity, available)
    if used < high:
        return GCDecision(used, 0, (), 0)
    goal = capacity * (100 - low) // 100 - available
    chosen, freed = free_space(goal, images, now, min_age)
    error = NOT_ENOUGH_FREED.format(goal, freed) if freed < goal else ""
    return GCDecision(used, goal, chosen, freed, error)


def free_space(goal: int, images: list[ImageRecord], now: float,
               min_age: float = MINIMUM_GC_AGE) -> tuple[tuple[str, ...], int]:
    """The images freeSpace removes to free `goal` bytes, and the bytes that frees."""
    candidates = sorted((i for i in images if not i.in_use),
                        key=lambda i: (i.last_used, i.first_detected))
    chosen, freed = [], 0
    for image in candidates:
        if freed >= goal:
            break
        if now - image.first_detected < min_age or image.pinned:
            continue
        chosen.append(image.id)
        freed += image.size
    return tuple(chosen), freed


def _check(capacity: int, available: int, high: int, low: int) -> None:
    if capacity <= 0:
        raise ImageGCConfigError(
            f"image filesystem capacity must be positive bytes, got {capacity}")
    if not 0 <= available <= capacity:
        raise ImageGCConfigError(
            f"available bytes must be between 0 and the capacity {capacity}, got {available}")
    # kubelet config validation: both in [0, 100], low below high.
    if not (0 <= low <= 100 and 0 <= high <= 100):
        raise ImageGCConfigError("imageGCHighThresholdPercent and imageGCLowThresholdPercent "
                                 f"must be between 0 and 100, got {high} and {low}")
    if low >= high:
        raise ImageGCConfigError(f"imageGCLowThresholdPercent ({low}) must be less than "
                                 f"imageGCHighThresholdPercent ({high})")
