"""The Raft pictures read the trace and the members: roles over time, logs, messages, a table.

Most tests run on a small fake cluster of three etcd members whose trace is written by hand, so
they fix exactly what each picture must show; the last ones run on a real one-member cluster.
"""

from types import SimpleNamespace as NS

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest
from hypothesis import given
from hypothesis import strategies as st
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.text import Annotation

from k8slab.errors import K8sLabError
from k8slab.etcd.membership import member_id
from k8slab.etcd.status import MemberStatus
from k8slab.etcd.wire import ResponseHeader
from k8slab.lab.cluster import Cluster
from k8slab.lab.plots.raft_logs import (
    COMMIT_COLOUR,
    LOG_WINDOW,
    SNAPSHOT_COLOUR,
    raft_logs,
    term_colour,
)
from k8slab.lab.plots.raft_messages import election_sequence, message_label, sequence_events
from k8slab.lab.plots.raft_roles import Segment, role_segments, roles_timeline
from k8slab.lab.plots.raft_status import log_entries, status_table
from k8slab.lab.plots.style import ROLE_COLOURS
from k8slab.raft.ready import Role
from k8slab.raft.status import Status
from k8slab.robustness.etcd_lab import EtcdLab
from k8slab.sim.trace import Trace

M1, M2, M3 = MEMBERS = ["control-plane-1", "control-plane-2", "control-plane-3"]


class FakeHost:
    def __init__(self, name: str) -> None:
        self.name, self.up, self.memory = name, True, {}


class FakeCluster:
    """What the Raft plots read from a cluster: its trace, members, hosts and time."""

    def __init__(self, trace: Trace, now: float = 10.0) -> None:
        self.trace, self.now, self.control_planes = trace, now, list(MEMBERS)
        self._hosts = {name: FakeHost(name) for name in MEMBERS}
        self.network = NS(host=self._hosts.__getitem__)

    def crash(self, name: str) -> None:
        self._hosts[name].up = False
        self._hosts[name].memory.clear()


def entry(index: int, term: int) -> NS:
    return NS(index=index, term=term, data=None)


def member(role: str, term: int, leader: str | None, log: list, commit: int, *,
           snapshot: int = 0, revision: int = 1) -> NS:
    """A stand-in etcd member whose status() reports this Raft state and store revision."""
    raft = Status("member", term, None, commit, leader, Role(role), commit, snapshot, tuple(log))
    return NS(status=lambda: MemberStatus(ResponseHeader(revision=revision), "member", leader, 0,
                                          role, term, raft.last_index, commit, raft))


def election() -> Trace:
    """Control-plane-1 wins term 1 with pre-vote, crashes at 5 s; control-plane-2 wins term 2."""
    trace = Trace()

    def role(time, name, value, term, leader=None):
        trace.record(time, name, "etcd", "raft-role", name, role=value, term=term, leader=leader)

    def send(time, src, dst, kind, term, **details):
        trace.record(time, src, "etcd", "raft-msg", src, type=kind, dst=dst, term=term, **details)

    for name in MEMBERS:
        trace.record(0.0, name, "host", "boot", name, boot=1)
    role(1.0, M1, "pre-candidate", 0)
    for dst in (M2, M3):
        send(1.0, M1, dst, "RequestVote", 1, pre_vote=True)
    for src in (M2, M3):
        send(1.01, src, M1, "RequestVoteResponse", 1, pre_vote=True, granted=True)
    role(1.02, M1, "candidate", 1)
    for dst in (M2, M3):
        send(1.02, M1, dst, "RequestVote", 1)
    for src in (M2, M3):
        role(1.03, src, "follower", 1, None)
        send(1.03, src, M1, "RequestVoteResponse", 1, granted=src == M2)
    role(1.04, M1, "leader", 1, M1)
    for dst in (M2, M3):
        send(1.04, M1, dst, "AppendEntries", 1, entries=1)
    for src in (M2, M3):
        send(1.05, src, M1, "AppendEntriesResponse", 1, success=True)
    trace.record(5.0, M1, "host", "crash", M1)
    role(6.0, M2, "pre-candidate", 1)
    role(6.02, M2, "candidate", 2)
    role(6.03, M3, "follower", 2, None)
    role(6.04, M2, "leader", 2, M2)
    trace.record(8.0, M1, "host", "boot", M1, boot=2)
    return trace


@pytest.fixture
def fake() -> FakeCluster:
    return FakeCluster(election())


def texts(fig: Figure) -> list[str]:
    return [text.get_text() for ax in fig.axes for text in ax.texts]


def lanes_top_down(ax) -> list[str]:
    ticks = zip(ax.get_yticks(), [t.get_text() for t in ax.get_yticklabels()], strict=True)
    return [label for _, label in sorted(ticks, reverse=True)]


# -- roles over time -----------------------------------------------------------------------------


def test_role_segments_follow_the_trace_through_a_crash(fake):
    segments = role_segments(fake)
    assert [(s.start, s.end, s.role, s.term) for s in segments[M1]] == [
        (0.0, 1.0, "follower", 0), (1.0, 1.02, "pre-candidate", 0), (1.02, 1.04, "candidate", 1),
        (1.04, 5.0, "leader", 1), (5.0, 8.0, "down", 1), (8.0, 10.0, "follower", 1)]
    assert [(s.role, s.term) for s in segments[M2]] == [
        ("follower", 0), ("follower", 1), ("pre-candidate", 1), ("candidate", 2), ("leader", 2)]
    assert segments[M2][-1] == Segment(6.04, 10.0, "leader", 2, M2)
    assert [(s.start, s.term) for s in segments[M3]] == [(0.0, 0), (1.03, 1), (6.03, 2)]


def test_role_segments_are_clipped_to_the_window(fake):
    segments = role_segments(fake, 4, 9)
    assert [(s.start, s.end, s.role) for s in segments[M1]] == [
        (4.0, 5.0, "leader"), (5.0, 8.0, "down"), (8.0, 9.0, "follower")]


@given(st.floats(0, 9.9), st.floats(0.01, 10))
def test_role_segments_tile_the_window_without_gaps(start, length):
    end = min(start + length, 10.0)
    if end <= start:
        return
    for segments in role_segments(FakeCluster(election()), start, end).values():
        assert segments[0].start == start and segments[-1].end == end
        assert all(a.end == b.start for a, b in zip(segments, segments[1:], strict=False))


def test_roles_timeline_draws_a_lane_per_member_coloured_by_role(fake):
    fig = roles_timeline(fake)
    ax = fig.axes[0]
    assert lanes_top_down(ax) == MEMBERS
    colours = [patch.get_facecolor() for patch in ax.patches]
    assert len(colours) == 6 + 5 + 3
    assert colours.count(to_rgba(ROLE_COLOURS["leader"])) == 2
    assert colours.count(to_rgba(ROLE_COLOURS["candidate"])) == 2
    assert [patch.get_hatch() for patch in ax.patches].count("///") == 1
    assert ax.get_xlim() == (0.0, 10.0)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == list(ROLE_COLOURS)


def test_roles_timeline_writes_the_term_on_segments_wide_enough(fake):
    drawn = texts(roles_timeline(fake))
    assert drawn.count("down") == 1
    assert drawn.count("term 1") == 4
    assert drawn.count("term 2") == 2
    assert drawn.count("term 0") == 3


def test_roles_timeline_rejects_a_window_that_ends_before_it_starts(fake):
    with pytest.raises(K8sLabError, match="must come after start"):
        roles_timeline(fake, 5, 4)
    with pytest.raises(K8sLabError, match="simulated seconds >= 0"):
        roles_timeline(fake, -1)


# -- the logs side by side ------------------------------------------------------------------------


def cells(ax) -> list:
    return [p for p in ax.patches if p.get_facecolor()[:3] != to_rgba(SNAPSHOT_COLOUR)[:3]]


def commit_markers(ax) -> list[float]:
    return [line.get_xdata()[0] for line in ax.get_lines()]


def test_raft_logs_draws_one_cell_per_entry_coloured_by_term(fake):
    log = [entry(i, 1 if i <= 8 else 2) for i in range(1, 13)]
    fake.network.host(M1).memory["etcd"] = member("follower", 2, M2, log[:10], 8)
    fake.network.host(M2).memory["etcd"] = member("leader", 2, M2, log[4:], 12, snapshot=4)
    fake.crash(M3)
    fig = raft_logs(fake)
    ax = fig.axes[0]
    assert len(cells(ax)) == 10 + 8
    assert [p.get_facecolor()[:3] for p in cells(ax)].count(to_rgba(term_colour(2))[:3]) == 2 + 4
    assert commit_markers(ax) == [8.5, 12.5]
    assert all(line.get_color() == COMMIT_COLOUR for line in ax.get_lines())
    drawn = texts(fig)
    assert "snapshot ≤ 4" in drawn
    assert "down" in drawn
    assert drawn.count("2") == 6 and drawn.count("1") == 8 + 4
    labels = lanes_top_down(ax)
    assert labels[0] == f"{M1} (follower, t=2)\ncommit 8, applied 8"
    assert labels[2] == f"{M3}\ndown"
    uncommitted = [p for p in cells(ax) if p.get_alpha() < 1]
    assert len(uncommitted) == 2


def test_raft_logs_shows_only_the_last_indexes(fake):
    long = [entry(i, 1 + i // 20) for i in range(1, 101)]
    fake.network.host(M1).memory["etcd"] = member("leader", 6, M1, long[50:], 97, snapshot=50)
    fake.network.host(M2).memory["etcd"] = member("follower", 6, M1, long[70:90], 85,
                                                  snapshot=70)
    fake.network.host(M3).memory["etcd"] = member("follower", 6, M1, long[:30], 30)
    ax = raft_logs(fake).axes[0]
    assert ax.get_xlim() == (100 - LOG_WINDOW + 0.5, 100.5)
    assert len(cells(ax)) == LOG_WINDOW + 20
    assert commit_markers(ax) == [97.5, 85.5]
    assert "snapshot ≤ 70" in [t.get_text() for t in ax.texts]


def test_raft_logs_of_members_with_no_entries_says_empty(fake):
    for name in MEMBERS:
        fake.crash(name)
    fig = raft_logs(fake)
    assert fig.axes[0].get_title().endswith("empty")
    assert texts(fig).count("down") == 3


# -- messages --------------------------------------------------------------------------------------


def arrows(ax) -> list[Annotation]:
    return [t for t in ax.texts if isinstance(t, Annotation) and t.arrow_patch is not None]


def test_election_sequence_draws_every_message_as_an_arrow(fake):
    fig = election_sequence(fake, 0.9, 1.1)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == MEMBERS
    assert len(arrows(ax)) == 12
    drawn = texts(fig)
    for label in ("PreVote t=1", "RequestVote t=1", "AppendEntries ×1 t=1"):
        assert drawn.count(label) == 1  # a broadcast is one row with one label
    assert drawn.count("pre-vote ✓ t=1") == 2
    assert drawn.count("vote ✓ t=1") == 1 and drawn.count("vote ✗ t=1") == 1
    assert drawn.count("append ✓ t=1") == 2
    assert {"pre-candidate t=0", "candidate t=1", "leader t=1"} <= set(drawn)
    assert drawn.count("follower t=1") == 2
    assert drawn.count("follower t=0") == 3  # each lifeline's head: the role at the start


def test_replies_are_dashed(fake):
    ax = election_sequence(fake, 0.9, 1.1).axes[0]
    styles = [a.arrow_patch.get_linestyle() for a in arrows(ax)]
    assert styles.count("-") == 6 and styles.count("--") == 6


def test_election_sequence_rows_group_broadcasts_and_keep_trace_order(fake):
    events = sequence_events(fake, 0.9, 1.1)
    assert [(e.member, e.label, e.destinations) for e in events[:3]] == [
        (M1, "pre-candidate t=0", []), (M1, "PreVote t=1", [M2, M3]),
        (M2, "pre-vote ✓ t=1", [M1])]
    assert len(events) == 14


def test_election_sequence_heads_lifelines_with_the_role_at_the_start(fake):
    fig = election_sequence(fake, 4, 9)
    drawn = texts(fig)
    assert drawn[:3] == ["leader t=1", "follower t=1", "follower t=1"]
    assert {"crash", "boot", "leader t=2"} <= set(drawn)
    assert arrows(fig.axes[0]) == []


def test_election_sequence_of_a_quiet_window_says_so(fake):
    drawn = texts(election_sequence(fake, 2, 3))
    assert "no Raft messages between t = 2 and 3 s" in drawn


def test_election_sequence_rejects_an_empty_window(fake):
    with pytest.raises(K8sLabError, match="must come after start"):
        election_sequence(fake, 3, 3)


@pytest.mark.parametrize(("details", "label"), [
    ({"type": "RequestVote", "term": 2, "pre_vote": True}, "PreVote t=2"),
    ({"type": "RequestVote", "term": 2}, "RequestVote t=2"),
    ({"type": "RequestVoteResponse", "term": 2, "granted": False}, "vote ✗ t=2"),
    ({"type": "AppendEntries", "term": 3, "entries": 0}, "heartbeat t=3"),
    ({"type": "AppendEntries", "term": 3, "entries": 4}, "AppendEntries ×4 t=3"),
    ({"type": "AppendEntriesResponse", "term": 3, "success": False}, "append ✗ t=3"),
    ({"type": "InstallSnapshot", "term": 3}, "InstallSnapshot t=3"),
])
def test_message_labels(details, label):
    assert message_label(details) == label


# -- status table ------------------------------------------------------------------------------


def test_status_table_has_a_row_per_member_with_empty_cells_when_down(fake):
    log = [entry(i, 2) for i in range(5, 13)]
    fake.network.host(M1).memory["etcd"] = member("leader", 2, M1, log, 11, revision=9)
    fake.network.host(M2).memory["etcd"] = member("follower", 2, M1, [], 4, snapshot=4)
    fake.crash(M3)
    rows = status_table(fake)
    assert rows[0] == {"member": M1, "up": True, "role": "leader", "term": 2, "leader": M1,
                       "last index": 12, "commit": 11, "applied": 11, "store revision": 9}
    assert rows[1]["last index"] == 4
    assert rows[2]["member"] == M3 and rows[2]["up"] is False
    assert [value for key, value in rows[2].items() if key not in ("member", "up")] == [None] * 7


# -- a real one-member cluster -------------------------------------------------------------------


@pytest.fixture(scope="module")
def cluster() -> Cluster:
    cluster = Cluster(workers=1, seed=1)
    cluster.run(2)
    return cluster


def test_a_real_member_bootstrapped_at_term_one_leads_term_two(cluster):
    etcd = cluster.network.host("control-plane").memory["etcd"]
    [row] = status_table(cluster)
    assert row["member"] == "control-plane" and row["up"] is True
    assert (row["role"], row["term"], row["leader"]) == ("leader", 2, "control-plane")
    assert row["commit"] == row["last index"] == len(etcd.raft.log) > 0
    assert row["store revision"] == etcd.store.revision
    segments = role_segments(cluster)["control-plane"]
    assert [(s.role, s.term) for s in segments] == [("follower", 1), ("leader", 2)]
    assert segments[-1].end == cluster.now


def test_real_cluster_pictures_draw_and_close(cluster):
    before = plt.get_fignums()
    timeline = roles_timeline(cluster)
    logs = raft_logs(cluster)
    sequence = election_sequence(cluster, 0, cluster.now)
    assert plt.get_fignums() == before
    assert lanes_top_down(timeline.axes[0]) == ["control-plane"]
    assert "term 1" in texts(timeline) and "term 2" in texts(timeline)
    assert "term 0" not in texts(timeline)  # a member starts in its bootstrap's term 1
    last = status_table(cluster)[0]["last index"]
    assert len(cells(logs.axes[0])) == min(last, LOG_WINDOW)
    assert "leader t=2" in texts(sequence)
    assert "follower t=1" in texts(sequence) and "follower t=0" not in texts(sequence)


def test_a_crashed_real_member_shows_down():
    cluster = Cluster(workers=0, seed=1)
    cluster.kill_node("control-plane")
    cluster.run(1)
    assert status_table(cluster)[0]["up"] is False
    assert role_segments(cluster)["control-plane"][-1].role == "down"
    assert "down" in texts(raft_logs(cluster))


def test_the_log_of_a_down_member_is_out_of_reach(fake):
    fake.crash(M3)
    with pytest.raises(K8sLabError, match=f"{M3} is down"):
        log_entries(fake, M3)


def test_a_fresh_members_log_shows_the_membership_then_the_leaders_no_op():
    lab = EtcdLab(3, seed=1)
    lab.sim.run(3.0)
    rows = log_entries(lab, lab.leader(), last=4)
    ordered = sorted(lab.names, key=member_id)
    assert [(r["index"], r["term"], r["request"], r["keys"]) for r in rows] == [
        (1, 1, "ConfChangeAddNode", ordered[0]), (2, 1, "ConfChangeAddNode", ordered[1]),
        (3, 1, "ConfChangeAddNode", ordered[2]), (4, 2, "no-op (new leader)", "")]
    assert all(r["committed"] for r in rows)
