"""etcd's leases: a TTL granted once, kept alive by its holder, revoked with its keys at the end.

The lessor reads no clock: `grant`, `keep_alive`, `time_to_live` and `expire` take the simulated
`now`. Revoking a lease deletes every key attached to it through the store, in one revision
(server/lease/lessor.go). Grant, revoke and expire change replicated state: a member calls them
when it applies a committed Raft entry, with the `now` carried in that entry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from k8slab.etcd.errors import (
    InvalidArgumentError,
    LeaseExistsError,
    LeaseNotFoundError,
    LeaseTTLTooLargeError,
)
from k8slab.etcd.wire import NO_LEASE, LeaseTimeToLiveResponse, ResponseHeader

MAX_LEASE_TTL = 9_000_000_000  # seconds (server/lease/lessor.go MaxLeaseTTL)


def min_lease_ttl(election_ticks: int = 10, heartbeat_ms: int = 100) -> int:
    """The shortest TTL etcd grants, in whole seconds: 1.5 election timeouts, rounded up.

    server/etcdserver/server.go: minTTL := time.Duration((3*cfg.ElectionTicks)/2) * heartbeat,
    then MinLeaseTTL: int64(math.Ceil(minTTL.Seconds())). With the defaults (10 ticks of 100 ms)
    that is ceil(1.5 s) = 2 s.
    """
    min_ms = (3 * election_ticks) // 2 * heartbeat_ms
    return -(-min_ms // 1000)


MIN_LEASE_TTL = min_lease_ttl()


@dataclass
class Lease:
    """One lease: its ID, granted TTL, expiry time (None: never, until promoted) and its keys."""

    id: int
    ttl: int
    expiry: float | None = None
    keys: set[str] = field(default_factory=set)

    def remaining(self, now: float) -> float:
        """Seconds left at `now` (infinite for a lease that is not counting down)."""
        return float("inf") if self.expiry is None else self.expiry - now


class Lessor:
    """The leases of one store. Revocation calls `delete_keys(sorted keys)`, which returns the
    store revision after deleting them all in one transaction (etcd's RangeDeleter)."""

    def __init__(self, delete_keys: Callable[[list[str]], int],
                 min_ttl: int = MIN_LEASE_TTL) -> None:
        self.min_ttl = min_ttl
        self._delete_keys = delete_keys
        self._leases: dict[int, Lease] = {}
        self.next_id = 1  # our deterministic stand-in for etcd's member-based ID generator

    # -- replicated operations (apply them in Raft order) ----------------------------------

    def grant(self, ttl: int, lease_id: int = NO_LEASE, now: float = 0.0) -> Lease:
        """A new lease of at least `ttl` seconds (raised to min_ttl); ID 0 picks a free ID."""
        _require_int("TTL", ttl)
        _require_int("ID", lease_id)
        if ttl > MAX_LEASE_TTL:
            raise LeaseTTLTooLargeError()
        if lease_id == NO_LEASE:
            while self.next_id in self._leases:
                self.next_id += 1
            lease_id = self.next_id
            self.next_id += 1
        elif lease_id in self._leases:
            raise LeaseExistsError()
        granted = max(ttl, self.min_ttl)  # lessor.go Grant: shorter TTLs are raised
        lease = Lease(lease_id, granted, now + granted)
        self._leases[lease_id] = lease
        return lease

    def revoke(self, lease_id: int) -> int:
        """End a lease and delete its keys in one revision; returns the store revision after."""
        lease = self._leases.pop(lease_id, None)
        if lease is None:
            raise LeaseNotFoundError()
        # lessor.go Revoke sorts the keys "so deletes are in same order among all members".
        return self._delete_keys(sorted(lease.keys))

    def expire(self, now: float) -> list[int]:
        """Revoke every lease whose time is up at `now`, earliest first; returns their IDs.

        etcd's leader finds the expired leases and proposes one LeaseRevoke each, so each
        revocation that deletes keys is its own revision. (etcd also caps this at 1000 a second.)
        """
        expired = self.expired(now)
        for lease_id in expired:
            self.revoke(lease_id)
        return expired

    # -- the leader's clock ------------------------------------------------------------------

    def keep_alive(self, lease_id: int, now: float) -> int:
        """Restart the countdown of a live lease at `now`; returns its TTL.

        An expired lease cannot be renewed: etcd waits for its revocation and then answers "not
        found" (lessor.go Renew); the KeepAlive stream reports that as TTL 0 (v3rpc/lease.go).
        """
        lease = self._leases.get(lease_id)
        if lease is None or lease.remaining(now) <= 0:
            raise LeaseNotFoundError()
        lease.expiry = now + lease.ttl
        return lease.ttl

    def promote(self, now: float, extend: float = 0.0) -> None:
        """Become the lessor that counts down: every lease restarts with `extend` seconds extra.

        etcd's new leader calls Promote(election timeout) once it has applied its term's first
        entry (etcdserver/server.go applyEntryNormal), so no lease expires during an election.
        """
        for lease in self._leases.values():
            lease.expiry = now + extend + lease.ttl

    def demote(self) -> None:
        """Stop counting down: a follower's leases never expire on their own (lessor.go Demote)."""
        for lease in self._leases.values():
            lease.expiry = None

    # -- reads ---------------------------------------------------------------------------------

    def lookup(self, lease_id: int) -> Lease | None:
        """The lease with this ID, or None."""
        return self._leases.get(lease_id)

    def time_to_live(self, lease_id: int, now: float,
                     keys: bool = False) -> LeaseTimeToLiveResponse:
        """Seconds left (truncated, as etcd's int64(Remaining().Seconds())), granted TTL, keys.

        An unknown lease is not an error: etcd answers TTL -1 (v3rpc/lease.go LeaseTimeToLive).
        A lease that is not counting down (see `demote`) reports its granted TTL.
        """
        lease = self._leases.get(lease_id)
        if lease is None:
            return LeaseTimeToLiveResponse(ResponseHeader(), lease_id, -1)
        left = lease.ttl if lease.expiry is None else int(lease.expiry - now)
        return LeaseTimeToLiveResponse(ResponseHeader(), lease_id, left, lease.ttl,
                                       tuple(sorted(lease.keys)) if keys else ())

    def leases(self) -> list[int]:
        """Every lease ID, soonest expiry first (lessor.go Leases sorts by remaining time)."""
        return [lease.id for lease in sorted(self._leases.values(), key=_expiry_order)]

    def expired(self, now: float) -> list[int]:
        """IDs of the leases whose time is up at `now`, earliest expiry first."""
        due = [lease for lease in self._leases.values() if lease.remaining(now) <= 0]
        return [lease.id for lease in sorted(due, key=_expiry_order)]

    # -- keys, kept in step by the store ---------------------------------------------------------

    def attach(self, lease_id: int, key: str) -> None:
        """Tie `key` to a lease: revoking the lease deletes the key."""
        lease = self._leases.get(lease_id)
        if lease is None:
            raise LeaseNotFoundError()
        lease.keys.add(key)

    def detach(self, lease_id: int, key: str) -> None:
        """Untie `key` from a lease (nothing to do if the lease is already gone)."""
        lease = self._leases.get(lease_id)
        if lease is not None:
            lease.keys.discard(key)

    # -- snapshots -------------------------------------------------------------------------------

    def dump(self) -> list[tuple[int, int]]:
        """(id, granted TTL) of every lease, by ID: what etcd persists (leasepb.Lease)."""
        return [(lease_id, self._leases[lease_id].ttl) for lease_id in sorted(self._leases)]

    def restore(self, leases: list[tuple[int, int]], next_id: int) -> None:
        """Load leases from a snapshot; they do not count down until `promote` (lessor.go)."""
        self._leases = {lease_id: Lease(lease_id, max(ttl, self.min_ttl))
                        for lease_id, ttl in leases}
        self.next_id = next_id


def _expiry_order(lease: Lease) -> tuple[float, int]:
    return (float("inf") if lease.expiry is None else lease.expiry, lease.id)


def _require_int(name: str, value: object) -> None:
    if not isinstance(value, int) or isinstance(value, bool):
        raise InvalidArgumentError(f"lease {name} must be an integer, got {value!r}")
