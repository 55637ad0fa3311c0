"""What an etcd member writes into the trace: which Raft messages, and how an applied request
is labelled (its verb, or a Txn's writes) and which key it names.
"""

from __future__ import annotations

from typing import Any

from k8slab.etcd.wire import DeleteRangeRequest, PutRequest, RangeRequest, TxnRequest, WriteRequest
from k8slab.raft.messages import (
    AppendEntries,
    AppendEntriesResponse,
    InstallSnapshot,
    RequestVote,
    RequestVoteResponse,
)

TRACED_MESSAGES = (RequestVote, RequestVoteResponse, InstallSnapshot)


def message_details(message: Any) -> dict | None:
    """The details a "raft-msg" record carries for `message`, or None to leave it out: votes
    and snapshots always, appends only when they carry entries or are refused."""
    if isinstance(message, AppendEntries) and message.entries:
        return {"entries": len(message.entries)}
    if isinstance(message, AppendEntriesResponse) and not message.success:
        return {"success": False}
    if not isinstance(message, TRACED_MESSAGES):
        return None
    details: dict = {}
    if isinstance(message, RequestVote | RequestVoteResponse):
        details["pre_vote"] = message.pre_vote
    if isinstance(message, RequestVoteResponse):
        details["granted"] = message.vote_granted
    return details


def describe(request: WriteRequest, result: Any) -> str:
    """A trace label for an applied request: the writes a Txn made ("put + delete"), or the
    request's own verb ("put", "compact", "lease_revoke")."""
    if not isinstance(request, TxnRequest):
        return request.verb
    branch = request.success if result.succeeded else request.failure
    writes = [op.verb for op in branch if not isinstance(op, RangeRequest)]
    return " + ".join(writes) if writes else "txn (no write)"


def trace_key(request: WriteRequest) -> str:
    """The key a trace record names: the one a put or delete writes, a Txn's first, or none."""
    if isinstance(request, PutRequest | DeleteRangeRequest):
        return request.key
    if isinstance(request, TxnRequest):
        keys = [op.key for op in request.success] + [c.key for c in request.compare]
        return keys[0] if keys else ""
    return ""

