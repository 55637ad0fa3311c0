"""Reading manifests safely: tags become JSON as kubectl makes them, and hostile input is refused.

YAML alias bombs, deep nesting, files in other encodings, tags that do not parse, unknown
fields and fields of the wrong type each get a K8sLabError naming the document and the place.
"""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from k8slab.api.json_values import MAX_DEPTH, MAX_OBJECT_BYTES
from k8slab.api.manifests import load_manifests
from k8slab.errors import BadRequestError, K8sLabError, ManifestError

POD = (
    "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\n"
    "spec:\n  containers: [{name: web, image: nginx}]\n"
)


def laughs(levels: int, fanout: int = 10) -> str:
    """A pod whose annotations hold the classic "billion laughs": each level ten of the last."""
    lines = [POD + "  x0: &a0 [lol]"]
    lines += [
        f"  x{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * fanout) + "]" for i in range(1, levels + 1)
    ]
    return "\n".join(lines) + "\n"


def test_billion_laughs_is_refused_as_go_yaml_refuses_it():
    with pytest.raises(ManifestError) as caught:
        load_manifests(laughs(9))
    assert "document contains excessive aliasing" in str(caught.value)
    assert str(caught.value).startswith("YAML refused at line ")


def test_a_little_aliasing_is_read_and_expanded_into_copies():
    [pod] = load_manifests(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: web, labels: &l {app: web}}\n"
        "spec:\n  containers: [{name: web, image: nginx}]\n  nodeSelector: *l\n"
    )
    assert pod["spec"]["nodeSelector"] == pod["metadata"]["labels"] == {"app": "web"}
    assert pod["spec"]["nodeSelector"] is not pod["metadata"]["labels"]


def test_an_anchor_that_holds_itself_is_refused():
    with pytest.raises(ManifestError, match="anchor value contains itself"):
        load_manifests(POD + "  x: &a [*a]\n")


@pytest.mark.parametrize("nesting", ["flow", "block"])
def test_deep_nesting_is_refused_before_python_recursion_fails(nesting):
    depth = 5000
    if nesting == "flow":
        text = POD + "  x: " + "[" * depth + "]" * depth + "\n"
    else:
        text = POD + "  x:\n    " + "- " * depth + "a\n"
    with pytest.raises(ManifestError, match=f"nested deeper than {MAX_DEPTH} levels"):
        load_manifests(text)


def test_deep_json_is_refused():
    text = '{"apiVersion": "v1", "kind": "Pod", "x": ' + "[" * 100_000 + "]" * 100_000 + "}"
    with pytest.raises(ManifestError, match="nested deeper"):
        load_manifests(text)


def test_an_object_over_3_mib_is_refused_as_the_api_server_refuses_it():
    [pod] = load_manifests(POD)
    pod["metadata"]["annotations"] = {"a": "a" * MAX_OBJECT_BYTES}
    with pytest.raises(ManifestError) as caught:
        load_manifests(pod)
    assert str(caught.value).startswith(
        "Request entity too large: limit is 3145728 (metadata.annotations.a takes the object"
    )


@pytest.mark.parametrize(
    ("tagged", "message"),
    [
        ("!!float x", "cannot decode !!str `x` as a !!float"),
        ("!!int x", "cannot decode !!str `x` as a !!int"),
        ("!!bool x", "cannot decode !!str `x` as a !!bool"),
        ("!!timestamp x", "cannot decode !!str `x` as a !!timestamp"),
        ("!!float ''", "cannot decode !!str `` as a !!float"),
        ("!!python/object:os.system x", "could not determine a constructor"),
    ],
)
def test_tags_that_do_not_parse_name_the_line(tagged, message):
    with pytest.raises(ManifestError) as caught:
        load_manifests(POD.replace("name: web}", f"name: web, annotations: {{a: {tagged}}}}}"))
    assert message in str(caught.value)
    assert "line 3" in str(caught.value)


@pytest.mark.parametrize(
    ("tagged", "stored"),
    [
        ("!!timestamp 2001-12-14t21:59:43.10-05:00", "2001-12-14T21:59:43.1-05:00"),
        ("!!timestamp 2002-12-14", "2002-12-14T00:00:00Z"),
        ("!!binary bmdpbng=", "nginx"),
        ("!!binary /w==", "\ufffd"),
        ("!!str 5", "5"),
    ],
)
def test_tagged_values_become_json_as_kubectl_makes_them(tagged, stored):
    [pod] = load_manifests(POD.replace("name: web}", f"name: web, annotations: {{a: {tagged}}}}}"))
    assert pod["metadata"]["annotations"] == {"a": stored}


def test_a_set_becomes_a_mapping_of_nulls_and_is_then_an_unknown_field():
    with pytest.raises(BadRequestError) as caught:
        load_manifests(POD + "  extra: !!set {b, a}\n")
    assert str(caught.value) == (
        'Pod in version "v1" cannot be handled as a Pod: strict decoding error: '
        'unknown field "spec.extra"'
    )


def test_not_a_number_is_not_json():
    with pytest.raises(ManifestError, match="spec.x: json: unsupported value: NaN"):
        load_manifests(POD + "  x: .nan\n")


def test_number_keys_become_text():
    [pod] = load_manifests(POD.replace("name: web}", "name: web, labels: {2: a, true: b}}"))
    assert pod["metadata"]["labels"] == {"2": "a", "true": "b"}


@pytest.mark.parametrize("encoding", ["utf-16", "utf-8-sig"])
def test_files_in_utf16_with_a_bom_and_utf8_with_a_bom_are_read(tmp_path, encoding):
    path = tmp_path / "pod.yaml"
    path.write_text(
        POD.replace("web}", "wéb}").replace("name: wéb", "name: web, labels: {a: b}"),
        encoding=encoding,
    )
    [pod] = load_manifests(path)
    assert pod["metadata"]["name"] == "web"


def test_a_latin1_file_is_refused_with_where_and_what_is_accepted(tmp_path):
    path = tmp_path / "pod.yaml"
    path.write_bytes((POD + "# café\n").encode("latin-1"))
    with pytest.raises(ManifestError) as caught:
        load_manifests(path)
    assert "is not UTF-8 text: byte 0xe9 on line 6" in str(caught.value)
    assert "UTF-16 with a byte-order mark" in str(caught.value)


def test_decode_errors_name_the_document():
    with pytest.raises(BadRequestError) as caught:
        load_manifests(POD + "---\n" + POD.replace("image: nginx", "image: nginx, ports: [80]"))
    assert str(caught.value) == (
        'document 2: Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal '
        "number into Go struct field Container.spec.containers.ports of type v1.ContainerPort"
    )


def test_null_list_items_and_fields_are_read_as_go_reads_them():
    [pod] = load_manifests(POD + "  nodeSelector: {disk: null}\n  nodeName: null\n")
    assert pod["spec"]["nodeSelector"] == {"disk": ""}
    assert "nodeName" not in pod["spec"]


yaml_pieces = st.sampled_from(
    [
        "a: ",
        "- ",
        "[",
        "]",
        "{",
        "}",
        ", ",
        "\n",
        "  ",
        "&a ",
        "*a",
        "!!binary ",
        "!!float ",
        "!!set ",
        "!!timestamp ",
        "!!int ",
        "? ",
        "---\n",
        "<<: ",
        "x",
        "1",
        ".nan",
        "'",
        '"',
        "~",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(yaml_pieces, max_size=30).map("".join) | st.text(max_size=60))
def test_any_text_is_read_or_refused_in_words(tail):
    try:
        load_manifests(POD + tail)
    except K8sLabError:
        pass


def test_a_mapping_tag_on_a_scalar_is_a_yaml_error():
    with pytest.raises(ManifestError, match="expected a mapping node"):
        load_manifests(POD + "!!set a: b\n")
