"""`kubectl label` and `kubectl annotate` against a recording API (label.go and annotate.go of
kubectl v1.36): the merge patch each sends, what they print, and what they refuse first."""

import pytest

from k8slab.errors import BadRequestError, NotFoundError
from k8slab.lab.kubectl import label
from k8slab.lab.kubectl.flags import parse_flags
from k8slab.lab.kubectl.output import KubectlError
from tests.lab.kubectl.fake_api import FakeApi, drive, pod

MERGE = "application/merge-patch+json"


def labelled(labels=None, annotations=None) -> dict:
    obj = pod("web")
    if labels is not None:
        obj["metadata"]["labels"] = labels
    if annotations is not None:
        obj["metadata"]["annotations"] = annotations
    return obj


def run(api: FakeApi, line: str) -> str:
    verb, *words = line.split()
    flags, args = parse_flags(words, label.FLAGS, label.USAGE[verb])
    return drive(label.steps(api, label.parse(verb, flags, args, "default")))


def patches(api: FakeApi) -> list:
    return [(r[5], r[6]) for r in api.requests if r[0] == "patch"]


@pytest.mark.parametrize(("line", "before", "printed", "sent", "after"), [
    ("label pod web tier=front", {"app": "web"}, "pod/web labeled",
     {"metadata": {"labels": {"tier": "front"}}}, {"app": "web", "tier": "front"}),
    ("label pod/web app-", {"app": "web", "x": "1"}, "pod/web unlabeled",
     {"metadata": {"labels": {"app": None}}}, {"x": "1"}),
    ("label pod web app-", {"app": "web"}, "pod/web unlabeled",
     {"metadata": {"labels": None}}, None),
    ("label pod web app=db --overwrite x-", {"app": "web", "x": "1"}, "pod/web modified",
     {"metadata": {"labels": {"app": "db", "x": None}}}, {"app": "db"}),
], ids=["add", "remove", "remove the last", "change and remove"])
def test_label_sends_a_merge_patch_of_the_difference(line, before, printed, sent, after):
    api = FakeApi([labelled(before)])
    assert run(api, line) == printed
    assert patches(api) == [(sent, "kubectl-label")]
    assert api.stored("pods", "web")["metadata"].get("labels") == after
    assert api.requests[0][:4] == ("get", "pods", "default", "web")
    assert api.requests[1][4] == MERGE


def test_label_sends_nothing_when_nothing_changes():
    api = FakeApi([labelled({"app": "web"})])
    assert run(api, "label pod web app=web") == "pod/web not labeled"
    assert patches(api) == []


def test_removing_a_missing_label_says_so():
    api = FakeApi([labelled({"app": "web"})])
    assert run(api, "label pod web nope-") == 'label "nope" not found.\npod/web not labeled'


def test_a_taken_key_needs_overwrite():
    api = FakeApi([labelled({"app": "web"})])
    with pytest.raises(KubectlError) as caught:
        run(api, "label pod web app=db")
    assert caught.value.error == "error: 'app' already has a value (web), and --overwrite is false"
    assert patches(api) == []


def test_annotate_always_sends_its_patch():
    api = FakeApi([labelled(annotations={"note": "a"})])
    assert run(api, "annotate pod web note=a") == "pod/web annotated"
    assert patches(api) == [({}, "kubectl-annotate")]
    assert run(api, "annotate pod web note=b --overwrite") == "pod/web annotated"
    assert api.stored("pods", "web")["metadata"]["annotations"] == {"note": "b"}
    with pytest.raises(KubectlError) as caught:
        run(api, "annotate pod web note=c")
    assert caught.value.error == ("error: --overwrite is false but found the following declared "
                                  "annotation(s): 'note' already has a value (b)")


def test_a_resource_version_is_sent_as_a_precondition():
    api = FakeApi([labelled({"app": "web"})])
    version = api.stored("pods", "web")["metadata"]["resourceVersion"]
    assert run(api, f"label pod web a=1 --resource-version={version}") == "pod/web labeled"
    assert patches(api)[0][0]["metadata"]["resourceVersion"] == version
    with pytest.raises(KubectlError, match="the object has been modified"):
        run(api, f"label pod web b=1 --resource-version={version}")


def test_a_missing_object_is_kubectls_not_found():
    with pytest.raises(NotFoundError) as caught:
        run(FakeApi(), "label pod web a=1")
    assert str(caught.value) == 'Error from server (NotFound): pods "web" not found'


@pytest.mark.parametrize(("line", "message"), [
    ("label pod web", "error: at least one label update is required"),
    ("label a=1", "error: one or more resources must be specified as <resource> <name> or "
                  "<resource>/<name>"),
    ("label pod web a=1=2", "error: invalid label spec: a=1=2"),
    ("label pod web a=1 a-", "error: can not both modify and remove a label in the same "
                             "command"),
    ("label pod web a=b c", "error: all resources must be specified before label changes: c"),
    ("label pod web a=-x", 'error: invalid label value: "a=-x": a valid label must be an empty '
                           "string or consist of alphanumeric characters"),
    ("annotate pod web =x", "error: at least one annotation update is required"),
    ("annotate pod web a=1 a-", "error: can not both modify and remove the following "
                                "annotation(s) in the same command: a"),
    ("label pod a b x=1 --resource-version=3",
     "error: --resource-version may only be used with a single resource"),
], ids=["no change", "no resource", "bad spec", "modify and remove", "resource after pair",
        "bad value", "=x is a resource", "annotation both", "version for two"])
def test_bad_commands_are_refused_before_any_request(line, message):
    api = FakeApi([labelled({"app": "web"})])
    with pytest.raises(BadRequestError) as caught:
        run(api, line)
    assert caught.value.message.startswith(message)
    assert api.requests == []
