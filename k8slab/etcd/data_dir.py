"""A member's data dir on its host's disk, and `etcdutl snapshot restore`, which makes a new one.

A data dir holds member/wal (the WAL: its metadata naming the member and cluster, Raft's hard
state, entries and snapshot records) and member/snap/db (the db file, dbfile.py). Restoring a
snapshot writes a fresh data dir for a new cluster, as etcdutl/snapshot/v3_snapshot.go does: the
db with its membership replaced and its consistent index set, and a WAL holding one
ConfChangeAddNode per new member at term 1, committed, with a snapshot record at that index.
"""

from __future__ import annotations

import hashlib

from k8slab.etcd import dbfile
from k8slab.etcd.errors import EtcdError
from k8slab.etcd.kvstore import Snapshot
from k8slab.etcd.membership import CLUSTER_TOKEN, bootstrap, cluster_id, member_id_of
from k8slab.etcd.wire import Member


def wal_path(data_dir: str) -> str:
    """Where a member's WAL lies in its data dir (datadir.ToWALDir)."""
    return f"{data_dir}/member/wal"


def db_path(data_dir: str) -> str:
    """Where a member's db file lies in its data dir (datadir.ToBackendFileName)."""
    return f"{data_dir}/member/snap/db"


def store_image(db: dbfile.Backend) -> Snapshot:
    """The store a member opens from a db file: its history, compact revision and leases.

    Lease IDs here come from a counter (lease.py); a restored store counts on from the
    highest ID it holds, so a lease revoked before the snapshot may have its ID granted again.
    """
    next_lease = max((lease_id for lease_id, _ in db.leases), default=0) + 1
    return Snapshot(db.current(), db.revision, list(db.leases), next_lease, db.history,
                    db.compact_revision)


class RestoreError(EtcdError):
    """`etcdutl snapshot restore` refused: etcd's own words for why."""


def parse_initial_cluster(text: str) -> dict[str, list[str]]:
    """`--initial-cluster name=url,name=url` as a map of name to peer URLs (types.NewURLsMap)."""
    cluster: dict[str, list[str]] = {}
    for item in text.split(","):
        name, equals, url = item.partition("=")
        if not equals or "://" not in url:
            raise RestoreError(f"URL address does not have the form \"host:port\": {url}")
        cluster.setdefault(name, []).append(url)
    return cluster


def restore(snapshot: bytes, *, name: str, initial_cluster: dict[str, list[str]],
            peer_urls: list[str], token: str = CLUSTER_TOKEN,
            skip_hash_check: bool = False) -> tuple[bytes, dict]:
    """A new member's (db file, WAL) from a snapshot's bytes, for the cluster `initial_cluster`.

    Checks, in etcdutl's order and words: the name is in the cluster and its URLs are the
    advertised ones (VerifyBootstrap), then the snapshot's SHA-256 (copyAndVerifyDB).
    """
    verify_bootstrap(name, initial_cluster, peer_urls)
    db_bytes = _verified(snapshot, skip_hash_check)
    old = dbfile.decode(db_bytes)
    members = sorted((Member(member_id_of(urls, token), member, tuple(urls))
                      for member, urls in initial_cluster.items()), key=lambda m: m.id)
    # raft.Peer order is by member ID; the hard state votes for the first (saveWALAndSnap).
    hard_state, entries = bootstrap(members, voted_for=members[0].name)
    commit = hard_state.commit
    new = dbfile.Backend(old.history, old.compact_revision, old.leases, commit, 1,
                         tuple(members))
    own = next(m for m in members if m.name == name)
    wal = {"node_id": own.id, "cluster_id": cluster_id([m.id for m in members]),
           "members": tuple(members), "hard_state": hard_state, "entries": entries,
           "snapshot": (commit, 1, None)}
    return dbfile.encode(new), wal


def verify_bootstrap(name: str, initial_cluster: dict[str, list[str]],
                     peer_urls: list[str]) -> None:
    """config.go VerifyBootstrap: `name` is in the cluster with exactly the advertised URLs."""
    if name not in initial_cluster:
        raise RestoreError(f'couldn\'t find local name "{name}" in the initial cluster '
                           "configuration")
    _check_advertised(name, sorted(initial_cluster[name]), sorted(peer_urls))


def _check_advertised(name: str, cluster_urls: list[str], advertised: list[str]) -> None:
    """config.go advertiseMatchesCluster: the member's URLs in --initial-cluster are exactly
    --initial-advertise-peer-urls (compared as written: the model resolves no DNS)."""
    if cluster_urls == advertised:
        return
    if len(cluster_urls) != len(advertised):
        why = f"len({_go_strings(advertised)}) != len({_go_strings(cluster_urls)})"
    else:
        a, c = next((a, c) for a, c in zip(advertised, cluster_urls, strict=True) if a != c)
        why = f'"{a}"(resolved from "{a}") != "{c}"(resolved from "{c}")'
    missing = [f"{name}={url}" for url in cluster_urls if url not in advertised]
    if missing:
        raise RestoreError(f"--initial-cluster has {','.join(missing)} but missing from "
                           f"--initial-advertise-peer-urls={','.join(advertised)} ({why})")
    extra = [url for url in advertised if url not in cluster_urls]
    # (sic: upstream names the advertised URLs after --initial-cluster=, and leaves `why` out)
    raise RestoreError(f"--initial-advertise-peer-urls has {','.join(extra)} but missing from "
                       f"--initial-cluster={','.join(f'{name}={url}' for url in advertised)}")


def _go_strings(items: list[str]) -> str:
    return "[" + " ".join(f'"{item}"' for item in items) + "]"


def _verified(snapshot: bytes, skip_hash_check: bool) -> bytes:
    """The db part of a snapshot file, its SHA-256 checked unless skipped (copyAndVerifyDB)."""
    has_hash = dbfile.has_checksum(len(snapshot))
    if not has_hash and not skip_hash_check:
        raise RestoreError("snapshot missing hash but --skip-hash-check=false")
    db = dbfile.without_checksum(snapshot)
    if has_hash and not skip_hash_check:
        expected, got = snapshot[len(db):], hashlib.sha256(db).digest()
        if expected != got:
            raise RestoreError(f"expected sha256 {_go_bytes(expected)}, got {_go_bytes(got)}")
    return db


def _go_bytes(data: bytes) -> str:
    """A []byte as Go's %v prints it: [1 2 3]."""
    return "[" + " ".join(str(b) for b in data) + "]"
