"""Validation of API objects, with the API server's field paths and messages.

A check returns FieldErrors ("spec.containers[0].image: Required value"); validate() gathers
them into one InvalidError as `Pod "web" is invalid: ...`. Messages, regexes and the order
of checks follow k8s.io/apimachinery/pkg/util/validation (field/errors.go, validation.go) and
kubernetes pkg/apis/core/validation/validation.go (ValidatePod, ValidateNode) and
pkg/apis/coordination/validation/validation.go (ValidateLease).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from k8slab.api.kinds import Kind, kind_info
from k8slab.api.quantity import parse_quantity
from k8slab.api.timestamps import from_time
from k8slab.errors import InvalidError, ManifestError

# field/errors.go ErrorType strings.
REQUIRED = "Required value"
INVALID = "Invalid value"
UNSUPPORTED = "Unsupported value"
DUPLICATE = "Duplicate value"
FORBIDDEN = "Forbidden"

_NO_VALUE = object()


def _render(value: Any) -> str:
    """A bad value as Go's field errors print it: strings quoted, numbers and booleans bare."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return _json_text(value, separators=(", ", ": "))


def _json_text(value: Any, separators: tuple[str, str]) -> str:
    """value as JSON with sorted keys; repr() when its keys are of mixed types."""
    try:
        return json.dumps(
            value, ensure_ascii=False, sort_keys=True, separators=separators, default=str
        )
    except TypeError:
        return repr(value)


@dataclass(frozen=True)
class FieldError:
    """One problem with one field: its path, the error type, the bad value and a detail."""

    path: str
    type: str
    value: Any = _NO_VALUE
    detail: str = ""

    def __str__(self) -> str:
        body = self.type
        if self.value is not _NO_VALUE:
            body += f": {_render(self.value)}"
        if self.detail:
            body += f": {self.detail}"
        return f"{self.path}: {body}"


def required(path: str, detail: str = "") -> FieldError:
    """`<path>: Required value[: detail]`."""
    return FieldError(path, REQUIRED, detail=detail)


def invalid(path: str, value: Any, detail: str) -> FieldError:
    """`<path>: Invalid value: <value>: <detail>`."""
    return FieldError(path, INVALID, value, detail)


def not_supported(path: str, value: Any, supported: list[str]) -> FieldError:
    """`<path>: Unsupported value: <value>: supported values: "a", "b"`."""
    quoted = ", ".join(json.dumps(choice) for choice in supported)
    return FieldError(path, UNSUPPORTED, value, f"supported values: {quoted}")


def duplicate(path: str, value: Any, detail: str = "") -> FieldError:
    """`<path>: Duplicate value: <value>`."""
    return FieldError(path, DUPLICATE, value, detail)


def forbidden(path: str, detail: str) -> FieldError:
    """`<path>: Forbidden: <detail>`."""
    return FieldError(path, FORBIDDEN, detail=detail)


def invalid_error(info: Kind, name: str, errors: list[FieldError]) -> InvalidError:
    """The 422 error for an object: `Pod "web" is invalid: <error>` or `...: [<e1>, <e2>]`.

    Repeated messages are shown once, as in apimachinery's errors.NewAggregate.
    """
    messages = list(dict.fromkeys(str(error) for error in errors))
    joined = messages[0] if len(messages) == 1 else "[" + ", ".join(messages) + "]"
    return InvalidError(f'{info.qualified_kind} "{name}" is invalid: {joined}')


# ---- Name formats (apimachinery pkg/util/validation/validation.go) ----

DNS1123_LABEL_FMT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
DNS1123_LABEL_MAX_LENGTH = 63
DNS1123_LABEL_ERROR = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', "
    "and must start and end with an alphanumeric character"
)
DNS1123_SUBDOMAIN_FMT = DNS1123_LABEL_FMT + r"(\." + DNS1123_LABEL_FMT + ")*"
DNS1123_SUBDOMAIN_MAX_LENGTH = 253
DNS1123_SUBDOMAIN_ERROR = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, "
    "'-' or '.', and must start and end with an alphanumeric character"
)
QUALIFIED_NAME_FMT = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
QUALIFIED_NAME_MAX_LENGTH = 63
QUALIFIED_NAME_ERROR = (
    "must consist of alphanumeric characters, '-', '_' or '.', "
    "and must start and end with an alphanumeric character"
)
LABEL_VALUE_FMT = f"({QUALIFIED_NAME_FMT})?"
LABEL_VALUE_MAX_LENGTH = 63
LABEL_VALUE_ERROR = (
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' "
    "or '.', and must start and end with an alphanumeric character"
)


def _regex_error(message: str, fmt: str, *examples: str) -> str:
    # validation.go RegexError, including its double space: "(e.g. 'a',  or 'b', regex ...)".
    shown = " or ".join(f"'{example}', " for example in examples)
    return f"{message} (e.g. {shown}regex used for validation is '{fmt}')"


def _max_length_error(length: int) -> str:
    return f"must be no more than {length} characters"


def dns1123_label_errors(value: str) -> list[str]:
    """Why value is not a DNS-1123 label ("my-name"); [] when it is one."""
    errors = []
    if len(value) > DNS1123_LABEL_MAX_LENGTH:
        errors.append(_max_length_error(DNS1123_LABEL_MAX_LENGTH))
    if not re.fullmatch(DNS1123_LABEL_FMT, value):
        if re.fullmatch(DNS1123_SUBDOMAIN_FMT, value):
            errors.append("must not contain dots")
        else:
            errors.append(
                _regex_error(DNS1123_LABEL_ERROR, DNS1123_LABEL_FMT, "my-name", "123-abc")
            )
    return errors


def dns1123_subdomain_errors(value: str) -> list[str]:
    """Why value is not a DNS-1123 subdomain ("example.com"); [] when it is one."""
    errors = []
    if len(value) > DNS1123_SUBDOMAIN_MAX_LENGTH:
        errors.append(_max_length_error(DNS1123_SUBDOMAIN_MAX_LENGTH))
    if not re.fullmatch(DNS1123_SUBDOMAIN_FMT, value):
        errors.append(_regex_error(DNS1123_SUBDOMAIN_ERROR, DNS1123_SUBDOMAIN_FMT, "example.com"))
    return errors


def qualified_name_errors(value: str) -> list[str]:
    """Why value is not a label key such as "app" or "node.kubernetes.io/not-ready"."""
    name_error = _regex_error(
        QUALIFIED_NAME_ERROR, QUALIFIED_NAME_FMT, "MyName", "my.name", "123-abc"
    )
    parts = value.split("/")
    if len(parts) > 2:
        return [
            f"a qualified name {name_error} with an optional DNS subdomain prefix "
            "and '/' (e.g. 'example.com/MyName')"
        ]
    errors = []
    if len(parts) == 2:
        prefix = parts[0]
        if not prefix:
            errors.append("prefix part must be non-empty")
        else:
            errors += [f"prefix part {message}" for message in dns1123_subdomain_errors(prefix)]
    name = parts[-1]
    if not name:
        errors.append("name part must be non-empty")
    elif len(name) > QUALIFIED_NAME_MAX_LENGTH:
        errors.append(f"name part {_max_length_error(QUALIFIED_NAME_MAX_LENGTH)}")
    if not re.fullmatch(QUALIFIED_NAME_FMT, name):
        errors.append(f"name part {name_error}")
    return errors


def label_value_errors(value: str) -> list[str]:
    """Why value is not a label value (empty, or up to 63 of [A-Za-z0-9-_.])."""
    errors = []
    if len(value) > LABEL_VALUE_MAX_LENGTH:
        errors.append(_max_length_error(LABEL_VALUE_MAX_LENGTH))
    if not re.fullmatch(LABEL_VALUE_FMT, value):
        examples = ("MyValue", "my_value", "12345")
        errors.append(_regex_error(LABEL_VALUE_ERROR, LABEL_VALUE_FMT, *examples))
    return errors


# ---- Document shape (what kubectl's decoder rejects before validation) ----


def _compact(obj: Any) -> str:
    """obj as the one-line JSON kubectl quotes in decode errors (sorted keys), cut at 200 chars."""
    text = _json_text(obj, separators=(",", ":"))
    return text if len(text) <= 200 else text[:197] + "..."


def check_shape(obj: Any) -> None:
    """Raise ManifestError unless obj looks like an API object: a mapping with kind and apiVersion.

    metadata, spec and status must be mappings when present. Messages for a missing kind or
    apiVersion are the decoder's (apimachinery pkg/runtime/error.go).
    """
    if not isinstance(obj, dict):
        raise ManifestError(
            "a manifest must be a mapping with apiVersion, kind and metadata; "
            f"got {type(obj).__name__} {_compact(obj)}"
        )
    if not obj.get("kind"):
        raise ManifestError(f"Object 'Kind' is missing in '{_compact(obj)}'")
    if not obj.get("apiVersion"):
        raise ManifestError(f"Object 'apiVersion' is missing in '{_compact(obj)}'")
    for field in ("kind", "apiVersion"):
        if not isinstance(obj[field], str):
            raise ManifestError(f"{field} must be a string, got {_render(obj[field])}")
    for field in ("metadata", "spec", "status"):
        value = obj.get(field)
        if value is not None and not isinstance(value, dict):
            raise ManifestError(
                f'{obj["kind"]} field "{field}" must be a mapping, got {_render(value)}'
            )


# ---- Typed fields ----


def _type_error(path: str, value: Any, wanted: type) -> list[FieldError]:
    """[] when value has the wanted type (bool is not an int here), else one Invalid error."""
    names = {
        str: "a string",
        int: "an integer",
        bool: "a boolean",
        list: "a list",
        dict: "a mapping",
    }
    ok = isinstance(value, wanted) and not (wanted is int and isinstance(value, bool))
    return [] if ok else [invalid(path, value, f"must be {names[wanted]}")]


def _string_fields_errors(item: dict, path: str, fields: tuple[str, ...]) -> list[FieldError]:
    """Type errors for those of item's fields that are set but are not strings."""
    errors: list[FieldError] = []
    for field in fields:
        if item.get(field) is not None:
            errors += _type_error(f"{path}.{field}", item[field], str)
    return errors


def _enum_errors(path: str, value: Any, supported: list[str]) -> list[FieldError]:
    if value == "":
        return [required(path)]
    if value not in supported:
        return [not_supported(path, value, supported)]
    return []


def _string_map_errors(path: str, value: Any) -> list[FieldError]:
    if not isinstance(value, dict) or not all(
        isinstance(key, str) and isinstance(item, str) for key, item in value.items()
    ):
        return [invalid(path, value, "must be a mapping of strings to strings")]
    return []


# ---- Metadata (apimachinery api/validation/objectmeta.go ValidateObjectMeta) ----


def _mask_trailing_dash(prefix: str) -> str:
    # objectmeta.go maskTrailingDash: a generateName may end in "-".
    return prefix[:-2] + "a" if len(prefix) > 1 and prefix.endswith("-") else prefix


def _metadata_errors(metadata: dict, info: Kind) -> list[FieldError]:
    name_errors = dns1123_label_errors if info.kind == "Namespace" else dns1123_subdomain_errors
    errors: list[FieldError] = []
    name, generate_name = metadata.get("name"), metadata.get("generateName")
    if generate_name:
        errors += _type_error("metadata.generateName", generate_name, str) or [
            invalid("metadata.generateName", generate_name, message)
            for message in name_errors(_mask_trailing_dash(generate_name))
        ]
    if not name and not generate_name:
        errors.append(required("metadata.name", "name or generateName is required"))
    elif name:
        errors += _type_error("metadata.name", name, str) or [
            invalid("metadata.name", name, message) for message in name_errors(name)
        ]
    namespace = metadata.get("namespace")
    if info.namespaced and not namespace:
        errors.append(required("metadata.namespace"))
    elif info.namespaced:
        errors += _type_error("metadata.namespace", namespace, str) or [
            invalid("metadata.namespace", namespace, message)
            for message in dns1123_label_errors(namespace)
        ]
    elif namespace:
        errors.append(forbidden("metadata.namespace", "not allowed on this type"))
    errors += _labels_errors("metadata.labels", metadata.get("labels"))
    if metadata.get("annotations") is not None:
        errors += _string_map_errors("metadata.annotations", metadata["annotations"])
    return errors


def _labels_errors(path: str, labels: Any) -> list[FieldError]:
    if labels is None:
        return []
    errors = _string_map_errors(path, labels)
    if errors:
        return errors
    for key, value in labels.items():
        errors += [invalid(path, key, message) for message in qualified_name_errors(key)]
        errors += [invalid(path, value, message) for message in label_value_errors(value)]
    return errors


# ---- Resource quantities (core validation ValidateResourceRequirements) ----

STANDARD_CONTAINER_RESOURCES = ("cpu", "memory", "ephemeral-storage")
# core helper IsIntegerResourceName: counted resources that must be whole numbers.
INTEGER_RESOURCES = ("pods",)


def _is_native(name: str) -> bool:
    return "/" not in name or "kubernetes.io/" in name


def _overcommit_allowed(name: str) -> bool:
    # Extended resources (example.com/gpu) and hugepages must have request == limit.
    return _is_native(name) and not name.startswith("hugepages-")


def _quantity_errors(name: str, quantity: Any, path: str) -> tuple[Any, list[FieldError]]:
    """(exact value or None, errors) for one quantity: it must parse and not be negative."""
    text = str(quantity) if isinstance(quantity, (str, int, float)) else quantity
    try:
        value = parse_quantity(quantity)
    except ValueError as err:
        return None, [invalid(path, text, str(err))]
    errors = []
    if value < 0:
        errors.append(invalid(path, text, "must be greater than or equal to 0"))
    if (name in INTEGER_RESOURCES or not _is_native(name)) and value.denominator != 1:
        errors.append(invalid(path, text, "must be an integer"))
    return value, errors


def _container_resource_name_errors(name: Any, path: str) -> list[FieldError]:
    if not isinstance(name, str):
        return [invalid(path, name, "must be a string")]
    if "/" not in name:
        if name not in STANDARD_CONTAINER_RESOURCES and not name.startswith("hugepages-"):
            return [invalid(path, name, "must be a standard resource for containers")]
    elif not _is_native(name) and qualified_name_errors(name):
        return [invalid(path, name, "doesn't follow extended resource name standard")]
    return []


def _resource_list_errors(
    quantities: Any, path: str, keyed: bool, container: bool = False
) -> tuple[dict, list[FieldError]]:
    """(parsed values, errors) for a ResourceList; keyed paths look like limits[cpu]."""
    if quantities is None:
        return {}, []
    if not isinstance(quantities, dict):
        return {}, [invalid(path, quantities, "must be a mapping of resource names to quantities")]
    values, errors = {}, []
    for name, quantity in quantities.items():
        item_path = f"{path}[{name}]" if keyed else f"{path}.{name}"
        if container:
            errors += _container_resource_name_errors(name, item_path)
        value, quantity_errors = _quantity_errors(str(name), quantity, item_path)
        errors += quantity_errors
        if value is not None:
            values[name] = value
    return values, errors


def _requirements_errors(resources: Any, path: str) -> list[FieldError]:
    if resources is None:
        return []
    errors = _type_error(path, resources, dict)
    if errors:
        return errors
    limits_path, requests_path = f"{path}.limits", f"{path}.requests"
    limits, errors = _resource_list_errors(
        resources.get("limits"), limits_path, keyed=True, container=True
    )
    requests, request_errors = _resource_list_errors(
        resources.get("requests"), requests_path, keyed=True, container=True
    )
    errors += request_errors
    for name, request in requests.items():
        text = str(resources["requests"][name])
        if name in limits:
            limit_text = str(resources["limits"][name])
            if request != limits[name] and not _overcommit_allowed(str(name)):
                detail = f"must be equal to {name} limit of {limit_text}"
                errors.append(invalid(requests_path, text, detail))
            elif request > limits[name]:
                detail = f"must be less than or equal to {name} limit of {limit_text}"
                errors.append(invalid(requests_path, text, detail))
        elif not _overcommit_allowed(str(name)):
            detail = "Limit must be set for non overcommitable resources"
            errors.append(required(limits_path, detail))
    return errors


# ---- Pod ----

RESTART_POLICIES = ["Always", "OnFailure", "Never"]
DNS_POLICIES = ["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"]
PULL_POLICIES = ["Always", "IfNotPresent", "Never"]
TAINT_EFFECTS = ["NoSchedule", "PreferNoSchedule", "NoExecute"]
TOLERATION_OPERATORS = ["Equal", "Exists"]


def _container_errors(container: Any, path: str, seen_names: set[str]) -> list[FieldError]:
    errors = _type_error(path, container, dict)
    if errors:
        return errors
    name = container.get("name")
    if not name:
        errors.append(required(f"{path}.name"))
    else:
        errors += _type_error(f"{path}.name", name, str) or [
            invalid(f"{path}.name", name, message) for message in dns1123_label_errors(name)
        ]
    if isinstance(name, str) and name in seen_names:
        errors.append(duplicate(f"{path}.name", name))
    elif isinstance(name, str):
        seen_names.add(name)
    image = container.get("image")
    if not image:
        errors.append(required(f"{path}.image"))
    elif not isinstance(image, str):
        errors += _type_error(f"{path}.image", image, str)
    elif image.strip() != image:
        detail = "must not have leading or trailing whitespace"
        errors.append(invalid(f"{path}.image", image, detail))
    if "imagePullPolicy" in container:
        policy = container["imagePullPolicy"]
        errors += _enum_errors(f"{path}.imagePullPolicy", policy, PULL_POLICIES)
    errors += _requirements_errors(container.get("resources"), f"{path}.resources")
    return errors


def _containers_errors(spec: dict, field: str, seen_names: set[str]) -> list[FieldError]:
    path = f"spec.{field}"
    containers = spec.get(field)
    if not containers:
        return [required(path)] if field == "containers" else []
    errors = _type_error(path, containers, list)
    if errors:
        return errors
    for index, container in enumerate(containers):
        errors += _container_errors(container, f"{path}[{index}]", seen_names)
    return errors


def _taint_effect_errors(path: str, effect: Any, allow_empty: bool) -> list[FieldError]:
    if not effect:
        return [] if allow_empty else [required(path)]
    return [] if effect in TAINT_EFFECTS else [not_supported(path, effect, TAINT_EFFECTS)]


def _toleration_errors(toleration: Any, path: str) -> list[FieldError]:
    errors = _type_error(path, toleration, dict) or _string_fields_errors(
        toleration, path, ("key", "operator", "value", "effect")
    )
    if errors:
        return errors
    key, operator = toleration.get("key") or "", toleration.get("operator") or ""
    value, effect = toleration.get("value") or "", toleration.get("effect") or ""
    if key:
        errors += [invalid(f"{path}.key", key, message) for message in qualified_name_errors(key)]
    elif operator != "Exists":
        detail = (
            "operator must be Exists when `key` is empty, "
            'which means "match all values and all keys"'
        )
        errors.append(invalid(f"{path}.operator", operator, detail))
    if toleration.get("tolerationSeconds") is not None:
        errors += _type_error(f"{path}.tolerationSeconds", toleration["tolerationSeconds"], int)
        if effect != "NoExecute":
            detail = "effect must be 'NoExecute' when `tolerationSeconds` is set"
            errors.append(invalid(f"{path}.effect", effect, detail))
    if operator in ("Equal", ""):
        errors += [
            invalid(f"{path}.operator", value, message) for message in label_value_errors(value)
        ]
    elif operator == "Exists":
        if value:
            detail = "value must be empty when `operator` is 'Exists'"
            errors.append(invalid(f"{path}.operator", value, detail))
    else:
        errors.append(not_supported(f"{path}.operator", operator, TOLERATION_OPERATORS))
    return errors + _taint_effect_errors(f"{path}.effect", effect, allow_empty=True)


def _list_errors(
    spec: dict, field: str, check: Callable[[Any, str], list[FieldError]]
) -> list[FieldError]:
    items = spec.get(field)
    if items is None:
        return []
    errors = _type_error(f"spec.{field}", items, list)
    if errors:
        return errors
    for index, item in enumerate(items):
        errors += check(item, f"spec.{field}[{index}]")
    return errors


def _pod_errors(obj: dict) -> list[FieldError]:
    spec = obj.get("spec") or {}
    seen_names: set[str] = set()
    errors = _containers_errors(spec, "containers", seen_names)
    errors += _containers_errors(spec, "initContainers", seen_names)
    if "restartPolicy" in spec:
        errors += _enum_errors("spec.restartPolicy", spec["restartPolicy"], RESTART_POLICIES)
    if "dnsPolicy" in spec:
        errors += _enum_errors("spec.dnsPolicy", spec["dnsPolicy"], DNS_POLICIES)
    if spec.get("nodeSelector") is not None:
        errors += _labels_errors("spec.nodeSelector", spec["nodeSelector"])
    if spec.get("nodeName"):
        node_name = spec["nodeName"]
        errors += _type_error("spec.nodeName", node_name, str) or [
            invalid("spec.nodeName", node_name, message)
            for message in dns1123_subdomain_errors(node_name)
        ]
    for field in ("terminationGracePeriodSeconds", "priority"):
        if spec.get(field) is not None:
            errors += _type_error(f"spec.{field}", spec[field], int)
    errors += _list_errors(spec, "tolerations", _toleration_errors)
    errors += _resource_list_errors(spec.get("overhead"), "spec.overhead", keyed=True)[1]
    # Affinity, spread constraints: in their own module, which builds on this one's helpers.
    from k8slab.api.scheduling_validation import pod_scheduling_field_errors

    return errors + pod_scheduling_field_errors(obj)


# ---- Node ----


def _taint_errors(taint: Any, path: str) -> list[FieldError]:
    errors = _type_error(path, taint, dict) or _string_fields_errors(
        taint, path, ("key", "value", "effect")
    )
    if errors:
        return errors
    key, value = taint.get("key") or "", taint.get("value") or ""
    errors += [invalid(f"{path}.key", key, message) for message in qualified_name_errors(key)]
    errors += [invalid(f"{path}.value", value, message) for message in label_value_errors(value)]
    return errors + _taint_effect_errors(f"{path}.effect", taint.get("effect"), allow_empty=False)


def _node_errors(obj: dict) -> list[FieldError]:
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    errors = _list_errors(spec, "taints", _taint_errors)
    taints = spec.get("taints")
    if isinstance(taints, list):
        seen: set[tuple[str, str]] = set()
        for index, taint in enumerate(taints):
            if not isinstance(taint, dict):
                continue
            pair = (str(taint.get("key", "")), str(taint.get("effect", "")))
            if pair in seen:
                detail = "taints must be unique by key and effect pair"
                errors.append(duplicate(f"spec.taints[{index}]", taint, detail))
            seen.add(pair)
    if spec.get("unschedulable") is not None:
        errors += _type_error("spec.unschedulable", spec["unschedulable"], bool)
    for field in ("capacity", "allocatable"):
        errors += _resource_list_errors(status.get(field), f"status.{field}", keyed=False)[1]
    return errors


# ---- Namespace and Lease ----


def _namespace_errors(obj: dict) -> list[FieldError]:
    return []  # a Namespace is checked by its metadata alone (a DNS-1123 label name)


def _lease_errors(obj: dict) -> list[FieldError]:
    spec = obj.get("spec") or {}
    errors: list[FieldError] = []
    if spec.get("holderIdentity") is not None:
        errors += _type_error("spec.holderIdentity", spec["holderIdentity"], str)
    for field, minimum in (("leaseDurationSeconds", 1), ("leaseTransitions", 0)):
        value = spec.get(field)
        if value is None:
            continue
        type_errors = _type_error(f"spec.{field}", value, int)
        if type_errors:
            errors += type_errors
        elif value < minimum:
            bound = "greater than 0" if minimum == 1 else "greater than or equal to 0"
            errors.append(invalid(f"spec.{field}", value, f"must be {bound}"))
    for field in ("acquireTime", "renewTime"):
        value = spec.get(field)
        if value is None:
            continue
        try:
            from_time(value)
        except ValueError:
            detail = "must be an RFC 3339 time such as '2026-01-01T00:00:00.000000Z'"
            errors.append(invalid(f"spec.{field}", value, detail))
    return errors


_KIND_CHECKS: dict[str, Callable[[dict], list[FieldError]]] = {
    "Pod": _pod_errors,
    "Node": _node_errors,
    "Namespace": _namespace_errors,
    "Lease": _lease_errors,
}


def field_errors(obj: dict) -> list[FieldError]:
    """Every validation problem of a well-shaped object, in the API server's order."""
    info = kind_info(obj["kind"], obj["apiVersion"])
    return _metadata_errors(obj.get("metadata") or {}, info) + _KIND_CHECKS[info.kind](obj)


def validate(obj: dict) -> None:
    """Raise unless obj is a valid object: ManifestError for its shape or kind, else InvalidError.

    Example message: `Pod "web" is invalid: spec.containers[0].image: Required value`.
    """
    check_shape(obj)
    errors = field_errors(obj)
    if errors:
        name = (obj.get("metadata") or {}).get("name") or ""
        raise invalid_error(kind_info(obj["kind"]), str(name), errors)
