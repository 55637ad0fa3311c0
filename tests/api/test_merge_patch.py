"""RFC 7386 merge patches: the RFC's own examples (Appendix A), and where evanphx/json-patch v4,
which the API server uses, refuses a patch the RFC would apply."""

import pytest

from k8slab.api.merge_patch import BAD_PATCH, MergePatchError, apply_merge_patch

# RFC 7386 Appendix A, the cases whose target is an object (the API server patches objects).
RFC_EXAMPLES = [
    ({"a": "b"}, {"a": "c"}, {"a": "c"}),
    ({"a": "b"}, {"b": "c"}, {"a": "b", "b": "c"}),
    ({"a": "b"}, {"a": None}, {}),
    ({"a": "b", "b": "c"}, {"a": None}, {"b": "c"}),
    ({"a": ["b"]}, {"a": "c"}, {"a": "c"}),
    ({"a": "c"}, {"a": ["b"]}, {"a": ["b"]}),
    ({"a": {"b": "c"}}, {"a": {"b": "d", "c": None}}, {"a": {"b": "d"}}),
    ({"a": [{"b": "c"}]}, {"a": [1]}, {"a": [1]}),
    ({"a": "b"}, ["c"], ["c"]),
    ({"e": None}, {"a": 1}, {"e": None, "a": 1}),
    ({}, {"a": {"bb": {"ccc": None}}}, {"a": {"bb": {}}}),
]


@pytest.mark.parametrize(("document", "patch", "expected"), RFC_EXAMPLES)
def test_the_rfc_examples(document, patch, expected):
    assert apply_merge_patch(document, patch) == expected


def test_the_patch_may_be_raw_json_and_inputs_are_not_changed():
    document, patch = {"a": {"b": "c"}}, {"a": {"b": "d", "c": None}, "x": {"y": None}}
    assert apply_merge_patch(document, b'{"a": {"b": "d", "c": null}}') == {"a": {"b": "d"}}
    assert apply_merge_patch(document, patch) == {"a": {"b": "d"}, "x": {}}
    assert document == {"a": {"b": "c"}}
    assert patch == {"a": {"b": "d", "c": None}, "x": {"y": None}}


def test_a_label_is_added_and_another_removed_the_rest_kept():
    pod = {"metadata": {"name": "web", "labels": {"app": "web", "tier": "front"}},
           "spec": {"containers": [{"name": "a"}, {"name": "b"}]}}
    patched = apply_merge_patch(pod, {"metadata": {"labels": {"tier": None, "team": "x"}}})
    assert patched["metadata"]["labels"] == {"app": "web", "team": "x"}
    assert patched["spec"] == pod["spec"]


def test_a_list_in_the_patch_replaces_the_whole_list():
    pod = {"spec": {"containers": [{"name": "a"}, {"name": "b"}]}}
    patched = apply_merge_patch(pod, {"spec": {"containers": [{"name": "c"}]}})
    assert patched["spec"]["containers"] == [{"name": "c"}]


def test_nulls_inside_a_list_are_kept_as_the_library_keeps_them():
    assert apply_merge_patch({}, {"a": [None, {"b": None, "c": 1}]}) == {"a": [None, {"c": 1}]}


# RFC 7386 says `null` and `"bar"` patches replace the document; evanphx/json-patch v4 answers
# ErrBadJSONPatch, which the API server returns as 400 "Invalid JSON Patch".
@pytest.mark.parametrize("patch", ["null", '"bar"', "7", "not json", "", b"{", "true"])
def test_a_patch_that_is_not_an_object_or_array_is_an_invalid_json_patch(patch):
    with pytest.raises(MergePatchError) as caught:
        apply_merge_patch({"a": "foo"}, patch)
    assert caught.value.message == BAD_PATCH == "Invalid JSON Patch"
