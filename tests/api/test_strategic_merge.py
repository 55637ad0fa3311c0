"""Strategic merge patches: upstream's own cases (apimachinery pkg/util/strategicpatch
patch_test.go, on its MergeItem test struct), then the built-in kinds' lists as their Go tags
declare them, the directives, and the errors with the codes the API server gives them."""

import pytest

from k8slab.api.schema import KIND_SCHEMAS
from k8slab.api.schema import patch_meta as meta
from k8slab.api.schema.types import INT64, STRING, STRING_MAP, ListOf, Struct
from k8slab.api.strategic_merge import StrategicMergeError, apply_strategic_merge_patch

# strategicpatch's MergeItem and RetainKeysMergeItem, as a schema and their tags.
MERGE_ITEM = Struct("strategicpatch.MergeItem", {})
MERGE_ITEM.fields.update({
    "name": STRING, "value": STRING, "other": STRING,
    "mergingList": ListOf(MERGE_ITEM), "nonMergingList": ListOf(MERGE_ITEM),
    "mergingIntList": ListOf(INT64), "nonMergingIntList": ListOf(INT64),
    "mergeItemPtr": MERGE_ITEM, "simpleMap": STRING_MAP,
    "retainKeysMap": Struct("strategicpatch.RetainKeysMergeItem", {
        "name": STRING, "value": STRING, "other": STRING, "simpleMap": STRING_MAP,
        "mergingIntList": ListOf(INT64), "mergingList": ListOf(MERGE_ITEM),
        "nonMergingList": ListOf(MERGE_ITEM)}),
    "retainKeysMergingList": ListOf(MERGE_ITEM),
})
TEST_TAGS = {
    ("strategicpatch.MergeItem", "mergingList"): (meta.MERGE, "name"),
    ("strategicpatch.MergeItem", "mergingIntList"): (meta.MERGE, ""),
    ("strategicpatch.MergeItem", "mergeItemPtr"): (meta.MERGE, "name"),
    ("strategicpatch.MergeItem", "retainKeysMergingList"): (meta.MERGE, "name"),
    ("strategicpatch.RetainKeysMergeItem", "mergingIntList"): (meta.MERGE, ""),
    ("strategicpatch.RetainKeysMergeItem", "mergingList"): (meta.MERGE, "name"),
}


@pytest.fixture
def tags(monkeypatch):
    for key, value in TEST_TAGS.items():
        monkeypatch.setitem(meta.PATCH_META, key, value)


def items(*names, **values):
    return [{"name": n, **({"value": values[str(n)]} if str(n) in values else {})}
            for n in names]


UPSTREAM_CASES = [
    ("unique scalars when merging lists",
     {"mergingIntList": [1, 2]}, {"mergingIntList": [2, 3]}, {"mergingIntList": [1, 2, 3]}),
    ("delete map from nested map",
     {"simpleMap": {"key1": "1", "key2": "1"}}, {"simpleMap": {"$patch": "delete"}},
     {"simpleMap": {}}),
    ("delete all items from merging list",
     {"mergingList": items(1, 2)}, {"mergingList": [{"$patch": "replace"}]},
     {"mergingList": []}),
    ("merge empty merging lists", {"mergingList": []}, {"mergingList": []}, {"mergingList": []}),
    ("delete all keys from map", {"name": 1, "value": 1}, {"$patch": "replace"}, {}),
    ("add key and delete all keys from map",
     {"name": 1, "value": 1}, {"other": "a", "$patch": "replace"}, {"other": "a"}),
    ("delete all duplicate entries in a merging list",
     {"mergingList": [*items(1, 1), *items(2, **{"2": "a"}), *items(3, 3)]},
     {"mergingList": [{"name": 1, "$patch": "delete"}, {"name": 3, "$patch": "delete"}]},
     {"mergingList": items(2, **{"2": "a"})}),
    ("retainKeys map can delete a field when no retainKeys directive present",
     {"retainKeysMap": {"name": "foo", "value": "a"}}, {"retainKeysMap": {"value": None}},
     {"retainKeysMap": {"name": "foo"}}),
    ("retainKeys list can change a field when no retainKeys directive present",
     {"retainKeysMergingList": [{"name": "bar"}, {"name": "foo", "value": "a"}]},
     {"retainKeysMergingList": [{"name": "foo", "value": "b"}]},
     {"retainKeysMergingList": [{"name": "bar"}, {"name": "foo", "value": "b"}]}),
    ("preserve the order from the patch in a merging list",
     {"mergingList": [{"name": 1}, {"name": 2, "value": "b"}, {"name": 3}]},
     {"mergingList": [{"name": 3, "value": "c"}, {"name": 1, "value": "a"},
                      {"name": 2, "other": "x"}]},
     {"mergingList": [{"name": 3, "value": "c"}, {"name": 1, "value": "a"},
                      {"name": 2, "value": "b", "other": "x"}]}),
    ("preserve the order from the patch in a merging list 2",
     {"mergingList": [{"name": 1}, {"name": 2, "value": "b"}, {"name": 3}]},
     {"mergingList": [{"name": 3, "value": "c"}, {"name": 1, "value": "a"}]},
     {"mergingList": [{"name": 2, "value": "b"}, {"name": 3, "value": "c"},
                      {"name": 1, "value": "a"}]}),
    ("preserve the order from the patch in a merging int list",
     {"mergingIntList": [1, 2, 3]}, {"mergingIntList": [3, 1]}, {"mergingIntList": [2, 3, 1]}),
    ("$setElementOrder contains item that is not present in the list to be merged",
     {"mergingList": items(1, 3)},
     {"$setElementOrder/mergingList": items(3, 2, 1),
      "mergingList": items(3, 1, **{"3": 3, "1": 1})},
     {"mergingList": items(3, 1, **{"3": 3, "1": 1})}),
    ("$setElementOrder contains item that is not present in the int list to be merged",
     {"mergingIntList": [1, 3]}, {"$setElementOrder/mergingIntList": [3, 2, 1]},
     {"mergingIntList": [3, 1]}),
    ("$deleteFromPrimitiveList of nonexistent item in primitive list should not add the item",
     {"mergingIntList": [1, 2]}, {"$deleteFromPrimitiveList/mergingIntList": [3]},
     {"mergingIntList": [1, 2]}),
    ("$deleteFromPrimitiveList on nonexistent primitive list should not add the list",
     {"foo": ["bar"]}, {"$deleteFromPrimitiveList/mergingIntList": [3]}, {"foo": ["bar"]}),
    ("$deleteFromPrimitiveList should delete item from a list with merge patch strategy",
     {"mergingIntList": [1, 2, 3]}, {"$deleteFromPrimitiveList/mergingIntList": [2]},
     {"mergingIntList": [1, 3]}),
    ("$deleteFromPrimitiveList should delete item from a list without merge patch strategy",
     {"nonMergingIntList": [1, 2, 3]}, {"$deleteFromPrimitiveList/nonMergingIntList": [2]},
     {"nonMergingIntList": [1, 3]}),
    ("delete items in lists of scalars (three-way result)",
     {"mergingIntList": [1, 2, 3, 4]},
     {"$setElementOrder/mergingIntList": [1, 2], "$deleteFromPrimitiveList/mergingIntList": [3]},
     {"mergingIntList": [1, 2, 4]}),
    ("retainKeys map should clear defaulted field",
     {"retainKeysMap": {"value": "foo"}},
     {"retainKeysMap": {"$retainKeys": ["other"], "other": "bar"}},
     {"retainKeysMap": {"other": "bar"}}),
    ("retainKeys map should clear defaulted field with conflict (discriminated union)",
     {"retainKeysMap": {"name": "type1", "value": "foo"}},
     {"retainKeysMap": {"$retainKeys": ["name", "other"], "name": "type2", "other": "bar"}},
     {"retainKeysMap": {"name": "type2", "other": "bar"}}),
    ("a non-merging list is replaced",
     {"nonMergingList": items(1, 2)}, {"nonMergingList": items(3)},
     {"nonMergingList": items(3)}),
]


@pytest.mark.parametrize(("original", "patch", "expected"),
                         [case[1:] for case in UPSTREAM_CASES],
                         ids=[case[0] for case in UPSTREAM_CASES])
def test_upstreams_cases(tags, original, patch, expected):
    assert apply_strategic_merge_patch(original, patch, MERGE_ITEM) == expected


@pytest.mark.parametrize(("original", "patch", "message"), [
    ({"mergingList": items(1, 3, 2)},
     {"$setElementOrder/mergingList": items(1, 2, 3), "mergingList": items(3, 1)},
     "The order in patch list:\n[map[name:3] map[name:1]]\n doesn't match $setElementOrder "
     "list:\n[map[name:1] map[name:2] map[name:3]]\n"),
    ({"mergingIntList": [1, 3, 2]},
     {"$setElementOrder/mergingIntList": [1, 2, 3], "mergingIntList": [3, 1]},
     "The order in patch list:\n[3 1]\n doesn't match $setElementOrder list:\n[1 2 3]\n"),
    ({"mergingList": [{"name": 1, "value": "a"}]}, {"mergingList": [{"value": "b"}]},
     "map: map[value:b] does not contain declared merge key: name"),
    ({"mergingList": items(1)}, {"mergingList": [{"name": 1, "$patch": "merge"}]},
     "merging lists cannot yet be specified in the patch"),
    ({"simpleMap": {"a": "b"}}, {"simpleMap": {"$patch": "nope"}},
     "unknown patch type: nope in map: map[$patch:nope]"),
    ({"mergingIntList": [1]}, {"mergingIntList": ["two"]},
     "list element types are not identical: [[1] [two]]"),
], ids=["order of maps", "order of ints", "no merge key", "$patch merge in a list",
        "unknown $patch", "mixed item types"])
def test_upstreams_errors_answer_500(tags, original, patch, message):
    with pytest.raises(StrategicMergeError) as caught:
        apply_strategic_merge_patch(original, patch, MERGE_ITEM)
    assert (caught.value.message, caught.value.code) == (message, 500)


@pytest.mark.parametrize(("patch", "message", "code"), [
    ({"$deleteFromPrimitiveList": [1]}, "invalid patch format of primitive list", 400),
    ({"$setElementOrder": [1]}, "invalid patch format of setElementOrder list", 400),
    ({"retainKeysMap": {"$retainKeys": "name"}}, "invalid patch format of retainKeys", 400),
    ({"retainKeysMap": {"$retainKeys": ["name"], "value": "x"}},
     "invalid patch format of retainKeys", 400),
])
def test_malformed_directives_are_bad_requests(tags, patch, message, code):
    original = {"mergingIntList": [1], "retainKeysMap": {"name": "a"}}
    with pytest.raises(StrategicMergeError) as caught:
        apply_strategic_merge_patch(original, patch, MERGE_ITEM)
    assert (caught.value.message, caught.value.code) == (message, code)


def test_a_list_of_lists_is_unprocessable(tags):
    with pytest.raises(StrategicMergeError) as caught:
        apply_strategic_merge_patch({"mergingIntList": []}, {"mergingIntList": [[1]]},
                                    MERGE_ITEM)
    assert (caught.value.message, caught.value.code) == ("lists of lists are not supported", 422)


# -- the built-in kinds, merged as k8s.io/api's struct tags say -------------------------------

POD = {"apiVersion": "v1", "kind": "Pod",
       "metadata": {"name": "web", "finalizers": ["a/x", "b/y"],
                    "ownerReferences": [{"uid": "1", "name": "rs-1"}]},
       "spec": {"containers": [
           {"name": "app", "image": "nginx", "ports": [{"containerPort": 80}],
            "env": [{"name": "A", "value": "1"}],
            "volumeMounts": [{"name": "data", "mountPath": "/data"}]},
           {"name": "log", "image": "busybox"}],
           "tolerations": [{"key": "a", "operator": "Exists"}],
           "volumes": [{"name": "data", "emptyDir": {}}]}}


def pod_patch(patch):
    return apply_strategic_merge_patch(POD, patch, KIND_SCHEMAS["Pod"])


def test_containers_merge_by_name_and_their_ports_by_container_port():
    patched = pod_patch({"spec": {"containers": [
        {"name": "app", "ports": [{"containerPort": 443}], "env": [{"name": "A", "value": "2"}]}]}})
    app = patched["spec"]["containers"][0]
    assert [c["name"] for c in patched["spec"]["containers"]] == ["app", "log"]
    assert app["ports"] == [{"containerPort": 443}, {"containerPort": 80}]
    assert app["env"] == [{"name": "A", "value": "2"}]
    assert app["image"] == "nginx"


def test_volume_mounts_merge_by_mount_path_and_volumes_by_name():
    patched = pod_patch({"spec": {
        "containers": [{"name": "app", "volumeMounts": [{"name": "tmp", "mountPath": "/tmp"}]}],
        "volumes": [{"name": "data", "$retainKeys": ["name", "hostPath"],
                     "hostPath": {"path": "/srv"}}]}})
    assert [m["mountPath"] for m in patched["spec"]["containers"][0]["volumeMounts"]] == [
        "/tmp", "/data"]
    # $retainKeys drops the old member of the volume's union (emptyDir).
    assert patched["spec"]["volumes"] == [{"name": "data", "hostPath": {"path": "/srv"}}]


def test_tolerations_have_no_strategy_so_the_patch_replaces_them():
    patched = pod_patch({"spec": {"tolerations": [{"key": "b", "operator": "Exists"}]}})
    assert patched["spec"]["tolerations"] == [{"key": "b", "operator": "Exists"}]


def test_finalizers_merge_as_a_set_and_a_directive_deletes_one():
    patched = pod_patch({"metadata": {"finalizers": ["b/y", "c/z"]}})
    assert patched["metadata"]["finalizers"] == ["a/x", "b/y", "c/z"]
    patched = pod_patch({"metadata": {"$deleteFromPrimitiveList/finalizers": ["a/x"]}})
    assert patched["metadata"]["finalizers"] == ["b/y"]


def test_owner_references_merge_by_uid():
    patched = pod_patch({"metadata": {"ownerReferences": [{"uid": "2", "name": "rs-2"}]}})
    assert [o["uid"] for o in patched["metadata"]["ownerReferences"]] == ["2", "1"]


def test_a_container_is_deleted_and_the_order_set():
    patched = pod_patch({"spec": {
        "$setElementOrder/containers": [{"name": "log"}, {"name": "side"}],
        "containers": [{"name": "app", "$patch": "delete"}, {"name": "side", "image": "x"}]}})
    assert [c["name"] for c in patched["spec"]["containers"]] == ["log", "side"]


def test_replace_directive_in_a_list_replaces_it():
    patched = pod_patch({"spec": {"containers": [{"$patch": "replace"},
                                                 {"name": "only", "image": "x"}]}})
    assert patched["spec"]["containers"] == [{"name": "only", "image": "x"}]


def test_null_removes_a_field_and_a_new_value_loses_its_nulls():
    patched = pod_patch({"spec": {"tolerations": None, "nodeSelector": {"a": "b", "c": None}}})
    assert "tolerations" not in patched["spec"]
    assert patched["spec"]["nodeSelector"] == {"a": "b"}


def test_service_ports_merge_by_port():
    service = {"spec": {"ports": [{"port": 80, "name": "http"}]}}
    patch = {"spec": {"ports": [{"port": 80, "targetPort": 8080}, {"port": 443, "name": "https"}]}}
    patched = apply_strategic_merge_patch(service, patch, KIND_SCHEMAS["Service"])
    assert patched["spec"]["ports"] == [{"port": 80, "name": "http", "targetPort": 8080},
                                        {"port": 443, "name": "https"}]


def test_conditions_of_a_status_merge_by_type():
    status = {"status": {"conditions": [{"type": "Ready", "status": "False"},
                                        {"type": "PodScheduled", "status": "True"}]}}
    patched = apply_strategic_merge_patch(status, {"status": {"conditions": [
        {"type": "Ready", "status": "True"}]}}, KIND_SCHEMAS["Pod"])
    assert patched["status"]["conditions"] == [{"type": "Ready", "status": "True"},
                                               {"type": "PodScheduled", "status": "True"}]


def test_inputs_are_not_changed():
    patch = {"spec": {"containers": [{"name": "app", "image": "nginx:2", "x": None}]}}
    before_patch, before_pod = repr(patch), repr(POD)
    pod_patch(patch)
    assert (repr(patch), repr(POD)) == (before_patch, before_pod)
