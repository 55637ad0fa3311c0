"""Why did the scheduler put a pod there? `explain` answers, for a past decision or a what-if; and
`taint` and `label` change nodes the way `kubectl` does, to watch the answer change (cordon and
uncordon are kubectl verbs: k8slab.lab.kubectl.drain).

`explain(cluster, "web")` reads the last decision a kube-scheduler made for the pod from the
trace, where every decision is recorded (so it still answers after that scheduler's host has
crashed); `explain(cluster, manifest)` runs one scheduling cycle for a pod that does not exist, on
the running scheduler's current view of the nodes, binding nothing and changing nothing. Node
edits go through the API server as kubectl's do (get, change, update; once more on a Conflict).
"""

from __future__ import annotations

import html
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from k8slab.api.manifests import load_manifests
from k8slab.api.validation.core_taints import TAINT_EFFECTS
from k8slab.api.validation.names import label_value_errors, qualified_name_errors
from k8slab.apiserver.admission.default_toleration_seconds import default_tolerations
from k8slab.client.rest import Client
from k8slab.errors import ConflictError, K8sLabError, NotFoundError
from k8slab.lab import components
from k8slab.lab.table import Table
from k8slab.scheduler.framework.diagnosis import Decision
from k8slab.scheduler.node_info import pod_key
from k8slab.scheduler.view import SchedulerView, decision_log
from k8slab.sim.network import Network
from k8slab.sim.trace import Trace

TARGETS = (
    '"namespace/name" or "name" of a pod (namespace default), or a Pod manifest (dict or YAML)'
)
TAINT_FORMS = (
    "key=value:Effect or key:Effect to add; key=value:Effect-, key:Effect- or key- to remove; "
    f"Effect one of {', '.join(TAINT_EFFECTS)}"
)
LABEL_FORMS = "key=value to add, key- to remove"


class ClusterLike(Protocol):
    """What these functions need of a cluster (k8slab.lab.cluster.Cluster has it all): its
    control-plane hosts, its network and trace, and requests to the API server as kubectl's."""

    @property
    def control_planes(self) -> Sequence[str]:
        """The control-plane hosts, where kube-scheduler runs."""

    @property
    def network(self) -> Network:
        """The simulated network, which knows every host."""

    @property
    def trace(self) -> Trace:
        """Everything that happened, the scheduler's decisions included."""

    def get(self, resource: str, name: str, namespace: str | None = "default") -> dict:
        """One object, read through the API server."""

    def request(self, steps: Callable[[Client], Generator]) -> Any:
        """Run `steps(client)` against the API server as kubectl would."""


@dataclass(frozen=True)
class Explanation:
    """One scheduling decision, readable: per node the filter verdict and every plugin's scores.

    `time` is when the scheduler on `scheduler` made it; None marks a what-if. `outcome` is the
    event that followed a chosen node: the Scheduled event once bound, or the binding's error.
    """

    pod: str
    decision: Decision
    scheduler: str
    time: float | None = None
    outcome: str = ""

    @property
    def what_if(self) -> bool:
        """True if this decision was computed for `explain`, not made by the scheduler."""
        return self.time is None

    @property
    def rows(self) -> list[dict]:
        """Decision.rows(): node, filter, <plugin> raw / normalized / weighted, total, chosen."""
        return self.decision.rows()

    @property
    def node(self) -> str | None:
        """The chosen node, or None when no node fits."""
        return self.decision.node

    @property
    def message(self) -> str:
        """What came of the decision: the FailedScheduling FitError (with preemption's) when no
        node fits; for a chosen node the Scheduled event ("Successfully assigned ...") only once
        the pod was bound, else the binding's error, a pending binding, or a what-if's answer."""
        node = self.decision.node
        if node is None:
            return self.decision.message
        if self.what_if:
            return f"{self.pod} would be assigned to {node} (a what-if: nothing was bound)"
        return self.outcome or f"{self.pod} assumed on {node}; its binding has not finished yet"

    @property
    def nominated_node(self) -> str | None:
        """The node preemption nominated the pod to (when nothing fitted), else None."""
        return self.decision.nominated_node

    @property
    def victims(self) -> list[str]:
        """The pods preemption chose to evict, as namespace/name."""
        return [pod_key(victim) for victim in self.decision.victims]

    def filter_table(self) -> Table:
        """One line per node: its filter verdict ("passed", "not examined" or "Plugin: reason"),
        the chosen node marked."""
        return Table(
            [
                {
                    "node": row["node"],
                    "filter": row["filter"] + (" (chosen)" if row["chosen"] else ""),
                }
                for row in self.rows
            ]
        )

    def score_table(self) -> Table | None:
        """One line per score plugin (its weight in the name), one column per scored node, each
        cell "raw → normalized → weighted"; then the totals and the chosen node. None when no
        plugin scored (a single feasible node, or none)."""
        if not self.decision.scores:
            return None
        nodes = [score.node for score in self.decision.scores]
        weights: dict[str, int] = {}
        for score in self.decision.scores:
            for plugin in score.plugins:
                weights[plugin.plugin] = plugin.weight
        lines = []
        for plugin, weight in weights.items():
            line = {"score plugin": f"{plugin} ×{weight}"}
            for score in self.decision.scores:
                cell = score.of(plugin)
                line[score.node] = f"{cell.raw} → {cell.normalized} → {cell.weighted}"
            lines.append(line)
        lines.append({"score plugin": "total", **{s.node: s.total for s in self.decision.scores}})
        lines.append(
            {"score plugin": "chosen", **{n: "yes" if n == self.node else "" for n in nodes}}
        )
        return Table(lines, ["score plugin", *nodes])

    def _tables(self) -> list[Table]:
        scores = self.score_table()
        return [self.filter_table()] + ([] if scores is None else [scores])

    def heading(self) -> str:
        """One line: whose decision, by which scheduler, when."""
        if self.what_if:
            return f"what-if for pod {self.pod} on the scheduler of {self.scheduler}"
        return f"pod {self.pod}, decided by the scheduler of {self.scheduler} at {self.time:.3f} s"

    def _notes(self) -> list[str]:
        notes = [self.message]
        if self.decision.scores:
            notes.append("each score: raw → normalized (0-100) → weighted (× the plugin's weight)")
        if self.nominated_node:
            notes.append(
                f"preemption: nominated to {self.nominated_node}, evicting "
                f"{', '.join(self.victims)}"
            )
        return notes

    def __repr__(self) -> str:
        tables = "\n\n".join(repr(table) for table in self._tables())
        return "\n".join([self.heading(), *self._notes(), "", tables])

    def _repr_html_(self) -> str:
        notes = "".join(f"<p>{html.escape(note)}</p>" for note in self._notes())
        heading = f"<p><b>{html.escape(self.heading())}</b></p>"
        return heading + notes + "".join(table._repr_html_() for table in self._tables())


def explain(cluster: ClusterLike, target: Any) -> Explanation:
    """Explain a pod's last scheduling decision, or what would happen to a pod manifest now.

    target: "namespace/name" or "name" (a pod the scheduler tried), or a Pod manifest (dict or
    YAML text), run as a what-if against the leading scheduler's current NodeInfos.
    """
    if isinstance(target, dict) or (isinstance(target, str) and _looks_like_yaml(target)):
        return _what_if(cluster, target)
    if not isinstance(target, str) or not target.strip():
        raise K8sLabError(f"explain takes {TARGETS}; got {target!r}")
    past = history(cluster, target)
    return past[-1]


def history(cluster: ClusterLike, target: str) -> list[Explanation]:
    """Every decision a kube-scheduler recorded in the trace for a pod, oldest first."""
    key = _pod_ref(target)
    logged = decision_log(cluster.trace, key)
    if logged:
        return [
            Explanation(key, entry.decision, entry.host, entry.time, entry.outcome)
            for entry in logged
        ]
    raise K8sLabError(_no_decision(cluster, key))


def _looks_like_yaml(text: str) -> bool:
    # A pod name never holds ':' or a line break; a manifest always does.
    return ":" in text or "\n" in text


def _pod_ref(target: str) -> str:
    parts = target.strip().split("/")
    if len(parts) == 1:
        return f"default/{parts[0]}"
    if len(parts) == 2 and all(parts):
        return f"{parts[0]}/{parts[1]}"
    raise K8sLabError(f"explain takes {TARGETS}; got {target!r}")


def _schedulers(cluster: ClusterLike) -> list[SchedulerView]:
    """Every running kube-scheduler, the leading one first."""
    found = [components.scheduler_view(cluster.network, name) for name in cluster.control_planes]
    return sorted((view for view in found if view is not None), key=lambda view: not view.leading)


def _no_decision(cluster: ClusterLike, key: str) -> str:
    """Why the trace holds no decision for the pod `key`."""
    schedulers = _schedulers(cluster)
    if not schedulers:
        return "no kube-scheduler is running; restart a control-plane host"
    namespace, name = key.split("/")
    try:
        pod = cluster.get("pods", name, namespace)
    except NotFoundError:
        return f'pod "{key}" not found; explain takes {TARGETS}'
    spec = pod.get("spec") or {}
    scheduler_name = spec.get("schedulerName") or "default-scheduler"
    profiles = schedulers[0].profile_names
    if scheduler_name not in profiles:
        return (
            f"pod {key} is for scheduler {scheduler_name!r}; kube-scheduler runs the profiles "
            f"{', '.join(profiles)}"
        )
    if spec.get("nodeName"):
        return (
            f"pod {key} is on node {spec['nodeName']} without a decision of a kube-scheduler "
            "(it was created with spec.nodeName)"
        )
    return f"the scheduler has not tried pod {key} yet; run the cluster a little (cluster.run(1))"


def _what_if(cluster: ClusterLike, manifest: Any) -> Explanation:
    docs = load_manifests(manifest)
    if len(docs) != 1 or docs[0]["kind"] != "Pod":
        kinds = ", ".join(doc["kind"] for doc in docs) or "nothing"
        raise K8sLabError(f"a what-if explain takes one Pod manifest; got {kinds}")
    pod = docs[0]
    meta = pod["metadata"]
    meta.setdefault("name", f"{meta.get('generateName', '')}what-if")
    pod["spec"]["tolerations"] = default_tolerations(pod)
    pod["status"] = {"phase": "Pending"}
    schedulers = _schedulers(cluster)
    if not schedulers:
        raise K8sLabError("no kube-scheduler is running; restart a control-plane host")
    host = schedulers[0].host
    return Explanation(pod_key(pod), components.what_if(cluster.network, host, pod), host)


# -- node edits, as kubectl makes them ---------------------------------------------------------


def taint(cluster: ClusterLike, node: str, spec: str, *, overwrite: bool = False) -> str:
    """`kubectl taint nodes <node> <spec>`: add "key=value:Effect" / "key:Effect", or remove
    "key:Effect-" / "key-". Returns "node/x tainted", "untainted" (or "modified" with overwrite).
    """
    _check_node_name(node)
    removing, wanted = parse_taint_spec(spec)

    def edit(obj: dict) -> str | None:
        node_spec = obj.setdefault("spec", {})
        taints = list(node_spec.get("taints") or [])
        if removing:
            by_effect = bool(wanted.get("effect"))
            kept = [t for t in taints if not _same_taint(t, wanted, by_effect)]
            if len(kept) == len(taints):
                raise K8sLabError(f'taint "{_taint_text(wanted)}" not found')
            node_spec["taints"] = kept
            return "untainted"
        clashing = [t for t in taints if _same_taint(t, wanted, by_effect=True)]
        if clashing and not overwrite:
            raise K8sLabError(
                f"node {node} already has {wanted['key']} taint(s) with same effect(s) and "
                "--overwrite is false (pass overwrite=True to replace it)"
            )
        node_spec["taints"] = [wanted] + [t for t in taints if t not in clashing]
        return "modified" if overwrite else "tainted"

    return _edit_node(cluster, node, edit)


def parse_taint_spec(spec: Any) -> tuple[bool, dict]:
    """(removing, taint) from a kubectl taint argument (parseTaint in kubectl's taint utils).

    Messages are kubectl's ("invalid taint effect: X, unsupported taint effect"), followed by
    the forms accepted.
    """
    if not isinstance(spec, str) or not spec:
        raise K8sLabError(f"a taint is a string, got {spec!r}; {TAINT_FORMS}")
    removing = spec.endswith("-")
    body = spec[:-1] if removing else spec
    parts = body.split(":")
    if len(parts) > 2:
        raise K8sLabError(f"invalid taint spec: {spec}; {TAINT_FORMS}")
    effect = parts[1] if len(parts) == 2 else ""
    if len(parts) == 2 and effect not in TAINT_EFFECTS:
        raise K8sLabError(
            f"invalid taint effect: {effect}, unsupported taint effect; {TAINT_FORMS}"
        )
    key_value = parts[0].split("=")
    if len(key_value) > 2 or (not removing and not effect):
        raise K8sLabError(f"invalid taint spec: {spec}; {TAINT_FORMS}")
    key = key_value[0]
    value = key_value[1] if len(key_value) == 2 else ""
    problems = qualified_name_errors(key) + (label_value_errors(value) if value else [])
    if problems:
        raise K8sLabError(f"invalid taint spec: {spec}, {'; '.join(problems)}; {TAINT_FORMS}")
    taint_obj = {"key": key}
    if value and not removing:
        taint_obj["value"] = value
    if effect:
        taint_obj["effect"] = effect
    return removing, taint_obj


def _same_taint(taint_obj: dict, wanted: dict, by_effect: bool) -> bool:
    if taint_obj.get("key") != wanted["key"]:
        return False
    return not by_effect or taint_obj.get("effect") == wanted.get("effect")


def _taint_text(taint_obj: dict) -> str:
    effect = taint_obj.get("effect")
    return f"{taint_obj['key']}:{effect}" if effect else taint_obj["key"]


def label(cluster: ClusterLike, node: str, spec: str, *, overwrite: bool = False) -> str:
    """`kubectl label nodes <node> <spec>`: "key=value" adds, "key-" removes.

    Returns "node/x labeled", "node/x unlabeled", or "node/x not labeled" when nothing changed.
    """
    _check_node_name(node)
    if not isinstance(spec, str) or not spec:
        raise K8sLabError(f"a label is a string, got {spec!r}; {LABEL_FORMS}")
    removing = "=" not in spec and spec.endswith("-")
    if "=" in spec:
        parts = spec.split("=")
        if len(parts) != 2:
            raise K8sLabError(f"invalid label spec: {spec}; {LABEL_FORMS}")
        key, value = parts
        problems = label_value_errors(value)
        if problems:
            raise K8sLabError(f"invalid label value: {spec!r}: {';'.join(problems)}; {LABEL_FORMS}")
    elif removing:
        key, value = spec[:-1], ""
    else:
        raise K8sLabError(f"unknown label spec: {spec}; {LABEL_FORMS}")
    problems = qualified_name_errors(key)
    if problems:
        raise K8sLabError(f"invalid label key {key!r}: {';'.join(problems)}; {LABEL_FORMS}")

    def edit(obj: dict) -> str | None:
        labels = obj["metadata"].setdefault("labels", {})
        if removing:
            if key not in labels:
                return None
            del labels[key]
            return "unlabeled"
        current = labels.get(key)
        if current == value:
            return None
        if current is not None and not overwrite:
            raise K8sLabError(
                f"'{key}' already has a value ({current}), and --overwrite is false "
                "(pass overwrite=True to replace it)"
            )
        labels[key] = value
        return "labeled"

    return _edit_node(cluster, node, edit, "not labeled")


def _check_node_name(node: Any) -> None:
    if not isinstance(node, str) or not node:
        raise K8sLabError(f"name a node by its name (a non-empty string), got {node!r}")


def _edit_node(
    cluster: ClusterLike,
    name: str,
    edit: Callable[[dict], str | None],
    unchanged: str = "",
) -> str:
    """GET the node, let `edit` change it (its answer is kubectl's verb, None for no change),
    PUT it back; on a Conflict (someone wrote in between) once more from a fresh GET."""

    def once(client: Client) -> Generator:
        node = yield from client.get("nodes", name)
        verb = edit(node)
        if verb is not None:
            yield from client.update(node)
        return f"node/{name} {verb or unchanged}"

    def steps(client: Client) -> Generator:
        try:
            return (yield from once(client))
        except ConflictError:
            return (yield from once(client))

    return cluster.request(steps)
