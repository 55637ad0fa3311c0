"""The apps group: Deployment, ReplicaSet, DaemonSet and StatefulSet, on create.

kubernetes pkg/apis/apps/validation/validation.go (ValidateDeploymentSpec, ValidateReplicaSetSpec,
ValidateDaemonSetSpec, ValidateStatefulSetSpec and their strategies), in upstream's order and
words, quirks included: a ReplicaSet's empty selector "is invalid for deployment", and a
template's labels are checked at `spec.template.labels`.
"""

from __future__ import annotations

from collections.abc import Callable

from k8slab.api.labels import selector_is_empty, selector_matches
from k8slab.api.validation.core_template import controller_template_errors, nonnegative_errors
from k8slab.api.validation.field import (
    FieldError,
    GoValue,
    forbidden,
    invalid,
    not_supported,
    required,
    sorted_json,
)
from k8slab.api.validation.labels import label_selector_errors, labels_errors
from k8slab.api.validation.names import percent_errors


def go_struct(fields: dict) -> GoValue:
    """A struct as json.Marshal writes one without json tags (internal types): Go field names
    in declaration order, a nil pointer as null: {"Type":"Blue","RollingUpdate":null}."""
    parts = [f'"{name}":{sorted_json(value, separators=(",", ":"))}' for name, value in
             fields.items()]
    return GoValue("{" + ",".join(parts) + "}")


def _percent(value: int | str) -> int | None:
    """The number in a valid percent string ("25%" -> 25), else None (getPercentValue)."""
    if isinstance(value, str) and not percent_errors(value):
        return int(value[:-1])
    return None


def _int_or_percent(value: int | str) -> int:
    """getIntOrPercentValue: a percent's number, an int as it is, other strings 0 (IntValue)."""
    percent = _percent(value)
    if percent is not None:
        return percent
    if isinstance(value, int):
        return value
    try:
        return int(value)  # intstr.IntValue: strconv.Atoi, 0 on failure
    except ValueError:
        return 0


def int_or_percent_errors(value: int | str | None, path: str) -> list[FieldError]:
    """ValidatePositiveIntOrPercent: a percent string, or an integer that is not negative."""
    if value is None:
        return []
    if isinstance(value, str):
        return [invalid(path, value, message) for message in percent_errors(value)]
    return [invalid(path, value, "must be greater than or equal to 0")] if value < 0 else []


def not_more_than_100_percent(value: int | str | None, path: str) -> list[FieldError]:
    """IsNotMoreThan100Percent."""
    percent = _percent(value) if value is not None else None
    if percent is None or percent <= 100:
        return []
    return [invalid(path, value, "must not be greater than 100%")]


def selector_errors(spec: dict, owner: str) -> tuple[list[FieldError], Callable | None, bool]:
    """The selector's own errors, the label matcher (None when empty) and whether it parsed.

    spec.selector is required, valid as a LabelSelector, and not empty ("empty selector is
    invalid for <owner>").
    """
    selector = spec.get("selector")
    if selector is None:
        return [required("spec.selector")], None, True
    errors = label_selector_errors(selector, "spec.selector")
    if selector_is_empty(selector):
        detail = f"empty selector is invalid for {owner}"
        errors.append(invalid("spec.selector", selector, detail))
        return errors, None, not errors[:-1]
    parsed = not errors  # LabelSelectorAsSelector fails on what ValidateLabelSelector refuses

    def matches(labels: dict) -> bool:
        return selector_matches(selector, labels)

    return errors, (matches if parsed else None), parsed


def _template_checks(spec: dict, owner: str, kind_owner: str) -> list[FieldError]:
    errors, matches, parsed = selector_errors(spec, owner)
    if not parsed:
        errors.append(invalid("spec.selector", spec["selector"], "invalid label selector"))
        return errors
    template = spec.get("template") or {}
    return errors + controller_template_errors(template, "spec.template", kind_owner, matches)


def deployment_strategy_errors(strategy: dict) -> list[FieldError]:
    """ValidateDeploymentStrategy and ValidateRollingUpdateDeployment."""
    path, kind, rolling = "spec.strategy", strategy.get("type"), strategy.get("rollingUpdate")
    if kind == "Recreate":
        if rolling is not None:
            detail = "may not be specified when strategy `type` is 'Recreate'"
            return [forbidden(f"{path}.rollingUpdate", detail)]
        return []
    if kind != "RollingUpdate":
        value = go_struct({"Type": kind or "", "RollingUpdate": rolling})
        return [not_supported(path, value, ["Recreate", "RollingUpdate"])]
    if rolling is None:
        return [required(f"{path}.rollingUpdate", "this should be defaulted and never be nil")]
    path += ".rollingUpdate"
    unavailable, surge = rolling.get("maxUnavailable", 0), rolling.get("maxSurge", 0)
    errors = int_or_percent_errors(unavailable, f"{path}.maxUnavailable")
    errors += int_or_percent_errors(surge, f"{path}.maxSurge")
    if _int_or_percent(unavailable) == 0 and _int_or_percent(surge) == 0:
        detail = "may not be 0 when `maxSurge` is 0"
        errors.append(invalid(f"{path}.maxUnavailable", unavailable, detail))
    return errors + not_more_than_100_percent(unavailable, f"{path}.maxUnavailable")


def deployment_errors(obj: dict) -> list[FieldError]:
    """ValidateDeploymentSpec: replicas, selector and template, strategy, the time limits."""
    spec = obj.get("spec") or {}
    errors = nonnegative_errors(spec, "replicas", "spec")
    errors += _template_checks(spec, "deployment", "ReplicaSet")
    errors += deployment_strategy_errors(spec.get("strategy") or {})
    errors += nonnegative_errors(spec, "minReadySeconds", "spec")
    errors += nonnegative_errors(spec, "revisionHistoryLimit", "spec")
    deadline = spec.get("progressDeadlineSeconds")
    if deadline is not None:
        errors += nonnegative_errors(spec, "progressDeadlineSeconds", "spec")
        if deadline <= spec.get("minReadySeconds", 0):
            detail = "must be greater than minReadySeconds"
            errors.append(invalid("spec.progressDeadlineSeconds", deadline, detail))
    return errors


def replica_set_errors(obj: dict) -> list[FieldError]:
    """ValidateReplicaSetSpec (whose empty-selector message says "deployment", as upstream's)."""
    spec = obj.get("spec") or {}
    errors = nonnegative_errors(spec, "replicas", "spec")
    errors += nonnegative_errors(spec, "minReadySeconds", "spec")
    return errors + _template_checks(spec, "deployment", "ReplicaSet")


def _daemon_set_strategy_errors(strategy: dict) -> list[FieldError]:
    path, kind, rolling = "spec.updateStrategy", strategy.get("type"), strategy.get("rollingUpdate")
    if kind == "OnDelete":
        return []
    if kind != "RollingUpdate":
        value = go_struct({"Type": kind or "", "RollingUpdate": rolling})
        return [not_supported(path, value, ["RollingUpdate", "OnDelete"])]
    if rolling is None:
        return [required(f"{path}.rollingUpdate")]
    path += ".rollingUpdate"
    unavailable, surge = rolling.get("maxUnavailable", 0), rolling.get("maxSurge", 0)
    errors = int_or_percent_errors(unavailable, f"{path}.maxUnavailable")
    errors += int_or_percent_errors(surge, f"{path}.maxSurge")
    errors += not_more_than_100_percent(unavailable, f"{path}.maxUnavailable")
    errors += not_more_than_100_percent(surge, f"{path}.maxSurge")
    has_unavailable, has_surge = _int_or_percent(unavailable) != 0, _int_or_percent(surge) != 0
    if has_unavailable and has_surge:
        detail = "may not be set when maxUnavailable is non-zero"
        errors.append(invalid(f"{path}.maxSurge", surge, detail))
    elif not has_unavailable and not has_surge:
        errors.append(required(f"{path}.maxUnavailable", "cannot be 0 when maxSurge is 0"))
    return errors


def daemon_set_errors(obj: dict) -> list[FieldError]:
    """ValidateDaemonSetSpec: selector, template, minReadySeconds, update strategy, history."""
    spec = obj.get("spec") or {}
    selector = spec.get("selector")
    errors = label_selector_errors(selector, "spec.selector")
    labels = ((spec.get("template") or {}).get("metadata") or {}).get("labels")
    if not errors and not selector_matches(selector, labels or {}):
        errors.append(invalid("spec.template.metadata.labels", labels,
                              "`selector` does not match template `labels`"))
    if selector_is_empty(selector):
        errors.append(invalid("spec.selector", selector, "empty selector is invalid for daemonset"))
    errors += controller_template_errors(spec.get("template") or {}, "spec.template",
                                         "DaemonSet", None)
    errors += nonnegative_errors(spec, "minReadySeconds", "spec")
    errors += _daemon_set_strategy_errors(spec.get("updateStrategy") or {})
    return errors + nonnegative_errors(spec, "revisionHistoryLimit", "spec")


def _stateful_set_strategy_errors(strategy: dict) -> list[FieldError]:
    path, kind, rolling = "spec.updateStrategy", strategy.get("type"), strategy.get("rollingUpdate")
    if not kind:
        return [required(path)]
    if kind == "OnDelete":
        if rolling is not None:
            value = go_struct({"Partition": rolling.get("partition", 0),
                               "MaxUnavailable": rolling.get("maxUnavailable")})
            return [invalid(f"{path}.rollingUpdate", value,
                            "only allowed for updateStrategy 'RollingUpdate'")]
        return []
    if kind != "RollingUpdate":
        value = go_struct({"Type": kind, "RollingUpdate": rolling})
        return [invalid(path, value, "must be 'RollingUpdate' or 'OnDelete'")]
    if rolling is None:
        return []
    path += ".rollingUpdate"
    errors = nonnegative_errors(rolling, "partition", path)
    unavailable = rolling.get("maxUnavailable")
    if unavailable is not None:
        errors += int_or_percent_errors(unavailable, f"{path}.maxUnavailable")
        if _int_or_percent(unavailable) == 0:
            errors.append(invalid(f"{path}.maxUnavailable", unavailable, "cannot be 0"))
        errors += not_more_than_100_percent(unavailable, f"{path}.maxUnavailable")
    return errors


def stateful_set_errors(obj: dict) -> list[FieldError]:
    """ValidateStatefulSetSpec: policies, replicas, selector, template, restartPolicy."""
    spec = obj.get("spec") or {}
    policy = spec.get("podManagementPolicy", "")
    errors: list[FieldError] = []
    if not policy:
        errors.append(required("spec.podManagementPolicy"))
    elif policy not in ("OrderedReady", "Parallel"):
        errors.append(invalid("spec.podManagementPolicy", policy,
                              "must be 'OrderedReady' or 'Parallel'"))
    errors += _stateful_set_strategy_errors(spec.get("updateStrategy") or {})
    retention = spec.get("persistentVolumeClaimRetentionPolicy") or {}
    for field in ("whenDeleted", "whenScaled"):
        if field in retention and retention[field] not in ("Retain", "Delete"):
            errors.append(not_supported(f"spec.persistentVolumeClaimRetentionPolicy.{field}",
                                        retention[field], ["Retain", "Delete"]))
    errors += nonnegative_errors(spec, "replicas", "spec")
    errors += nonnegative_errors(spec, "minReadySeconds", "spec")
    errors += nonnegative_errors(spec.get("ordinals") or {}, "start", "spec.ordinals")
    selector_problems, matches, parsed = selector_errors(spec, "statefulset")
    errors += selector_problems
    template = spec.get("template") or {}
    if not parsed:
        errors.append(invalid("spec.selector", spec["selector"], ""))
    labels = (template.get("metadata") or {}).get("labels")
    if parsed and matches is not None and not matches(labels or {}):
        errors.append(invalid("spec.template.metadata.labels", labels,
                              "`selector` does not match template `labels`"))
    # Upstream checks a StatefulSet template's labels and annotations, not its PodSpec.
    errors += labels_errors(labels or {}, "spec.template.labels")
    restart = (template.get("spec") or {}).get("restartPolicy", "")
    if restart != "Always":
        errors.append(not_supported("spec.template.spec.restartPolicy", restart, ["Always"]))
    if (template.get("spec") or {}).get("activeDeadlineSeconds") is not None:
        errors.append(forbidden("spec.template.spec.activeDeadlineSeconds",
                                "activeDeadlineSeconds in StatefulSet is not Supported"))
    return errors


APPS_CHECKS: dict[str, Callable[[dict], list[FieldError]]] = {
    "Deployment.apps": deployment_errors,
    "ReplicaSet.apps": replica_set_errors,
    "DaemonSet.apps": daemon_set_errors,
    "StatefulSet.apps": stateful_set_errors,
}
