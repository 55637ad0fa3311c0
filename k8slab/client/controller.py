"""A controller in one function: the toolkit that wires an informer, a work queue and leader
election around a reader's `reconcile(ctl, key)`, as controller-runtime does for Go operators.

Informers watch the primary resource and the kinds it owns; a change to an owned object queues
the key of its controller owner (ownerReferences, controller: true). Workers take one key at a
time and call `reconcile(ctl, key)`: a plain function or a generator function (to `yield from`
API calls). It may return a number or `Result(requeue_after=...)` to be called again later. If
it raises, the error is traced and the key comes back with client-go's per-key back-off; the
simulation runs on. `ctl` offers the caches (`get`, `owned`), `ensure` (create or update an owned
object with its ownerReference) and `update_status` (retried on Conflict, as RetryOnConflict).
"""

from __future__ import annotations

import copy
import inspect
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass

from k8slab.client.informer import Informer, SharedInformerFactory, cache_key
from k8slab.client.leader_election import LeaderElector
from k8slab.client.rest import Client, resource_of
from k8slab.client.workqueue import WorkQueue
from k8slab.errors import AlreadyExistsError, ConflictError, K8sLabError

# client-go util/retry DefaultRetry: 5 steps, 10 ms apart.
CONFLICT_RETRIES = 5
CONFLICT_WAIT = 0.01
COMPONENT = "controller"


@dataclass(frozen=True)
class Result:
    """What a reconcile may return: call it again after `requeue_after` seconds (None: only
    when something changes)."""

    requeue_after: float | None = None


def owner_reference(owner: dict) -> dict:
    """The ownerReference a controlled object carries: the owner's apiVersion, kind, name and
    uid, with controller and blockOwnerDeletion true (metav1.NewControllerRef)."""
    meta = owner["metadata"]
    return {"apiVersion": owner["apiVersion"], "kind": owner["kind"], "name": meta["name"],
            "uid": meta["uid"], "controller": True, "blockOwnerDeletion": True}


def controller_uid(obj: dict) -> str | None:
    """The uid of the object's controller owner, or None."""
    for ref in obj["metadata"].get("ownerReferences") or []:
        if ref.get("controller"):
            return ref.get("uid")
    return None


def contains(have: object, want: object) -> bool:
    """True when every field `want` sets has that value in `have` (fields `want` leaves out,
    such as the defaults the API server filled in, do not matter)."""
    if isinstance(want, dict):
        return isinstance(have, dict) and all(k in have and contains(have[k], v)
                                              for k, v in want.items())
    if isinstance(want, list):
        return isinstance(have, list) and len(have) == len(want) and all(
            contains(h, w) for h, w in zip(have, want, strict=True))
    return have == want


class Controller:
    """A reconcile loop over `resource` and the `watches` resources it owns."""

    def __init__(self, client: Client, resource: str,
                 reconcile: Callable[[Controller, str], object], *,
                 watches: Sequence[str] = (), name: str = "", workers: int = 1,
                 leader_election: bool = False, lease_namespace: str = "kube-system",
                 informers: SharedInformerFactory | None = None,
                 enqueue_if: Callable[[dict], bool] | None = None) -> None:
        """`informers`: share another component's informers (kube-controller-manager's);
        `enqueue_if`: queue only the primary objects it accepts (controller-runtime's
        predicates), so a reconcile is not called for changes it would ignore."""
        if not callable(reconcile):
            raise K8sLabError(f"reconcile must be a function of (ctl, key), got {reconcile!r}")
        if not isinstance(watches, list | tuple) or not all(isinstance(w, str) for w in watches):
            raise K8sLabError(f'watches is a list of resources such as ["deployments"], '
                              f"got {watches!r}")
        if not isinstance(resource, str) or not resource:
            raise K8sLabError(f'resource is a resource name such as "webapps", got {resource!r}')
        if not isinstance(name, str):
            raise K8sLabError(f"name is a string (the controller's and its Lease's), got {name!r}")
        if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
            raise K8sLabError(f"workers must be a whole number of at least 1, got {workers!r}")
        self.client = client
        self.resource = resource
        self.reconcile = reconcile
        self.name = name or f"{resource}-controller"
        self.workers = workers
        self.sim = client.group.sim
        self.queue = WorkQueue(client.group, self.name)
        self.enqueue_if = enqueue_if
        informer_of = informers.informer if informers is not None else (
            lambda r: Informer(client, r))
        self.informer = informer_of(resource)
        self.informer.add_index("uid", lambda o: [o["metadata"].get("uid", "")])
        self.informer.on_add.append(self._enqueue)
        self.informer.on_update.append(lambda _old, new: self._enqueue(new))
        self.informer.on_delete.append(self._enqueue)
        self.owned: dict[str, Informer] = {}
        for watched in watches:
            informer = informer_of(watched)
            informer.add_index("controller", lambda o: [controller_uid(o) or ""])
            informer.on_add.append(self._enqueue_owner)
            informer.on_update.append(lambda old, new: (self._enqueue_owner(old),
                                                        self._enqueue_owner(new)))
            informer.on_delete.append(self._enqueue_owner)
            self.owned[watched] = informer
        self.elector = (LeaderElector(client, self.name, namespace=lease_namespace,
                                      on_started=self._start_workers,
                                      on_stopped=self._stop_workers)
                        if leader_election else None)
        self.leading = False
        self.reconciles = 0
        self.errors: list[tuple[float, str, str]] = []  # (time, key, error)
        self._resume = client.group.env.event()
        self._workers_started = False

    # -- running ----------------------------------------------------------------------------

    def start(self) -> None:
        """Start the informers, then the workers (at once, or once the Lease is won)."""
        self.informer.start()
        for informer in self.owned.values():
            informer.start()
        if self.elector is not None:
            self.elector.start()
        else:
            self._start_workers()

    def _start_workers(self) -> None:
        self.leading = True
        if not self._resume.triggered:
            self._resume.succeed()
        if not self._workers_started:
            self._workers_started = True
            for _ in range(self.workers):
                self.client.group.spawn(self._worker())

    def _stop_workers(self) -> None:
        self.leading = False
        self._resume = self.client.group.env.event()

    def _record(self, kind: str, obj: str, **details) -> None:
        self.sim.record(self.client.group.host.name, COMPONENT, kind, obj,
                        controller=self.name, **details)

    def _enqueue(self, obj: dict) -> None:
        if self.enqueue_if is None or self.enqueue_if(obj):
            self.queue.add(cache_key(obj))

    def _enqueue_owner(self, obj: dict) -> None:
        uid = controller_uid(obj)
        for owner in self.informer.by_index("uid", uid) if uid else []:
            self.queue.add(cache_key(owner))

    def _worker(self) -> Generator:
        while True:
            key = yield from self.queue.get()
            try:
                while not self.leading:  # a replica that lost its Lease holds its keys
                    yield self._resume
                if not self.informer.synced or not all(i.synced for i in self.owned.values()):
                    self.queue.add_after(key, 0.1)  # WaitForCacheSync, in small steps
                    continue
                yield from self._sync(key)
            finally:
                self.queue.done(key)

    def _sync(self, key: str) -> Generator:
        self.reconciles += 1
        try:
            result = self.reconcile(self, key)
            if inspect.isgenerator(result):
                result = yield from result
        except Exception as error:  # a reader's bug must not stop the simulation
            text = f"{type(error).__name__}: {error}"
            self.errors.append((self.sim.now, key, text))
            self._record("reconcile error", f"{self.resource}/{key}", error=text,
                         requeues=self.queue.requeues(key) + 1)
            self.queue.add_rate_limited(key)
            return
        self.queue.forget(key)
        after = result.requeue_after if isinstance(result, Result) else result
        if isinstance(after, int | float) and not isinstance(after, bool) and after > 0:
            self.queue.add_after(key, float(after))

    # -- what reconcile uses --------------------------------------------------------------------

    def get(self, key: str) -> dict | None:
        """The primary object `key` ("namespace/name") from the cache (a copy), or None."""
        obj = self.informer.get(key)
        return copy.deepcopy(obj) if obj is not None else None

    def owned_by(self, owner: dict, resource: str) -> list[dict]:
        """The cached objects of `resource` (one of `watches`) that `owner` controls."""
        uid = owner["metadata"]["uid"]
        return [copy.deepcopy(o) for o in self.owned[resource].by_index("controller", uid)]

    def ensure(self, owner: dict, obj: dict) -> Generator:
        """Create `obj` owned by `owner`, or bring the existing one's spec, labels and data to
        what `obj` says: the object as stored."""
        wanted = copy.deepcopy(obj)
        meta = wanted.setdefault("metadata", {})
        if owner["metadata"].get("namespace") and not meta.get("namespace"):
            meta["namespace"] = owner["metadata"]["namespace"]
        meta["ownerReferences"] = [owner_reference(owner)]
        try:
            created = yield from self.client.create(wanted)
            self._record("created", f"{wanted['kind'].lower()}/{cache_key(created)}")
            return created
        except AlreadyExistsError:
            pass
        for _ in range(CONFLICT_RETRIES):
            current = yield from self.client.get(resource_of(wanted),
                                                 meta["name"], meta.get("namespace"))
            # What the server defaulted is not a difference: only the fields `obj` sets count.
            if contains(current, {f: wanted[f] for f in ("spec", "data") if f in wanted}) \
                    and contains(current["metadata"], {
                        "labels": meta.get("labels", {}),
                        "ownerReferences": meta["ownerReferences"]}):
                return current
            changed = dict(current, **{f: wanted[f] for f in ("spec", "data") if f in wanted})
            changed["metadata"] = dict(current["metadata"],
                                       labels=meta.get("labels", current["metadata"].get(
                                           "labels", {})),
                                       ownerReferences=meta["ownerReferences"])
            try:
                return (yield from self.client.update(changed))
            except ConflictError:
                yield self.client.group.env.timeout(CONFLICT_WAIT)
        raise ConflictError(f"{self.name}: gave up updating {cache_key(wanted)} after "
                            f"{CONFLICT_RETRIES} conflicts")

    def update_status(self, obj: dict, status: dict) -> Generator:
        """Write `status` to obj's status subresource, re-reading and retrying on Conflict
        (client-go's retry.RetryOnConflict); the object as stored, or None if it is gone."""
        meta = obj["metadata"]
        current = obj
        for attempt in range(CONFLICT_RETRIES):
            if current.get("status") == status:
                return current
            try:
                return (yield from self.client.update_status(dict(current, status=status)))
            except ConflictError:
                if attempt == CONFLICT_RETRIES - 1:
                    raise
                yield self.client.group.env.timeout(CONFLICT_WAIT)
                current = yield from self.client.get(resource_of(obj),
                                                     meta["name"], meta.get("namespace"))
        return current

