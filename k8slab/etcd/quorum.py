"""Quorum arithmetic: how many members must agree, and how many may fail, for each cluster size.

A Raft cluster of n voting members needs a majority, floor(n/2) + 1, to elect a leader or commit an
entry; it therefore keeps working with up to n - quorum members down (etcd FAQ; kubeadm HA docs).
"""

from __future__ import annotations


def quorum(members: int) -> int:
    """The majority of `members`: floor(n/2) + 1."""
    if not isinstance(members, int) or isinstance(members, bool) or members < 1:
        raise ValueError(f"a cluster has a whole number of members >= 1, got {members!r}")
    return members // 2 + 1


def quorum_table(sizes: range | list[int] = range(1, 8)) -> list[dict]:
    """One row per cluster size: members, quorum, failures tolerated."""
    return [
        {"members": n, "quorum": quorum(n), "failures tolerated": n - quorum(n)} for n in sizes
    ]
