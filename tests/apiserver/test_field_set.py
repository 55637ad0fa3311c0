"""Field sets in the FieldsV1 encoding: order, round trips, paths as upstream prints them, and the
set algebra the field manager builds on (structured-merge-diff fieldpath)."""

import json

from k8slab.api.schema import KIND_SCHEMAS
from k8slab.apiserver import field_set as fs
from k8slab.apiserver.field_set_of import compare, fields_of

# A Deployment's entry as `kubectl create deployment` leaves it (keys shuffled on purpose).
DEPLOYMENT_FIELDS = {
    "f:spec": {
        "f:template": {"f:spec": {"f:containers": {'k:{"name":"nginx"}': {
            "f:name": {}, ".": {}, "f:image": {}}}, "f:dnsPolicy": {}},
            "f:metadata": {"f:labels": {"f:app": {}, ".": {}}}},
        "f:replicas": {},
        "f:selector": {},
    },
    "f:metadata": {"f:labels": {"f:app": {}, ".": {}}},
}


def test_encode_orders_elements_as_upstream_and_round_trips():
    encoded = fs.encode(DEPLOYMENT_FIELDS)
    text = json.dumps(encoded, separators=(",", ":"))
    assert text == (
        '{"f:metadata":{"f:labels":{".":{},"f:app":{}}},"f:spec":{"f:replicas":{},'
        '"f:selector":{},"f:template":{"f:metadata":{"f:labels":{".":{},"f:app":{}}},'
        '"f:spec":{"f:containers":{"k:{\\"name\\":\\"nginx\\"}":{".":{},"f:image":{},'
        '"f:name":{}}},"f:dnsPolicy":{}}}}}')
    assert fs.encode(json.loads(text)) == encoded


def test_fields_before_keys_before_values_and_keys_by_value_not_text():
    node = {'v:"b"': {}, 'k:{"containerPort":10,"protocol":"TCP"}': {}, "f:z": {},
            'k:{"containerPort":9,"protocol":"TCP"}': {}, 'v:"a"': {}, "f:a": {}}
    assert list(fs.encode(node)) == [
        "f:a", "f:z", 'k:{"containerPort":9,"protocol":"TCP"}',
        'k:{"containerPort":10,"protocol":"TCP"}', 'v:"a"', 'v:"b"']


def test_paths_print_as_fieldpath_does_members_first():
    ports = {"f:spec": {"f:ports": {'k:{"port":80,"protocol":"TCP"}': {".": {}, "f:port": {}}},
                        "f:type": {}},
             "f:metadata": {"f:finalizers": {'v:"example.com/x"': {}}}}
    assert fs.paths(ports) == [
        '.metadata.finalizers[="example.com/x"]',
        ".spec.type",
        '.spec.ports[port=80,protocol="TCP"]',
        '.spec.ports[port=80,protocol="TCP"].port',
    ]
    assert fs.paths(DEPLOYMENT_FIELDS)[-3:] == [
        '.spec.template.spec.containers[name="nginx"]',
        '.spec.template.spec.containers[name="nginx"].image',
        '.spec.template.spec.containers[name="nginx"].name',
    ]


def test_key_and_value_elements_are_compact_json_sorted_by_field_name():
    item = {"protocol": "TCP", "containerPort": 80, "name": "http"}
    assert fs.key_element(item, (("protocol", None), ("containerPort", None))) == \
        'k:{"containerPort":80,"protocol":"TCP"}'
    # A key field left out takes its OpenAPI default, or is left out of the key.
    assert fs.key_element({"containerPort": 80}, (("containerPort", None), ("protocol", "TCP"))) \
        == 'k:{"containerPort":80,"protocol":"TCP"}'
    assert fs.key_element({"port": 80}, (("port", None), ("name", None))) == 'k:{"port":80}'
    assert fs.value_element("a/b") == 'v:"a/b"'


def test_union_marks_a_path_that_is_both_member_and_parent():
    assert fs.union({"f:labels": {}}, {"f:labels": {"f:app": {}}}) == \
        {"f:labels": {".": {}, "f:app": {}}}
    assert fs.from_paths("metadata", "metadata.name") == {"f:metadata": {".": {}, "f:name": {}}}


def test_difference_removes_members_not_their_children():
    owned = {"f:metadata": {".": {}, "f:name": {}}, "f:spec": {"f:replicas": {}}}
    assert fs.difference(owned, fs.from_paths("metadata")) == \
        {"f:metadata": {"f:name": {}}, "f:spec": {"f:replicas": {}}}
    assert fs.difference(owned, owned) == {}


def test_without_subtrees_drops_everything_under_a_member():
    owned = {"f:status": {"f:phase": {}}, "f:spec": {"f:replicas": {}}}
    assert fs.without_subtrees(owned, fs.from_paths("status")) == {"f:spec": {"f:replicas": {}}}


def test_intersection_keeps_shared_paths_only():
    a = {"f:spec": {"f:replicas": {}, "f:paused": {}}}
    b = {"f:spec": {"f:replicas": {}}, "f:metadata": {"f:labels": {}}}
    assert fs.intersection(a, b) == {"f:spec": {"f:replicas": {}}}
    assert fs.intersection(a, {"f:status": {}}) == {}


def test_fields_of_an_applied_configuration():
    config = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "labels": {"a": "b"},
                                                              "finalizers": ["x/y"]},
              "spec": {"containers": [{"name": "c", "image": "busybox", "args": ["sleep"],
                                       "ports": [{"containerPort": 80}]}],
                       "tolerations": [{"key": "k", "operator": "Exists"}]}}
    assert fs.encode(fields_of(config, KIND_SCHEMAS["Pod"])) == {
        "f:apiVersion": {}, "f:kind": {},
        "f:metadata": {"f:finalizers": {'v:"x/y"': {}}, "f:labels": {"f:a": {}},
                       "f:name": {}},
        "f:spec": {
            "f:containers": {'k:{"name":"c"}': {
                ".": {}, "f:args": {}, "f:image": {}, "f:name": {},
                "f:ports": {'k:{"containerPort":80,"protocol":"TCP"}': {
                    ".": {}, "f:containerPort": {}}}}},
            "f:tolerations": {}},
    }


def test_compare_a_create_with_the_kinds_empty_object():
    pod = {"apiVersion": "v1", "kind": "Pod",
           "metadata": {"name": "p", "labels": {"a": "b"}},
           "spec": {"containers": [{"name": "c", "image": "busybox",
                                    "securityContext": {"privileged": True}}]}}
    changes = compare(None, pod, KIND_SCHEMAS["Pod"])
    assert changes.removed == {} and changes.modified == {}
    # metadata and spec always exist; labels, the container and its securityContext are new.
    assert fs.encode(changes.added)["f:metadata"] == {
        "f:labels": {".": {}, "f:a": {}}, "f:name": {}}
    assert fs.encode(changes.added)["f:spec"] == {"f:containers": {'k:{"name":"c"}': {
        ".": {}, "f:image": {}, "f:name": {},
        "f:securityContext": {".": {}, "f:privileged": {}}}}}


def test_compare_an_update():
    old = {"metadata": {"labels": {"a": "1", "b": "2"}}, "spec": {"replicas": 1}}
    new = {"metadata": {"labels": {"a": "1", "c": "3"}}, "spec": {"replicas": 2}}
    changes = compare(old, new, KIND_SCHEMAS["Deployment.apps"])
    assert changes.added == {"f:metadata": {"f:labels": {"f:c": {}}}}
    assert changes.modified == {"f:spec": {"f:replicas": {}}}
    assert changes.removed == {"f:metadata": {"f:labels": {"f:b": {}}}}
