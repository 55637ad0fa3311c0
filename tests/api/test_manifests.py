"""Manifests: loading YAML/JSON/dicts all-or-nothing, and dumping kubectl-style YAML."""

import copy
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from k8slab.api.defaults import apply_defaults
from k8slab.api.manifests import dump_manifest, load_manifests
from k8slab.errors import InvalidError, ManifestError

POD_YAML = """\
apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
  - name: web
    image: nginx:1.27
    resources:
      requests: {cpu: 250m, memory: 64Mi}
"""

NODE_YAML = """\
apiVersion: v1
kind: Node
metadata:
  name: node-1
status:
  capacity: {cpu: "4", memory: 8Gi, pods: "110"}
"""


def test_one_document_is_defaulted_and_validated():
    [pod] = load_manifests(POD_YAML)
    assert pod["metadata"]["namespace"] == "default"
    assert pod["spec"]["restartPolicy"] == "Always"
    assert pod["spec"]["containers"][0]["resources"]["requests"]["cpu"] == "250m"


def test_several_documents_in_order_and_empty_ones_skipped():
    text = f"---\n{POD_YAML}---\n# only a comment\n---\n{NODE_YAML}---\n"
    assert [obj["kind"] for obj in load_manifests(text)] == ["Pod", "Node"]


def test_an_empty_source_gives_nothing():
    assert load_manifests("") == []
    assert load_manifests("---\n---\n") == []


def test_dict_and_list_sources():
    pod = load_manifests(POD_YAML)[0]
    assert load_manifests(pod) == [pod]
    assert load_manifests([pod, None, pod]) == [pod, pod]


def test_files(tmp_path):
    (tmp_path / "pod.yaml").write_text(POD_YAML)
    (tmp_path / "pod.json").write_text(json.dumps(load_manifests(POD_YAML)[0], indent="\t"))
    assert load_manifests(tmp_path / "pod.yaml")[0]["metadata"]["name"] == "web"
    assert load_manifests(str(tmp_path / "pod.yaml")) == load_manifests(tmp_path / "pod.json")


def test_missing_and_unsupported_files(tmp_path):
    with pytest.raises(ManifestError, match='the path ".*missing.yaml" does not exist'):
        load_manifests(str(tmp_path / "missing.yaml"))
    (tmp_path / "pod.txt").write_text(POD_YAML)
    with pytest.raises(ManifestError, match="expected .yaml, .yml or .json"):
        load_manifests(tmp_path / "pod.txt")


def test_other_sources_are_refused():
    with pytest.raises(ManifestError, match="cannot read manifests from a int"):
        load_manifests(42)


def test_list_kind_contributes_its_items():
    pod, node = load_manifests(POD_YAML)[0], load_manifests(NODE_YAML)[0]
    listing = {"apiVersion": "v1", "kind": "List", "items": [pod, node]}
    assert load_manifests(listing) == [pod, node]
    with pytest.raises(ManifestError, match="a List needs items"):
        load_manifests({"apiVersion": "v1", "kind": "List"})


def test_a_bad_list_item_is_named():
    bad = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "x"}, "spec": {}}
    with pytest.raises(InvalidError, match=r"^item 2: Pod \"x\" is invalid"):
        load_manifests({"apiVersion": "v1", "kind": "List", "items": [NODE_DICT, bad]})


NODE_DICT = {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n"}}


def test_all_or_nothing_names_the_bad_document():
    broken = POD_YAML.replace("image: nginx:1.27", "image: ''")
    with pytest.raises(InvalidError) as caught:
        load_manifests(f"{NODE_YAML}---\n{broken}")
    assert str(caught.value) == (
        'document 2: Pod "web" is invalid: spec.containers[0].image: Required value'
    )


def test_a_single_bad_document_has_no_number():
    with pytest.raises(ManifestError) as caught:
        load_manifests("apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: x}\n")
    assert str(caught.value).startswith('no matches for kind "CronJob" in version "batch/v1"')


def test_shape_errors_are_manifest_errors():
    with pytest.raises(ManifestError, match=r"document 2: Object 'Kind' is missing"):
        load_manifests(f"{NODE_YAML}---\napiVersion: v1\nmetadata: {{name: x}}\n")
    with pytest.raises(ManifestError, match="a manifest must be a mapping"):
        load_manifests("just a sentence")


def test_yaml_syntax_errors_give_the_line():
    text = f"{NODE_YAML}---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: web: x\n"
    with pytest.raises(ManifestError) as caught:
        load_manifests(text)
    assert str(caught.value) == (
        "document 2: YAML syntax error at line 11, column 12: mapping values are not allowed here"
    )


def test_duplicate_keys_are_errors():
    with pytest.raises(ManifestError, match='line 4, column 1: key "metadata" already set in map'):
        load_manifests(
            "apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\nmetadata: {name: b}\n"
        )


def test_timestamps_stay_strings():
    text = POD_YAML.replace(
        "  name: web\n", "  name: web\n  creationTimestamp: 2026-01-01T00:00:00Z\n"
    )
    [pod] = load_manifests(text)
    assert pod["metadata"]["creationTimestamp"] == "2026-01-01T00:00:00Z"


def test_json_text():
    pod = load_manifests(POD_YAML)[0]
    assert load_manifests(json.dumps(pod)) == [pod]
    with pytest.raises(ManifestError, match="JSON syntax error at line 1"):
        load_manifests('{"kind": }')


def test_dump_uses_kubernetes_order_and_block_style():
    pod = load_manifests(POD_YAML)[0]
    pod["status"] = {"phase": "Pending"}
    text = dump_manifest(pod)
    assert text.startswith(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  namespace: default\n"
    )
    assert text.index("\nspec:\n") < text.index("\nstatus:\n")
    assert "  containers:\n  - image: nginx:1.27\n" in text
    assert "{" not in text


def test_dump_keeps_unusual_text_exactly():
    pod = load_manifests(POD_YAML)[0]
    pod["metadata"]["annotations"] = {"note": "a\x85b\u2028c", "date": "2026-01-01", "yes": "on"}
    assert load_manifests(dump_manifest(pod)) == [pod]


def test_dump_does_not_change_the_object():
    pod = load_manifests(POD_YAML)[0]
    snapshot = copy.deepcopy(pod)
    dump_manifest(pod)
    assert pod == snapshot


names = st.from_regex(r"[a-z]([-a-z0-9]{0,8}[a-z0-9])?", fullmatch=True)
label_values = st.from_regex(r"([A-Za-z0-9]([-A-Za-z0-9_.]{0,6}[A-Za-z0-9])?)?", fullmatch=True)


@st.composite
def pods(draw):
    container_names = draw(st.lists(names, min_size=1, max_size=3, unique=True))
    containers = [
        {
            "name": name,
            "image": draw(st.sampled_from(["nginx", "nginx:1.27", "redis:7", "app@sha256:ab"])),
            "resources": {
                "requests": {
                    "cpu": draw(st.sampled_from(["100m", "0.5", "1", "2500m"])),
                    "memory": draw(st.sampled_from(["64Mi", "1Gi", "1e9", "512M"])),
                }
            },
        }
        for name in container_names
    ]
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": draw(names),
            "labels": draw(st.dictionaries(names, label_values, max_size=3)),
            "annotations": {"note": draw(st.text(max_size=20))},
        },
        "spec": {
            "containers": containers,
            "restartPolicy": draw(st.sampled_from(["Always", "OnFailure", "Never"])),
            "priority": draw(st.integers(-100, 10**9)),
            "nodeSelector": {"disk": draw(st.sampled_from(["ssd", "yes", "true", "1", "null"]))},
        },
    }
    return apply_defaults(pod)


@settings(max_examples=60)
@given(pods())
def test_load_of_dump_gives_the_object_back(pod):
    assert load_manifests(dump_manifest(pod)) == [pod]
