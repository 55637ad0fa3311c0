"""`etcdutl snapshot restore`: a new data dir for a new cluster, as etcdutl writes it, and a
member started on it serving the snapshot's keys."""

import pytest

from k8slab.etcd import dbfile
from k8slab.etcd.data_dir import RestoreError, db_path, restore, wal_path
from k8slab.etcd.member import EtcdMember
from k8slab.etcd.wire import ConfChange
from k8slab.robustness.etcd_lab import EtcdLab

CLUSTER = {"m9": ["http://127.0.0.1:24800"]}


@pytest.fixture(scope="module")
def saved() -> tuple[bytes, EtcdLab]:
    lab = EtcdLab(members=1, seed=1)
    lab.run_until_leader()
    member = lab.member(lab.names[0])
    member.store.put("/a", "1")
    member.store.put("/a", "2")
    member.store.put("/b", "3")
    return dbfile.with_checksum(dbfile.encode(member.backend())), lab


def test_restore_names_the_new_cluster_as_etcd_does(saved):
    _, wal = restore(saved[0], name="m9", initial_cluster=CLUSTER,
                     peer_urls=CLUSTER["m9"], token="tok")
    # recorded from the real etcdutl 3.5.1's log: "cluster-id": "8918fe019a274469",
    # "added-peer-id": "926ecc1f78366a58"
    assert (f"{wal['cluster_id']:x}", f"{wal['node_id']:x}") == ("8918fe019a274469",
                                                                  "926ecc1f78366a58")


def test_the_wal_holds_the_new_membership_at_term_1_and_a_snapshot_record(saved):
    cluster = {"b": ["http://b:2380"], "a": ["http://a:2380"], "c": ["http://c:2380"]}
    db, wal = restore(saved[0], name="a", initial_cluster=cluster, peer_urls=["http://a:2380"])
    assert [(e.index, e.term) for e in wal["entries"]] == [(1, 1), (2, 1), (3, 1)]
    assert all(isinstance(e.data, ConfChange) for e in wal["entries"])
    first = wal["entries"][0].data.context
    assert (wal["hard_state"].term, wal["hard_state"].commit) == (1, 3)
    assert wal["hard_state"].voted_for == first.name  # raft.Peer order: by member ID
    assert wal["snapshot"] == (3, 1, None)
    restored = dbfile.decode(db)
    assert (restored.consistent_index, restored.term) == (3, 1)
    assert sorted(m.name for m in restored.members) == ["a", "b", "c"]
    assert restored.history == dbfile.decode(dbfile.without_checksum(saved[0])).history


def test_a_member_started_on_a_restored_data_dir_serves_the_snapshot(saved):
    snapshot, lab = saved
    db, wal = restore(snapshot, name="etcd-1", initial_cluster={"etcd-1": ["https://etcd-1:2380"]},
                      peer_urls=["https://etcd-1:2380"])
    host = lab.network.host("client")
    host.disk[db_path("/restored")], host.disk[wal_path("/restored")] = db, wal
    member = EtcdMember(host.group("etcd-restored"), "etcd-1", ["etcd-1"], "/restored")
    assert member.store.get("/a").value == "2"
    assert member.store.range("/a", revision=member.store.revision - 2)[0][0].value == "1"
    assert member.raft.term == 1 and member.raft.commit_index == 1


@pytest.mark.parametrize(("change", "said"), [
    (lambda s: s[:-32], "snapshot missing hash but --skip-hash-check=false"),
    (lambda s: s[:-1] + bytes([s[-1] ^ 1]), "expected sha256 ["),
])
def test_a_damaged_snapshot_is_refused(saved, change, said):
    with pytest.raises(RestoreError, match=said.replace("[", r"\[")):
        restore(change(saved[0]), name="m9", initial_cluster=CLUSTER, peer_urls=CLUSTER["m9"])
