"""How the API server keeps objects in etcd: one key per object, JSON values, optimistic updates.

Keys look like `/registry/pods/<namespace>/<name>` (nodes live under `/registry/minions/`,
upstream's historic prefix). resourceVersion is not stored: it *is* the key's etcd mod_revision.
This is the one place that speaks etcd's client API, and the one place that turns etcd's errors
into Kubernetes `Status` errors, as upstream's apiserver/pkg/storage/etcd3 does.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Generator, Sequence

import yaml

from k8slab.api.kinds import Kind, registry_key, registry_prefix
from k8slab.apiserver.object_copy import json_copy
from k8slab.errors import (
    AlreadyExistsError,
    APIError,
    ConflictError,
    GoneError,
    NotFoundError,
    UnknownError,
)
from k8slab.etcd.client import EtcdClient, op_delete, op_put
from k8slab.etcd.errors import CompactedError, EtcdError
from k8slab.etcd.wire import Compare, KeyValue, WatchResponse, prefix_end
from k8slab.sim.errors import UnreachableError
from k8slab.sim.host import ProcessGroup
from k8slab.sim.network import Stream

# storage/etcd3/lease_manager.go: a lease is reused for 5% of its TTL (3 min for an Event's
# hour), and granted that much longer, so an object lives between TTL and TTL + 5%.
LEASE_REUSE_PERCENT = 0.05
# storage/etcd3/errors.go interpretListError: a read at a compacted revision.
EXPIRED_LIST = "The resourceVersion for the provided list is too old."
HEALTH_KEY = "/registry/health"  # what the /healthz etcd check reads


def encode(obj: dict) -> str:
    """The value stored in etcd: the object without its resourceVersion."""
    meta = {k: v for k, v in obj.get("metadata", {}).items() if k != "resourceVersion"}
    return json.dumps(dict(obj, metadata=meta), separators=(",", ":"))


def decode(kv: KeyValue) -> dict:
    """An object read from etcd, with resourceVersion set to the key's mod_revision.

    A value that is no object (someone wrote it with etcdctl) is a 500 in the decoder's words:
    with AllowUnsafeMalformedObjectDeletion off, as in v1.35 (alpha since 1.32), upstream's
    store returns the decode error as it is, which names no key.
    """
    obj = _parse(kv.value)
    if not isinstance(obj, dict) or "kind" not in obj:
        raise UnknownError(_undecodable(obj, kv.value))
    if not isinstance(obj.get("metadata"), dict):
        raise UnknownError(f"json: cannot unmarshal {_go_type(obj.get('metadata'))} into Go "
                           f"struct field {obj['kind']}.metadata of type v1.ObjectMeta")
    obj["metadata"]["resourceVersion"] = str(kv.mod_revision)
    return obj


_GO_FIND_KIND = ('struct { APIVersion string "json:\\"apiVersion,omitempty\\""; '
                 'Kind string "json:\\"kind,omitempty\\"" }')


def _parse(value: str | bytes) -> object:
    # The storage codec tries JSON, then YAML (apimachinery's recognizer); either may fail.
    try:
        return json.loads(value)
    except ValueError:
        try:
            return yaml.safe_load(value)
        except yaml.YAMLError as error:
            return _Unparsable(str(getattr(error, "problem", None) or error))


class _Unparsable(str):
    """What YAML said about a value it could not read."""


def _go_type(value: object) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    return {str: "string", list: "array", dict: "object"}.get(type(value), "null" if value is None
                                                               else "string")


def _undecodable(obj: object, raw: str | bytes) -> str:
    """The codec's words for a value that is not a Kubernetes object (json.go's Interpret)."""
    if isinstance(obj, _Unparsable):  # the problem in PyYAML's words, not go-yaml's
        return f"error converting YAML to JSON: yaml: {obj}"
    if isinstance(obj, dict):
        text = raw if isinstance(raw, str) else raw.decode("utf-8", "replace")
        return f"Object 'Kind' is missing in '{text}'"
    return (f"couldn't get version/kind; json parse error: json: cannot unmarshal "
            f"{_go_type(obj)} into Go value of type {_GO_FIND_KIND}")


def _compact(value: object) -> object:
    # What survives Go's decode and encode: an empty map or list is left out (omitempty).
    if isinstance(value, dict):
        kept = {k: _compact(v) for k, v in value.items()}
        return {k: v for k, v in kept.items() if v not in ({}, [])}
    if isinstance(value, list):
        return [_compact(v) for v in value]
    return value


def _unchanged(old: dict, new: dict) -> bool:
    """Whether an update would store what is stored already (resourceVersion aside), compared
    as upstream compares the encoded bytes: empty maps and lists count as absent."""
    def without_version(obj: dict) -> dict:
        meta = {k: v for k, v in obj.get("metadata", {}).items() if k != "resourceVersion"}
        return dict(obj, metadata=meta)
    return _compact(without_version(old)) == _compact(without_version(new))


def qualified(kind: Kind) -> str:
    """The resource as errors name it: `pods`, or `leases.coordination.k8s.io` for a group."""
    return f"{kind.resource}.{kind.group}" if kind.group else kind.resource


def conflict_message(kind: Kind, name: str) -> str:
    """Upstream's words for a stale update (apimachinery errors.NewConflict + storage)."""
    return (
        f'Operation cannot be fulfilled on {qualified(kind)} "{name}": the object has been '
        "modified; please apply your changes to the latest version and try again"
    )


def precondition_message(kind: Kind, name: str, failed: str) -> str:
    """A failed storage precondition as the API answers it (storage.NewInvalidObjError, which
    etcd3's store returns and InterpretDeleteError turns into a Conflict)."""
    return (f'Operation cannot be fulfilled on {qualified(kind)} "{name}": '
            f"Precondition failed: {failed}")


def interpret_error(error: EtcdError | UnreachableError) -> APIError:
    """The `Status` error the API server answers for what etcd, or the way to it, said.

    A compacted revision is 410 Gone with reason Expired (etcd3/errors.go interpretListError);
    any other error keeps its own words in a 500 with no reason, as upstream's
    responsewriters.ErrorToAPIStatus does for an error that is not a Status (kubectl prints
    "Error from server: etcdserver: request timed out").
    """
    if isinstance(error, CompactedError):
        return GoneError(EXPIRED_LIST)
    return UnknownError(error.message)


def _interpreted(steps: Generator) -> Generator:
    """Run an etcd client call; its etcd or network error comes out as a `Status` error."""
    try:
        return (yield from steps)
    except (EtcdError, UnreachableError) as error:
        raise interpret_error(error) from None


class Storage:
    """Create, read, update and delete objects of any kind in etcd."""

    def __init__(self, etcd: EtcdClient) -> None:
        self.etcd = etcd
        # One lease manager per TTL, as upstream has one per resource's store (Events' 1 h,
        # master leases' 15 s): ttl asked -> (lease id, granted at).
        self._leases: dict[int, tuple[int, float]] = {}

    @classmethod
    def connect(cls, group: ProcessGroup, servers: str | Sequence[str]) -> Storage:
        """Storage through a new etcd client of `group` to `servers` (--etcd-servers)."""
        return cls(EtcdClient(group, servers))

    def get(self, kind: Kind, namespace: str | None, name: str) -> Generator:
        """The stored object, or NotFound."""
        key = registry_key(kind, namespace, name)
        answer = yield from _interpreted(self.etcd.get(key))
        if not answer.kvs:
            raise NotFoundError(f'{qualified(kind)} "{name}" not found')
        return decode(answer.kvs[0])

    def list(self, kind: Kind, namespace: str | None, *, from_cache: bool = False) -> Generator:
        """Every object of `kind` (in `namespace`, or all): (items, list resourceVersion).

        An undecodable value fails the list (upstream's store aborts on it), unless the list is
        `from_cache`: a list at resourceVersion "0", which upstream serves from the watch cache,
        which never held the object it could not decode.
        """
        answer = yield from _interpreted(self.etcd.get(registry_prefix(kind, namespace),
                                                       prefix=True))
        if from_cache:
            return list(self._decodable(answer.kvs).values()), str(answer.revision)
        return [decode(kv) for kv in answer.kvs], str(answer.revision)

    def list_from(self, prefix: str, start: str, revision: int) -> Generator:
        """The objects under `prefix` from key `start` on, as of etcd `revision` (0: latest),
        decoded per request: a list the watch cache hands to etcd. Returns (key, object)
        pairs in key order and the revision read at; a compacted revision is 410 Gone."""
        answer = yield from _interpreted(self.etcd.get(start, range_end=prefix_end(prefix),
                                                       revision=revision))
        return [(kv.key, decode(kv)) for kv in answer.kvs], revision or answer.revision

    def current_revision(self, prefix: str) -> Generator:
        """etcd's revision now, from a linearizable read that returns no key (a count-only
        range, as upstream's GetCurrentResourceVersion asks): where a consistent read must
        start."""
        answer = yield from _interpreted(self.etcd.get(prefix, prefix=True, count_only=True))
        return answer.revision

    def _decodable(self, kvs: Sequence[KeyValue],
                   failed: dict[str, str] | None = None) -> dict[str, dict]:
        """The objects of `kvs` by key, leaving out (and tracing, and noting in `failed`) the
        values not decodable."""
        objects = {}
        for kv in kvs:
            try:
                objects[kv.key] = decode(kv)
            except UnknownError as error:
                self._decode_failed(kv.key, error)
                if failed is not None:
                    failed[kv.key] = error.message
        return objects

    def _decode_failed(self, key: str, error: UnknownError) -> None:
        # The cacher logs the key it could not decode and counts it in
        # apiserver_storage_decode_errors_total; the trace is our log.
        group = self.etcd.group
        group.sim.record(group.host.name, "apiserver", "decode error", key, error=error.message)

    def create(self, kind: Kind, obj: dict, ttl: int | None = None) -> Generator:
        """Store a new object; AlreadyExists if the key is taken (a Txn on create_revision == 0).

        With `ttl` (seconds) the key is attached to an etcd lease, so etcd deletes it when the
        lease runs out: how Events disappear after --event-ttl.
        """
        meta = obj["metadata"]
        key = registry_key(kind, meta.get("namespace"), meta["name"])
        lease = (yield from self._lease_for(ttl)) if ttl else 0
        result = yield from _interpreted(self.etcd.txn(
            [Compare(key, "create", "=", 0)], [op_put(key, encode(obj), lease=lease)]))
        if not result.succeeded:
            raise AlreadyExistsError(f'{qualified(kind)} "{meta["name"]}" already exists')
        return dict(obj, metadata=dict(meta, resourceVersion=str(result.revision)))

    def _lease_for(self, ttl: int) -> Generator:
        # lease_manager.go GetLease: reuse the last lease while it is young enough.
        now = self.etcd.group.sim.now
        reuse = int(ttl * LEASE_REUSE_PERCENT)
        held = self._leases.get(ttl)
        if held and now - held[1] < reuse:
            return held[0]
        granted = yield from _interpreted(self.etcd.lease_grant(ttl + reuse))
        self._leases[ttl] = (granted.id, now)
        return granted.id

    def put_with_ttl(self, kind: Kind, obj: dict, ttl: int) -> Generator:
        """Write an object whatever was there, on an etcd lease of `ttl` seconds: the master
        leases each API server renews (storage.GuaranteedUpdate with a TTL, upstream)."""
        meta = obj["metadata"]
        key = registry_key(kind, meta.get("namespace"), meta["name"])
        lease = yield from self._lease_for(ttl)
        yield from _interpreted(self.etcd.put(key, encode(obj), lease=lease))

    def update(self, kind: Kind, obj: dict, mutate: Callable[[dict], dict],
               admit: Callable[[dict, dict], Generator] | None = None) -> Generator:
        """Replace an object with `mutate(current)`; a stale resourceVersion is a Conflict.

        `obj` names the object and may carry the resourceVersion the caller read; the write is a
        Txn guarded by the current mod_revision, so two writers can never both win. `admit`
        (admission) gets the new object and the stored one and returns what to write.
        """
        old, updated = yield from self._updated(kind, obj, mutate, admit)
        meta = old["metadata"]
        name, key = meta["name"], registry_key(kind, meta.get("namespace"), meta["name"])
        mod = int(meta["resourceVersion"])
        if _unchanged(old, updated):  # GuaranteedUpdate writes nothing, answers what is stored
            return old
        # ignore_lease: an object keeps its lease (an Event its TTL; simplified: upstream grants
        # an updated Event a fresh one).
        result = yield from _interpreted(self.etcd.txn(
            [Compare(key, "mod", "=", mod)], [op_put(key, encode(updated), ignore_lease=True)]))
        if not result.succeeded:
            raise ConflictError(conflict_message(kind, name))
        updated["metadata"]["resourceVersion"] = str(result.revision)
        return updated

    def _updated(self, kind: Kind, obj: dict, mutate: Callable[[dict], dict],
                 admit: Callable[[dict, dict], Generator] | None) -> Generator:
        """GuaranteedUpdate's try: (the stored object, what the update makes of it), after
        checking the resourceVersion the caller read (a Conflict if it is stale)."""
        meta = obj["metadata"]
        name, namespace = meta["name"], meta.get("namespace")
        current = yield from self.get(kind, namespace, name)
        wanted_rv = meta.get("resourceVersion")
        if wanted_rv and wanted_rv != current["metadata"]["resourceVersion"]:
            raise ConflictError(conflict_message(kind, name))
        old = json_copy(current)  # decoded JSON, as stored
        updated = mutate(current)  # freshly decoded from etcd: ours to change
        if admit is not None:
            updated = yield from admit(updated, old)
        return old, updated

    def delete(self, kind: Kind, namespace: str | None, name: str, *, uid: str | None = None,
               resource_version: str | None = None) -> Generator:
        """Remove an object; returns what was deleted.

        `uid` and `resource_version` are storage preconditions: the object read must still have
        them, or the delete is a Conflict (storage.Preconditions.Check's words), as a delete
        that raced a re-creation or a write must fail rather than remove the newer object.
        """
        current = yield from self._deletable(kind, namespace, name, uid, resource_version)
        key = registry_key(kind, namespace, name)
        mod = int(current["metadata"]["resourceVersion"])
        result = yield from _interpreted(self.etcd.txn(
            [Compare(key, "mod", "=", mod)], [op_delete(key)]))
        if not result.succeeded:
            raise ConflictError(conflict_message(kind, name))
        return current

    def _deletable(self, kind: Kind, namespace: str | None, name: str, uid: str | None,
                   resource_version: str | None) -> Generator:
        """The stored object, checked against a delete's preconditions (Preconditions.Check)."""
        current = yield from self.get(kind, namespace, name)
        meta = current["metadata"]
        if uid is not None and uid != meta.get("uid"):
            raise ConflictError(precondition_message(
                kind, name, f"UID in precondition: {uid}, UID in object meta: {meta.get('uid')}"))
        if resource_version is not None and resource_version != meta["resourceVersion"]:
            raise ConflictError(precondition_message(
                kind, name, f"ResourceVersion in precondition: {resource_version}, "
                f"ResourceVersion in object meta: {meta['resourceVersion']}"))
        return current

    # -- what the watch cache, the compactor and /healthz need --------------------------------

    def list_all(self, prefix: str) -> Generator:
        """Every object under `prefix`, by etcd key, the revision read at, and the decoder's
        error for each value it could not read: the watch cache's list."""
        answer = yield from _interpreted(self.etcd.get(prefix, prefix=True))
        failed: dict[str, str] = {}
        return self._decodable(answer.kvs, failed), answer.revision, failed

    def watch_all(self, prefix: str, start_revision: int,
                  on_change: Callable[[str, dict | None, int, str | None], None],
                  on_close: Callable[[str], None]) -> Stream:
        """Call `on_change(key, object or None if deleted, revision, decode error)` for every
        change under `prefix` from `start_revision` on; `on_close(reason)` when the watch ends.
        A value that cannot be decoded is traced and passed on as None with the decoder's
        error: the cache does not hold it."""

        def on_message(message: WatchResponse) -> None:
            for event in message.events:
                obj, failure = None, None
                if event.type == "PUT":
                    try:
                        obj = decode(event.kv)
                    except UnknownError as error:
                        # Simplified: the cache treats it as gone; upstream's watch sends an
                        # error and the cacher re-lists.
                        self._decode_failed(event.kv.key, error)
                        failure = error.message
                on_change(event.kv.key, obj, event.kv.mod_revision, failure)

        group = self.etcd.group  # the API server's: an error here crashes kube-apiserver
        return self.etcd.watch(prefix, start_revision, group.guarded(on_message),
                               group.guarded(on_close), prefix=True)

    def compact(self, revision: int) -> Generator:
        """Compact etcd's history before `revision` (what --etcd-compaction-interval runs)."""
        yield from _interpreted(self.etcd.compact(revision))

    def check_health(self) -> Generator:
        """Read one key from etcd: the etcd check of /healthz."""
        yield from _interpreted(self.etcd.get(HEALTH_KEY))
