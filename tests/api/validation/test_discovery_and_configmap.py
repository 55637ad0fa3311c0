"""EndpointSlice and ConfigMap validation: upstream's paths and messages."""

import pytest

from k8slab.api.defaults import apply_defaults
from k8slab.api.validation import validate, validate_update
from k8slab.errors import InvalidError


def slice_(**fields) -> dict:
    base = {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
            "metadata": {"name": "web-x"}, "addressType": "IPv4",
            "endpoints": [{"addresses": ["10.244.1.5"]}], "ports": [{"port": 80}]}
    return {**base, **fields}


def config_map(**fields) -> dict:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg"}, **fields}


@pytest.mark.parametrize(("manifest", "message"), [
    (slice_(addressType="IPX"),
     'addressType: Unsupported value: "IPX": supported values: "FQDN", "IPv4", "IPv6"'),
    (slice_(endpoints=[{"addresses": []}]),
     "endpoints[0].addresses: Required value: must contain at least 1 address"),
    (slice_(endpoints=[{"addresses": ["fd00::1"]}]),
     'endpoints[0].addresses[0]: Invalid value: "fd00::1": must be a valid IPv4 address'),
    (slice_(ports=[{"name": "a", "port": 80}, {"name": "a", "port": 81}]),
     'ports[1].name: Duplicate value: "a"'),
    (slice_(ports=[{"port": 70000}]),
     "ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive"),
    (config_map(data={"a b": "x"}), 'data[a b]: Invalid value: "a b": a valid config key'),
    (config_map(data={"k": "x"}, binaryData={"k": "AA=="}),
     'binaryData[k]: Invalid value: "k": duplicate of key present in data'),
    (config_map(data={"big": "x" * (1024 * 1024 + 1)}),
     "[]: Too long: must have at most 1048576 bytes"),
], ids=["address type", "no address", "wrong family", "duplicate port", "port range",
        "config key", "key in both", "too big"])
def test_refused_in_upstreams_words(manifest, message):
    with pytest.raises(InvalidError) as refused:
        validate(apply_defaults(manifest))
    assert message in refused.value.message


def test_good_objects_pass_and_slice_ports_default_to_tcp():
    good = apply_defaults(slice_())
    validate(good)
    assert good["ports"] == [{"port": 80, "name": "", "protocol": "TCP"}]
    assert "spec" not in good
    validate(apply_defaults(config_map(data={"Corefile": ".:53 {}"})))


def test_immutable_fields_on_update():
    old = apply_defaults(config_map(data={"a": "1"}, immutable=True))
    with pytest.raises(InvalidError, match="data: Forbidden: field is immutable"):
        validate_update(old, apply_defaults(config_map(data={"a": "2"}, immutable=True)))
    with pytest.raises(InvalidError, match='addressType: Invalid value: "IPv6"'):
        validate_update(apply_defaults(slice_()),
                        apply_defaults(slice_(addressType="IPv6",
                                              endpoints=[{"addresses": ["fd00::1"]}])))
