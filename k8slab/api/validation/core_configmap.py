"""A ConfigMap's keys and size, checked as kubernetes pkg/apis/core/validation
ValidateConfigMap and ValidateConfigMapUpdate check them.

Each key of data and binaryData is a config key ([-._a-zA-Z0-9]+, not "." or "..", at most
253 characters), no key is in both, the whole payload is at most 1 MiB, and an immutable
ConfigMap keeps its data and may not become mutable again.
"""

from __future__ import annotations

import base64
import binascii
import re

from k8slab.api.validation.field import FieldError, forbidden, invalid

CONFIG_KEY_FMT = "[-._a-zA-Z0-9]+"
CONFIG_KEY_ERROR = (  # validation.go IsConfigMapKey's RegexError, with its double spaces.
    "a valid config key must consist of alphanumeric characters, '-', '_' or '.' "
    "(e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is "
    f"'{CONFIG_KEY_FMT}')"
)
MAX_KEY_LENGTH = 253
MAX_SIZE = 1024 * 1024  # core validation MaxSecretSize, also a ConfigMap's limit
TOO_LONG = "Too long"  # field.TooLong's ErrorType


def config_key_errors(key: str) -> list[str]:
    """Why key cannot name a ConfigMap entry (a file name in a volume); [] when it can."""
    errors = []
    if len(key) > MAX_KEY_LENGTH:
        errors.append(f"must be no more than {MAX_KEY_LENGTH} characters")
    if not re.fullmatch(CONFIG_KEY_FMT, key):
        errors.append(CONFIG_KEY_ERROR)
    if key in (".", ".."):
        errors.append(f"must not be '{key}'")
    elif key.startswith(".."):
        errors.append("must not start with '..'")
    return errors


def _binary_size(value: str) -> int:
    try:
        return len(base64.b64decode(value, validate=True))
    except (binascii.Error, ValueError):
        return len(value)


def config_map_errors(obj: dict) -> list[FieldError]:
    """Every problem with a ConfigMap's data and binaryData."""
    data, binary = obj.get("data") or {}, obj.get("binaryData") or {}
    errors: list[FieldError] = []
    for key in data:
        errors += [invalid(f"data[{key}]", key, message) for message in config_key_errors(key)]
    for key in binary:
        errors += [invalid(f"binaryData[{key}]", key, message)
                   for message in config_key_errors(key)]
        if key in data:
            errors.append(invalid(f"binaryData[{key}]", key,
                                  "duplicate of key present in data"))
    size = sum(len(value.encode()) for value in data.values())
    size += sum(_binary_size(value) for value in binary.values())
    if size > MAX_SIZE:
        errors.append(FieldError("[]", TOO_LONG, detail=f"must have at most {MAX_SIZE} bytes"))
    return errors


def config_map_update_errors(old: dict, new: dict) -> list[FieldError]:
    """An immutable ConfigMap keeps its data and binaryData, and stays immutable."""
    if not old.get("immutable"):
        return []
    errors: list[FieldError] = []
    if not new.get("immutable"):
        errors.append(forbidden("immutable", "field is immutable when `immutable` is set"))
    for field in ("data", "binaryData"):
        if (old.get(field) or {}) != (new.get(field) or {}):
            errors.append(forbidden(field, "field is immutable when `immutable` is set"))
    return errors
