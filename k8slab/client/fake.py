"""A fake API client for controller tests, as client-go's kubernetes/fake clientset.

It keeps objects in memory and records every action ("create pods default/web-x"), so a test
can feed a controller a state and check exactly which requests its sync made. It fills in only
what the API server would and the controllers read (uid, resourceVersion, creationTimestamp,
generation, names from generateName); it applies no defaults and no validation, and DELETE
removes at once (no grace period, no finalizers).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Generator

from k8slab.api.kinds import resource_info
from k8slab.api.timestamps import to_time
from k8slab.client.informer import cache_key
from k8slab.errors import AlreadyExistsError, ConflictError, NotFoundError
from k8slab.sim.host import ProcessGroup


def _answer(value: object) -> Generator:
    """A request the fake answers without taking simulated time."""
    yield from ()
    return value


class FakeClient:
    """An in-memory API: `objects[resource][key]`, `actions` as (verb, resource, key) tuples."""

    def __init__(self, group: ProcessGroup, user: str = "fake") -> None:
        self.group = group
        self.user = user
        self.objects: dict[str, dict[str, dict]] = {}
        self.actions: list[tuple[str, str, str]] = []
        self.revision = 0
        self._watchers: list[tuple[str, str | None, Callable[[dict], None]]] = []
        self._names = 0

    # -- seeding and reading the state (for tests) --------------------------------------------

    def add(self, obj: dict) -> dict:
        """Put an object in the store without recording an action (a test's starting state)."""
        return self._store(resource_info(obj["kind"]).resource, copy.deepcopy(obj), "ADDED")

    def stored(self, resource: str) -> list[dict]:
        """The objects of `resource` now, sorted by key."""
        found = self.objects.get(resource, {})
        return [found[k] for k in sorted(found)]

    def writes(self) -> list[tuple[str, str, str]]:
        """The recorded actions that changed something (everything but get, list and watch)."""
        return [a for a in self.actions if a[0] not in ("get", "list", "watch")]

    # -- the Client's interface --------------------------------------------------------------

    def create(self, obj: dict) -> Generator:
        """POST: stores a copy, naming it from generateName if it has no name."""
        obj = copy.deepcopy(obj)
        meta = obj["metadata"]
        resource = resource_info(obj["kind"]).resource
        if not meta.get("name") and meta.get("generateName"):
            self._names += 1
            meta["name"] = f"{meta['generateName']}{self._names:05d}"
        key = cache_key(obj)
        self.actions.append(("create", resource, key))
        if key in self.objects.get(resource, {}):
            raise AlreadyExistsError(f'{resource} "{meta["name"]}" already exists')
        meta.setdefault("uid", f"uid-{resource}-{key}")
        meta.setdefault("creationTimestamp", to_time(self.group.sim.now))
        meta.setdefault("generation", 1)
        return _answer(copy.deepcopy(self._store(resource, obj, "ADDED")))

    def get(self, resource: str, name: str, namespace: str | None = None) -> Generator:
        """GET one object, or NotFound."""
        key = f"{namespace}/{name}" if namespace else name
        self.actions.append(("get", resource, key))
        return _answer(copy.deepcopy(self._existing(resource, key, name)))

    def list(self, resource: str, namespace: str | None = None, field_selector: str = "",
             resource_version: str = "", **_options: object) -> Generator:
        """LIST: (items, resourceVersion); selectors are not applied by the fake."""
        self.actions.append(("list", resource, namespace or ""))
        items = [copy.deepcopy(o) for o in self.stored(resource)
                 if not namespace or o["metadata"].get("namespace") == namespace]
        return _answer((items, str(self.revision)))

    def update(self, obj: dict) -> Generator:
        """PUT: replaces the object; a stale resourceVersion is a Conflict."""
        return self._replace(obj, "update")

    def update_status(self, obj: dict) -> Generator:
        """PUT status: replaces only the status."""
        return self._replace(obj, "update_status")

    def bind(self, namespace: str, name: str, node: str) -> Generator:
        """POST pods/binding: sets spec.nodeName."""
        key = f"{namespace}/{name}"
        self.actions.append(("bind", "pods", key))
        pod = copy.deepcopy(self._existing("pods", key, name))
        pod["spec"]["nodeName"] = node
        return _answer(self._store("pods", pod, "MODIFIED"))

    def delete(self, resource: str, name: str, namespace: str | None = None,
               **_options: object) -> Generator:
        """DELETE: removes the object at once and returns it."""
        key = f"{namespace}/{name}" if namespace else name
        self.actions.append(("delete", resource, key))
        obj = self._existing(resource, key, name)
        del self.objects[resource][key]
        self.revision += 1
        self._notify(resource, "DELETED", obj)
        return _answer(obj)

    def watch(self, resource: str, resource_version: str, on_event: Callable[[dict], None],
              on_close: Callable[[str], None], namespace: str | None = None,
              field_selector: str = "", **_selectors: str) -> None:
        """Deliver every later change of `resource` to `on_event`, at once."""
        self.actions.append(("watch", resource, namespace or ""))
        self._watchers.append((resource, namespace, on_event))

    # -- internals -----------------------------------------------------------------------------

    def _existing(self, resource: str, key: str, name: str) -> dict:
        found = self.objects.get(resource, {}).get(key)
        if found is None:
            raise NotFoundError(f'{resource} "{name}" not found')
        return found

    def _replace(self, obj: dict, verb: str) -> Generator:
        resource = resource_info(obj["kind"]).resource
        key = cache_key(obj)
        self.actions.append((verb, resource, key))
        current = self._existing(resource, key, obj["metadata"]["name"])
        wanted = obj["metadata"].get("resourceVersion")
        if wanted and wanted != current["metadata"]["resourceVersion"]:
            raise ConflictError(f'Operation cannot be fulfilled on {resource} '
                                f'"{obj["metadata"]["name"]}": the object has been modified')
        new = copy.deepcopy(obj)
        if verb == "update_status":
            new = dict(copy.deepcopy(current), status=new.get("status", {}))
        else:
            if "status" in current:
                new["status"] = copy.deepcopy(current["status"])
            if new.get("spec") != current.get("spec"):
                new["metadata"]["generation"] = current["metadata"].get("generation", 1) + 1
        return _answer(copy.deepcopy(self._store(resource, new, "MODIFIED")))

    def _store(self, resource: str, obj: dict, event: str) -> dict:
        self.revision += 1
        obj["metadata"]["resourceVersion"] = str(self.revision)
        self.objects.setdefault(resource, {})[cache_key(obj)] = obj
        self._notify(resource, event, obj)
        return obj

    def _notify(self, resource: str, event: str, obj: dict) -> None:
        for watched, namespace, on_event in list(self._watchers):
            if watched == resource and namespace in (None, obj["metadata"].get("namespace")):
                on_event({"type": event, "object": copy.deepcopy(obj)})
