"""Per-kind rules the API server applies around a write, as upstream's registry strategies do.

kubernetes pkg/registry/<group>/<kind>/strategy.go: PrepareForCreate sets metadata.generation
to 1 and clears the status a client sent; PrepareForUpdate keeps the stored status (only the
status subresource writes it) and bumps the generation when the spec changes. The Job strategy
generates the Job's selector; Events are stored with a TTL and served in two versions.
"""

from __future__ import annotations

import copy

from k8slab.api.defaults_workloads import generate_job_selector
from k8slab.api.events import to_core_event, to_events_v1
from k8slab.api.kinds import (
    CUSTOM_RESOURCE_DEFINITION,
    EVENTS_V1_EVENT,
    JOB,
    NAMESPACE,
    RESOURCE_QUOTA,
    Kind,
)
from k8slab.apiserver.namespace_lifecycle import (
    prepare_namespace_for_create,
    prepare_namespace_for_update,
)

# kube-apiserver --event-ttl default 1h0m0s (cmd/kube-apiserver/app/options).
EVENT_TTL_SECONDS = 3600
# The kinds whose spec is desired state a controller follows: metadata.generation counts its
# changes and status.observedGeneration says which one the controller has seen.
GENERATION_KINDS = ("Deployment.apps", "ReplicaSet.apps", "DaemonSet.apps", "StatefulSet.apps",
                    "Job.batch", "ReplicationController",
                    "CustomResourceDefinition.apiextensions.k8s.io")
# The kinds without a status subresource: an update writes the whole object.
NO_STATUS_KINDS = ("Event", "Event.events.k8s.io", "Lease.coordination.k8s.io")


def prepare_for_create(kind: Kind, obj: dict) -> None:
    """Generation 1 and an empty status for a workload; the Job's generated selector (which
    needs metadata.uid and name). Changes `obj`."""
    if kind.qualified_kind in GENERATION_KINDS:
        obj["metadata"]["generation"] = 1
        obj["status"] = {}
    if kind is JOB:
        generate_job_selector(obj)
    if kind is NAMESPACE:
        prepare_namespace_for_create(obj)
    if kind is RESOURCE_QUOTA:  # resourcequota strategy: only the controller writes usage
        obj["status"] = {}
    if kind is CUSTOM_RESOURCE_DEFINITION:
        _record_stored_version(obj)


def prepare_for_update(kind: Kind, old: dict, new: dict) -> None:
    """Keep the stored status, and bump metadata.generation when the spec changed."""
    if kind.qualified_kind not in NO_STATUS_KINDS:
        new.pop("status", None)
        if "status" in old:
            new["status"] = old["status"]
    if kind.qualified_kind in GENERATION_KINDS:
        generation = old["metadata"].get("generation", 1)
        changed = new.get("spec") != old.get("spec")
        new["metadata"]["generation"] = generation + 1 if changed else generation
    if kind is NAMESPACE:
        prepare_namespace_for_update(old, new)
    if kind is CUSTOM_RESOURCE_DEFINITION:
        _record_stored_version(new)


def _record_stored_version(crd: dict) -> None:
    # customresourcedefinition/strategy.go: the storage version joins status.storedVersions
    # on create and on every update that names a new one.
    stored = crd.setdefault("status", {}).setdefault("storedVersions", [])
    for version in (crd.get("spec") or {}).get("versions") or []:
        if isinstance(version, dict) and version.get("storage") and version.get("name") \
                and version["name"] not in stored:
            stored.append(version["name"])


def prepare_for_status_update(kind: Kind, current: dict, body: dict) -> None:
    """A Deployment's status update also writes the annotations it was sent: upstream's
    deploymentStatusStrategy.PrepareForUpdate resets only spec and labels, and the controller
    records `deployment.kubernetes.io/revision` through UpdateStatus
    (kk pkg/registry/apps/deployment/strategy.go). Other kinds keep their stored metadata."""
    if kind.kind == "Deployment" and isinstance(body.get("metadata"), dict) \
            and "annotations" in body["metadata"]:
        current["metadata"]["annotations"] = copy.deepcopy(body["metadata"]["annotations"])


def ttl_of(kind: Kind) -> int | None:
    """Seconds an object of `kind` lives in etcd, None for ever: Events live --event-ttl."""
    return EVENT_TTL_SECONDS if kind.kind == "Event" else None


def stored_form(kind: Kind, obj: dict) -> dict:
    """The object as etcd keeps it: an events.k8s.io/v1 Event becomes a core/v1 Event."""
    return to_core_event(obj) if kind is EVENTS_V1_EVENT else obj


def served_form(kind: Kind, obj: dict) -> dict:
    """The object as the request's version shows it (the inverse of stored_form)."""
    return to_events_v1(obj) if kind is EVENTS_V1_EVENT else obj
