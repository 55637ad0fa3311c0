"""One etcd member: a Raft node, a write-ahead log on the host's disk, and the MVCC store.

Writes are proposed to Raft, persisted to the WAL, and applied to the store once committed; the
client's answer waits for that. After a crash the member rebuilds its store from the WAL.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

from k8slab.errors import BadRequestError, GoneError, UnavailableError
from k8slab.etcd.mvcc import MVCC, Compare, Event, in_range
from k8slab.raft import HardState, NotLeaderError, RaftNode, Ready
from k8slab.sim.host import ProcessGroup
from k8slab.sim.network import Stream

CLIENT_PORT = 2379
TICK_SECONDS = 0.1  # --heartbeat-interval 100 ms (etcd server/embed/config.go)
ELECTION_TICKS = 10  # --election-timeout 1000 ms / 100 ms
SNAPSHOT_COUNT = 10_000  # --snapshot-count default since v3.6 (etcdserver/server.go)
SNAPSHOT_CATCH_UP_ENTRIES = 5_000  # entries kept after a snapshot (DefaultSnapshotCatchUpEntries)
WAL = "/var/lib/etcd/member"  # the data dir path on the host's disk


class EtcdMember:
    """An etcd server process on one host, answering on port 2379."""

    def __init__(self, group: ProcessGroup, name: str, peers: list[str] | None = None) -> None:
        self.group = group
        self.name = name
        self.peers = list(peers or [name])
        self.host = group.host.name
        self.sim = group.sim
        self.store = MVCC()
        self._wal = group.host.disk.setdefault(
            WAL, {"hard_state": HardState(), "entries": [], "snapshot": None}
        )
        self.raft = self._restore()
        self._waiting: dict[int, Any] = {}
        self._results: dict[int, Any] = {}
        self._last_snapshot = self.raft.applied_index

    def _restore(self) -> RaftNode:
        snapshot = self._wal["snapshot"]
        snap_index = snap_term = 0
        if snapshot is not None:
            snap_index, snap_term, kvs, revision = snapshot
            self.store.restore(kvs, revision)
        raft = RaftNode(
            self.name,
            self.peers,
            rng=self.sim.rng(f"etcd/{self.name}/raft"),
            election_tick=ELECTION_TICKS,
            hard_state=self._wal["hard_state"],
            # The WAL keeps catch-up entries the snapshot covers; Raft's log starts after it.
            log=[entry for entry in self._wal["entries"] if entry.index > snap_index],
            snapshot_index=snap_index,
            snapshot_term=snap_term,
        )
        replayed = 0
        for entry in raft.entries_after(snap_index):
            if entry.index <= raft.commit_index and entry.data is not None:
                self._apply(entry.data, record=False)
                replayed += 1
        self.sim.record(
            self.host, "etcd", "restore", self.name, replayed=replayed, revision=self.store.revision
        )
        return raft

    def start(self) -> None:
        """Listen for clients and start ticking Raft."""
        # --initial-election-tick-advance: a single member campaigns on its first ticks.
        self.raft.advance_ticks(ELECTION_TICKS - 1)
        self.group.listen(CLIENT_PORT, self)
        self.group.spawn(self._ticker())

    def _ticker(self) -> Generator:
        while True:
            yield self.group.env.timeout(TICK_SECONDS)
            before = (self.raft.role, self.raft.term)
            self.raft.tick()
            if (self.raft.role, self.raft.term) != before:
                self.sim.record(
                    self.host,
                    "etcd",
                    "raft-role",
                    self.name,
                    role=self.raft.role.value,
                    term=self.raft.term,
                )
            self._process_ready()

    def _process_ready(self) -> None:
        if not self.raft.has_ready():
            return
        ready: Ready = self.raft.ready()
        self._wal["entries"].extend(ready.entries)
        self._wal["hard_state"] = ready.hard_state
        for entry in ready.committed_entries:
            result = self._apply(entry.data, record=True) if entry.data is not None else None
            waiter = self._waiting.pop(entry.index, None)
            if waiter is not None:
                waiter.succeed(result)
        if self.raft.applied_index - self._last_snapshot >= SNAPSHOT_COUNT:
            self._snapshot()

    def _snapshot(self) -> None:
        index = self.raft.applied_index
        self._wal["snapshot"] = (index, self.raft.term, self.store.dump(), self.store.revision)
        keep_from = max(0, index - SNAPSHOT_CATCH_UP_ENTRIES)
        self.raft.compact(keep_from)
        self._wal["entries"] = list(self.raft.log)
        self._last_snapshot = index
        self.sim.record(self.host, "etcd", "snapshot", self.name, index=index)

    def _apply(self, request: dict, *, record: bool) -> Any:
        op = request["op"]
        try:
            if op == "txn":
                compares = [Compare(*c) for c in request["compares"]]
                result = self.store.txn(compares, request["success"], request["failure"])
            elif op == "compact":
                self.store.compact(request["revision"])
                result = self.store.revision
            else:
                raise BadRequestError(f"unknown etcd request {op!r}")
        except (BadRequestError, GoneError) as error:
            return error
        if record:
            self.sim.record(
                self.host,
                "etcd",
                _describe(request, result),
                request.get("trace_key", ""),
                revision=self.store.revision,
                raft_index=self.raft.applied_index,
            )
        return result

    # -- the client API (port 2379) ---------------------------------------------------------

    def serve(self, request: dict) -> Generator:
        """Answer one client request: reads from the store, writes through Raft."""
        op = request["op"]
        if op == "range":
            kvs, count = self.store.range(
                request["key"], request.get("range_end", ""), request.get("limit", 0)
            )
            return {"kvs": kvs, "count": count, "revision": self.store.revision}
        try:
            index = self.raft.propose(request)
        except NotLeaderError:
            raise UnavailableError("etcdserver: no leader") from None
        done = self.group.env.event()
        self._waiting[index] = done
        self._process_ready()
        result = yield done
        if isinstance(result, Exception):
            raise result
        return result

    def accept(self, request: dict, stream: Stream) -> None:
        """Start a watch: replay events from `start_revision`, then stream new ones."""
        key, range_end = request["key"], request.get("range_end", "")
        start = request.get("start_revision", 0)
        try:
            backlog = self.store.events_since(start, key, range_end) if start else []
        except GoneError:
            stream.send({"canceled": True, "compact_revision": self.store.compact_revision})
            stream.close("watch canceled: revision compacted")
            return

        def forward(revision: int, events: list[Event]) -> None:
            if not stream.open:
                self.store.unsubscribe(forward)
                return
            mine = [e for e in events if in_range(e.kv.key, key, range_end)]
            if mine:
                stream.send({"revision": revision, "events": mine})

        if backlog:
            stream.send({"revision": self.store.revision, "events": backlog})
        self.store.subscribe(forward)
        self.group.host.on_crash(lambda: self.store.unsubscribe(forward))


def _describe(request: dict, result: object) -> str:
    """A trace label for an applied request: the writes a Txn made ("put", "delete"), or "txn"."""
    if request["op"] != "txn":
        return request["op"]
    branch = request["success"] if result.succeeded else request["failure"]
    writes = [op[0] for op in branch if op[0] != "range"]
    return " + ".join(writes) if writes else "txn (no write)"
