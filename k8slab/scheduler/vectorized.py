"""One scheduling cycle over arrays: the decisions of Framework.schedule's per-node path, faster.

Filter walks the nodes in chunks from the rotating start index and stops once enough feasible
nodes are found, exactly as the per-node path does; Score, NormalizeScore and the tie-breaking
draw the same numbers from the same random generator. Each plugin runs in the fastest form it
has: its array form (k8slab.scheduler.array_forms), its per-node answers cached by the pod's
`node_signature` (they depend only on fixed node data), or, failing both, its own per-node
method. The Decision's explanation (rejections, unexamined nodes, every plugin's scores) is
kept as arrays and turned into objects only when read. Cycles this module does not handle
(nominated pods, a PreFilter that narrows or rejects, no feasible node, PostFilter) are left to
the per-node path: `schedule` returns None for them.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np

from k8slab.scheduler.array_forms import Unvectorizable, array_forms
from k8slab.scheduler.framework import (
    MAX_NODE_SCORE,
    MIN_NODE_SCORE,
    CycleState,
    Decision,
    Framework,
    NodeScore,
    Plugin,
    PluginScore,
    Rejection,
    as_status,
    num_feasible_nodes_to_find,
)
from k8slab.scheduler.node_info import NodeInfo, pod_key
from k8slab.scheduler.node_table import EXACT_LIMIT, NodeTable

# Filter examines at least this many nodes per chunk (fewer numpy calls when many are rejected).
MIN_CHUNK = 64


def table_for(table: NodeTable | None, node_infos: Sequence[NodeInfo]) -> NodeTable:
    """A NodeTable mirroring `node_infos`: `table` itself when it still does, else refreshed."""
    if table is None:
        return NodeTable(node_infos)
    return table.synced(node_infos)


def schedule(
    framework: Framework,
    table: NodeTable,
    pod: dict,
    rng: random.Random,
    start_index: int,
    percentage: int,
) -> Decision | None:
    """The cycle's Decision, or None when the per-node path must make it (see the module)."""
    if not table.exact or not table.size:
        return None
    state = CycleState(table.infos, framework=framework, rng=rng)
    state.table = table
    try:
        return _cycle(framework, state, table, pod, rng, start_index, percentage)
    except (Unvectorizable, OverflowError):
        return None


def _cycle(
    framework: Framework,
    state: CycleState,
    table: NodeTable,
    pod: dict,
    rng: random.Random,
    start_index: int,
    percentage: int,
) -> Decision:
    forms = array_forms(framework)
    result, status = framework.run_pre_filter(
        state, pod, lambda plugin: _pre_filter(plugin, forms.get(plugin.name), state, pod, table)
    )
    if status is not None or result is not None:
        raise Unvectorizable("PreFilter narrowed or rejected: the per-node path explains it")
    if framework.percentage_of_nodes_to_score is not None:
        percentage = framework.percentage_of_nodes_to_score
    to_find = num_feasible_nodes_to_find(table.size, percentage)
    if not framework.score_plugins:
        to_find = 1
    found, rejected, examined = _find_feasible(
        framework, forms, state, pod, table, start_index, to_find
    )
    if not len(found):
        raise Unvectorizable("no feasible node: PostFilter runs on the per-node path")
    all_score_names = tuple(plugin.name for plugin in framework.score_plugins)
    common: dict[str, Any] = {
        "pod": pod_key(pod),
        "nodes": table.names,
        "state": state,
        "filtered": LazyRejections(table.names, rejected),
        "unexamined": LazyUnexamined(table.names, found, rejected),
        "next_start_index": (start_index + examined) % table.size,
    }
    if len(found) == 1:
        return Decision(
            **common, scores=(), score_plugins=all_score_names, node=table.names[found[0]]
        )
    per_plugin = _score(framework, forms, state, pod, table, found)
    totals = np.zeros(len(found), dtype=np.int64)
    for _, _, normalized, weight in per_plugin:
        totals += normalized * weight
    ran = tuple(name for name, _, _, _ in per_plugin)
    chosen = select_row(totals, rng)
    return Decision(
        **common,
        scores=LazyScores(table.names, found, per_plugin),
        score_plugins=ran,
        skipped_score_plugins=tuple(n for n in all_score_names if n not in ran),
        node=table.names[found[chosen]],
    )


# -- the extension points, each in the fastest form the plugin has ---------------------------------


def _pre_filter(plugin: Plugin, form: Any, state: CycleState, pod: dict, table: NodeTable) -> Any:
    if form is not None and hasattr(form, "pre_filter"):
        return form.pre_filter(state, pod, table)
    return plugin.pre_filter(state, pod, state.nodes)


def _verdict(plugin: Plugin, state: CycleState, pod: dict) -> Any:
    """The plugin's Filter on one node as a Status (None: the node passes)."""
    return lambda info: as_status(plugin.filter(state, pod, info), plugin.name)


def _filter(
    plugin: Plugin, form: Any, state: CycleState, pod: dict, table: NodeTable, rows: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(Status or None per row, True where the node passed)."""
    if form is not None and hasattr(form, "filter"):
        return form.filter(state, pod, table, rows)
    signature = plugin.node_signature(pod, "filter")
    if signature is not None:
        key = (plugin.name, "filter", signature)
        statuses, passed = table.fixed_verdicts(key, _verdict(plugin, state, pod))
        return statuses[rows], passed[rows]
    statuses = np.empty(len(rows), dtype=object)
    statuses[:] = [_verdict(plugin, state, pod)(table.infos[row]) for row in rows.tolist()]
    return statuses, np.equal(statuses, None)


def _fixed_prefix(
    plugins: list[tuple[Plugin, Any]], state: CycleState, pod: dict, table: NodeTable
) -> tuple[int, np.ndarray, np.ndarray, np.ndarray]:
    """The leading filter plugins whose verdicts depend only on fixed node data, run as one.

    Returns how many plugins that is, each node's Status from the first of them that rejects
    it (None if it passes them all; as_status names the plugin in it), and the passing and the
    rejected rows in ascending order; cached per combination of the plugins' node signatures.
    """
    signed = []
    for plugin, form in plugins:
        signature = None if hasattr(form, "filter") else plugin.node_signature(pod, "filter")
        if signature is None:
            break
        signed.append((plugin, signature))

    def combine() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        rejections = np.full(table.size, None, dtype=object)
        for plugin, signature in reversed(signed):
            key = (plugin.name, "filter", signature)
            statuses, passed = table.fixed_verdicts(key, _verdict(plugin, state, pod))
            rejections[~passed] = statuses[~passed]
        passing = np.equal(rejections, None)
        return rejections, np.flatnonzero(passing), np.flatnonzero(~passing)

    key = ("fixed filters", tuple((plugin.name, signature) for plugin, signature in signed))
    return (len(signed), *table.cached(key, combine))


def _find_feasible(
    framework: Framework,
    forms: Mapping[str, Any],
    state: CycleState,
    pod: dict,
    table: NodeTable,
    start_index: int,
    to_find: int,
) -> tuple[np.ndarray, list[tuple[np.ndarray, str | None, np.ndarray]], int]:
    """findNodesThatFitPod: the same nodes examined, in the same rotating order, as upstream.

    The leading plugins that read only fixed node data answer for every node at once (cached);
    the others run on chunks of the nodes that passed those, until enough are feasible. Returns
    the feasible rows in the order found, the rejections of the examined nodes as (rows, plugin,
    statuses) (plugin None: each Status names its own), and how many nodes round the ring were
    examined.
    """
    plugins = [
        (plugin, forms.get(plugin.name))
        for plugin in framework.filter_plugins
        if plugin.name not in state.skip_filter_plugins
    ]
    size = table.size
    fixed, fixed_rejections, passing, fixed_rejected = _fixed_prefix(plugins, state, pod, table)
    split = int(np.searchsorted(passing, start_index))
    candidates = np.concatenate([passing[split:], passing[:split]])
    found_parts: list[np.ndarray] = []
    rejected: list[tuple[np.ndarray, str | None, np.ndarray]] = []
    found = taken = 0
    while taken < len(candidates) and found < to_find:
        need = to_find - found
        guess = int(need / max(table.feasible_share, 0.01) * 1.2) + 16
        rows = candidates[taken : taken + max(guess, MIN_CHUNK)]
        alive = np.arange(len(rows))
        chunk_rejected = []
        for plugin, form in plugins[fixed:]:
            if not len(alive):
                break
            statuses, passed = _filter(plugin, form, state, pod, table, rows[alive])
            if not passed.all():
                chunk_rejected.append((alive[~passed], plugin.name, statuses[~passed]))
                alive = alive[passed]
        cut = len(rows) if len(alive) < need else int(alive[need - 1]) + 1
        alive = alive[:need]
        for positions, name, statuses in chunk_rejected:
            kept = positions < cut
            if kept.any():
                rejected.append((rows[positions[kept]], name, statuses[kept]))
        found_parts.append(rows[alive])
        found += len(alive)
        taken += cut
    if taken:
        table.feasible_share = found / taken
    feasible = np.concatenate(found_parts) if found_parts else passing[:0]
    examined = size if found < to_find else (int(feasible[-1]) - start_index) % size + 1
    if len(fixed_rejected):
        seen = (fixed_rejected - start_index) % size < examined
        rows = fixed_rejected[seen]
        rejected.append((rows, None, fixed_rejections[rows]))
    return feasible, rejected, examined


def _score(
    framework: Framework,
    forms: Mapping[str, Any],
    state: CycleState,
    pod: dict,
    table: NodeTable,
    rows: np.ndarray,
) -> list[tuple[str, np.ndarray, np.ndarray, int]]:
    """PreScore, Score and NormalizeScore: (plugin, raw, normalized, weight) per plugin run."""
    feasible = RowsOf(table.infos, rows)
    for plugin in framework.pre_score_plugins:
        form = forms.get(plugin.name)
        if form is not None and hasattr(form, "pre_score"):
            status = form.pre_score(state, pod, table, rows)
        else:
            status = plugin.pre_score(state, pod, feasible)
        framework.note_pre_score(state, plugin, status)
    per_plugin = []
    for plugin in framework.score_plugins:
        if plugin.name in state.skip_score_plugins:
            continue
        form = forms.get(plugin.name)
        raw = _raw_scores(plugin, form, state, pod, table, rows)
        normalized = raw
        if plugin.name in framework._normalizers:
            normalized = _normalized(plugin, form, state, pod, table, rows, raw)
        if len(normalized) and (
            normalized.min() < MIN_NODE_SCORE or normalized.max() > MAX_NODE_SCORE
        ):
            raise Unvectorizable("a score out of range: the per-node path reports it")
        per_plugin.append((plugin.name, raw, normalized, framework.weights[plugin.name]))
    return per_plugin


def _raw_scores(
    plugin: Plugin, form: Any, state: CycleState, pod: dict, table: NodeTable, rows: np.ndarray
) -> np.ndarray:
    if form is not None and hasattr(form, "score"):
        raw = form.score(state, pod, table, rows)
        if raw is not None:
            return raw
    signature = plugin.node_signature(pod, "score")
    if signature is not None:
        scores = table.fixed_scores(
            (plugin.name, "score", signature), lambda info: plugin.score(state, pod, info)
        )
        if scores is None:
            raise Unvectorizable("a score too large for int64 arithmetic")
        return scores[rows]
    return _int_array([plugin.score(state, pod, table.infos[row]) for row in rows.tolist()])


def _normalized(
    plugin: Plugin,
    form: Any,
    state: CycleState,
    pod: dict,
    table: NodeTable,
    rows: np.ndarray,
    raw: np.ndarray,
) -> np.ndarray:
    if form is not None and hasattr(form, "normalize"):
        return form.normalize(state, pod, raw)
    names = [table.names[row] for row in rows.tolist()]
    normalized = plugin.normalize(state, pod, dict(zip(names, raw.tolist(), strict=True)))
    return _int_array([normalized[name] for name in names])


def _int_array(values: list) -> np.ndarray:
    """Python ints as int64, or Unvectorizable if one does not fit exactly."""
    if any(not -EXACT_LIMIT < value < EXACT_LIMIT for value in values):
        raise Unvectorizable("a score too large for int64 arithmetic")
    return np.array(values, dtype=np.int64)


def select_row(totals: np.ndarray, rng: random.Random) -> int:
    """select_host over an array of totals: the index chosen, with the same random draws.

    Reservoir sampling: every node equal to the running maximum draws randrange(ties), and only
    those nodes do, so the loop visits just them (and the new maxima).
    """
    values = totals.tolist()
    running = np.maximum.accumulate(totals)
    events = (np.flatnonzero(totals[1:] >= running[:-1]) + 1).tolist()
    best, selected, ties = values[0], 0, 1
    for index in events:
        total = values[index]
        if total > best:
            best, selected, ties = total, index, 1
        else:
            ties += 1
            if rng.randrange(ties) == 0:
                selected = index
    return selected


# -- the explanation, kept as arrays until read ----------------------------------------------------


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
