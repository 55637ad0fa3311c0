"""`kubectl scale` and `kubectl set image` against a recording API (scale.go, set_image.go of
kubectl v1.35): what they write, what they print, and what they refuse before any request."""

import pytest

from k8slab.errors import BadRequestError, NotFoundError
from k8slab.lab.kubectl import scale, set_image
from k8slab.lab.kubectl.flags import parse_flags
from k8slab.lab.kubectl.output import KubectlError
from tests.lab.kubectl.fake_api import FakeApi, drive, pod


def deployment(name: str = "web", replicas: int = 2, containers=("nginx",)) -> dict:
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": name, "namespace": "default"},
            "spec": {"replicas": replicas, "template": {"spec": {"containers": [
                {"name": c, "image": f"{c}:1.0"} for c in containers]}}}}


def run(module, api: FakeApi, line: str) -> str:
    flags, args = parse_flags(line.split(), module.FLAGS, module.USAGE)
    return drive(module.steps(api, module.parse(flags, args, flags.get("namespace") or
                                                "default")))


def test_scale_writes_spec_replicas_and_prints_the_group_qualified_name():
    api = FakeApi([deployment()])
    assert run(scale, api, "deployment/web --replicas=5") == "deployment.apps/web scaled"
    assert api.stored("deployments", "web")["spec"]["replicas"] == 5


def test_scale_to_zero_and_several_objects_at_once():
    rs = {"apiVersion": "apps/v1", "kind": "ReplicaSet",
          "metadata": {"name": "r", "namespace": "default"}, "spec": {"replicas": 3}}
    rc = {"apiVersion": "v1", "kind": "ReplicationController",
          "metadata": {"name": "c", "namespace": "default"}, "spec": {"replicas": 1}}
    api = FakeApi([rs, rc])
    assert run(scale, api, "rs/r rc/c --replicas=0").splitlines() == [
        "replicaset.apps/r scaled", "replicationcontroller/c scaled"]
    assert api.stored("replicasets", "r")["spec"]["replicas"] == 0


def test_scale_retries_a_conflict_every_second():
    api = FakeApi([deployment()])
    api.conflicts = 2
    assert run(scale, api, "deploy web --replicas=4") == "deployment.apps/web scaled"
    assert api.verbs() == ["get", "update", "sleep", "get", "update", "sleep", "get", "update"]
    assert [r[1] for r in api.requests if r[0] == "sleep"] == [1.0, 1.0]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("deployment/web --current-replicas=3 --replicas=4",
         "error: Expected replicas to be 3, was 2"),
        ("deployment/web --resource-version=7 --replicas=4",
         "error: Expected resource version to be 7, was 1"),
    ],
)
def test_scale_preconditions_use_kubectls_words_and_change_nothing(line, message):
    api = FakeApi([deployment()])
    with pytest.raises(KubectlError, match=message):
        run(scale, api, line)
    assert "update" not in api.verbs()


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("deployment/web", "The --replicas=COUNT flag is required, and COUNT must be greater "
                           "than or equal to 0"),
        ("deployment/web --replicas=-1", "COUNT must be greater than or equal to 0"),
        ("deployment/web --replicas=2 --current-replicas=-2",
         "The --current-replicas must specify an integer of -1 or greater"),
        ("pod/web --replicas=2", "error: pods have no scale subresource"),
        ("deploy/a deploy/b --replicas=1 --resource-version=3",
         "cannot use --resource-version with multiple resources"),
        ("--replicas=2", "You must provide one or more resources"),
    ],
)
def test_scale_refuses_bad_commands_before_any_request(line, message):
    with pytest.raises(BadRequestError, match=message):
        run(scale, FakeApi(), line)


def test_scaling_a_missing_object_is_the_servers_not_found():
    with pytest.raises(NotFoundError, match='deployments.apps "nope" not found'):
        run(scale, FakeApi(), "deployment/nope --replicas=1")


def test_set_image_changes_the_template_and_prints_image_updated():
    api = FakeApi([deployment(containers=("nginx", "sidecar"))])
    assert run(set_image, api, "deployment/web nginx=nginx:1.27") == (
        "deployment.apps/web image updated")
    containers = api.stored("deployments", "web")["spec"]["template"]["spec"]["containers"]
    assert [c["image"] for c in containers] == ["nginx:1.27", "sidecar:1.0"]


def test_set_image_star_names_every_container_and_a_pod_is_changed_in_place():
    api = FakeApi([deployment(containers=("a", "b")), pod("p")])
    run(set_image, api, "deploy web *=busybox")
    containers = api.stored("deployments", "web")["spec"]["template"]["spec"]["containers"]
    assert {c["image"] for c in containers} == {"busybox"}
    assert run(set_image, api, "pod/p c=nginx:1.27") == "pod/p image updated"
    assert api.stored("pods", "p")["spec"]["containers"][0]["image"] == "nginx:1.27"


def test_set_image_to_the_same_image_sends_nothing_and_prints_nothing():
    api = FakeApi([deployment()])
    assert run(set_image, api, "deployment/web nginx=nginx:1.0") == ""
    assert "update" not in api.verbs()


def test_an_unknown_container_is_kubectls_error():
    api = FakeApi([deployment()])
    with pytest.raises(KubectlError) as caught:
        run(set_image, api, "deployment/web redis=redis:7")
    assert caught.value.error == 'error: unable to find container named "redis"'
    assert "update" not in api.verbs()


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("deployment/web", "error: at least one image update is required"),
        ("nginx=nginx:1", "error: one or more resources must be specified"),
        ("deployment/web a=b other", "all resources must be specified before image changes: "
                                     "other"),
        ("deployment/web a-", "error: invalid image format: a-"),
        ("deployment/web *=x a=b", "all containers are already specified by *"),
        ("node/worker-1 a=b", "error: nodes have no pod template"),
    ],
)
def test_set_image_refuses_bad_commands(line, message):
    with pytest.raises(BadRequestError, match=message.replace("*", r"\*")):
        run(set_image, FakeApi(), line)
