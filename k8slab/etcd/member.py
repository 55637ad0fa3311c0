"""One etcd member: a Raft node, a write-ahead log on the host's disk, and the MVCC store.

Clients talk to it on port 2379, peers on 2380. A write is proposed to Raft (a follower forwards
it to the leader), persisted in every member's WAL, and applied to every member's store once a
quorum has it; the member that took the request answers when it has applied it. A linearizable
read first asks the leader for a read index (Raft's ReadIndex); a serializable read answers from
the local store at once. A new member first writes Raft's bootstrap, one entry per member of
the cluster, into a new WAL (membership.py); after a crash it rebuilds its store from the WAL.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Generator
from dataclasses import replace
from typing import Any

from k8slab.errors import K8sLabError
from k8slab.etcd import dbfile
from k8slab.etcd.data_dir import db_path, store_image, wal_path
from k8slab.etcd.errors import InvalidArgumentError, RequestTimeoutError
from k8slab.etcd.membership import (
    CLIENT_PORT,
    PEER_PORT,
    bootstrap,
    client_url,
    cluster_id,
    initial_members,
    member_id,
)
from k8slab.etcd.records import describe, message_details, trace_key
from k8slab.etcd.status import MemberStatus
from k8slab.etcd.watchable_store import WatchableStore
from k8slab.etcd.wire import (
    CompactionRequest,
    CompactionResponse,
    ConfChange,
    DeleteRangeRequest,
    InternalRaftRequest,
    LeaseGrantRequest,
    LeaseGrantResponse,
    LeaseKeepAliveRequest,
    LeaseKeepAliveResponse,
    LeaseLeasesRequest,
    LeaseLeasesResponse,
    LeaseRevokeRequest,
    LeaseRevokeResponse,
    LeaseStatus,
    LeaseTimeToLiveRequest,
    Member,
    MemberListRequest,
    MemberListResponse,
    PutRequest,
    RangeRequest,
    Request,
    ResponseHeader,
    SnapshotRequest,
    SnapshotResponse,
    StatusRequest,
    TxnRequest,
    WatchCreateRequest,
    WatchResponse,
    WriteRequest,
)
from k8slab.raft import NotLeaderError, RaftError, RaftNode, Ready, Role
from k8slab.sim.host import ProcessGroup
from k8slab.sim.network import Stream

TICK_SECONDS = 0.1  # --heartbeat-interval 100 ms (etcd server/embed/config.go)
ELECTION_TICKS = 10  # --election-timeout 1000 ms / 100 ms
REQUEST_TIMEOUT = 5.0 + 2 * ELECTION_TICKS * TICK_SECONDS  # server/config ReqTimeout: 7 s
PEER_CHECK_INTERVAL = 0.05  # adjustTicks polls the peer connections every 50 ms ...
PEER_CONNECT_WAIT = 5.0  # ... for up to rafthttp.ConnReadTimeout
READ_INDEX_RETRY = 0.5  # etcdserver v3_server.go readIndexRetryTime
SNAPSHOT_COUNT = 10_000  # --snapshot-count default since v3.6 (etcdserver/server.go)
SNAPSHOT_CATCH_UP_ENTRIES = 5_000  # entries kept after a snapshot (DefaultSnapshotCatchUpEntries)
REMEMBERED_REQUESTS = 10_000  # request ids kept to apply a duplicated proposal only once
DATA_DIR = "/var/lib/etcd"  # --data-dir, as kubeadm sets it
WAL = wal_path(DATA_DIR)  # where a kubeadm member's WAL lies on its host's disk


class EtcdMember:
    """An etcd server process on one host: clients on 2379, Raft peers on 2380."""

    def __init__(self, group: ProcessGroup, name: str, peers: list[str] | None = None,
                 data_dir: str = DATA_DIR) -> None:
        self.group = group
        self.name = name
        self.peers = list(peers or [name])
        self.host = group.host.name
        self.sim = group.sim
        self.data_dir = data_dir
        self.store = WatchableStore()
        self._wal = group.host.disk.get(wal_path(data_dir)) or self._create_wal(group)
        # A WAL names its member and cluster (its metadata), the db its membership: a restart,
        # or a start on a restored data dir, takes them from there, not from the flags.
        self.id, self.cluster_id = self._wal["node_id"], self._wal["cluster_id"]
        self.members = list(self._wal["members"])
        self._applied_ids: OrderedDict[str, None] = OrderedDict()
        self._waiting: dict[str, Any] = {}
        self._reads: dict[str, Any] = {}
        self._read_waiters: list[tuple[int, Any]] = []
        self._forwarded_reads: dict[str, str] = {}
        self._leader_waiters: list[Any] = []
        self._revoking: dict[int, None] = {}
        self._seq = 0
        own = self.sim.rng(f"etcd/{name}/process")
        self._instance = own.getrandbits(48)
        self._phase = own.random() * TICK_SECONDS
        self.raft = self._restore()
        self._shown = (self.raft.role, self.raft.term, self.raft.leader_id)
        self._last_snapshot = self.raft.applied_index

    # -- start-up ---------------------------------------------------------------------------

    def _create_wal(self, group: ProcessGroup) -> dict:
        """A new member of a new cluster: a WAL holding Raft's bootstrap (etcdserver bootstrap:
        no WAL and --initial-cluster-state=new; raft.go startNode). A restart finds it."""
        members = initial_members(self.peers)
        hard_state, entries = bootstrap(members)
        wal = {"node_id": member_id(self.name), "cluster_id": cluster_id([m.id for m in members]),
               "members": tuple(members), "hard_state": hard_state, "entries": entries,
               "snapshot": None}
        group.host.disk[wal_path(self.data_dir)] = wal
        self.sim.record(self.host, "etcd", "bootstrap", self.name, members=len(entries),
                        term=hard_state.term, commit=hard_state.commit)
        return wal

    def _restore(self) -> RaftNode:
        snapshot = self._wal["snapshot"]
        index = term = 0
        data = None
        if snapshot is not None:
            index, term, data = snapshot
            if data is None:  # a restored data dir: the db file holds the keys (dbfile.py)
                data = (store_image(dbfile.decode(self.group.host.disk[db_path(self.data_dir)])),
                        [])
            self._restore_state(data)
        raft = RaftNode(
            self.name,
            self.peers,
            rng=self.sim.rng(f"etcd/{self.name}/raft"),
            election_tick=ELECTION_TICKS,
            hard_state=self._wal["hard_state"],
            # The WAL keeps catch-up entries the snapshot covers; Raft's log starts after it.
            log=[entry for entry in self._wal["entries"] if entry.index > index],
            snapshot_index=index,
            snapshot_term=term,
            snapshot_data=data,
        )
        self.raft = raft  # replaying a LeaseGrant answers with a header, which reads the term
        replayed = 0
        for entry in raft.entries_after(index):
            if entry.index <= raft.commit_index and entry.data is not None:
                self._apply_data(entry.data, record=False)
                replayed += 1
        self.sim.record(self.host, "etcd", "restore", self.name, replayed=replayed,
                        revision=self.store.revision, term=raft.term)
        return raft

    def start(self) -> None:
        """Listen for clients and peers, start ticking Raft, and advance the election clock."""
        self.group.listen(CLIENT_PORT, self)
        self.group.listen(PEER_PORT, self)
        self.group.spawn(self._ticker())
        self.group.spawn(self._adjust_ticks())

    def _adjust_ticks(self) -> Generator:
        """--initial-election-tick-advance (default true), etcdserver/server.go adjustTicks.

        On every start, a lone member fast-forwards its election clock by ElectionTicks - 1
        ticks at once. A member with peers checks every 50 ms, for up to 5 s (rafthttp
        ConnReadTimeout), whether more than one peer is connected; then it fast-forwards by
        ElectionTicks - 2, keeping two ticks to hear from a leader that may already exist. Its
        randomized timeout is 10 to 19 ticks, so 2 to 11 ticks (0.2 to 1.1 s) remain.
        """
        if len(self.peers) == 1:
            self.raft.advance_ticks(ELECTION_TICKS - 1)
            return
        for _ in range(int(PEER_CONNECT_WAIT / PEER_CHECK_INTERVAL)):
            yield self.group.env.timeout(PEER_CHECK_INTERVAL)
            if self._active_peers() > 1:
                self.raft.advance_ticks(ELECTION_TICKS - 2)
                return

    def _active_peers(self) -> int:
        """Peers whose peer port accepts a connection from here (rafthttp ActivePeers)."""
        network = self.group.host.network
        return sum(1 for peer in self.peers
                   if peer != self.name and network.reachable(self.host, peer)
                   and network.host(peer).server_on(PEER_PORT) is not None)

    def _ticker(self) -> Generator:
        # Each member's ticker has its own phase, as on separate machines started at
        # different moments; aligned tickers would time out together and split votes far
        # more often than real clusters do.
        yield self.group.env.timeout(self._phase)
        while True:
            yield self.group.env.timeout(TICK_SECONDS)
            self.raft.tick()
            if self.raft.role is Role.LEADER:
                self._revoke_expired_leases()
            self._process_ready()

    # -- the Raft loop (etcdserver/raft.go) ----------------------------------------------------

    def _process_ready(self) -> None:
        while self.raft.has_ready():
            ready: Ready = self.raft.ready()
            self._persist(ready)
            for message in ready.messages:
                self._trace_message(message)
                self.group.host.network.send(self.host, message.dst, PEER_PORT, message)
            if ready.snapshot is not None:
                self._restore_state(ready.snapshot.data)
            for entry in ready.committed_entries:
                self._apply_entry(entry)
            for state in ready.read_states:
                self._read_index_known(state.context, state.index)
            self.raft.advance(ready)
            self._wake_reads()
            self._note_role(ready)
        if self.raft.applied_index - self._last_snapshot >= SNAPSHOT_COUNT:
            self._snapshot()

    def _persist(self, ready: Ready) -> None:
        wal = self._wal
        if ready.snapshot is not None:
            snap = ready.snapshot
            wal["snapshot"] = (snap.index, snap.term, snap.data)
            wal["entries"] = [e for e in wal["entries"] if e.index > snap.index]
        if ready.entries:
            # New entries replace any stored at their index and after (a new leader's log wins).
            entries, first = wal["entries"], ready.entries[0].index
            if entries and entries[-1].index >= first:
                del entries[max(0, first - entries[0].index):]
            entries.extend(ready.entries)
        wal["hard_state"] = ready.hard_state

    def _trace_message(self, message: Any) -> None:
        details = message_details(message)
        if details is not None:
            self.sim.record(self.host, "etcd", "raft-msg", self.name,
                            type=type(message).__name__, dst=message.dst, term=message.term,
                            **details)

    def _note_role(self, ready: Ready) -> None:
        shown = (ready.role, ready.term, ready.leader_id)
        if shown == self._shown:
            return
        was_leader = self._shown[0] is Role.LEADER
        self._shown = shown
        self.sim.record(self.host, "etcd", "raft-role", self.name, role=ready.role.value,
                        term=ready.term, leader=ready.leader_id)
        if ready.leader_id is not None:
            waiters, self._leader_waiters = self._leader_waiters, []
            for waiter in waiters:
                waiter.succeed()
        if was_leader and ready.role is not Role.LEADER:
            self.store.lessor.demote()
            self._revoking.clear()

    def _snapshot(self) -> None:
        index = self.raft.applied_index
        data = (self.store.snapshot(), list(self._applied_ids))
        self.raft.set_snapshot_data(index, data)
        self.raft.compact(max(self.raft.snapshot_index, index - SNAPSHOT_CATCH_UP_ENTRIES))
        self._wal["snapshot"] = (index, self.raft.term_at(index) or self.raft.term, data)
        self._last_snapshot = index
        self.sim.record(self.host, "etcd", "snapshot", self.name, index=index)

    def _restore_state(self, data: tuple) -> None:
        store_snapshot, applied_ids = data
        self.store.restore_snapshot(store_snapshot)
        self._applied_ids = OrderedDict.fromkeys(applied_ids)

    # -- applying committed entries --------------------------------------------------------

    def _apply_entry(self, entry: Any) -> None:
        if entry.data is None:
            if self.raft.role is Role.LEADER and entry.term == self.raft.term:
                # The new leader's own no-op is applied: it now runs the lease clocks
                # (etcdserver applyEntryNormal: lessor.Promote with an election's extension).
                self.store.lessor.promote(self.sim.now, extend=ELECTION_TICKS * TICK_SECONDS)
            return
        if isinstance(entry.data, ConfChange):
            self._apply_data(entry.data, record=True)
            return
        result = self._apply(entry.data, record=True, index=entry.index)
        waiter = self._waiting.pop(entry.data.id, None)
        if waiter is not None and not waiter.triggered:
            waiter.succeed(result)

    def _apply_data(self, data: InternalRaftRequest | ConfChange, *, record: bool) -> None:
        if isinstance(data, InternalRaftRequest):
            self._apply(data, record=record)
        elif data.context not in self.members:
            # Membership is fixed by --initial-cluster here: only the bootstrap's changes, which
            # add members already known, are ever in the log (applyConfChange then changes
            # nothing). Adding or removing members is not modelled.
            raise RaftError(f"conf change {data!r} names a member outside --initial-cluster")

    def _apply(self, proposal: InternalRaftRequest, *, record: bool, index: int = 0) -> Any:
        if proposal.id in self._applied_ids:
            return None  # a duplicated proposal: it was applied once already
        self._applied_ids[proposal.id] = None
        if len(self._applied_ids) > REMEMBERED_REQUESTS:
            self._applied_ids.popitem(last=False)
        try:
            result = self._execute(proposal)
        except K8sLabError as error:
            return error
        if record:
            self.sim.record(self.host, "etcd", describe(proposal.request, result),
                            trace_key(proposal.request), revision=self.store.revision,
                            raft_index=index, member=self.name)
        return result

    def _execute(self, proposal: InternalRaftRequest) -> Any:
        request, lessor = proposal.request, self.store.lessor
        if isinstance(request, TxnRequest):
            return self.store.txn(request.compare, request.success, request.failure)
        if isinstance(request, PutRequest | DeleteRangeRequest):
            return self.store.request(request)
        if isinstance(request, CompactionRequest):
            self.store.compact(request.revision)
            return CompactionResponse(self._header())
        if isinstance(request, LeaseGrantRequest):
            lease = lessor.grant(request.ttl, request.id, proposal.now)
            return LeaseGrantResponse(self._header(), lease.id, lease.ttl)
        self._revoking.pop(request.id, None)
        return LeaseRevokeResponse(self._header(lessor.revoke(request.id)))

    def _revoke_expired_leases(self) -> None:
        for lease_id in self.store.lessor.expired(self.sim.now):
            if lease_id not in self._revoking:
                self._revoking[lease_id] = None
                self._submit(self._proposal(LeaseRevokeRequest(lease_id)))

    # -- the client API (port 2379) ---------------------------------------------------------

    def serve(self, request: Request) -> Generator:
        """Answer one client request: reads from the store, writes through Raft; the answer's
        header names this cluster, this member and its term (v3rpc header.go fill)."""
        response = yield from self._answer(request)
        header = self._header(response.header.revision)
        if isinstance(request, MemberListRequest):
            # The Cluster service's header names no revision (v3rpc member.go header()).
            header = replace(header, revision=0)
        return replace(response, header=header)

    def _answer(self, request: Request) -> Generator:
        if isinstance(request, RangeRequest):
            if not request.serializable:
                yield from self._read_barrier()
            return self.store.request(request)
        if isinstance(request, LeaseKeepAliveRequest | LeaseTimeToLiveRequest):
            return (yield from self._at_leader(request))
        if isinstance(request, LeaseLeasesRequest):
            # v3_server.go LeaseLeases: this member's own lessor, not forwarded.
            leases = tuple(LeaseStatus(i) for i in self.store.lessor.leases())
            return LeaseLeasesResponse(ResponseHeader(), leases)
        if isinstance(request, StatusRequest):
            return self.status()
        if isinstance(request, MemberListRequest):
            return MemberListResponse(ResponseHeader(), self.published_members())
        if isinstance(request, SnapshotRequest):
            # v3rpc/maintenance.go Snapshot: this member's backend as it is, then its SHA-256.
            return SnapshotResponse(ResponseHeader(),
                                    dbfile.with_checksum(dbfile.encode(self.backend())))
        if not isinstance(request, WriteRequest):
            raise InvalidArgumentError(f"unknown etcd request {request!r}")
        result = yield from self._propose_and_wait(self._proposal(request))
        if isinstance(result, Exception):
            raise result
        return result

    def backend(self) -> dbfile.Backend:
        """What this member's db file holds now: the store's history and leases, the last
        applied Raft entry (meta's consistent_index and term), and the membership."""
        applied = self.raft.applied_index
        return dbfile.Backend(self.store.history(), self.store.compact_revision,
                              tuple(self.store.lessor.dump()), applied,
                              self.raft.term_at(applied) or self.raft.term, tuple(self.members))

    def published_members(self) -> tuple[Member, ...]:
        """The members with the client URLs each publishes once it runs.

        etcd publishes them through Raft (a ClusterMemberAttrSet entry per member, and the
        leader then a ClusterVersionSet); those entries are not modelled, so every member here
        shows as started, with its client URL.
        """
        return tuple(replace(m, client_urls=(client_url(m.name),)) for m in self.members)

    def _header(self, revision: int = 0) -> ResponseHeader:
        """This member's ResponseHeader; revision 0 becomes the store's current revision."""
        return ResponseHeader(self.cluster_id, self.id, revision or self.store.revision,
                              self.raft.term)

    def status(self) -> MemberStatus:
        """What `etcdctl endpoint status` shows for this member, with its Raft status."""
        leader = self.raft.leader_id
        return MemberStatus(self._header(), self.name, leader,
                            member_id(leader) if leader is not None else 0,
                            self.raft.role.value, self.raft.term, self.raft.last_index,
                            self.raft.applied_index, self.raft.status())

    def _new_id(self) -> str:
        # Unique across restarts of this member: each process instance draws its own prefix.
        self._seq += 1
        return f"{self.name}/{self._instance:012x}/{self._seq}"

    def _proposal(self, request: WriteRequest) -> InternalRaftRequest:
        return InternalRaftRequest(self._new_id(), request, self.sim.now)

    def _propose_and_wait(self, proposal: InternalRaftRequest) -> Generator:
        done = self.group.env.event()
        self._waiting[proposal.id] = done
        deadline = self.sim.now + REQUEST_TIMEOUT
        while not self._submit(proposal) and self.sim.now < deadline:
            # No leader yet: wait until one is known, or the deadline, whichever comes first.
            known = self.group.env.event()
            self._leader_waiters.append(known)
            yield known | self.group.env.timeout(deadline - self.sim.now)
        remaining = deadline - self.sim.now
        if remaining > 0 and not done.triggered:
            timer = self.group.env.timeout(remaining)
            yield done | timer
        self._waiting.pop(proposal.id, None)
        if not done.triggered:
            raise RequestTimeoutError()
        return done.value

    def _submit(self, proposal: InternalRaftRequest) -> bool:
        """Hand a proposal to Raft here, or to the leader; False if there is no leader yet."""
        if self.raft.role is Role.LEADER:
            self.raft.propose(proposal)
            self._process_ready()
            return True
        leader = self.raft.leader_id
        if leader is None:
            return False
        self.group.host.network.send(self.host, leader, PEER_PORT, {"propose": proposal})
        return True

    def _read_barrier(self) -> Generator:
        """Wait until this member has applied everything committed before the read began."""
        context = self._new_id()
        done = self.group.env.event()
        self._reads[context] = done
        deadline = self.sim.now + REQUEST_TIMEOUT
        try:
            while not done.triggered and self.sim.now < deadline:
                self._ask_read_index(context)
                timer = self.group.env.timeout(min(READ_INDEX_RETRY, deadline - self.sim.now))
                yield done | timer
            if not done.triggered:
                raise RequestTimeoutError()
            index = done.value
            if self.raft.applied_index < index:
                applied = self.group.env.event()
                self._read_waiters.append((index, applied))
                timer = self.group.env.timeout(max(deadline - self.sim.now, 0))
                yield applied | timer
                if not applied.triggered:
                    raise RequestTimeoutError()
        finally:
            self._reads.pop(context, None)

    def _ask_read_index(self, context: str) -> None:
        if self.raft.role is Role.LEADER:
            self.raft.read_index(context)
            self._process_ready()
        elif self.raft.leader_id is not None:
            self.group.host.network.send(self.host, self.raft.leader_id, PEER_PORT,
                                         {"read_index": context, "from": self.name})

    def _read_index_known(self, context: str, index: int) -> None:
        asker = self._forwarded_reads.pop(context, None)
        if asker is not None:
            self.group.host.network.send(self.host, asker, PEER_PORT,
                                         {"read_index_ok": context, "index": index})
            return
        done = self._reads.get(context)
        if done is not None and not done.triggered:
            done.succeed(index)

    def _wake_reads(self) -> None:
        applied = self.raft.applied_index
        ready = [(i, e) for i, e in self._read_waiters if i <= applied]
        if ready:
            self._read_waiters = [(i, e) for i, e in self._read_waiters if i > applied]
            for _, event in ready:
                if not event.triggered:
                    event.succeed()

    def _at_leader(self, request: LeaseKeepAliveRequest | LeaseTimeToLiveRequest) -> Generator:
        # Keep-alives and time-to-live are not in the Raft log: the leader's lessor holds the
        # expiry clocks, and a follower forwards them to it (v3_server.go LeaseRenew,
        # LeaseTimeToLive).
        if self.raft.role is Role.LEADER:
            lessor = self.store.lessor
            if isinstance(request, LeaseTimeToLiveRequest):
                return lessor.time_to_live(request.id, self.sim.now, request.keys)
            ttl = lessor.keep_alive(request.id, self.sim.now)
            return LeaseKeepAliveResponse(ResponseHeader(), request.id, ttl)
        leader = self.raft.leader_id
        if leader is None:
            raise RequestTimeoutError()
        return (yield from self.group.host.network.rpc(self.host, leader, CLIENT_PORT, request,
                                                        timeout=REQUEST_TIMEOUT))

    # -- the peer API (port 2380) -----------------------------------------------------------

    def receive(self, message: Any) -> None:
        """A message from a peer: Raft traffic, or a forwarded proposal or read index."""
        if isinstance(message, dict):
            self._receive_forwarded(message)
        else:
            if message.dst != self.name or message.src not in self.peers:
                return
            self.raft.step(message)
        self._process_ready()

    def _receive_forwarded(self, message: dict) -> None:
        try:
            if "propose" in message:
                self.raft.propose(message["propose"])
            elif "read_index" in message:
                self._forwarded_reads[message["read_index"]] = message["from"]
                self.raft.read_index(message["read_index"])
            elif "read_index_ok" in message:
                self._read_index_known(message["read_index_ok"], message["index"])
        except NotLeaderError:
            pass  # leadership moved on; the asker times out or retries

    def accept(self, request: WatchCreateRequest, stream: Stream) -> None:
        """Start a watch: replay events from `start_revision`, then stream new ones; a start
        before the compact revision cancels it (the response carries the compact revision)."""
        watch: list[int] = []

        def forward(response: WatchResponse) -> None:
            if not stream.open:
                if watch:
                    self.store.cancel_watch(watch[0])
                return
            stream.send(replace(response, header=self._header(response.header.revision)))
            if response.canceled:
                stream.close(response.err())

        watch.append(self.store.watch(request.key, request.range_end, request.start_revision,
                                      callback=forward, prev_kv=request.prev_kv))
        self.group.host.on_crash(lambda: self.store.cancel_watch(watch[0]))
