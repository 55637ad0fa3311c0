"""Who is in the cluster: members' IDs as etcd computes them, and the entries that bootstrap Raft.

A new etcd cluster's members are named by `--initial-cluster`. Each member's ID is a hash of its
peer URLs and the cluster token, the cluster's ID a hash of the member IDs
(server/etcdserver/api/membership). A fresh member writes one ConfChangeAddNode entry per
member into its Raft log before it starts (etcdserver/raft.go startNode, raft's Bootstrap).
"""

from __future__ import annotations

import hashlib

from k8slab.etcd.wire import ConfChange, Member
from k8slab.raft import Entry, HardState

CLIENT_PORT = 2379
PEER_PORT = 2380
CLUSTER_TOKEN = "etcd-cluster"  # --initial-cluster-token default (embed/config.go)


def peer_url(name: str) -> str:
    """The peer URL kubeadm gives a member in --initial-cluster (our hosts are named, not IPs)."""
    return f"https://{name}:{PEER_PORT}"


def client_url(name: str) -> str:
    """The client URL a member advertises (--advertise-client-urls, as kubeadm writes it)."""
    return f"https://{name}:{CLIENT_PORT}"


def member_id(name: str, cluster_token: str = CLUSTER_TOKEN) -> int:
    """The ID of the member kubeadm names `name` (its peer URL is `peer_url(name)`)."""
    return member_id_of([peer_url(name)], cluster_token)


def member_id_of(peer_urls: list[str], cluster_token: str = CLUSTER_TOKEN) -> int:
    """A member's ID as etcd computes it for the initial cluster (membership/member.go
    computeMemberID): the first 8 bytes, big-endian, of SHA-1(sorted peer URLs + token)."""
    digest = hashlib.sha1(("".join(sorted(peer_urls)) + cluster_token).encode()).digest()
    return int.from_bytes(digest[:8], "big")


def cluster_id(member_ids: list[int]) -> int:
    """The cluster's ID (membership/cluster.go genID): SHA-1 of the sorted member IDs, each 8
    bytes big-endian; the first 8 bytes of it, big-endian."""
    packed = b"".join(i.to_bytes(8, "big") for i in sorted(member_ids))
    return int.from_bytes(hashlib.sha1(packed).digest()[:8], "big")


def initial_members(names: list[str]) -> list[Member]:
    """The members of a new cluster from --initial-cluster, by ID (RaftCluster.MemberIDs sorts).

    Client URLs are not known yet: each member publishes its own once it runs.
    """
    members = [Member(member_id(name), name, (peer_url(name),)) for name in names]
    return sorted(members, key=lambda member: member.id)


def bootstrap(members: list[Member], voted_for: str | None = None) -> tuple[HardState, list[Entry]]:
    """What a fresh member's storage holds before Raft starts (etcd-io/raft bootstrap.go): one
    ConfChangeAddNode per member at (index i, term 1), all committed, and term 1 with no vote
    (`etcdutl snapshot restore` writes the same entries with a vote for the first member).

    The first election therefore runs for term 2, and its leader's empty entry follows these.
    """
    entries = [Entry(i, 1, ConfChange("ConfChangeAddNode", m.id, m))
               for i, m in enumerate(members, start=1)]
    return HardState(term=1, voted_for=voted_for, commit=len(entries)), entries
