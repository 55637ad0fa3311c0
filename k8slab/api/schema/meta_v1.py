"""k8s.io/apimachinery/pkg/apis/meta/v1: the metadata every object has, and label selectors.

Field names and Go types from types.go (ObjectMeta, OwnerReference, ManagedFieldsEntry,
LabelSelector); the Go package is named v1, so its types print as "v1.ObjectMeta".
"""

from __future__ import annotations

from k8slab.api.schema.types import (
    BOOL,
    INT64,
    STRING,
    STRING_MAP,
    STRINGS,
    TIME,
    AnyJSON,
    ListOf,
    Struct,
    enum,
)

OWNER_REFERENCE = Struct(
    "v1.OwnerReference",
    {
        "apiVersion": STRING,
        "kind": STRING,
        "name": STRING,
        "uid": enum("types.UID"),
        "controller": BOOL,
        "blockOwnerDeletion": BOOL,
    },
)

MANAGED_FIELDS_ENTRY = Struct(
    "v1.ManagedFieldsEntry",
    {
        "manager": STRING,
        "operation": enum("v1.ManagedFieldsOperationType"),
        "apiVersion": STRING,
        "time": TIME,
        "fieldsType": STRING,
        "fieldsV1": AnyJSON("v1.FieldsV1"),
        "subresource": STRING,
    },
)

OBJECT_META = Struct(
    "v1.ObjectMeta",
    {
        "name": STRING,
        "generateName": STRING,
        "namespace": STRING,
        "selfLink": STRING,
        "uid": enum("types.UID"),
        "resourceVersion": STRING,
        "generation": INT64,
        "creationTimestamp": TIME,
        "deletionTimestamp": TIME,
        "deletionGracePeriodSeconds": INT64,
        "labels": STRING_MAP,
        "annotations": STRING_MAP,
        "ownerReferences": ListOf(OWNER_REFERENCE),
        "finalizers": STRINGS,
        "managedFields": ListOf(MANAGED_FIELDS_ENTRY),
    },
)

LABEL_SELECTOR_REQUIREMENT = Struct(
    "v1.LabelSelectorRequirement",
    {"key": STRING, "operator": enum("v1.LabelSelectorOperator"), "values": STRINGS},
)

LABEL_SELECTOR = Struct(
    "v1.LabelSelector",
    {"matchLabels": STRING_MAP, "matchExpressions": ListOf(LABEL_SELECTOR_REQUIREMENT)},
)


def top_level(go: str, **parts: Struct) -> Struct:
    """A kind's struct: TypeMeta's apiVersion and kind, metadata, then its spec and status."""
    return Struct(go, {"apiVersion": STRING, "kind": STRING, "metadata": OBJECT_META, **parts})
