"""Image GC at 85 % / 80 %, LRU first, in-use, pinned and young images kept
(kubernetes pkg/kubelet/images/image_gc_manager_test.go's shapes)."""

from __future__ import annotations

import pytest

from k8slab.node.image_gc_policy import (
    ImageGCConfigError,
    ImageRecord,
    garbage_collect,
    usage_percent,
)

GB = 1000**3
NOW = 1000.0


def image(id_: str, size: int, last_used: float, first_detected: float = 0.0,
          **flags) -> ImageRecord:
    return ImageRecord(id_, size, last_used, first_detected, **flags)


def test_below_the_high_threshold_nothing_is_deleted() -> None:
    decision = garbage_collect(100 * GB, 16 * GB, [image("a", 10 * GB, 0)], NOW)
    assert (decision.usage_percent, decision.delete, decision.freed) == (84, (), 0)


def test_at_85_percent_frees_down_to_80_least_recently_used_first() -> None:
    images = [image("new", 3 * GB, 900), image("old", 2 * GB, 100), image("mid", 4 * GB, 500)]
    decision = garbage_collect(100 * GB, 15 * GB, images, NOW)
    # goal: 20 GB free - 15 GB available = 5 GB: old (2) then mid (4) reach it.
    assert decision.bytes_to_free == 5 * GB
    assert decision.delete == ("old", "mid")
    assert (decision.freed, decision.error) == (6 * GB, "")


def test_in_use_pinned_and_young_images_are_kept() -> None:
    images = [
        image("running", 5 * GB, 0, in_use=True),
        image("pause", 1, 0, pinned=True),
        image("just-pulled", 5 * GB, 10, first_detected=NOW - 119),
        image("old", 1 * GB, 20),
    ]
    decision = garbage_collect(100 * GB, 10 * GB, images, NOW)
    assert decision.delete == ("old",)
    assert decision.error == (
        "Failed to garbage collect required amount of images. Attempted to free "
        "10000000000 bytes, but only found 1000000000 bytes eligible to free.")


def test_ties_on_last_used_go_by_first_detected() -> None:
    images = [image("b", 5 * GB, 50, first_detected=20), image("a", 5 * GB, 50, first_detected=10)]
    assert garbage_collect(100 * GB, 15 * GB, images, NOW).delete == ("a",)


def test_usage_percent_truncates_like_go() -> None:
    assert usage_percent(1000, 151) == 85  # 100 - int(15.1)
    assert usage_percent(3, 1) == 67


@pytest.mark.parametrize(("args", "words"), [
    ((0, 0), "capacity must be positive"),
    ((100, 101), "between 0 and the capacity"),
])
def test_bad_disk_figures(args: tuple, words: str) -> None:
    with pytest.raises(ImageGCConfigError, match=words):
        garbage_collect(*args, [], NOW)


def test_low_must_be_below_high() -> None:
    with pytest.raises(ImageGCConfigError, match="must be less than"):
        garbage_collect(100, 10, [], NOW, high=80, low=85)
