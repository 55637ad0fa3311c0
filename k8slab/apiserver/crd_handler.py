"""Serving custom resources: create, get, list, update, the status and scale subresources, delete.

apiextensions-apiserver pkg/registry/customresource (strategy.go, status_strategy.go,
scale via CustomResourceSubresourceScale) and pkg/apiserver/customresource_handler.go. A body
is pruned and defaulted by the request version's schema, validated, admitted, and stored in the
storage version (conversion strategy None: only apiVersion is rewritten). What is read from etcd
is pruned and defaulted by the storage version's schema and shown in the requested version.
With the status subresource, a write to the object keeps the stored status and a write to
/status keeps everything else; metadata.generation counts spec changes only.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Callable, Generator

from k8slab.api.custom_kinds import (
    prepare,
    storage_version,
    validate_custom_object,
    version_named,
    version_of,
)
from k8slab.api.kinds import Kind
from k8slab.api.timestamps import to_time
from k8slab.apiserver.admission import (
    CREATE,
    DELETE,
    UPDATE,
    AdmissionChain,
    AdmissionRequest,
)
from k8slab.apiserver.crd_finalizer import TERMINATING_CREATE
from k8slab.apiserver.deletion import Deleter, parse_options
from k8slab.apiserver.label_selectors import labels_match, parse_label_selector
from k8slab.apiserver.managed_fields import record_update
from k8slab.apiserver.request_info import Attributes
from k8slab.apiserver.selectors import matches, parse_field_selector
from k8slab.apiserver.storage import Storage
from k8slab.apiserver.writes import GENERATE_NAME_ALPHABET
from k8slab.errors import BadRequestError, ForbiddenError, NotFoundError

# The metadata a client may change on update; the rest is the server's (as for built-ins).
CLIENT_METADATA = (("labels", {}), ("annotations", {}), ("ownerReferences", []),
                   ("finalizers", []), ("managedFields", []))


def subresources(crd: dict, kind: Kind) -> dict:
    """The version's subresources: {"status": {}, "scale": {...}} or a part of it."""
    return version_named(crd, version_of(kind)).get("subresources") or {}


def get_path(obj: dict, path: str) -> object:
    """The value at a simple JSONPath such as `.spec.replicas`, or None."""
    value: object = obj
    for part in path.strip(".").split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def set_path(obj: dict, path: str, value: object) -> None:
    """Write `value` at a simple JSONPath, creating the objects on the way."""
    parts = path.strip(".").split(".")
    target = obj
    for part in parts[:-1]:
        target = target.setdefault(part, {})
    target[parts[-1]] = value


class CustomResourceHandler:
    """The REST handler of every custom kind one API server serves."""

    def __init__(self, storage: Storage, admission: AdmissionChain, deleter: Deleter, rng,
                 now: Callable[[], float]) -> None:
        self.storage = storage
        self.admission = admission
        self.deleter = deleter
        self._rng = rng
        self.now = now

    def handle(self, kind: Kind, crd: dict, namespace: str | None, request: dict,
               attributes: Attributes) -> Generator:
        """One request for a custom resource (authorized already): dispatch by verb."""
        verb = request["verb"]
        if verb == "create":
            return (yield from self.create(kind, crd, namespace, request["body"], attributes))
        if verb == "get":
            return (yield from self.get(kind, crd, namespace, request["name"]))
        if verb == "list":
            return (yield from self.list(kind, crd, namespace, request))
        if verb in ("update", "update_status"):
            updated = yield from self.update(kind, crd, request["body"], attributes,
                                             status_only=verb == "update_status")
            # An update that took the last finalizer off a deleted object removes it.
            return (yield from self.deleter.finish_after_update(kind, updated))
        if verb == "scale":
            return (yield from self.get_scale(kind, crd, namespace, request["name"]))
        if verb == "update_scale":
            return (yield from self.update_scale(kind, crd, namespace, request["name"],
                                                 request.get("body"), attributes))
        if verb == "delete":
            old = yield from self.storage.get(kind, namespace, request["name"])
            review = AdmissionRequest(DELETE, kind, attributes, None, old)
            yield from self.admission.mutate(review)
            yield from self.admission.validate(review)
            deleted = yield from self.deleter.delete(kind, namespace, request["name"],
                                                     parse_options(request.get("options")))
            return self.served(kind, crd, deleted)
        raise BadRequestError(f"{verb} is not served for custom resources ({kind.resource})")

    def served(self, kind: Kind, crd: dict, stored: dict) -> dict:
        """An object from etcd as the request's version shows it: pruned and defaulted by the
        storage schema, apiVersion rewritten (conversion None)."""
        obj = prepare(stored, crd, storage_version(crd))
        obj["apiVersion"] = kind.api_version
        return obj

    def _stored(self, crd: dict, obj: dict) -> dict:
        group = crd["spec"]["group"]
        return dict(obj, apiVersion=f"{group}/{storage_version(crd)}")

    def _decoded(self, kind: Kind, crd: dict, body: object) -> dict:
        if not isinstance(body, dict) or not isinstance(body.get("metadata", {}), dict):
            raise BadRequestError(f"a {kind.kind} is a JSON object with metadata, got {body!r}")
        if body.get("apiVersion") != kind.api_version or body.get("kind") != kind.kind:
            raise BadRequestError(
                f"the API version in the data ({body.get('apiVersion')}) does not match the "
                f"expected API version ({kind.api_version}) for kind {kind.kind}")
        obj = prepare(body, crd, version_of(kind))
        obj.setdefault("metadata", {})
        return obj

    def get(self, kind: Kind, crd: dict, namespace: str | None, name: str) -> Generator:
        """GET one object."""
        return self.served(kind, crd, (yield from self.storage.get(kind, namespace, name)))

    def list(self, kind: Kind, crd: dict, namespace: str | None, request: dict) -> Generator:
        """LIST, with field and label selectors, from the cache at resourceVersion "0"."""
        selector = parse_field_selector(request.get("field_selector"))
        labels = parse_label_selector(request.get("label_selector"))
        items, rv = yield from self.storage.list(
            kind, namespace, from_cache=request.get("resource_version") == "0")
        chosen = [self.served(kind, crd, o) for o in items
                  if matches(o, selector) and labels_match(o, labels)]
        return {"items": chosen, "resourceVersion": rv}

    def create(self, kind: Kind, crd: dict, namespace: str | None, body: dict,
               attributes: Attributes, *, manage_fields: bool = True) -> Generator:
        """POST: prune, default, admit, name, validate, admit again, store (managedFields given
        to the creator unless `manage_fields` is False: server-side apply wrote them)."""
        obj = self._decoded(kind, crd, body)
        meta = obj["metadata"]
        if (crd.get("metadata") or {}).get("deletionTimestamp"):
            raise ForbiddenError(f'{kind.resource}.{kind.group} "{meta.get("name", "")}" is '
                                 f"forbidden: {TERMINATING_CREATE}")
        if kind.namespaced:
            meta["namespace"] = namespace or meta.get("namespace") or "default"
        else:
            meta.pop("namespace", None)
        if manage_fields:
            record_update(kind, None, obj, attributes.field_manager, to_time(self.now()),
                          status_subresource="status" in subresources(crd, kind))
        if "status" in subresources(crd, kind):
            obj.pop("status", None)  # customResourceStrategy.PrepareForCreate
        review = AdmissionRequest(CREATE, kind, attributes, obj)
        yield from self.admission.mutate(review)
        obj = review.obj
        meta = obj["metadata"]
        if not meta.get("name") and meta.get("generateName"):
            meta["name"] = meta["generateName"] + "".join(
                self._rng.choice(GENERATE_NAME_ALPHABET) for _ in range(5))
        meta["generation"] = 1
        validate_custom_object(obj, kind, crd)
        yield from self.admission.validate(review)
        meta["uid"] = str(uuid.UUID(int=self._rng.getrandbits(128), version=4))
        meta["creationTimestamp"] = to_time(self.now())
        meta.pop("resourceVersion", None)
        created = yield from self.storage.create(kind, self._stored(crd, obj))
        return self.served(kind, crd, created)

    def update(self, kind: Kind, crd: dict, body: dict, attributes: Attributes, *,
               status_only: bool = False, manage_fields: bool = True) -> Generator:
        """PUT the object, or its /status: each keeps what the other one writes (and the
        writer's managedFields entry, unless server-side apply wrote them)."""
        with_status = "status" in subresources(crd, kind)
        if status_only and not with_status:
            raise NotFoundError("the server could not find the requested resource")
        new_body = self._decoded(kind, crd, body)
        manager, now = attributes.field_manager, to_time(self.now())

        def mutate(current: dict) -> dict:
            old = self.served(kind, crd, current)
            if status_only:
                new = dict(old, status=copy.deepcopy(new_body.get("status", {})))
                if manage_fields:
                    record_update(kind, old, new, manager, now, "status")
            else:
                new = new_body
                if manage_fields:
                    record_update(kind, old, new, manager, now, status_subresource=with_status)
                new["metadata"] = dict(old["metadata"], **{
                    field: new["metadata"].get(field, default)
                    for field, default in CLIENT_METADATA})
                for field in ("ownerReferences", "finalizers", "managedFields"):
                    if not new["metadata"][field]:
                        del new["metadata"][field]
                if with_status:
                    new.pop("status", None)
                    if "status" in old:
                        new["status"] = old["status"]
                generation = old["metadata"].get("generation", 1)
                ignored = ("metadata", "status") if with_status else ("metadata",)
                changed = any(new.get(k) != old.get(k) for k in set(new) | set(old)
                              if k not in ignored and k not in ("apiVersion", "kind"))
                new["metadata"]["generation"] = generation + 1 if changed else generation
            new["apiVersion"] = kind.api_version
            validate_custom_object(new, kind, crd)
            return new

        def admit(new: dict, old: dict) -> Generator:
            review = AdmissionRequest(UPDATE, kind, attributes, new, old)
            yield from self.admission.mutate(review)
            if review.patches:
                validate_custom_object(review.obj, kind, crd)
            yield from self.admission.validate(review)
            return self._stored(crd, review.obj)

        updated = yield from self.storage.update(kind, body, mutate, admit)
        return self.served(kind, crd, updated)

    # -- the scale subresource ----------------------------------------------------------------

    def _scale_paths(self, kind: Kind, crd: dict) -> dict:
        scale = subresources(crd, kind).get("scale")
        if scale is None:
            raise NotFoundError("the server could not find the requested resource")
        return scale

    def get_scale(self, kind: Kind, crd: dict, namespace: str | None, name: str) -> Generator:
        """GET <plural>/<name>/scale: an autoscaling/v1 Scale read through the CRD's paths."""
        paths = self._scale_paths(kind, crd)
        obj = yield from self.get(kind, crd, namespace, name)
        return self._scale_of(obj, paths)

    def _scale_of(self, obj: dict, paths: dict) -> dict:
        meta = obj["metadata"]
        status = {"replicas": get_path(obj, paths["statusReplicasPath"]) or 0}
        selector = paths.get("labelSelectorPath")
        if selector and get_path(obj, selector):
            status["selector"] = get_path(obj, selector)
        return {"apiVersion": "autoscaling/v1", "kind": "Scale",
                "metadata": {k: meta[k] for k in ("name", "namespace", "uid", "resourceVersion",
                                                  "creationTimestamp") if k in meta},
                "spec": {"replicas": get_path(obj, paths["specReplicasPath"]) or 0},
                "status": status}

    def update_scale(self, kind: Kind, crd: dict, namespace: str | None, name: str,
                     scale: dict, attributes: Attributes) -> Generator:
        """PUT <plural>/<name>/scale: write spec.replicas at specReplicasPath."""
        paths = self._scale_paths(kind, crd)
        replicas = (scale or {}).get("spec", {}).get("replicas") if isinstance(scale, dict) \
            else None
        if isinstance(replicas, bool) or not isinstance(replicas, int) or replicas < 0:
            raise BadRequestError(f"a Scale's spec.replicas is a whole number >= 0, got "
                                  f"{replicas!r}")
        obj = yield from self.get(kind, crd, namespace, name)
        wanted_rv = ((scale.get("metadata") or {}).get("resourceVersion"))
        if wanted_rv:
            obj["metadata"]["resourceVersion"] = wanted_rv
        set_path(obj, paths["specReplicasPath"], replicas)
        updated = yield from self.update(kind, crd, obj, attributes)
        return self._scale_of(updated, paths)

