"""explain, cordon, taint and label against a running Cluster, as a reader uses them in a notebook.

The exact cluster is built from Node manifests only (KWOK-style nodes: capacity, labels, taints,
images, no kubelet) and pods created with spec.nodeName, so every score can be worked out by hand.
"""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from k8slab import Cluster
from k8slab.client.rest import Client
from k8slab.errors import ConflictError, K8sLabError, ManifestError, NotFoundError
from k8slab.lab.scheduling import (
    explain,
    history,
    label,
    parse_taint_spec,
    taint,
)
from k8slab.scheduler.node_info import NodeInfo
from k8slab.scheduler.plugins.registry import default_profile
from k8slab.scheduler.scheduler import Scheduler, scheduling_cycle
from k8slab.scheduler.snapshot import Snapshot
from k8slab.scheduler.view import decision_log
from tests.scheduler.objects import priority_class

CONTROL_PLANE_TAINT = "TaintToleration: node(s) had untolerated taint(s)"
MIB = 1024 * 1024


def pod(name: str, cpu: str = "100m", memory: str = "128Mi", **spec) -> dict:
    container = {
        "name": "app",
        "image": "nginx:1.27",
        "resources": {"requests": {"cpu": cpu, "memory": memory}},
    }
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {"containers": [container], **spec},
    }


def kwok_node(name: str, cpu: str, memory: str, labels: dict, taints=(), images=()) -> dict:
    """A fake node: only the Node object, as KWOK registers one."""
    capacity = {"cpu": cpu, "memory": memory, "pods": "110"}
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": name, "labels": labels},
        "spec": {"taints": list(taints)},
        "status": {"capacity": capacity, "allocatable": dict(capacity), "images": list(images)},
    }


def scheduler_of(cluster: Cluster) -> Scheduler:
    return cluster.network.host("control-plane").memory["kube-scheduler"]


@pytest.fixture()
def exact() -> Cluster:
    """control-plane (tainted) + kwok-a (1 cpu used, has nginx) + kwok-b (2 cpu used, a
    PreferNoSchedule taint) + kwok-c (a NoSchedule taint). Without the addons: the scores are
    worked out by hand, and kube-proxy's DaemonSet would put a pod on every fake node."""
    cluster = Cluster(workers=0, seed=3, skip_phases=["addon"])
    image = {"names": ["nginx:1.27"], "sizeBytes": 300 * MIB}
    cluster.apply(
        [
            kwok_node("kwok-a", "4", "8Gi", {"zone": "a", "disk": "ssd"}, images=[image]),
            kwok_node(
                "kwok-b", "4", "8Gi", {"zone": "b"},
                taints=[{"key": "spot", "value": "true", "effect": "PreferNoSchedule"}],
            ),
            kwok_node(
                "kwok-c", "2", "4Gi", {"zone": "c"},
                taints=[{"key": "dedicated", "value": "db", "effect": "NoSchedule"}],
            ),
        ]
    )
    cluster.apply(
        [
            pod("a-1", cpu="1", memory="1Gi", nodeName="kwok-a"),
            pod("b-1", cpu="2", memory="2Gi", nodeName="kwok-b"),
        ]
    )
    cluster.run(1)
    return cluster


# -- explain ----------------------------------------------------------------------------------


def test_pods_created_with_a_node_name_occupy_their_fake_node(exact: Cluster) -> None:
    nodes = scheduler_of(exact).nodes
    assert (nodes["kwok-a"].requested["cpu"], nodes["kwok-a"].requested["memory"]) == (
        1000,
        1024 * MIB,
    )
    assert [p["metadata"]["name"] for p in nodes["kwok-b"].pods] == ["b-1"]
    assert nodes["kwok-c"].pod_count == 0
    assert exact.trace.by_component("scheduler") == []  # nothing was left to decide


def test_a_what_if_gives_every_filter_verdict_and_score_worked_out_by_hand(exact: Cluster) -> None:
    answer = explain(exact, pod("web", cpu="1", memory="1Gi"))
    assert answer.what_if and answer.time is None
    assert (answer.pod, answer.node) == ("default/web", "kwok-a")
    # nothing was bound, so no "Successfully assigned" (upstream's event after a binding)
    would = "default/web would be assigned to kwok-a (a what-if: nothing was bound)"
    assert answer.message == would
    by_node = {row["node"]: row for row in answer.rows}
    assert [row["node"] for row in answer.rows] == ["control-plane", "kwok-a", "kwok-b", "kwok-c"]
    assert by_node["control-plane"]["filter"] == CONTROL_PLANE_TAINT
    assert by_node["kwok-c"]["filter"] == "TaintToleration: node(s) had untolerated taint(s)"
    # TaintToleration: one untolerated PreferNoSchedule taint on kwok-b, reversed, weight 3.
    # NodeResourcesFit (LeastAllocated): kwok-a cpu 2/4 -> 50, memory 2/8 Gi -> 75, mean 62;
    # kwok-b cpu 3/4 -> 25, memory 3/8 Gi -> 62, mean 43. BalancedAllocation: 1 - |f_cpu -
    # f_mem| / 2: 87 and 81. ImageLocality: 300 MiB x 1/4 nodes = 75 MiB -> 100 x 52 div 977.
    expected = {
        "kwok-a": {"TaintToleration": (0, 100, 300), "NodeResourcesFit": (62, 62, 62),
                   "NodeResourcesBalancedAllocation": (87, 87, 87), "ImageLocality": (5, 5, 5),
                   "total": 454, "chosen": True},
        "kwok-b": {"TaintToleration": (1, 0, 0), "NodeResourcesFit": (43, 43, 43),
                   "NodeResourcesBalancedAllocation": (81, 81, 81), "ImageLocality": (0, 0, 0),
                   "total": 124, "chosen": False},
    }
    for node, wanted in expected.items():
        row = by_node[node]
        assert row["filter"] == "passed"
        for plugin in ("TaintToleration", "NodeResourcesFit",
                       "NodeResourcesBalancedAllocation", "ImageLocality"):
            got = (row[f"{plugin} raw"], row[f"{plugin} normalized"], row[f"{plugin} weighted"])
            assert got == wanted[plugin], (node, plugin)
        assert (row["total"], row["chosen"]) == (wanted["total"], wanted["chosen"])


def test_a_what_if_rows_equal_the_frameworks_own_and_change_nothing(exact: Cluster) -> None:
    scheduler = scheduler_of(exact)
    before = (len(exact.trace), scheduler.next_start_index, scheduler._rng.getstate())
    answer = explain(exact, pod("web", cpu="1", memory="1Gi"))
    assert (len(exact.trace), scheduler.next_start_index, scheduler._rng.getstate()) == before
    with pytest.raises(NotFoundError):
        exact.get("pods", "web")
    bound = [p for p in exact.list("pods") if p["spec"].get("nodeName")]
    infos = [
        NodeInfo(node, [p for p in bound if p["spec"]["nodeName"] == node["metadata"]["name"]])
        for node in sorted(exact.list("nodes"), key=lambda n: n["metadata"]["name"])
    ]
    web = pod("web", cpu="1", memory="1Gi")
    own = scheduling_cycle(default_profile(), Snapshot(infos), web, random.Random(0))
    assert answer.rows == own.rows()


def test_explain_of_a_past_decision_is_what_the_what_if_predicted(exact: Cluster) -> None:
    predicted = explain(exact, pod("later", cpu="500m", memory="256Mi"))
    exact.apply(pod("later", cpu="500m", memory="256Mi"))
    exact.run(1)
    past = explain(exact, "later")
    assert not past.what_if and past.time is not None
    assert past.rows == predicted.rows
    assert past.node == exact.get("pods", "later")["spec"]["nodeName"] == "kwok-a"
    assert explain(exact, "default/later").rows == past.rows
    assert past.decision == decision_log(exact.trace, "default/later")[-1].decision
    assert [e.time for e in history(exact, "later")] == [past.time]
    assert past.message == "Successfully assigned default/later to kwok-a"  # bound: the event


def test_an_explanation_shows_as_a_table_in_a_terminal_and_a_notebook(exact: Cluster) -> None:
    answer = explain(exact, pod("web", cpu="1", memory="1Gi"))
    text = repr(answer)
    lines = text.splitlines()
    assert lines[0] == "what-if for pod default/web on the scheduler of control-plane"
    assert lines[1] == "default/web would be assigned to kwok-a (a what-if: nothing was bound)"
    assert lines[4].split() == ["node", "filter"]
    assert lines[5] == f"control-plane  {CONTROL_PLANE_TAINT}"
    assert lines[6] == "kwok-a         passed (chosen)"
    scores = lines[lines.index("", 5) + 1 :]
    assert scores[0].split()[:2] == ["score", "plugin"]
    columns = scores[0].split()[2:]
    assert "kwok-a" in columns
    by_plugin = {line.split("  ")[0]: line for line in scores[1:]}
    assert "0 → 100 → 300" in by_plugin["TaintToleration ×3"]
    assert by_plugin["total"].split()[1 + columns.index("kwok-a")] == "454"
    assert by_plugin["chosen"].split() == ["chosen", "yes"]
    assert max(len(line) for line in lines) <= 110  # two narrow tables, not one wide one
    page = answer._repr_html_()
    assert page.startswith("<p><b>what-if for pod default/web")
    assert page.count("<table>") == 2
    assert "<td>TaintToleration ×3</td>" in page and "<td>62 → 62 → 62</td>" in page


def test_a_decision_without_scores_shows_only_its_filter_table(exact: Cluster) -> None:
    answer = explain(exact, pod("db", nodeSelector={"zone": "b"}))  # one feasible node: no Score
    assert answer.node == "kwok-b" and answer.score_table() is None
    assert "score plugin" not in repr(answer) and answer._repr_html_().count("<table>") == 1


def test_a_pending_pods_explanation_names_the_upstream_fit_error() -> None:
    cluster = Cluster(workers=2, seed=4)
    cluster.apply(pod("huge", cpu="64"))
    cluster.run(2)
    answer = explain(cluster, "huge")
    message = cluster.get("pods", "huge")["status"]["conditions"][0]["message"]
    assert answer.message == message == (
        "0/3 nodes are available: 1 node(s) had untolerated taint(s), 2 Insufficient cpu. "
        "preemption: 0/3 nodes "
        "are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims "
        "found for incoming pod."
    )
    assert answer.node is None and answer.nominated_node is None
    assert [row["filter"] for row in answer.rows] == [
        CONTROL_PLANE_TAINT,
        "NodeResourcesFit: Insufficient cpu",
        "NodeResourcesFit: Insufficient cpu",
    ]
    assert message in repr(answer)


def test_explaining_a_preemption_names_the_nominated_node_and_the_victims() -> None:
    cluster = Cluster(workers=1, worker_cpu="2", seed=5)
    cluster.apply(pod("low", cpu="1500m"))
    cluster.run(5)
    cluster.apply([priority_class(1000), pod("high", cpu="1", priorityClassName="priority1000")])
    cluster.run(0.1)
    answer = explain(cluster, "high")
    assert (answer.node, answer.nominated_node) == (None, "worker-1")
    assert answer.victims == ["default/low"]
    assert "preemption: nominated to worker-1, evicting default/low" in repr(answer)
    cluster.run(2)
    assert explain(cluster, "high").node == "worker-1"
    assert [e.node for e in history(cluster, "high")] == [None, "worker-1"]


def test_a_decision_is_explained_after_the_scheduler_that_made_it_has_crashed() -> None:
    cluster = Cluster(workers=1, seed=5)
    cluster.apply(pod("web"))
    cluster.run(5)
    before = explain(cluster, "web")
    cluster.kill_node("control-plane")
    assert not cluster.host_is_up("control-plane")
    after = explain(cluster, "web")
    assert (after.node, after.scheduler, after.time) == ("worker-1", "control-plane", before.time)
    assert after.rows == before.rows
    assert [e.node for e in history(cluster, "web")] == ["worker-1"]
    with pytest.raises(K8sLabError, match="no kube-scheduler is running"):
        explain(cluster, pod("what-if"))


# -- cordon, taint, label -----------------------------------------------------------------------


@pytest.fixture()
def small() -> Cluster:
    cluster = Cluster(workers=2, seed=6)
    cluster.run(1)
    return cluster


def verdict(cluster: Cluster, node: str, probe: dict | None = None) -> str:
    rows = explain(cluster, probe or pod("probe")).rows
    return next(row["filter"] for row in rows if row["node"] == node)


def test_cordon_and_uncordon_round_trip_with_kubectls_words(small: Cluster) -> None:
    assert small.cordon("worker-1") == "node/worker-1 cordoned"
    assert small.cordon("worker-1") == "node/worker-1 already cordoned"
    assert small.get("nodes", "worker-1", None)["spec"]["unschedulable"] is True
    small.run(1)
    assert verdict(small, "worker-1") == "NodeUnschedulable: node(s) were unschedulable"
    assert small.uncordon("worker-1") == "node/worker-1 uncordoned"
    assert small.uncordon("worker-1") == "node/worker-1 already uncordoned"
    assert "unschedulable" not in small.get("nodes", "worker-1", None)["spec"]
    small.run(1)
    assert verdict(small, "worker-1") == "passed"


def test_a_pending_pod_is_scheduled_once_its_node_is_uncordoned(small: Cluster) -> None:
    small.cordon("worker-1")
    small.cordon("worker-2")
    small.run(1)
    small.apply(pod("waiting"))
    small.run(5)
    assert small.get("pods", "waiting")["spec"].get("nodeName") is None
    small.uncordon("worker-2")
    # The node lifecycle controller then removes the node.kubernetes.io/unschedulable taint;
    # the pod, tried in between, waits out its back-off (1 s, then 2 s).
    small.run(5)
    assert small.get("pods", "waiting")["spec"]["nodeName"] == "worker-2"


def test_taint_adds_overwrites_and_removes_with_kubectls_words(small: Cluster) -> None:
    assert taint(small, "worker-1", "gpu=yes:NoSchedule") == "node/worker-1 tainted"
    assert small.get("nodes", "worker-1", None)["spec"]["taints"] == [
        {"key": "gpu", "value": "yes", "effect": "NoSchedule"}
    ]
    small.run(1)
    assert verdict(small, "worker-1") == "TaintToleration: node(s) had untolerated taint(s)"
    with pytest.raises(K8sLabError, match="node worker-1 already has gpu taint"):
        taint(small, "worker-1", "gpu=no:NoSchedule")
    assert taint(small, "worker-1", "gpu=no:NoSchedule", overwrite=True) == "node/worker-1 modified"
    assert taint(small, "worker-1", "gpu:PreferNoSchedule") == "node/worker-1 tainted"
    assert small.get("nodes", "worker-1", None)["spec"]["taints"] == [
        {"key": "gpu", "effect": "PreferNoSchedule"},
        {"key": "gpu", "value": "no", "effect": "NoSchedule"},
    ]
    assert taint(small, "worker-1", "gpu:NoSchedule-") == "node/worker-1 untainted"
    with pytest.raises(K8sLabError, match='taint "gpu:NoSchedule" not found'):
        taint(small, "worker-1", "gpu:NoSchedule-")
    assert taint(small, "worker-1", "gpu-") == "node/worker-1 untainted"
    assert small.get("nodes", "worker-1", None)["spec"]["taints"] == []
    small.run(1)
    assert verdict(small, "worker-1") == "passed"


def test_label_adds_and_removes_and_a_node_selector_follows(small: Cluster) -> None:
    picky = pod("picky", nodeSelector={"disk": "ssd"})
    assert label(small, "worker-2", "disk=ssd") == "node/worker-2 labeled"
    assert label(small, "worker-2", "disk=ssd") == "node/worker-2 not labeled"
    small.run(1)
    assert explain(small, picky).node == "worker-2"
    assert verdict(small, "worker-1", picky) == (
        "NodeAffinity: node(s) didn't match Pod's node affinity/selector"
    )
    with pytest.raises(K8sLabError, match=r"'disk' already has a value \(ssd\), and --overwrite"):
        label(small, "worker-2", "disk=hdd")
    assert label(small, "worker-2", "disk=hdd", overwrite=True) == "node/worker-2 labeled"
    assert label(small, "worker-2", "disk-") == "node/worker-2 unlabeled"
    assert label(small, "worker-2", "disk-") == "node/worker-2 not labeled"
    assert "disk" not in small.get("nodes", "worker-2", None)["metadata"]["labels"]


def test_a_node_edit_that_meets_a_conflict_is_retried_once(small: Cluster, monkeypatch) -> None:
    real_update = Client.update
    calls = []

    def racing(self, obj):
        calls.append(obj["metadata"]["resourceVersion"])
        if len(calls) == 1:
            raise ConflictError("the object has been modified")
        return (yield from real_update(self, obj))

    monkeypatch.setattr(Client, "update", racing)
    assert label(small, "worker-1", "team=a") == "node/worker-1 labeled"
    assert len(calls) == 2
    assert small.get("nodes", "worker-1", None)["metadata"]["labels"]["team"] == "a"


@pytest.mark.parametrize(
    "spec, words",
    [
        ("gpu=yes:NoScheduleX", "invalid taint effect: NoScheduleX, unsupported taint effect"),
        ("gpu=yes", "invalid taint spec: gpu=yes"),
        ("a=b=c:NoSchedule", "invalid taint spec: a=b=c:NoSchedule"),
        ("a:b:NoSchedule", "invalid taint spec: a:b:NoSchedule"),
        ("bad key:NoSchedule", "invalid taint spec: bad key:NoSchedule, name part must consist"),
        ("gpu=bad value!:NoSchedule", "invalid taint spec: gpu=bad value!:NoSchedule, a valid"),
        ("", "a taint is a string"),
        (None, "a taint is a string"),
    ],
)
def test_bad_taints_say_what_is_accepted_and_change_nothing(small: Cluster, spec, words) -> None:
    before = small.get("nodes", "worker-1", None)["metadata"]["resourceVersion"]
    with pytest.raises(K8sLabError) as error:
        taint(small, "worker-1", spec)
    assert words in str(error.value)
    assert str(error.value).endswith("Effect one of NoSchedule, PreferNoSchedule, NoExecute")
    assert small.get("nodes", "worker-1", None)["metadata"]["resourceVersion"] == before


@pytest.mark.parametrize(
    "spec, words",
    [
        ("a=b=c", "invalid label spec: a=b=c; key=value to add, key- to remove"),
        ("novalue", "unknown label spec: novalue; key=value to add, key- to remove"),
        ("bad key=x", "invalid label key 'bad key'"),
        ("k=bad value!", "invalid label value: 'k=bad value!'"),
        (3, "a label is a string, got 3"),
    ],
)
def test_bad_labels_say_what_is_accepted_and_change_nothing(small: Cluster, spec, words) -> None:
    before = small.get("nodes", "worker-1", None)["metadata"]["resourceVersion"]
    with pytest.raises(K8sLabError) as error:
        label(small, "worker-1", spec)
    assert words in str(error.value)
    assert str(error.value).endswith("key=value to add, key- to remove")
    assert small.get("nodes", "worker-1", None)["metadata"]["resourceVersion"] == before


def test_node_edits_of_a_missing_or_unnamed_node_fail_clearly(small: Cluster) -> None:
    with pytest.raises(NotFoundError, match='nodes "worker-9" not found'):
        small.cordon("worker-9")
    with pytest.raises(K8sLabError, match="uncordon takes node names"):
        small.uncordon("")
    with pytest.raises(K8sLabError, match="name a node by its name"):
        label(small, None, "a=b")


@pytest.mark.parametrize(
    "target, words",
    [
        (42, "explain takes"),
        ("", "explain takes"),
        ("a/b/c", "explain takes"),
        ("missing", 'pod "default/missing" not found; explain takes'),
        ({"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n"}}, "one Pod manifest"),
    ],
)
def test_explain_of_bad_targets_says_what_it_takes(small: Cluster, target, words) -> None:
    with pytest.raises(K8sLabError, match=words):
        explain(small, target)


def test_explain_of_a_bad_manifest_reports_the_manifest_error(small: Cluster) -> None:
    with pytest.raises(ManifestError, match="YAML"):
        explain(small, "kind: Pod\napiVersion: v1\nmetadata: {name: x\n")


def test_explain_says_why_a_pod_has_no_decision(small: Cluster) -> None:
    small.apply([pod("theirs", schedulerName="my-scheduler"), pod("pinned", nodeName="worker-1")])
    small.run(1)
    with pytest.raises(K8sLabError, match="is for scheduler 'my-scheduler'; kube-scheduler runs"):
        explain(small, "theirs")
    with pytest.raises(K8sLabError, match="is on node worker-1 without a decision"):
        explain(small, "pinned")


def test_explain_reads_the_leading_scheduler_of_a_highly_available_control_plane() -> None:
    cluster = Cluster(workers=1, control_planes=3, seed=7)
    cluster.apply(pod("web"))
    cluster.run(5)
    answer = explain(cluster, "web")
    leader = next(
        name for name in cluster.control_planes
        if cluster.network.host(name).memory["kube-scheduler"].leading
    )
    assert answer.scheduler == leader
    assert answer.node == "worker-1"


EFFECTS = st.sampled_from(["NoSchedule", "PreferNoSchedule", "NoExecute"])
NAMES = st.from_regex(r"[a-z0-9]([a-z0-9._-]{0,20}[a-z0-9])?", fullmatch=True)


@given(key=NAMES, value=NAMES, effect=EFFECTS)
def test_every_kubectl_taint_form_parses_to_the_taint_it_names(key, value, effect) -> None:
    assert parse_taint_spec(f"{key}={value}:{effect}") == (
        False,
        {"key": key, "value": value, "effect": effect},
    )
    assert parse_taint_spec(f"{key}:{effect}") == (False, {"key": key, "effect": effect})
    assert parse_taint_spec(f"{key}={value}:{effect}-") == (True, {"key": key, "effect": effect})
    assert parse_taint_spec(f"{key}-") == (True, {"key": key})
