"""A recording stand-in for the API server, for driving kubectl's writing verbs in unit tests.

Objects live in a dict; every request is logged; `sleep` moves a fake clock and runs the
`ticks` a test registers (a kubelet finishing a pod's termination, a controller writing a
Deployment's status), so a verb's waiting can be tested to the second.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Generator

from k8slab.api.kinds import resource_info
from k8slab.api.merge_patch import apply_merge_patch
from k8slab.api.timestamps import to_time
from k8slab.errors import ConflictError, NotFoundError


class FakeApi:
    """Objects by (resource, namespace, name); deletes of pods linger for their grace period
    when `graceful` is set, as the API server and kubelet make them."""

    def __init__(self, objects: list[dict] = (), graceful: bool = False) -> None:
        self.now = 0.0
        self.graceful = graceful
        self.objects: dict[tuple, dict] = {}
        self.requests: list[tuple] = []
        self.ticks: list[Callable[[FakeApi], None]] = []
        self.conflicts = 0  # this many updates fail with a Conflict first
        self._removals: list[tuple[float, tuple]] = []
        self._uids = 0
        for obj in objects:
            self.put(obj)

    # -- set-up and inspection -------------------------------------------------------------

    def put(self, obj: dict) -> dict:
        """Store a copy of `obj` (with a uid and resourceVersion if it has none)."""
        obj = copy.deepcopy(obj)
        meta = obj.setdefault("metadata", {})
        if "uid" not in meta:
            self._uids += 1
            meta["uid"] = f"uid-{self._uids}"
        meta["resourceVersion"] = str(int(meta.get("resourceVersion", "0")) + 1)
        self.objects[self._key_of(obj)] = obj
        return obj

    def stored(self, resource: str, name: str, namespace: str | None = "default") -> dict:
        """The stored object (KeyError when absent)."""
        return self.objects[(resource, namespace if resource_info(resource).namespaced else None,
                             name)]

    def verbs(self) -> list[str]:
        """The verbs requested so far, in order."""
        return [request[0] for request in self.requests]

    @staticmethod
    def _key_of(obj: dict) -> tuple:
        info = resource_info(obj["kind"])
        namespace = obj["metadata"].get("namespace") if info.namespaced else None
        return info.resource, namespace, obj["metadata"]["name"]

    # -- the Api the verbs call --------------------------------------------------------------

    def get(self, resource: str, name: str, namespace: str | None) -> Generator:
        self.requests.append(("get", resource, namespace, name))
        yield from ()
        key = (resource, namespace, name)
        if key not in self.objects:
            info = resource_info(resource)
            qualified = f"{info.resource}.{info.group}" if info.group else info.resource
            raise NotFoundError(f'{qualified} "{name}" not found')
        return copy.deepcopy(self.objects[key])

    def list(self, resource: str, namespace: str | None, field_selector: str = "") -> Generator:
        self.requests.append(("list", resource, namespace, field_selector))
        yield from ()
        node = field_selector.removeprefix("spec.nodeName=") if field_selector else None
        return [copy.deepcopy(obj) for key, obj in sorted(self.objects.items())
                if key[0] == resource and namespace in (None, key[1])
                and (node is None or (obj.get("spec") or {}).get("nodeName") == node)]

    def update(self, obj: dict) -> Generator:
        self.requests.append(("update", obj["kind"], obj["metadata"].get("namespace"),
                              obj["metadata"]["name"]))
        yield from ()
        if self.conflicts:
            self.conflicts -= 1
            raise ConflictError("the object has been modified; please apply your changes to "
                                "the latest version and try again")
        return self.put(obj)

    def patch(self, resource: str, name: str, namespace: str | None, patch_type: str,
              patch: object, field_manager: str = "", subresource: str = "") -> Generator:
        """A merge patch, applied as the API server would (other types are not faked)."""
        self.requests.append(("patch", resource, namespace, name, patch_type, patch,
                              field_manager))
        yield from ()
        assert patch_type == "application/merge-patch+json" and not subresource, patch_type
        current = yield from self.get(resource, name, namespace)
        self.requests.pop()  # the server's own read is no request of the client's
        wanted = (patch.get("metadata") or {}).get("resourceVersion")
        if wanted and wanted != current["metadata"]["resourceVersion"]:
            raise ConflictError("the object has been modified; please apply your changes to "
                                "the latest version and try again")
        return self.put(apply_merge_patch(current, patch))

    def delete(self, resource: str, name: str, namespace: str | None, *,
               grace_period_seconds: int | None = None,
               propagation_policy: str | None = None) -> Generator:
        self.requests.append(("delete", resource, namespace, name, grace_period_seconds,
                              propagation_policy))
        return (yield from self._remove((resource, namespace, name), grace_period_seconds))

    def evict(self, name: str, namespace: str, *,
              grace_period_seconds: int | None = None) -> Generator:
        self.requests.append(("evict", "pods", namespace, name, grace_period_seconds))
        return (yield from self._remove(("pods", namespace, name), grace_period_seconds))

    def sleep(self, seconds: float) -> Generator:
        self.requests.append(("sleep", seconds))
        yield from ()
        self.now += seconds
        for due, key in [entry for entry in self._removals if entry[0] <= self.now]:
            self.objects.pop(key, None)
            self._removals.remove((due, key))
        for tick in self.ticks:
            tick(self)

    def _remove(self, key: tuple, grace: int | None) -> Generator:
        yield from ()
        if key not in self.objects:
            raise NotFoundError(f'{key[0]} "{key[2]}" not found')
        obj = self.objects[key]
        if grace is None:
            grace = (obj.get("spec") or {}).get("terminationGracePeriodSeconds", 30)
        if not (self.graceful and key[0] == "pods" and grace > 0):
            return self.objects.pop(key)
        obj["metadata"]["deletionTimestamp"] = to_time(self.now + grace)
        obj["metadata"]["deletionGracePeriodSeconds"] = grace
        self._removals.append((self.now + grace, key))
        return copy.deepcopy(obj)


def drive(steps: Generator) -> object:
    """Run a verb's steps against a FakeApi (which never suspends) and return their value."""
    try:
        while True:
            next(steps)
    except StopIteration as stop:
        return stop.value


def pod(name: str, node: str = "worker-1", namespace: str = "default", **meta) -> dict:
    """A running pod bound to `node`; `meta` adds metadata (ownerReferences, annotations)."""
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": namespace, **meta},
            "spec": {"nodeName": node, "containers": [{"name": "c", "image": "nginx"}]},
            "status": {"phase": "Running"}}


def owned_by(kind: str, name: str, uid: str = "owner-uid") -> list[dict]:
    """ownerReferences naming a controller."""
    return [{"apiVersion": "apps/v1", "kind": kind, "name": name, "uid": uid,
             "controller": True, "blockOwnerDeletion": True}]
