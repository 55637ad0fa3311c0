"""A Secret's keys, size and type, checked as kubernetes pkg/apis/core/validation ValidateSecret
and ValidateSecretUpdate check them.

Each data key is a config key, as in a ConfigMap; the decoded data is at most 1 MiB
(MaxSecretSize); each value is base64; a Secret's type never changes, and an immutable Secret
keeps its data and stays immutable. (The per-type checks of kubernetes.io/tls, dockercfg and
the other typed Secrets are not modelled: the lab stores Opaque and bootstrap-token Secrets.)
"""

from __future__ import annotations

import base64
import binascii

from k8slab.api.validation.core_configmap import MAX_SIZE, TOO_LONG, config_key_errors
from k8slab.api.validation.field import FieldError, forbidden, invalid

BASE64_ERROR = "illegal base64 data"


def secret_errors(obj: dict) -> list[FieldError]:
    """Every problem with a Secret's data."""
    errors: list[FieldError] = []
    size = 0
    for key, value in (obj.get("data") or {}).items():
        errors += [invalid(f"data[{key}]", key, message) for message in config_key_errors(key)]
        try:
            size += len(base64.b64decode(value, validate=True))
        except (binascii.Error, ValueError, TypeError):
            errors.append(invalid(f"data[{key}]", "<secret contents redacted>", BASE64_ERROR))
    if size > MAX_SIZE:
        errors.append(FieldError("data", TOO_LONG, detail=f"must have at most {MAX_SIZE} bytes"))
    return errors


def secret_update_errors(old: dict, new: dict) -> list[FieldError]:
    """The type stays; an immutable Secret keeps its data and stays immutable."""
    errors: list[FieldError] = []
    if (old.get("type") or "Opaque") != (new.get("type") or "Opaque"):
        errors.append(invalid("type", new.get("type"), "field is immutable"))
    if old.get("immutable"):
        if not new.get("immutable"):
            errors.append(forbidden("immutable", "field is immutable when `immutable` is set"))
        if (old.get("data") or {}) != (new.get("data") or {}):
            errors.append(forbidden("data", "field is immutable when `immutable` is set"))
    return errors
