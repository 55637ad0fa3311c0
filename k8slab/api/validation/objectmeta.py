"""Object metadata: name or generateName, namespace, labels and annotations.

k8s.io/apimachinery/pkg/api/validation/objectmeta.go ValidateObjectMeta: a Namespace is named
by a DNS-1123 label, every other kind by a subdomain; a namespaced kind needs a namespace and a
cluster-scoped one may not have one; ownerReferences are complete and name one controller at most.
"""

from __future__ import annotations

import json

from k8slab.api.kinds import Kind
from k8slab.api.schema.meta_v1 import OWNER_REFERENCE
from k8slab.api.validation.field import FieldError, GoValue, forbidden, invalid, required
from k8slab.api.validation.labels import labels_errors
from k8slab.api.validation.names import (
    dns1035_label_errors,
    dns1123_label_errors,
    dns1123_subdomain_errors,
)
from k8slab.api.validation.rbac import path_segment_errors


def _mask_trailing_dash(prefix: str) -> str:
    # objectmeta.go maskTrailingDash: a generateName may end in "-".
    return prefix[:-2] + "a" if len(prefix) > 1 and prefix.endswith("-") else prefix


def object_meta_errors(metadata: dict, info: Kind) -> list[FieldError]:
    """Every problem with an object's metadata, with metadata.* paths, in upstream's order."""
    # A Namespace and a StatefulSet (whose pods are named <name>-<ordinal>) are DNS labels
    # (apps validation ValidateStatefulSetName); every other kind a subdomain.
    # A Service's name is a DNS-1035 label (core validation ValidateServiceName).
    label_named = info.qualified_kind in ("Namespace", "StatefulSet.apps")
    name_errors = dns1123_label_errors if label_named else dns1123_subdomain_errors
    if info.qualified_kind == "Service":
        name_errors = dns1035_label_errors
    if info.group == "rbac.authorization.k8s.io":  # ValidateRBACName: `system:node` is valid
        name_errors = path_segment_errors
    errors: list[FieldError] = []
    name, generate_name = metadata.get("name"), metadata.get("generateName")
    if generate_name:
        errors += [
            invalid("metadata.generateName", generate_name, message)
            for message in name_errors(_mask_trailing_dash(generate_name))
        ]
    if not name and not generate_name:
        errors.append(required("metadata.name", "name or generateName is required"))
    elif name:
        errors += [invalid("metadata.name", name, message) for message in name_errors(name)]
    namespace = metadata.get("namespace")
    if info.namespaced and not namespace:
        errors.append(required("metadata.namespace"))
    elif info.namespaced:
        errors += [
            invalid("metadata.namespace", namespace, message)
            for message in dns1123_label_errors(namespace)
        ]
    elif namespace:
        errors.append(forbidden("metadata.namespace", "not allowed on this type"))
    errors += labels_errors(metadata.get("labels") or {}, "metadata.labels")
    return errors + owner_references_errors(metadata.get("ownerReferences") or [])


def _in_struct_order(reference: dict) -> str:
    # json.Marshal of a []metav1.OwnerReference: fields in the struct's order, not sorted.
    return "{" + ",".join(f"{json.dumps(name)}:{json.dumps(reference[name])}"
                          for name in OWNER_REFERENCE.fields if name in reference) + "}"


def owner_references_errors(references: list[dict]) -> list[FieldError]:
    """ValidateOwnerReferences: each names an apiVersion, kind, name and uid, and at most one
    is the controller. The paths have no index, as upstream's."""
    path, errors, controller = "metadata.ownerReferences", [], ""
    for reference in references:
        api_version = reference.get("apiVersion", "")
        if not api_version.rpartition("/")[2]:  # schema.FromAPIVersionAndKind's version
            errors.append(invalid(f"{path}.apiVersion", api_version, "version must not be empty"))
        for field in ("kind", "name", "uid"):
            if not reference.get(field):
                errors.append(invalid(f"{path}.{field}", reference.get(field, ""),
                                      "must not be empty"))
        if reference.get("controller"):
            name = f'{reference.get("kind", "")}/{reference.get("name", "")}'
            if controller:
                rendered = GoValue("[" + ",".join(map(_in_struct_order, references)) + "]")
                errors.append(invalid(path, rendered, "Only one reference can have Controller "
                                      f'set to true. Found "true" in references for {controller} '
                                      f"and {name}"))
            else:
                controller = name
    return errors
