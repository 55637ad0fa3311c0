"""RFC 6902 patches with evanphx/json-patch v4's behaviour and error texts."""

import pytest

from k8slab.api.json_patch import JSONPatchError, apply_patch, decode_patch, escape

POD = {"metadata": {"name": "web", "labels": {"app": "web"}},
       "spec": {"containers": [{"name": "a"}, {"name": "b"}]}}

APPLIED = [
    ("add a key", [{"op": "add", "path": "/metadata/labels/team", "value": "blue"}],
     lambda d: d["metadata"]["labels"] == {"app": "web", "team": "blue"}),
    ("add replaces an existing key", [{"op": "add", "path": "/metadata/labels/app",
                                       "value": "db"}],
     lambda d: d["metadata"]["labels"] == {"app": "db"}),
    ("add at an array index", [{"op": "add", "path": "/spec/containers/1", "value": {"n": 1}}],
     lambda d: d["spec"]["containers"][1] == {"n": 1} and len(d["spec"]["containers"]) == 3),
    ("add with - appends", [{"op": "add", "path": "/spec/containers/-", "value": 7}],
     lambda d: d["spec"]["containers"][-1] == 7),
    ("remove", [{"op": "remove", "path": "/metadata/labels/app"}],
     lambda d: d["metadata"]["labels"] == {}),
    ("remove an array item", [{"op": "remove", "path": "/spec/containers/0"}],
     lambda d: d["spec"]["containers"] == [{"name": "b"}]),
    ("replace", [{"op": "replace", "path": "/metadata/name", "value": "db"}],
     lambda d: d["metadata"]["name"] == "db"),
    ("replace of a missing object key adds it (v4)",
     [{"op": "replace", "path": "/metadata/namespace", "value": "x"}],
     lambda d: d["metadata"]["namespace"] == "x"),
    ("test then replace", [{"op": "test", "path": "/metadata/name", "value": "web"},
                           {"op": "replace", "path": "/metadata/name", "value": "db"}],
     lambda d: d["metadata"]["name"] == "db"),
    ("~1 is a slash", [{"op": "add", "path": "/metadata/labels/example.com~1team",
                        "value": "x"}],
     lambda d: d["metadata"]["labels"]["example.com/team"] == "x"),
    ("~0 is a tilde", [{"op": "add", "path": "/metadata/labels/a~0b", "value": "x"}],
     lambda d: d["metadata"]["labels"]["a~b"] == "x"),
    ("~01 is ~1, not a slash", [{"op": "add", "path": "/metadata/labels/a~01b", "value": "x"}],
     lambda d: d["metadata"]["labels"]["a~1b"] == "x"),
    ("move", [{"op": "move", "from": "/metadata/labels/app", "path": "/metadata/labels/k"}],
     lambda d: d["metadata"]["labels"] == {"k": "web"}),
    ("copy", [{"op": "copy", "from": "/metadata/name", "path": "/metadata/labels/name"}],
     lambda d: d["metadata"]["labels"]["name"] == "web"),
    ("negative index", [{"op": "remove", "path": "/spec/containers/-1"}],
     lambda d: d["spec"]["containers"] == [{"name": "a"}]),
]


@pytest.mark.parametrize("ops, check", [(o, c) for _, o, c in APPLIED],
                         ids=[name for name, _, _ in APPLIED])
def test_patches_apply_as_rfc_6902_says(ops, check):
    assert check(apply_patch(POD, ops))


def test_the_input_document_is_never_changed():
    before = repr(POD)
    apply_patch(POD, [{"op": "remove", "path": "/metadata/labels"}])
    assert repr(POD) == before


FAILED = [
    ("add under a missing parent", [{"op": "add", "path": "/metadata/annotations/a",
                                     "value": "1"}],
     'add operation does not apply: doc is missing path: "/metadata/annotations/a": '
     "missing value"),
    ("remove a missing key", [{"op": "remove", "path": "/metadata/labels/x"}],
     "error in remove for path: '/metadata/labels/x': Unable to remove nonexistent key: x: "
     "missing value"),
    ("test fails", [{"op": "test", "path": "/metadata/name", "value": "db"}],
     "testing value /metadata/name failed: test failed"),
    ("index past the end", [{"op": "add", "path": "/spec/containers/5", "value": 1}],
     "error in add for path: '/spec/containers/5': Unable to access invalid index: 5: "
     "invalid index referenced"),
    ("not an index", [{"op": "add", "path": "/spec/containers/x", "value": 1}],
     "error in add for path: '/spec/containers/x': value was not a proper array index: 'x': "
     'strconv.Atoi: parsing "x": invalid syntax'),
    ("replace a missing array item", [{"op": "replace", "path": "/spec/containers/9",
                                       "value": 1}],
     "replace operation does not apply: doc is missing key: /spec/containers/9: missing value"),
    ("unknown op", [{"op": "merge", "path": "/a"}], "Unexpected kind: merge"),
    ("no op", [{"path": "/a"}], "Unexpected kind: unknown"),
    ("no path", [{"op": "add", "value": 1}], "add operation failed to decode path: missing value"),
    ("move from nowhere", [{"op": "move", "from": "/x/y", "path": "/a"}],
     "move operation does not apply: doc is missing from path: /x/y: missing value"),
]


@pytest.mark.parametrize("ops, message", [(o, m) for _, o, m in FAILED],
                         ids=[name for name, _, _ in FAILED])
def test_a_patch_that_does_not_apply_says_why_in_the_librarys_words(ops, message):
    with pytest.raises(JSONPatchError) as caught:
        apply_patch(POD, ops)
    assert caught.value.message == message


@pytest.mark.parametrize("raw, message", [
    ('{"op": "add"}', "json: cannot unmarshal object into Go value of type jsonpatch.Patch"),
    ("[1]", "json: cannot unmarshal number into Go value of type jsonpatch.Operation"),
    ("[", "unexpected end of JSON input"),
    ("xyz", "invalid character 'x' looking for beginning of value"),
])
def test_decoding_refuses_what_is_not_a_patch(raw, message):
    with pytest.raises(JSONPatchError) as caught:
        decode_patch(raw)
    assert caught.value.message == message


def test_escape_makes_a_pointer_segment_that_reads_back():
    key = "example.com/a~b"
    path = f"/metadata/labels/{escape(key)}"
    assert path == "/metadata/labels/example.com~1a~0b"
    assert apply_patch(POD, [{"op": "add", "path": path, "value": "v"}])["metadata"][
        "labels"][key] == "v"
