"""Secrets: defaulted (type Opaque, stringData merged into data) and validated in upstream's
words (config keys, base64 values, 1 MiB, the type and an immutable Secret's data fixed)."""

import pytest

from k8slab.api.defaults import apply_defaults
from k8slab.api.validation import validate, validate_update
from k8slab.errors import InvalidError


def secret(**fields) -> dict:
    return {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, **fields}


def test_type_defaults_to_opaque_and_string_data_is_merged_into_data() -> None:
    stored = apply_defaults(secret(data={"a": "eA==", "b": "eQ=="}, stringData={"b": "z"}))
    assert stored["type"] == "Opaque" and "spec" not in stored
    assert stored["data"] == {"a": "eA==", "b": "eg=="}  # stringData wins, as base64
    assert "stringData" not in stored
    validate(stored)


@pytest.mark.parametrize(("manifest", "message"), [
    (secret(data={"a b": "eA=="}), 'data[a b]: Invalid value: "a b": a valid config key'),
    (secret(data={"k": "not base64!"}), "data[k]: Invalid value: "),
    (secret(stringData={"big": "x" * (1024 * 1024 + 1)}),
     "data: Too long: must have at most 1048576 bytes"),
], ids=["config key", "base64", "too big"])
def test_refused_in_upstreams_words(manifest, message) -> None:
    with pytest.raises(InvalidError) as refused:
        validate(apply_defaults(manifest))
    assert message in refused.value.message


def test_the_type_and_an_immutable_secrets_data_do_not_change() -> None:
    old = apply_defaults(secret(stringData={"a": "1"}))
    with pytest.raises(InvalidError, match='type: Invalid value: "kubernetes.io/tls"'):
        validate_update(old, apply_defaults(secret(stringData={"a": "1"},
                                                   type="kubernetes.io/tls")))
    frozen = apply_defaults(secret(stringData={"a": "1"}, immutable=True))
    with pytest.raises(InvalidError, match="data: Forbidden: field is immutable"):
        validate_update(frozen, apply_defaults(secret(stringData={"a": "2"}, immutable=True)))
    validate_update(old, apply_defaults(secret(stringData={"a": "2"})))
