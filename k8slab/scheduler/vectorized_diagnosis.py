"""The explanation of a vectorized scheduling cycle, kept as arrays and built only when read.

At 150,000 pods most decisions are never explained: a Decision of the vectorized cycle holds its
rejections, unexamined nodes and scores as the cycle's arrays, and these read-only views turn
them into Rejection and NodeScore objects on first read, equal to what the per-node cycle builds.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np

from k8slab.scheduler.framework.diagnosis import NodeScore, PluginScore, Rejection
from k8slab.scheduler.node_info import NodeInfo


class RowsOf(Sequence):
    """The NodeInfos at `rows`, looked up only when a per-node PreScore reads them."""

    def __init__(self, infos: tuple[NodeInfo, ...], rows: np.ndarray) -> None:
        self._infos = infos
        self._rows = rows

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return [self._infos[row] for row in self._rows[index].tolist()]
        return self._infos[int(self._rows[index])]

    def __len__(self) -> int:
        return len(self._rows)

    def __iter__(self) -> Iterator[NodeInfo]:
        return (self._infos[row] for row in self._rows.tolist())


class LazyRejections(Mapping[str, Rejection]):
    """Decision.filtered built on first read: each rejected node's Rejection, in node order."""

    def __init__(self, names: tuple[str, ...], rejected: list) -> None:
        self._names = names
        self._rejected = rejected
        self._data: dict[str, Rejection] | None = None

    def _built(self) -> dict[str, Rejection]:
        if self._data is None:
            by_row: dict[int, Rejection] = {}
            for rows, plugin, items in self._rejected:
                for row, item in zip(rows.tolist(), items.tolist(), strict=True):
                    by_row[row] = Rejection(plugin or item.plugin, item.reasons, item.code)
            self._data = {self._names[row]: by_row[row] for row in sorted(by_row)}
            self._rejected = []
        return self._data

    def __getitem__(self, node: str) -> Rejection:
        return self._built()[node]

    def __iter__(self) -> Iterator[str]:
        return iter(self._built())

    def __len__(self) -> int:
        return len(self._built())

    def __repr__(self) -> str:
        return repr(self._built())


class _LazyTuple(Sequence):
    """A tuple worked out on first read; compares equal to the same items in any sequence."""

    _data: tuple | None = None

    def _build(self) -> tuple:
        raise NotImplementedError

    def _built(self) -> tuple:
        if self._data is None:
            self._data = self._build()
        return self._data

    def __getitem__(self, index: Any) -> Any:
        return self._built()[index]

    def __len__(self) -> int:
        return len(self._built())

    def __iter__(self) -> Iterator:
        return iter(self._built())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence) and not isinstance(other, str):
            return self._built() == tuple(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return repr(self._built())


class LazyUnexamined(_LazyTuple):
    """Decision.unexamined: the nodes neither found feasible nor rejected, in node order."""

    def __init__(self, names: tuple[str, ...], found: np.ndarray, rejected: list) -> None:
        self._names = names
        self._seen = np.concatenate([found, *(rows for rows, _, _ in rejected)])

    def _build(self) -> tuple:
        unseen = np.ones(len(self._names), dtype=bool)
        unseen[self._seen] = False
        return tuple(self._names[row] for row in np.flatnonzero(unseen).tolist())


class LazyScores(_LazyTuple):
    """Decision.scores: a NodeScore per feasible node, in the order found."""

    def __init__(self, names: tuple[str, ...], rows: np.ndarray, per_plugin: list) -> None:
        self._names = names
        self._rows = rows
        self._per_plugin = per_plugin

    def _build(self) -> tuple:
        columns = [
            (name, raw.tolist(), normalized.tolist(), weight)
            for name, raw, normalized, weight in self._per_plugin
        ]
        return tuple(
            NodeScore(
                self._names[row],
                tuple(
                    PluginScore(name, raw[i], normalized[i], weight)
                    for name, raw, normalized, weight in columns
                ),
            )
            for i, row in enumerate(self._rows.tolist())
        )
