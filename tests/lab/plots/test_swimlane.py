"""The life of one object: a lane per component in the order a request travels, a marker per
record, and the same records as table rows."""

import matplotlib

matplotlib.use("Agg")

import pytest
from hypothesis import given
from hypothesis import strategies as st
from matplotlib.figure import Figure

from k8slab.errors import K8sLabError
from k8slab.lab.plots.swimlane import LANES, _kinds_label, _lanes, swimlane, trace_table
from k8slab.sim.trace import Record


def lanes_top_down(fig: Figure) -> list[str]:
    ax = fig.axes[0]
    ticks = zip(ax.get_yticks(), [t.get_text() for t in ax.get_yticklabels()], strict=True)
    return [label for _, label in sorted(ticks, reverse=True)]


def test_swimlane_lanes_follow_the_request_path(cluster):
    fig = swimlane(cluster, "pod/default/web-1")
    assert lanes_top_down(fig) == ["apiserver", "etcd", "scheduler", "kubelet", "containerd",
                                   "cni", "containerd-shim-runc-v2", "runc"]
    assert fig.axes[0].get_xlabel() == "simulated time (s)"


def test_swimlane_marks_every_record_at_its_time(cluster):
    records = cluster.trace_of("pod/default/web-1")
    ax = swimlane(cluster, "pod/default/web-1").axes[0]
    marked = sorted(x for line in ax.get_lines() for x in line.get_xdata())
    assert marked == sorted(rec.time for rec in records)
    labels = " ".join(text.get_text() for text in ax.texts)
    assert all(rec.kind in labels for rec in records)


def test_swimlane_of_an_unschedulable_pod_has_no_node_lanes(cluster, pod):
    cluster.apply(pod("huge", cpu="64"))
    cluster.run(1)
    fig = swimlane(cluster, "pod/default/huge")
    assert lanes_top_down(fig) == ["apiserver", "etcd", "scheduler"]
    assert "FailedScheduling" in " ".join(t.get_text() for t in fig.axes[0].texts)


def test_swimlane_of_an_unknown_object_says_so(cluster):
    fig = swimlane(cluster, "pod/default/nobody")
    assert [text.get_text() for text in fig.axes[0].texts] == [
        "no records about pod/default/nobody yet"]


def test_swimlane_rejects_a_malformed_reference(cluster):
    with pytest.raises(K8sLabError, match="<kind>/<namespace>/<name>"):
        swimlane(cluster, "web-1")


def test_trace_table_has_one_short_row_per_record(cluster):
    records = cluster.trace_of("pod/default/web-1")
    rows = trace_table(cluster, "pod/default/web-1")
    assert [row["kind"] for row in rows] == [rec.kind for rec in records]
    assert list(rows[0]) == ["time", "host", "component", "kind", "details"]
    assert all(row["time"] == round(row["time"], 4) for row in rows)
    assert all(len(row["details"]) <= 50 for row in rows)
    assert any(row["details"].endswith("…") for row in rows)  # the long ones are cut
    scheduled = next(row for row in rows if row["kind"] == "Scheduled")
    assert scheduled["details"].startswith("node=worker-")


component_names = st.sampled_from([*LANES, "host", "controller-manager"])


@given(st.lists(component_names))
def test_lanes_keep_the_request_path_order_then_the_rest(components):
    records = [Record(i, 0.0, "h", c, "k", "o") for i, c in enumerate(components)]
    lanes = _lanes(records)
    assert sorted(lanes) == sorted(set(components))
    known = [lane for lane in lanes if lane in LANES]
    assert known == [lane for lane in LANES if lane in components]
    assert lanes[: len(known)] == known


@given(st.lists(st.sampled_from(["put", "bind", "create"]), min_size=1))
def test_kinds_label_spells_out_the_kinds_in_order(kinds):
    label = _kinds_label([Record(i, 0.0, "h", "c", k, "o") for i, k in enumerate(kinds)])
    expanded = []
    for part in label.split(", "):
        kind, _, count = part.partition(" ×")
        expanded += [kind] * int(count or 1)
    assert expanded == kinds
