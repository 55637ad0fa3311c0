"""Custom objects against a structural schema: field errors in kube-openapi's words as the API
server reports them, defaults filled in top-down, unknown fields pruned; and the kinds a CRD
adds, its versions in discovery's order."""

import pytest

from k8slab.api.custom_kinds import crd_kinds, prepare, validate_custom_object, version_priority
from k8slab.api.kinds import resource_info
from k8slab.api.openapi_defaults import apply_defaults, prune
from k8slab.api.validation.openapi_values import value_errors
from k8slab.errors import InvalidError, K8sLabError

SPEC = {"type": "object", "required": ["image"], "properties": {
    "image": {"type": "string", "minLength": 1, "maxLength": 20, "pattern": "^[a-z:.0-9]*$"},
    "replicas": {"type": "integer", "minimum": 0, "maximum": 10},
    "ratio": {"type": "number", "exclusiveMinimum": True, "minimum": 0},
    "tier": {"type": "string", "enum": ["web", "batch"]},
    "ports": {"type": "array", "maxItems": 2, "minItems": 1,
              "items": {"type": "integer"}},
    "port": {"x-kubernetes-int-or-string": True},
    "since": {"type": "string", "format": "date-time"},
    "note": {"type": "string", "nullable": True},
    "extra": {"type": "object", "x-kubernetes-preserve-unknown-fields": True},
    "env": {"type": "object", "additionalProperties": {"type": "string"}}}}

CASES = [
    ("type", {"replicas": "3"},
     'spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: '
     '"string"'),
    ("required", {"image": None, "drop_image": True}, "spec.image: Required value"),
    ("minimum", {"replicas": -1},
     "spec.replicas: Invalid value: -1: spec.replicas in body should be greater than or equal "
     "to 0"),
    ("maximum", {"replicas": 11},
     "spec.replicas: Invalid value: 11: spec.replicas in body should be less than or equal to "
     "10"),
    ("exclusive-minimum", {"ratio": 0},
     "spec.ratio: Invalid value: 0: spec.ratio in body should be greater than 0"),
    ("enum", {"tier": "gpu"},
     'spec.tier: Unsupported value: "gpu": supported values: "web", "batch"'),
    ("min-length", {"image": ""},
     'spec.image: Invalid value: "": spec.image in body should be at least 1 chars long'),
    ("max-length", {"image": "a" * 21},
     "spec.image: Too long: may not be more than 20 bytes"),
    ("pattern", {"image": "NGINX"},
     "spec.image: Invalid value: \"NGINX\": spec.image in body should match "
     "'^[a-z:.0-9]*$'"),
    ("max-items", {"ports": [1, 2, 3]}, "spec.ports: Too many: 3: must have at most 2 items"),
    ("item-type", {"ports": ["80"]},
     'spec.ports[0]: Invalid value: "string": spec.ports[0] in body must be of type integer: '
     '"string"'),
    ("int-or-string", {"port": True},
     'spec.port: Invalid value: "boolean": spec.port in body must be of type integer,string: '
     '"boolean"'),
    ("format", {"since": "yesterday"},
     'spec.since: Invalid value: "yesterday": spec.since in body must be of type date-time: '
     '"yesterday"'),
    ("not-nullable", {"replicas": None},
     'spec.replicas: Invalid value: "null": spec.replicas in body must be of type integer: '
     '"null"'),
    ("additional-properties", {"env": {"A": 1}},
     'spec.env.A: Invalid value: "integer": spec.env.A in body must be of type string: '
     '"integer"'),
]


@pytest.mark.parametrize(("fields", "expected"), [(f, x) for _, f, x in CASES],
                         ids=[case[0] for case in CASES])
def test_a_bad_value_is_reported_in_upstreams_words(fields, expected):
    spec = {"image": "nginx", **fields}
    if spec.pop("drop_image", False):
        del spec["image"]
    assert [str(e) for e in value_errors(spec, SPEC, "spec")] == [expected]


@pytest.mark.parametrize("fields", [
    {"port": 80}, {"port": "http"}, {"note": None}, {"ratio": 0.5}, {"replicas": 10},
    {"since": "2026-01-01T00:00:00Z"}, {"extra": {"anything": [1, {"x": "y"}]}},
    {"env": {"A": "b"}}, {"ports": [80, 443]},
], ids=lambda f: next(iter(f)))
def test_a_good_value_passes(fields):
    assert value_errors({"image": "nginx", **fields}, SPEC, "spec") == []


def test_defaults_are_filled_top_down_and_a_null_takes_its_default():
    schema = {"type": "object", "properties": {
        "spec": {"type": "object", "default": {}, "properties": {
            "replicas": {"type": "integer", "default": 1},
            "strategy": {"type": "object", "default": {"type": "Rolling"}, "properties": {
                "type": {"type": "string"}, "surge": {"type": "integer", "default": 25}}},
            "ports": {"type": "array", "items": {"type": "object", "properties": {
                "protocol": {"type": "string", "default": "TCP"}}}}}}}}
    obj = {}
    apply_defaults(obj, schema)
    assert obj == {"spec": {"replicas": 1, "strategy": {"type": "Rolling", "surge": 25}}}
    obj = {"spec": {"replicas": None, "ports": [{}, {"protocol": "UDP"}]}}
    apply_defaults(obj, schema)
    assert obj["spec"]["replicas"] == 1
    assert obj["spec"]["ports"] == [{"protocol": "TCP"}, {"protocol": "UDP"}]


def test_unknown_fields_are_pruned_except_where_preserved():
    schema = {"type": "object", "properties": {"spec": SPEC}}
    obj = {"apiVersion": "example.com/v1", "kind": "WebApp", "metadata": {"name": "a"},
           "spec": {"image": "nginx", "colour": "red", "extra": {"kept": True},
                    "env": {"ANY": "x"}}, "status": {"ready": True}}
    dropped = prune(obj, schema)
    assert dropped == ["spec.colour", "status"]
    assert obj == {"apiVersion": "example.com/v1", "kind": "WebApp", "metadata": {"name": "a"},
                   "spec": {"image": "nginx", "extra": {"kept": True}, "env": {"ANY": "x"}}}


CRD = {"metadata": {"name": "webapps.example.com"}, "spec": {
    "group": "example.com", "scope": "Namespaced",
    "names": {"plural": "webapps", "kind": "WebApp", "shortNames": ["wa"]},
    "versions": [
        {"name": name, "served": served, "storage": name == "v1",
         "schema": {"openAPIV3Schema": {"type": "object", "properties": {"spec": SPEC}}}}
        for name, served in (("v1alpha1", True), ("v1", True), ("v2beta1", True),
                             ("v1beta2", False))]}}


def test_versions_sort_as_discovery_sorts_them():
    names = ["v1alpha1", "v2", "v1beta1", "foo", "v1", "v1beta2", "v10"]
    assert sorted(names, key=version_priority) == [
        "v10", "v2", "v1", "v1beta2", "v1beta1", "v1alpha1", "foo"]


def test_a_crd_adds_one_kind_per_served_version_preferred_first():
    kinds = crd_kinds(CRD)
    assert [k.api_version for k in kinds] == [
        "example.com/v1", "example.com/v2beta1", "example.com/v1alpha1"]
    assert {k.storage_prefix for k in kinds} == {"example.com/webapps"}
    assert resource_info("wa", kinds) is kinds[0]
    assert resource_info("webapps.v2beta1.example.com", kinds) is kinds[1]
    assert resource_info("webapp.example.com", kinds) is kinds[0]
    with pytest.raises(K8sLabError):
        resource_info("webapps")  # the built-in registry alone knows no custom kind


def test_a_custom_object_is_prepared_and_validated_whole():
    kind = crd_kinds(CRD)[0]
    obj = prepare({"apiVersion": "example.com/v1", "kind": "WebApp",
                   "metadata": {"name": "Web", "namespace": "default"},
                   "spec": {"image": "nginx", "junk": 1}}, CRD, "v1")
    assert obj["spec"] == {"image": "nginx"}
    with pytest.raises(InvalidError) as caught:
        validate_custom_object(obj, kind, CRD)
    assert caught.value.message.startswith(
        'WebApp.example.com "Web" is invalid: metadata.name: Invalid value: "Web": a lowercase '
        "RFC 1123 subdomain")
