"""`kubectl patch` on a running Cluster: each --type through the API server's PATCH, the status
and scale subresources, and kubectl's words for what the server or kubectl refuses."""

from __future__ import annotations

import pytest

from k8slab import Cluster
from k8slab.errors import BadRequestError, NotFoundError
from k8slab.lab.kubectl import patch
from k8slab.lab.kubectl.flags import parse_flags
from k8slab.lab.kubectl.output import KubectlError
from tests.apiserver.test_crd import crd, webapp

DEPLOYMENT = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
              "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "web"}},
                       "template": {"metadata": {"labels": {"app": "web"}},
                                    "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}}


@pytest.fixture(scope="module")
def cluster() -> Cluster:
    c = Cluster(workers=1, seed=7)
    c.apply([DEPLOYMENT, crd()])
    c.run(5)
    c.apply([webapp()])
    return c


def test_a_strategic_patch_is_the_default(cluster: Cluster) -> None:
    line = cluster.kubectl("patch deployment web -p "
                           "'{\"spec\":{\"template\":{\"spec\":{\"containers\":"
                           "[{\"name\":\"c\",\"image\":\"nginx:1.27\"}]}}}}'")
    assert line == "deployment.apps/web patched"
    containers = cluster.get("deployments", "web")["spec"]["template"]["spec"]["containers"]
    assert [(c["name"], c["image"]) for c in containers] == [("c", "nginx:1.27")]


def test_a_yaml_merge_patch_and_no_change(cluster: Cluster) -> None:
    # A ConfigMap: no controller writes it between kubectl's read and its patch.
    cluster.apply([{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings"},
                    "data": {"colour": "blue"}}])
    assert cluster.kubectl("patch cm/settings --type merge -p 'data: {colour: red}'") \
        == "configmap/settings patched"
    assert cluster.kubectl("patch cm/settings --type=merge -p '{\"data\":{\"colour\":"
                           "\"red\"}}'") == "configmap/settings patched (no change)"
    assert cluster.get("configmaps", "settings")["data"] == {"colour": "red"}


def test_the_scale_subresource_prints_the_scale(cluster: Cluster) -> None:
    line = cluster.kubectl("patch deployment web --subresource=scale --type=merge "
                           "-p '{\"spec\":{\"replicas\":2}}'")
    assert line == "scale.autoscaling/web patched"
    assert cluster.get("deployments", "web")["spec"]["replicas"] == 2


def test_a_json_patch_whose_test_fails_is_an_invalid_request(cluster: Cluster) -> None:
    with pytest.raises(KubectlError) as caught:
        cluster.kubectl("patch deployment web --type json "
                        "-p '[{\"op\":\"test\",\"path\":\"/spec/replicas\",\"value\":9}]'")
    assert caught.value.error == ("The request is invalid: the server rejected our request "
                                  "due to an error in our request")


def test_a_custom_resource_takes_a_merge_patch_but_no_strategic_one(cluster: Cluster) -> None:
    assert cluster.kubectl("patch webapp web --type merge -p '{\"spec\":{\"replicas\":3}}'") \
        == "webapp.example.com/web patched"
    with pytest.raises(KubectlError) as caught:
        cluster.kubectl("patch webapp web -p '{\"spec\":{\"replicas\":4}}'")
    assert caught.value.error == (
        "error: application/strategic-merge-patch+json is not supported by example.com/v1, "
        "Kind=WebApp: the body of the request was in an unknown format - accepted media types "
        "include: application/json-patch+json, application/merge-patch+json, "
        "application/apply-patch+yaml")


def test_a_missing_object_is_not_found(cluster: Cluster) -> None:
    with pytest.raises(NotFoundError) as caught:
        cluster.kubectl("patch pod nope -p '{}'")
    assert str(caught.value) == 'Error from server (NotFound): pods "nope" not found'


@pytest.mark.parametrize(("line", "message"), [
    ("pod web", "error: must specify --patch or --patch-file containing the contents of the "
                "patch"),
    ("pod web -p {} --type=xml", 'error: --type must be one of [json merge strategic], not '
                                 '"xml"'),
    ("pod web -p '{a: [}'", "error: unable to parse \"{a: [}\": "),
    ("-p {} pod", "error: resource(s) were provided, but no name was specified"),
])
def test_bad_commands_are_refused_before_any_request(line, message):
    import shlex
    flags, args = parse_flags(shlex.split(line), patch.FLAGS, patch.USAGE)
    with pytest.raises(BadRequestError) as caught:
        patch.parse(flags, args, "default")
    assert caught.value.message.startswith(message)
