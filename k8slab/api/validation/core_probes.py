"""Probe validation: one handler per probe, its port, and no negative timings.

kubernetes pkg/apis/core/validation/validation.go validateProbe, validateHandler (handlers in
the order exec, httpGet, tcpSocket, grpc; the second one found is "may not specify more than 1
handler type"), validateLivenessProbe and validateStartupProbe ("must be 1" for
successThreshold), and the init container rule: a regular init container runs to completion,
so it may carry no probe at all; a sidecar (restartPolicy Always) may carry all three.
Port rules are apimachinery's IsValidPortNum and IsValidPortName.
"""

from __future__ import annotations

import re

from k8slab.api.validation.field import FieldError, forbidden, invalid, not_supported, required

PROBES = ("livenessProbe", "readinessProbe", "startupProbe")
HANDLERS = ("exec", "httpGet", "tcpSocket", "grpc")
# validation.go supportedHTTPSchemes, as sets.List sorts them.
HTTP_SCHEMES = ["HTTP", "HTTPS"]
# validateProbe: each of these through ValidateNonnegativeField.
_NON_NEGATIVE = ("initialDelaySeconds", "timeoutSeconds", "periodSeconds", "successThreshold",
                 "failureThreshold")
ONE_HANDLER = "may not specify more than 1 handler type"
NEGATIVE = "must be greater than or equal to 0"
INIT_FORBIDDEN = "may not be set for init containers without restartPolicy=Always"
# apimachinery util/validation: IsValidPortNum's InclusiveRangeError and IsValidPortName's rules.
PORT_RANGE = "must be between 1 and 65535, inclusive"
_PORT_NAME_CHARSET = re.compile(r"^[-a-z0-9]+$")
_PORT_NAME_LETTER = re.compile(r"[a-z]")


def port_name_errors(name: str) -> list[str]:
    """IsValidPortName: at most 15 characters of a-z, 0-9 and '-', with a letter, no '--',
    no '-' at either end (an IANA_SVC_NAME)."""
    errors = []
    if len(name) > 15:
        errors.append("must be no more than 15 characters")
    if not _PORT_NAME_CHARSET.match(name):
        errors.append("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)")
    if not _PORT_NAME_LETTER.search(name):
        errors.append("must contain at least one letter (a-z)")
    if "--" in name:
        errors.append("must not contain consecutive hyphens")
    if name and (name[0] == "-" or name[-1] == "-"):
        errors.append("must not begin or end with a hyphen")
    return errors


def port_errors(port: int | str | None, path: str) -> list[FieldError]:
    """ValidatePortNumOrName: a number in 1..65535 or a valid port name."""
    if isinstance(port, str):
        return [invalid(path, port, message) for message in port_name_errors(port)]
    number = port or 0
    return [] if 1 <= number <= 65535 else [invalid(path, number, PORT_RANGE)]


def _action_errors(handler: str, action: dict, path: str) -> list[FieldError]:
    """validateExecAction, validateHTTPGetAction, validateTCPSocketAction, validateGRPCAction."""
    if handler == "exec":
        return [] if action.get("command") else [required(f"{path}.command")]
    if handler == "httpGet":
        errors = [] if action.get("path") else [required(f"{path}.path")]
        errors += port_errors(action.get("port"), f"{path}.port")
        scheme = action.get("scheme", "")
        if scheme not in HTTP_SCHEMES:
            errors.append(not_supported(f"{path}.scheme", scheme, HTTP_SCHEMES))
        return errors
    return port_errors(action.get("port"), f"{path}.port")


def _handler_errors(probe: dict, path: str) -> list[FieldError]:
    """validateHandler: exactly one handler, each checked; none at all is Required."""
    errors, found = [], 0
    for handler in HANDLERS:
        action = probe.get(handler)
        if action is None:
            continue
        if found:
            errors.append(forbidden(f"{path}.{handler}", ONE_HANDLER))
            continue
        found += 1
        errors += _action_errors(handler, action, f"{path}.{handler}")
    if not found:
        errors.append(required(path, "must specify a handler type"))
    return errors


def probe_errors(probe: dict, path: str, kind: str) -> list[FieldError]:
    """validateProbe, and for liveness and startup probes the successThreshold of 1."""
    errors = _handler_errors(probe, path)
    for field in _NON_NEGATIVE:
        value = probe.get(field, 0)
        if value < 0:
            errors.append(invalid(f"{path}.{field}", value, NEGATIVE))
    grace = probe.get("terminationGracePeriodSeconds")
    if grace is not None and grace <= 0:
        errors.append(invalid(f"{path}.terminationGracePeriodSeconds", grace,
                              "must be greater than 0"))
    if kind != "readinessProbe" and probe.get("successThreshold", 0) != 1:
        errors.append(invalid(f"{path}.successThreshold", probe.get("successThreshold", 0),
                              "must be 1"))
    return errors


def container_probes_errors(container: dict, path: str, *, init: bool) -> list[FieldError]:
    """The probes of one container; on a regular init container each one is Forbidden."""
    regular_init = init and container.get("restartPolicy") != "Always"
    errors: list[FieldError] = []
    for kind in PROBES:
        probe = container.get(kind)
        if probe is None:
            continue
        if regular_init:
            errors.append(forbidden(f"{path}.{kind}", INIT_FORBIDDEN))
        else:
            errors += probe_errors(probe, f"{path}.{kind}", kind)
    return errors
