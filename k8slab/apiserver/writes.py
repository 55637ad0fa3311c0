"""The API server's writes: create, update (spec or status) and pods/binding, each through
mutating admission, validation and validating admission before etcd (registry.Store's Create
and Update with their strategies), and the admission a DELETE passes first."""

from __future__ import annotations

import copy
import uuid
from collections.abc import Callable, Generator
from random import Random

from k8slab.api import qos
from k8slab.api.defaults import apply_defaults
from k8slab.api.kinds import JOB, SERVICE, Kind, object_ref
from k8slab.api.timestamps import to_time
from k8slab.api.validation import validate, validate_status_update, validate_update
from k8slab.api.warnings import with_warnings
from k8slab.apiserver.admission import CREATE, DELETE, UPDATE, AdmissionChain, AdmissionRequest
from k8slab.apiserver.deletion import Deleter
from k8slab.apiserver.managed_fields import check_field_manager, record_update
from k8slab.apiserver.pod_update import check_node_name, check_pod_update
from k8slab.apiserver.request_info import Attributes
from k8slab.apiserver.service_allocation import ServiceAllocator, keep_allocated
from k8slab.apiserver.storage import Storage
from k8slab.apiserver.strategy import (
    prepare_for_create,
    prepare_for_status_update,
    prepare_for_update,
    served_form,
    stored_form,
    ttl_of,
)
from k8slab.errors import BadRequestError, ConflictError

# utilrand.String's alphabet: no vowels, no confusable characters (apimachinery util/rand).
GENERATE_NAME_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"


class Writer:
    """One API server's write path over its storage, admission chain and deleter."""

    def __init__(self, storage: Storage, admission: AdmissionChain, deleter: Deleter,
                 rng: Random, now: Callable[[], float], record: Callable[..., None]) -> None:
        self.storage = storage
        self.admission = admission
        self.deleter = deleter
        self.rng = rng
        self.now = now
        self.record = record

    def admit_delete(self, kind: Kind, namespace: str | None, name: str,
                      attributes: Attributes) -> Generator:
        old = yield from self.storage.get(kind, namespace, name)
        review = AdmissionRequest(DELETE, kind, attributes, None, old)
        yield from self.admission.mutate(review)
        yield from self.admission.validate(review)

    def create(self, kind: Kind, namespace: str | None, body: dict,
                attributes: Attributes, *, manage_fields: bool = True) -> Generator:
        """POST: the object defaulted, its managedFields given to its creator (unless
        `manage_fields` is False: server-side apply wrote them), admitted, validated, stored."""
        check_field_manager(attributes.field_manager, "CreateOptions")
        obj = apply_defaults(body)  # a copy, with defaults filled in
        if kind.namespaced:
            obj["metadata"]["namespace"] = (namespace or obj["metadata"].get("namespace")
                                            or "default")
        if manage_fields:  # as the create handler does, before admission
            record_update(kind, None, obj, attributes.field_manager, to_time(self.now()))
        # Mutating admission sees the object before its name is generated (store.BeforeCreate).
        review = AdmissionRequest(CREATE, kind, attributes, obj)
        yield from self.admission.mutate(review)
        obj = review.obj
        meta = obj["metadata"]
        if not meta.get("name") and meta.get("generateName"):
            suffix = "".join(self.rng.choice(GENERATE_NAME_ALPHABET) for _ in range(5))
            meta["name"] = meta["generateName"] + suffix
        if kind is JOB:  # its generated selector names its uid, which validation checks
            self._system_fields(meta)
        prepare_for_create(kind, obj)
        validate(obj)
        if kind is SERVICE:  # a ClusterIP and NodePorts, checked or drawn from what is free
            stored = yield from self._stored_services()
            ServiceAllocator(stored, self.rng).allocate(obj)
        if kind.kind == "Pod":
            # podStrategy.PrepareForCreate: the client's status is dropped; the phase is
            # Pending and the QoS class is computed from the spec (qos.GetPodQOS).
            obj["status"] = {"phase": "Pending", "qosClass": qos.pod_qos(obj)}
        yield from self.admission.validate(review)
        self.record("create", object_ref(obj), user=attributes.user.name)
        if kind is not JOB:
            self._system_fields(meta)
        meta.pop("resourceVersion", None)
        created = yield from self.storage.create(kind, stored_form(kind, obj), ttl=ttl_of(kind))
        return with_warnings(served_form(kind, created), review.warnings)

    def _system_fields(self, meta: dict) -> None:
        # rest.FillObjectMetaSystemFields: a fresh uid and the creation time.
        meta["uid"] = str(uuid.UUID(int=self.rng.getrandbits(128), version=4))
        meta["creationTimestamp"] = to_time(self.now())

    def _stored_services(self) -> Generator:
        items, _ = yield from self.storage.list(SERVICE, None)
        return items

    def update(self, kind: Kind, body: dict, verb: str, attributes: Attributes, *,
               manage_fields: bool = True, options: str = "UpdateOptions") -> Generator:
        """PUT the object or its status; the writer's managedFields entry takes what it changed
        (unless `manage_fields` is False: server-side apply already wrote them). `options`
        names the request's options in a 422 (PatchOptions for a PATCH)."""
        check_field_manager(attributes.field_manager, options)
        status_only = verb == "update_status"
        services = (yield from self._stored_services()) if kind is SERVICE else []
        manager, now = attributes.field_manager, to_time(self.now())

        def mutate(current: dict) -> dict:
            if status_only:
                # The new status is decoded as part of the object (a wrong type is a 400); the
                # spec and metadata it sits beside are the stored, already valid ones.
                candidate = dict(current, status=copy.deepcopy(body.get("status", {})))
                status = apply_defaults(candidate).get("status", {})
                validate_status_update(current, dict(current, status=status))
                if manage_fields:
                    written = dict(current, status=status)
                    record_update(kind, current, written, manager, now, "status")
                    current["metadata"] = written["metadata"]
                current["status"] = status
                prepare_for_status_update(kind, current, body)
                return current
            new = apply_defaults(copy.deepcopy(body))
            if manage_fields:  # the update handler's first transformer: before the strategy
                record_update(kind, served_form(kind, current), new, manager, now)
            if kind is SERVICE:
                keep_allocated(current, new)
            if kind.kind != "Pod":  # a pod is validated once mutating admission completed it
                validate_update(served_form(kind, current), new)
            if kind is SERVICE:
                ServiceAllocator(services, self.rng).allocate(new, old=current)
            new = stored_form(kind, new)
            if kind.kind == "Pod":
                check_node_name(current, new)
                new["spec"]["nodeName"] = current["spec"].get("nodeName")
                new["spec"]["tolerations"] = current["spec"].get("tolerations", [])
            # The metadata a client may change; the rest (uid, generation...) is the server's.
            # An empty or absent one removes the field (omitempty: etcd never holds `{}`).
            new["metadata"] = dict(current["metadata"], **{
                field: new["metadata"].get(field, default) for field, default in
                (("labels", {}), ("annotations", {}), ("ownerReferences", []),
                 ("finalizers", []), ("managedFields", []))})
            for field in ("labels", "annotations", "ownerReferences", "finalizers",
                          "managedFields"):
                if not new["metadata"][field]:
                    del new["metadata"][field]
            prepare_for_update(kind, current, new)
            return new

        reviews: list[AdmissionRequest] = []  # the last is the attempt that was stored

        def admit(new: dict, old: dict) -> Generator:
            # Admission on the object as it will be stored; a mutating plugin's change is
            # validated again before the validating plugins see it.
            review = AdmissionRequest(UPDATE, kind, attributes, new, old)
            reviews.append(review)
            yield from self.admission.mutate(review)
            if review.patches or kind.kind == "Pod":
                validate_update(served_form(kind, old), served_form(kind, review.obj))
            if kind.kind == "Pod":
                check_pod_update(old, review.obj)
            yield from self.admission.validate(review)
            return review.obj

        updated = yield from self.storage.update(kind, body, mutate, admit)
        finished = yield from self.deleter.finish_after_update(kind, updated)
        return with_warnings(served_form(kind, finished), reviews[-1].warnings if reviews else [])

    def bind(self, kind: Kind, namespace: str | None, name: str, node: str) -> Generator:
        if kind.kind != "Pod":
            raise BadRequestError(f"binding is a subresource of pods, not {kind.resource}")

        def mutate(pod: dict) -> dict:
            bound = pod["spec"].get("nodeName")
            if bound:
                raise ConflictError(
                    f'Operation cannot be fulfilled on pods/binding "{name}": '
                    f'pod {name} is already assigned to node "{bound}"'
                )
            pod["spec"]["nodeName"] = node
            conditions = pod.setdefault("status", {}).setdefault("conditions", [])
            conditions[:] = [c for c in conditions if c.get("type") != "PodScheduled"]
            conditions.append(
                {
                    "type": "PodScheduled",
                    "status": "True",
                    "lastTransitionTime": to_time(self.now()),
                }
            )
            return pod

        ref = {"metadata": {"name": name, "namespace": namespace}}
        return (yield from self.storage.update(kind, ref, mutate))
