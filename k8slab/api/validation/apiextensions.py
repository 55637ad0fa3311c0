"""apiextensions.k8s.io: what makes a CustomResourceDefinition valid.

apiextensions-apiserver pkg/apis/apiextensions/validation/validation.go
ValidateCustomResourceDefinition: the name is `<plural>.<group>`, the group a domain with a dot,
the names DNS-1035 labels, scope Namespaced or Cluster, version names unique, exactly one
storage version, each version's schema structural (apiextensions_schema), printer columns of a
known type with a JSONPath, scale paths under .spec and .status. Simplified: conversion
webhooks and selectableFields are not modelled (a webhook strategy is refused).
"""

from __future__ import annotations

from collections.abc import Callable

from k8slab.api.validation.apiextensions_schema import schema_errors
from k8slab.api.validation.field import FieldError, GoValue, invalid, not_supported, required
from k8slab.api.validation.names import dns1035_label_errors, dns1123_subdomain_errors

SCOPES = ["Cluster", "Namespaced"]
# validation.go printerColumnDatatypes and customResourceColumnDefinitionFormats, sorted.
COLUMN_TYPES = "boolean,date,integer,number,string"
COLUMN_FORMATS = "byte,date,date-time,double,float,int32,int64,password"


def crd_errors(crd: dict) -> list[FieldError]:
    """Every problem with a decoded CRD, after its metadata's (objectmeta does those)."""
    spec = crd.get("spec") or {}
    names = spec.get("names") or {}
    group = spec.get("group") or ""
    errors: list[FieldError] = []
    name = (crd.get("metadata") or {}).get("name")
    if name and name != f"{names.get('plural', '')}.{group}":
        errors.append(invalid("metadata.name", name, 'must be spec.names.plural+"."+spec.group'))
    if not group:
        errors.append(required("spec.group"))
    elif dns1123_subdomain_errors(group):
        errors.append(invalid("spec.group", group, ",".join(dns1123_subdomain_errors(group))))
    elif "." not in group:
        errors.append(invalid("spec.group", group, "should be a domain with at least one dot"))
    scope = spec.get("scope")
    if not scope:
        errors.append(required("spec.scope"))
    elif scope not in SCOPES:
        errors.append(not_supported("spec.scope", scope, SCOPES))
    errors += _versions_errors(spec.get("versions") or [])
    errors += names_errors(names, "spec.names")
    for field in ("plural", "singular", "kind", "listKind"):
        if not names.get(field):
            errors.append(required(f"spec.names.{field}"))
    strategy = (spec.get("conversion") or {}).get("strategy", "None")
    if strategy != "None":
        errors.append(not_supported("spec.conversion.strategy", strategy, ["None"]))
    return errors


def _versions_errors(versions: list[dict]) -> list[FieldError]:
    errors: list[FieldError] = []
    for i, version in enumerate(versions):
        path = f"spec.versions[{i}]"
        errors += [invalid(f"{path}.name", version.get("name", ""), message)
                   for message in dns1035_label_errors(version.get("name", ""))]
        schema = (version.get("schema") or {}).get("openAPIV3Schema")
        if schema is None:
            errors.append(required(f"{path}.schema.openAPIV3Schema"))
        else:
            errors += schema_errors(schema, f"{path}.schema.openAPIV3Schema")
        errors += _subresources_errors(version.get("subresources") or {}, f"{path}.subresources")
        for j, column in enumerate(version.get("additionalPrinterColumns") or []):
            errors += column_errors(column, f"{path}.additionalPrinterColumns[{j}]")
    shown = GoValue("[]v1.CustomResourceDefinitionVersion{...}")
    names = [v.get("name") for v in versions]
    if len(set(names)) != len(names):
        errors.append(invalid("spec.versions", shown, "must contain unique version names"))
    if sum(1 for v in versions if v.get("storage")) != 1:
        errors.append(invalid("spec.versions", shown,
                              "must have exactly one version marked as storage version"))
    return errors


def names_errors(names: dict, path: str) -> list[FieldError]:
    """The DNS-1035 checks of ValidateCustomResourceDefinitionNames (spec.names and
    status.acceptedNames)."""
    errors: list[FieldError] = []
    for field in ("plural", "singular"):
        value = names.get(field) or ""
        if value and dns1035_label_errors(value):
            errors.append(invalid(f"{path}.{field}", value,
                                  ",".join(dns1035_label_errors(value))))
    for field in ("kind", "listKind"):
        value = names.get(field) or ""
        if value and dns1035_label_errors(value.lower()):
            errors.append(invalid(f"{path}.{field}", value,
                                  "may have mixed case, but should otherwise match: "
                                  + ",".join(dns1035_label_errors(value.lower()))))
    for i, short in enumerate(names.get("shortNames") or []):
        if dns1035_label_errors(short):
            errors.append(invalid(f"{path}.shortNames[{i}]", short,
                                  ",".join(dns1035_label_errors(short))))
    if names.get("kind") and names.get("kind") == names.get("listKind"):
        errors.append(invalid(f"{path}.listKind", names["listKind"],
                              "kind and listKind may not be the same"))
    return errors


def column_errors(column: dict, path: str) -> list[FieldError]:
    """ValidateCustomResourceColumnDefinition: a name, a known type and format, a JSONPath."""
    errors: list[FieldError] = []
    if not column.get("name"):
        errors.append(required(f"{path}.name"))
    kind = column.get("type")
    if not kind:
        errors.append(required(f"{path}.type", f"must be one of {COLUMN_TYPES}"))
    elif kind not in COLUMN_TYPES.split(","):
        errors.append(invalid(f"{path}.type", kind, f"must be one of {COLUMN_TYPES}"))
    form = column.get("format")
    if form and form not in COLUMN_FORMATS.split(","):
        errors.append(invalid(f"{path}.format", form, f"must be one of {COLUMN_FORMATS}"))
    json_path = column.get("jsonPath")
    if not json_path:
        errors.append(required(f"{path}.JSONPath"))
    elif not json_path.startswith("."):
        errors.append(invalid(f"{path}.JSONPath", json_path, "must be a simple json path "
                              "starting with ."))
    return errors


def _subresources_errors(subresources: dict, path: str) -> list[FieldError]:
    scale = subresources.get("scale")
    if scale is None:
        return []
    errors: list[FieldError] = []
    rules = (("specReplicasPath", (".spec.",), "should be a json path under .spec"),
             ("statusReplicasPath", (".status.",), "should be a json path under .status"),
             ("labelSelectorPath", (".spec.", ".status."),
              "should be a json path under either .spec or .status"))
    for field, prefixes, detail in rules:
        value = scale.get(field)
        if not value:
            if field != "labelSelectorPath":
                errors.append(required(f"{path}.scale.{field}"))
        elif not value.startswith(prefixes):
            errors.append(invalid(f"{path}.scale.{field}", value, detail))
    return errors


APIEXTENSIONS_CHECKS: dict[str, Callable[[dict], list[FieldError]]] = {
    "CustomResourceDefinition.apiextensions.k8s.io": crd_errors,
}
