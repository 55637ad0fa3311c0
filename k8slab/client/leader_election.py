"""Leader election through a Lease object, as client-go's leaderelection package does it.

Several replicas of a component (kube-scheduler, kube-controller-manager) race to hold one Lease in
kube-system. The holder renews it every retry period; the others take it over only when they have
seen no renewal for a whole lease duration. Only the holder does the component's work.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Generator

from k8slab.api.timestamps import to_micro_time
from k8slab.client.rest import Client
from k8slab.errors import K8sLabError, NotFoundError

# component-base/config/v1alpha1/defaults.go: leaseDuration 15 s, renewDeadline 10 s, retryPeriod
# 2 s; client-go waits retryPeriod with a jitter factor of 1.2 between attempts to acquire.
LEASE_DURATION = 15.0
RENEW_DEADLINE = 10.0
RETRY_PERIOD = 2.0
JITTER_FACTOR = 1.2


class LeaderElector:
    """Campaigns for the Lease `namespace/name`; calls `on_started` / `on_stopped` on changes."""

    def __init__(self, client: Client, name: str, *, namespace: str = "kube-system",
                 on_started: Callable[[], None], on_stopped: Callable[[], None]) -> None:
        self.client = client
        self.name = name
        self.namespace = namespace
        self.on_started = on_started
        self.on_stopped = on_stopped
        self.sim = client.group.sim
        self._rng = self.sim.rng(f"leader-election/{name}/{client.group.host.name}")
        host = client.group.host.name
        self.identity = f"{host}_{uuid.UUID(int=self._rng.getrandbits(128), version=4)}"
        self.leading = False
        self._observed: tuple[str, str] | None = None  # (holder, renewTime) last seen
        self._observed_at = 0.0

    def start(self) -> None:
        """Run the campaign in the client's process group."""
        self.client.group.spawn(self._run())

    def _record(self, kind: str, **details) -> None:
        self.sim.record(self.client.group.host.name, "leader-election", kind,
                        f"lease/{self.namespace}/{self.name}", identity=self.identity, **details)

    def _run(self) -> Generator:
        env = self.client.group.env
        while True:
            while not (yield from self._try_acquire_or_renew()):
                yield env.timeout(RETRY_PERIOD * (1 + self._rng.random() * JITTER_FACTOR))
            self.leading = True
            self._record("started leading")
            self.on_started()
            renewed_at = self.sim.now
            while self.sim.now - renewed_at < RENEW_DEADLINE:
                yield env.timeout(RETRY_PERIOD)
                if (yield from self._try_acquire_or_renew()):
                    renewed_at = self.sim.now
            self.leading = False
            self._record("stopped leading")
            self.on_stopped()

    def _try_acquire_or_renew(self) -> Generator:
        now = to_micro_time(self.sim.now)
        try:
            lease = yield from self.client.get("leases", self.name, self.namespace)
        except NotFoundError:
            lease = None
        except K8sLabError:
            return False
        try:
            if lease is None:
                yield from self.client.create(self._new_lease(now))
                return True
            spec = lease["spec"]
            seen = (spec.get("holderIdentity", ""), spec.get("renewTime", ""))
            if seen != self._observed:
                # Expiry is judged by when *this* replica saw the record change, not by the
                # renewTime written by another machine's clock (client-go's observedTime).
                self._observed, self._observed_at = seen, self.sim.now
            holder = seen[0]
            expired = self.sim.now >= self._observed_at + spec.get(
                "leaseDurationSeconds", LEASE_DURATION)
            if holder and holder != self.identity and not expired:
                return False
            if holder != self.identity:
                spec["leaseTransitions"] = spec.get("leaseTransitions", 0) + 1
                spec["acquireTime"] = now
            spec.update(holderIdentity=self.identity, renewTime=now,
                        leaseDurationSeconds=int(LEASE_DURATION))
            updated = yield from self.client.update(lease)
            self._observed = (self.identity, updated["spec"]["renewTime"])
            self._observed_at = self.sim.now
            return True
        except K8sLabError:
            return False

    def _new_lease(self, now: str) -> dict:
        return {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
                "metadata": {"name": self.name, "namespace": self.namespace},
                "spec": {"holderIdentity": self.identity,
                         "leaseDurationSeconds": int(LEASE_DURATION), "acquireTime": now,
                         "renewTime": now, "leaseTransitions": 0}}
