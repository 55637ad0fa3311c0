"""Events, through either API: the legacy checks every Event passes, and the strict ones for
events.k8s.io/v1.

kubernetes pkg/apis/core/validation/events.go legacyValidateEvent and ValidateEventCreate. Both
run on the core form (an events.k8s.io/v1 Event is converted first), so the paths are core's
names (involvedObject.namespace, eventTime), except reportingController, named per version.
"""

from __future__ import annotations

from collections.abc import Callable

from k8slab.api.events import to_core_event
from k8slab.api.validation.field import FieldError, invalid, required
from k8slab.api.validation.names import dns1123_subdomain_errors, qualified_name_errors

# events.go length limits.
REPORTING_INSTANCE_LIMIT = 128
ACTION_LIMIT = 128
REASON_LIMIT = 128
NOTE_LIMIT = 1024


def _legacy_errors(event: dict, controller_field: str) -> list[FieldError]:
    namespace = (event.get("metadata") or {}).get("namespace", "")
    involved = (event.get("involvedObject") or {}).get("namespace", "")
    mismatch = invalid("involvedObject.namespace", involved, "does not match event.namespace")
    errors: list[FieldError] = []
    if not event.get("eventTime"):
        # An "old" Event: its namespace is its object's (or "default" for a cluster object).
        if (not involved and namespace not in ("", "default")) or (involved and
                                                                  namespace != involved):
            errors.append(mismatch)
    else:
        if not involved and namespace not in ("default", "kube-system"):
            errors.append(mismatch)
        controller = event.get("reportingComponent", "")
        if not controller:
            errors.append(required(controller_field))
        errors += [invalid(controller_field, controller, message)
                   for message in qualified_name_errors(controller)] if controller else []
        errors += _bounded(event, "reportingInstance", REPORTING_INSTANCE_LIMIT, needed=True)
        errors += _bounded(event, "action", ACTION_LIMIT, needed=True)
        errors += _bounded(event, "reason", REASON_LIMIT, needed=True)
        errors += _bounded(event, "message", NOTE_LIMIT, needed=False)
    return errors + [invalid("namespace", namespace, message)
                     for message in dns1123_subdomain_errors(namespace)]


def _bounded(event: dict, field: str, limit: int, *, needed: bool) -> list[FieldError]:
    value = event.get(field, "")
    if needed and not value:
        return [required(field)]
    if len(value) > limit:
        return [invalid(field, "", f"can have at most {limit} characters")]
    return []


def event_errors(obj: dict) -> list[FieldError]:
    """A core/v1 Event: the legacy checks only, for backwards compatibility."""
    return _legacy_errors(obj, "reportingComponent")


def events_v1_errors(obj: dict) -> list[FieldError]:
    """An events.k8s.io/v1 Event: the legacy checks, then eventTime, type and no old fields."""
    event = to_core_event(obj)
    errors = _legacy_errors(event, "reportingController")
    if not event.get("eventTime"):
        errors.append(required("eventTime"))
    kind = event.get("type", "")
    if kind not in ("Normal", "Warning"):
        errors.append(invalid("type", "", f"has invalid value: {kind}"))
    for field in ("firstTimestamp", "lastTimestamp", "count"):
        if event.get(field):
            errors.append(invalid(field, "", "needs to be unset"))
    source = event.get("source") or {}
    if source.get("component") or source.get("host"):
        errors.append(invalid("source", "", "needs to be unset"))
    return errors


EVENT_CHECKS: dict[str, Callable[[dict], list[FieldError]]] = {
    "Event": event_errors,
    "Event.events.k8s.io": events_v1_errors,
}
