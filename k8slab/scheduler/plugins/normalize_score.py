"""DefaultNormalizeScore: scale raw scores so the best node gets 100, or, reversed, the lowest raw.

A plugin declares its NormalizeScore once, `normalize = DefaultNormalizeScore(reverse=True)`, as
upstream calls `helper.DefaultNormalizeScore(framework.MaxNodeScore, true, scores)`; the
declaration gives both the per-node form (a dict of scores by node) and the array form the
vectorized cycle uses, with the same integer arithmetic. Upstream: kk
pkg/scheduler/framework/plugins/helper/normalize_score.go.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from k8slab.scheduler.framework.cycle_state import CycleState
from k8slab.scheduler.framework.interface import MAX_NODE_SCORE


def default_normalize_score(scores: Mapping[str, int], reverse: bool = False) -> dict[str, int]:
    """Scale scores so the highest becomes MAX_NODE_SCORE; `reverse` makes low raw scores high.

    Integer arithmetic as upstream: score = MAX × raw div max_raw, reversed = MAX − that; when
    every raw score is 0, reversed gives everyone MAX and unreversed leaves them at 0.
    """
    highest = max(scores.values(), default=0)
    if highest == 0:
        return {node: MAX_NODE_SCORE if reverse else score for node, score in scores.items()}
    scaled = {node: MAX_NODE_SCORE * score // highest for node, score in scores.items()}
    if reverse:
        return {node: MAX_NODE_SCORE - score for node, score in scaled.items()}
    return scaled


def default_normalize_array(raw: np.ndarray, reverse: bool = False) -> np.ndarray:
    """default_normalize_score over an int64 array of raw scores (numpy's // floors as Python's)."""
    highest = int(raw.max()) if len(raw) else 0
    if highest == 0:
        return np.full(len(raw), MAX_NODE_SCORE, dtype=np.int64) if reverse else raw.copy()
    scaled = MAX_NODE_SCORE * raw // highest
    return MAX_NODE_SCORE - scaled if reverse else scaled


class DefaultNormalizeScore:
    """A NormalizeScore declared as upstream's DefaultNormalizeScore(MaxNodeScore, reverse).

    Used as a class attribute, `normalize = DefaultNormalizeScore(reverse=True)`: the plugin's
    `normalize(state, pod, scores)` and `normalize_array(state, pod, raw)` both follow it.
    """

    def __init__(self, reverse: bool = False) -> None:
        self.reverse = reverse

    def __set_name__(self, owner: type, name: str) -> None:
        owner.normalize_array = self.normalize_array  # type: ignore[attr-defined]

    def __get__(self, plugin: Any, owner: type | None = None) -> Any:
        return self if plugin is None else self.normalize

    def normalize(self, state: CycleState, pod: dict, scores: dict[str, int]) -> dict[str, int]:
        """The per-node form: raw scores by node name, normalized."""
        return default_normalize_score(scores, self.reverse)

    def normalize_array(self, state: CycleState, pod: dict, raw: np.ndarray) -> np.ndarray:
        """The array form: an int64 array of raw scores, normalized."""
        return default_normalize_array(raw, self.reverse)

    def __repr__(self) -> str:
        return f"DefaultNormalizeScore(reverse={self.reverse})"
