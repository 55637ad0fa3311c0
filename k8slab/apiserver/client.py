"""The client every component uses to reach the API server (client-go's role), and informers.

An informer lists a resource, then watches it from the list's resourceVersion, keeping a local
cache and calling handlers on add, update and delete. When the watch breaks it lists again.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Generator

from k8slab.api.kinds import resource_info
from k8slab.errors import K8sLabError, UnavailableError
from k8slab.sim.errors import UnreachableError
from k8slab.sim.host import ProcessGroup
from k8slab.sim.network import Stream

API_PORT = 6443
# client-go reflector back-off: 800 ms initial, doubling, capped at 30 s (tools/cache/reflector.go).
BACKOFF_INITIAL = 0.8
BACKOFF_MAX = 30.0


class Client:
    """Requests to the API server on `server` (a host name), made as `user`."""

    def __init__(self, group: ProcessGroup, user: str, server: str) -> None:
        self.group = group
        self.user = user
        self.server = server
        self._network = group.host.network

    def request(self, verb: str, resource: str, **fields) -> Generator:
        """Send one request and return the answer; API errors come back as exceptions.

        A request the network could not carry (refused, timed out) is an UnavailableError with
        the network's words, as client-go reports a failed connection.
        """
        request = {"verb": verb, "resource": resource, "user": self.user, **fields}
        try:
            return (yield from self._network.rpc(self.group.host.name, self.server, API_PORT,
                                                 request))
        except UnreachableError as error:
            raise UnavailableError(error.message) from None

    def create(self, obj: dict) -> Generator:
        """POST a new object."""
        resource = resource_info(obj["kind"]).resource
        namespace = obj["metadata"].get("namespace")
        return (yield from self.request("create", resource, namespace=namespace, body=obj))

    def get(self, resource: str, name: str, namespace: str | None = None) -> Generator:
        """GET one object."""
        return (yield from self.request("get", resource, namespace=namespace, name=name))

    def list(self, resource: str, namespace: str | None = None, field_selector: str = ""):
        """LIST objects: returns (items, resourceVersion)."""
        answer = yield from self.request(
            "list", resource, namespace=namespace, field_selector=field_selector
        )
        return answer["items"], answer["resourceVersion"]

    def update(self, obj: dict) -> Generator:
        """PUT an object (spec and metadata); a stale resourceVersion is a Conflict."""
        return (yield from self.request("update", resource_info(obj["kind"]).resource, body=obj))

    def update_status(self, obj: dict) -> Generator:
        """PUT the status subresource."""
        resource = resource_info(obj["kind"]).resource
        return (yield from self.request("update_status", resource, body=obj))

    def bind(self, namespace: str, name: str, node: str) -> Generator:
        """POST pods/binding: assign a pod to a node."""
        return (yield from self.request("bind", "pods", namespace=namespace, name=name, node=node))

    def delete(self, resource: str, name: str, namespace: str | None = None) -> Generator:
        """DELETE an object."""
        return (yield from self.request("delete", resource, namespace=namespace, name=name))

    def watch(
        self,
        resource: str,
        resource_version: str,
        on_event: Callable[[dict], None],
        on_close: Callable[[str], None],
        namespace: str | None = None,
        field_selector: str = "",
    ) -> Stream:
        """Open a watch stream from `resource_version`."""
        request = {
            "verb": "watch",
            "resource": resource,
            "namespace": namespace,
            "field_selector": field_selector,
            "resource_version": resource_version,
            "user": self.user,
        }
        return self._network.open_stream(
            self.group.host.name, self.server, API_PORT, request, on_event, on_close
        )


def cache_key(obj: dict) -> str:
    """`namespace/name` for namespaced objects, `name` otherwise (client-go's MetaNamespaceKey)."""
    meta = obj["metadata"]
    return f"{meta['namespace']}/{meta['name']}" if meta.get("namespace") else meta["name"]


class Informer:
    """A local, watched copy of one resource; handlers run on every change."""

    def __init__(
        self,
        client: Client,
        resource: str,
        *,
        namespace: str | None = None,
        field_selector: str = "",
    ) -> None:
        self.client = client
        self.resource = resource
        self.namespace = namespace
        self.field_selector = field_selector
        self.cache: dict[str, dict] = {}
        self.synced = False
        self.on_add: list[Callable[[dict], None]] = []
        self.on_update: list[Callable[[dict, dict], None]] = []
        self.on_delete: list[Callable[[dict], None]] = []
        self._rng = client.group.sim.rng(
            f"informer/{client.group.host.name}/{client.user}/{resource}"
        )

    def start(self) -> None:
        """Run the list-and-watch loop in the client's process group."""
        self.client.group.spawn(self._run())

    def _run(self) -> Generator:
        env = self.client.group.env
        backoff = BACKOFF_INITIAL
        while True:
            try:
                items, rv = yield from self.client.list(
                    self.resource, self.namespace, self.field_selector
                )
            except K8sLabError:
                yield env.timeout(backoff * (1 + self._rng.random()))
                backoff = min(backoff * 2, BACKOFF_MAX)
                continue
            backoff = BACKOFF_INITIAL
            self._replace(items)
            self.synced = True
            closed = env.event()
            self.client.watch(
                self.resource,
                rv,
                self._on_event,
                lambda reason, done=closed: done.succeed(reason),
                self.namespace,
                self.field_selector,
            )
            yield closed
            yield env.timeout(BACKOFF_INITIAL * (1 + self._rng.random()))

    def _replace(self, items: list[dict]) -> None:
        fresh = {cache_key(obj): obj for obj in items}
        for key in [k for k in self.cache if k not in fresh]:
            self._emit_delete(self.cache.pop(key))
        for key, obj in fresh.items():
            old = self.cache.get(key)
            if old is None:
                self.cache[key] = obj
                self._emit_add(obj)
            elif old["metadata"].get("resourceVersion") != obj["metadata"].get("resourceVersion"):
                self.cache[key] = obj
                self._emit_update(old, obj)

    def _on_event(self, event: dict) -> None:
        kind = event["type"]
        if kind == "ERROR":
            return  # the server closes the stream right after; the loop re-lists
        obj = copy.deepcopy(event["object"])
        key = cache_key(obj)
        old = self.cache.get(key)
        if kind == "DELETED":
            if old is not None:
                del self.cache[key]
                self._emit_delete(obj)
        elif old is None:
            self.cache[key] = obj
            self._emit_add(obj)
        else:
            self.cache[key] = obj
            self._emit_update(old, obj)

    def _emit_add(self, obj: dict) -> None:
        for handler in self.on_add:
            handler(obj)

    def _emit_update(self, old: dict, new: dict) -> None:
        for handler in self.on_update:
            handler(old, new)

    def _emit_delete(self, obj: dict) -> None:
        for handler in self.on_delete:
            handler(obj)

    def list(self) -> list[dict]:
        """Every cached object, sorted by key."""
        return [self.cache[k] for k in sorted(self.cache)]
