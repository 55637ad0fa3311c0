"""Deleting a CRD deletes its custom objects first, as kube-apiserver's CRD finalizer does.

apiextensions-apiserver pkg/registry/customresourcedefinition/etcd.go: a DELETE of a CRD adds
the `customresourcecleanup.apiextensions.k8s.io` finalizer and the Terminating condition
(InstanceDeletionPending) instead of removing it; pkg/controller/finalizer/crd_finalizer.go then
deletes every custom object (InstanceDeletionInProgress), waits until none is left, says
InstanceDeletionCompleted and removes the finalizer, and the CRD goes. Meanwhile creates of the
kind are refused (customresource_handler.go forbidCreateAdmission).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Generator

from k8slab.api.kinds import CUSTOM_RESOURCE_DEFINITION
from k8slab.api.timestamps import to_time
from k8slab.apiserver.storage import Storage
from k8slab.errors import NotFoundError

FINALIZER = "customresourcecleanup.apiextensions.k8s.io"
PENDING = {"type": "Terminating", "status": "True", "reason": "InstanceDeletionPending",
           "message": "CustomResourceDefinition marked for deletion; CustomResource deletion "
                      "will begin soon"}
IN_PROGRESS = {"type": "Terminating", "status": "True", "reason": "InstanceDeletionInProgress",
               "message": "CustomResource deletion is in progress"}
COMPLETED = {"type": "Terminating", "status": "False", "reason": "InstanceDeletionCompleted",
             "message": "removed all instances"}
TERMINATING_CREATE = "create not allowed while custom resource definition is terminating"


def set_condition(crd: dict, condition: dict, now: float) -> bool:
    """Put `condition` in the CRD's status, replacing one of its type; False (and nothing
    changed) when it is there already."""
    conditions = crd.setdefault("status", {}).setdefault("conditions", [])
    if any(all(c.get(k) == v for k, v in condition.items()) for c in conditions):
        return False
    conditions[:] = [c for c in conditions if c.get("type") != condition["type"]]
    conditions.append(dict(condition, lastTransitionTime=to_time(now)))
    return True


def mark_for_cleanup(storage: Storage, name: str, now: float) -> Generator:
    """Before a CRD's DELETE: its cleanup finalizer and the Terminating condition."""

    def mutate(crd: dict) -> dict:
        finalizers = crd["metadata"].setdefault("finalizers", [])
        if FINALIZER not in finalizers:
            finalizers.append(FINALIZER)
        set_condition(crd, PENDING, now)
        return crd

    yield from storage.update(CUSTOM_RESOURCE_DEFINITION, {"metadata": {"name": name}}, mutate)


def cleaning(crd: dict) -> bool:
    """True while a deleted CRD still holds its cleanup finalizer."""
    meta = crd.get("metadata") or {}
    return bool(meta.get("deletionTimestamp")) and FINALIZER in (meta.get("finalizers") or [])


def clean_up(crd: dict, serve: Callable[[dict], Generator], now: float) -> Generator:
    """One pass of the CRD finalizer: delete the kind's objects; once none is left, remove the
    finalizer. True when done, False when objects are still going (look again later)."""
    resource = f"{crd['spec']['names']['plural']}.{crd['spec']['group']}"
    crd = copy.deepcopy(crd)
    if set_condition(crd, IN_PROGRESS, now):
        crd = yield from serve({"verb": "update_status",
                                "resource": "customresourcedefinitions", "body": crd})
    answer = yield from serve({"verb": "list", "resource": resource})
    for obj in answer["items"]:
        if obj["metadata"].get("deletionTimestamp"):
            continue
        try:
            yield from serve({"verb": "delete", "resource": resource,
                              "namespace": obj["metadata"].get("namespace"),
                              "name": obj["metadata"]["name"]})
        except NotFoundError:
            continue
    answer = yield from serve({"verb": "list", "resource": resource})
    if answer["items"]:
        return False
    set_condition(crd, COMPLETED, now)
    crd = yield from serve({"verb": "update_status", "resource": "customresourcedefinitions",
                            "body": crd})
    crd["metadata"]["finalizers"] = [f for f in crd["metadata"].get("finalizers") or []
                                     if f != FINALIZER]
    yield from serve({"verb": "update", "resource": "customresourcedefinitions", "body": crd})
    return True
