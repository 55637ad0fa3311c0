"""k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1: the CustomResourceDefinition.

types.go CustomResourceDefinitionSpec and Status. The openAPIV3Schema of each version is a
JSONSchemaProps, itself recursive; it is kept as raw JSON here, and its shape is checked by
k8slab.api.validation.apiextensions_schema with the API server's field paths.
"""

from __future__ import annotations

from k8slab.api.schema.meta_v1 import top_level
from k8slab.api.schema.types import (
    BOOL,
    INT32,
    INT64,
    STRING,
    STRINGS,
    TIME,
    AnyJSON,
    ListOf,
    Opaque,
    Struct,
    enum,
)

NAMES = Struct("v1.CustomResourceDefinitionNames", {
    "plural": STRING, "singular": STRING, "shortNames": STRINGS, "kind": STRING,
    "listKind": STRING, "categories": STRINGS,
})
SCALE = Struct("v1.CustomResourceSubresourceScale", {
    "specReplicasPath": STRING, "statusReplicasPath": STRING, "labelSelectorPath": STRING,
})
SUBRESOURCES = Struct("v1.CustomResourceSubresources", {
    "status": Opaque("v1.CustomResourceSubresourceStatus"), "scale": SCALE,
})
COLUMN = Struct("v1.CustomResourceColumnDefinition", {
    "name": STRING, "type": STRING, "format": STRING, "description": STRING,
    "priority": INT32, "jsonPath": STRING,
})
VERSION = Struct("v1.CustomResourceDefinitionVersion", {
    "name": STRING, "served": BOOL, "storage": BOOL, "deprecated": BOOL,
    "deprecationWarning": STRING,
    "schema": Struct("v1.CustomResourceValidation",
                     {"openAPIV3Schema": AnyJSON("v1.JSONSchemaProps")}),
    "subresources": SUBRESOURCES,
    "additionalPrinterColumns": ListOf(COLUMN),
    "selectableFields": ListOf(Struct("v1.SelectableField", {"jsonPath": STRING})),
})
SPEC = Struct("v1.CustomResourceDefinitionSpec", {
    "group": STRING, "names": NAMES, "scope": enum("v1.ResourceScope"),
    "versions": ListOf(VERSION),
    "conversion": Struct("v1.CustomResourceConversion", {
        "strategy": enum("v1.ConversionStrategyType"),
        "webhook": Opaque("v1.WebhookConversion")}),
    "preserveUnknownFields": BOOL,
})
CONDITION = Struct("v1.CustomResourceDefinitionCondition", {
    "type": enum("v1.CustomResourceDefinitionConditionType"),
    "status": enum("v1.ConditionStatus"), "lastTransitionTime": TIME, "reason": STRING,
    "message": STRING, "observedGeneration": INT64,
})
STATUS = Struct("v1.CustomResourceDefinitionStatus", {
    "conditions": ListOf(CONDITION), "acceptedNames": NAMES, "storedVersions": STRINGS,
    "observedGeneration": INT64,
})

CUSTOM_RESOURCE_DEFINITION = top_level("v1.CustomResourceDefinition", spec=SPEC, status=STATUS)
