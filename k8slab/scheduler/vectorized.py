"""One scheduling cycle over arrays: the decisions of the per-node cycle (schedule_one), faster.

Filter walks the nodes in chunks from the rotating start index and stops once enough feasible
nodes are found, exactly as the per-node cycle does; Score, NormalizeScore and the tie-breaking
draw the same numbers from the same random generator. Each plugin runs in the fastest form it
has: its array form (a `<point>_array` method written beside the per-node one, in the plugin's own
module), its per-node answers cached by the pod's `node_signature` (they depend only on fixed node
data), or, failing both, its own per-node method. The Decision's explanation (rejections,
unexamined nodes, every plugin's scores) is kept as arrays and turned into objects only when read
(k8slab.scheduler.vectorized_diagnosis). Cycles this module does not handle (nominated pods, a
PreFilter that narrows or rejects, no feasible node, PostFilter, a quantity too large for exact
arithmetic) are handed to the per-node cycle, and the Decision says why (`why_per_node`).
"""

from __future__ import annotations

import functools
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from k8slab.scheduler import schedule_one
from k8slab.scheduler.framework.cycle_state import CycleState
from k8slab.scheduler.framework.diagnosis import VECTORIZED, Decision
from k8slab.scheduler.framework.interface import (
    MAX_NODE_SCORE,
    MIN_NODE_SCORE,
    Plugin,
    as_status,
)
from k8slab.scheduler.framework.runtime import Framework
from k8slab.scheduler.node_info import pod_key
from k8slab.scheduler.node_table import EXACT_LIMIT, NodeTable, Unvectorizable
from k8slab.scheduler.snapshot import Snapshot
from k8slab.scheduler.vectorized_diagnosis import LazyRejections, LazyScores, LazyUnexamined, RowsOf

# Filter examines at least this many nodes per chunk (fewer numpy calls when many are rejected).
MIN_CHUNK = 64
ARRAY_SUFFIX = "_array"


@functools.cache
def _array_method(cls: type[Plugin], point: str) -> str | None:
    """The name of `cls`'s array form of `point`, if the class that wrote the per-node method
    wrote it too (a subclass that changes a formula, but not its array form, runs per node)."""
    name = point + ARRAY_SUFFIX
    owners = {}
    for attribute in (point, name):
        owners[attribute] = next((c for c in cls.__mro__ if attribute in vars(c)), None)
    return name if owners[name] is not None and owners[name] is owners[point] else None


def array_form(plugin: Plugin, point: str) -> Callable[..., Any] | None:
    """The plugin's array form of the extension point `point`, or None (see _array_method)."""
    name = _array_method(type(plugin), point)
    return None if name is None else getattr(plugin, name)


def schedule_pod(
    framework: Framework,
    snapshot: Snapshot,
    pod: dict,
    rng: random.Random,
    *,
    start_index: int = 0,
    percentage_of_nodes_to_score: int = 0,
    nominated_pods: Mapping[str, Sequence[dict]] | None = None,
) -> Decision:
    """One scheduling cycle over arrays; what it cannot do, the per-node cycle does (and the
    Decision's `why_per_node` says why). Same arguments and decisions as schedule_one.schedule_pod.
    """
    reason = _per_node_only(snapshot, pod, nominated_pods)
    if not reason:
        state = CycleState(snapshot, framework=framework, rng=rng)
        try:
            return _cycle(
                framework,
                state,
                snapshot.table,
                pod,
                rng,
                start_index,
                percentage_of_nodes_to_score,
            )
        except Unvectorizable as why:
            reason = str(why)
        except OverflowError:
            reason = "an integer overflowed in the array arithmetic"
    decision = schedule_one.schedule_pod(
        framework,
        snapshot,
        pod,
        rng,
        start_index=start_index,
        percentage_of_nodes_to_score=percentage_of_nodes_to_score,
        nominated_pods=nominated_pods,
    )
    return replace(decision, why_per_node=reason)


def _per_node_only(
    snapshot: Snapshot, pod: dict, nominated_pods: Mapping[str, Sequence[dict]] | None
) -> str:
    """Why this cycle must run node by node from the start ("" if it need not)."""
    if ((pod.get("status") or {}).get("nominatedNodeName")) or "":
        return "the pod is nominated to a node, which it tries first"
    if any((nominated_pods or {}).values()):
        return "pods are nominated to nodes, and Filter counts them node by node"
    if not len(snapshot):
        return "there are no nodes"
    if not snapshot.table.exact:
        return "a node has a quantity too large for exact int64 and float64 arithmetic"
    return ""


def _cycle(
    framework: Framework,
    state: CycleState,
    table: NodeTable,
    pod: dict,
    rng: random.Random,
    start_index: int,
    percentage: int,
) -> Decision:
    result, status = framework.run_pre_filter(
        state, pod, lambda plugin: _pre_filter(plugin, state, pod, table)
    )
    if status is not None:
        raise Unvectorizable(f"PreFilter of {status.plugin} rejects the pod on every node")
    if result is not None:
        raise Unvectorizable(f"PreFilter of {', '.join(state.narrowed_by)} narrows the nodes")
    to_find = schedule_one.feasible_nodes_wanted(framework, table.size, percentage)
    found, rejected, examined = _find_feasible(framework, state, pod, table, start_index, to_find)
    if not len(found):
        raise Unvectorizable("no node fits, and PostFilter (preemption) runs node by node")
    all_score_names = tuple(plugin.name for plugin in framework.score_plugins)
    common: dict[str, Any] = {
        "pod": pod_key(pod),
        "nodes": table.names,
        "state": state,
        "filtered": LazyRejections(table.names, rejected),
        "unexamined": LazyUnexamined(table.names, found, rejected),
        "next_start_index": (start_index + examined) % table.size,
        "path": VECTORIZED,
    }
    if len(found) == 1:
        return Decision(
            **common, scores=(), score_plugins=all_score_names, node=table.names[found[0]]
        )
    per_plugin = _score(framework, state, pod, table, found)
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


def _pre_filter(plugin: Plugin, state: CycleState, pod: dict, table: NodeTable) -> Any:
    form = array_form(plugin, "pre_filter")
    if form is not None:
        return form(state, pod, table)
    return plugin.pre_filter(state, pod, state.nodes)


def _verdict(plugin: Plugin, state: CycleState, pod: dict) -> Any:
    """The plugin's Filter on one node as a Status (None: the node passes)."""
    return lambda info: as_status(plugin.filter(state, pod, info), plugin.name)


def _filter(
    plugin: Plugin, state: CycleState, pod: dict, table: NodeTable, rows: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(Status or None per row, True where the node passed)."""
    form = array_form(plugin, "filter")
    if form is not None:
        return form(state, pod, table, rows)
    signature = plugin.node_signature(pod, "filter")
    if signature is not None:
        key = (plugin, "filter", signature)
        statuses, passed = table.fixed_verdicts(key, _verdict(plugin, state, pod))
        return statuses[rows], passed[rows]
    statuses = np.empty(len(rows), dtype=object)
    statuses[:] = [_verdict(plugin, state, pod)(table.infos[row]) for row in rows.tolist()]
    return statuses, np.equal(statuses, None)


def _fixed_prefix(
    plugins: list[Plugin], state: CycleState, pod: dict, table: NodeTable
) -> tuple[int, np.ndarray, np.ndarray, np.ndarray]:
    """The leading filter plugins whose verdicts depend only on fixed node data, run as one.

    Returns how many plugins that is, each node's Status from the first of them that rejects
    it (None if it passes them all; as_status names the plugin in it), and the passing and the
    rejected rows in ascending order; cached per combination of the plugins' node signatures.
    """
    signed = []
    for plugin in plugins:
        has_form = array_form(plugin, "filter") is not None
        signature = None if has_form else plugin.node_signature(pod, "filter")
        if signature is None:
            break
        signed.append((plugin, signature))

    def combine() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        rejections = np.full(table.size, None, dtype=object)
        for plugin, signature in reversed(signed):
            key = (plugin, "filter", signature)
            statuses, passed = table.fixed_verdicts(key, _verdict(plugin, state, pod))
            rejections[~passed] = statuses[~passed]
        passing = np.equal(rejections, None)
        return rejections, np.flatnonzero(passing), np.flatnonzero(~passing)

    key = ("fixed filters", tuple(signed))
    return (len(signed), *table.cached(key, combine))


def _find_feasible(
    framework: Framework,
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
        plugin
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
        for plugin in plugins[fixed:]:
            if not len(alive):
                break
            statuses, passed = _filter(plugin, state, pod, table, rows[alive])
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
    state: CycleState,
    pod: dict,
    table: NodeTable,
    rows: np.ndarray,
) -> list[tuple[str, np.ndarray, np.ndarray, int]]:
    """PreScore, Score and NormalizeScore: (plugin, raw, normalized, weight) per plugin run."""
    feasible = RowsOf(table.infos, rows)
    for plugin in framework.pre_score_plugins:
        form = array_form(plugin, "pre_score")
        if form is not None:
            status = form(state, pod, table, rows)
        else:
            status = plugin.pre_score(state, pod, feasible)
        framework.note_pre_score(state, plugin, status)
    per_plugin = []
    for plugin in framework.score_plugins:
        if plugin.name in state.skip_score_plugins:
            continue
        raw = _raw_scores(plugin, state, pod, table, rows)
        normalized = raw
        if plugin.name in framework.normalize_plugins:
            normalized = _normalized(plugin, state, pod, table, rows, raw)
        if len(normalized) and (
            normalized.min() < MIN_NODE_SCORE or normalized.max() > MAX_NODE_SCORE
        ):
            raise Unvectorizable(
                f"plugin {plugin.name} scores out of range; the per-node cycle says so"
            )
        per_plugin.append((plugin.name, raw, normalized, framework.weights[plugin.name]))
    return per_plugin


def _raw_scores(
    plugin: Plugin, state: CycleState, pod: dict, table: NodeTable, rows: np.ndarray
) -> np.ndarray:
    form = array_form(plugin, "score")
    if form is not None:
        raw = form(state, pod, table, rows)
        if raw is not None:
            return raw
    signature = plugin.node_signature(pod, "score")
    if signature is not None:
        scores = table.fixed_scores(
            (plugin, "score", signature), lambda info: plugin.score(state, pod, info)
        )
        if scores is None:
            raise Unvectorizable("a score too large for int64 arithmetic")
        return scores[rows]
    return _int_array([plugin.score(state, pod, table.infos[row]) for row in rows.tolist()])


def _normalized(
    plugin: Plugin,
    state: CycleState,
    pod: dict,
    table: NodeTable,
    rows: np.ndarray,
    raw: np.ndarray,
) -> np.ndarray:
    form = array_form(plugin, "normalize")
    if form is not None:
        return form(state, pod, raw)
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
