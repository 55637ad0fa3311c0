"""A value in etcd that is no Kubernetes object (written with etcdctl) fails the reads that meet
it, in the decoder's words, as upstream's store does; the watch cache leaves it out, so the
informers, the scheduler and the kubelets keep working."""

from __future__ import annotations

import pytest

from k8slab import Cluster
from k8slab.apiserver.storage import decode
from k8slab.errors import K8sLabError, UnknownError
from k8slab.etcd.wire import KeyValue

FIND_KIND = ('struct { APIVersion string "json:\\"apiVersion,omitempty\\""; '
             'Kind string "json:\\"kind,omitempty\\"" }')


@pytest.mark.parametrize(("value", "message"), [
    ("notjson", "couldn't get version/kind; json parse error: json: cannot unmarshal string "
                f"into Go value of type {FIND_KIND}"),
    ("[1, 2]", "couldn't get version/kind; json parse error: json: cannot unmarshal array "
               f"into Go value of type {FIND_KIND}"),
    ('{"a": 1}', """Object 'Kind' is missing in '{"a": 1}'"""),
    ('{"kind": "Pod", "metadata": 5}',
     "json: cannot unmarshal number into Go struct field Pod.metadata of type v1.ObjectMeta"),
    # The parser's own words follow (PyYAML's, where go-yaml would word it its way).
    ("a: [", "error converting YAML to JSON: yaml: expected the node content, but found "
             "'<stream end>'"),
])
def test_an_undecodable_value_is_a_500_in_the_decoders_words(value, message):
    with pytest.raises(UnknownError) as raised:
        decode(KeyValue("/registry/pods/default/junk", value, 5, 5, 1))
    assert raised.value.message == message and raised.value.code == 500


def test_a_corrupt_pod_fails_kubectl_but_the_cluster_keeps_scheduling_and_running_pods():
    cluster = Cluster(workers=1)
    assert str(cluster.etcdctl("put /registry/pods/default/junk notjson")) == "OK"
    cluster.run(2)
    with pytest.raises(UnknownError, match="couldn't get version/kind"):
        cluster.kubectl("get pods")
    with pytest.raises(UnknownError, match="couldn't get version/kind"):
        cluster.get("pods", "junk")
    assert cluster.apply({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web"},
                          "spec": {"containers": [{"name": "c", "image": "nginx"}]}}) == [
        "pod/web created"]
    cluster.run(5)
    web = cluster.get("pods", "web")
    assert (web["spec"]["nodeName"], web["status"]["phase"]) == ("worker-1", "Running")
    errors = cluster.trace.where(kind="decode error")
    assert errors and {r.obj for r in errors} == {"/registry/pods/default/junk"}
    assert not cluster.trace.where(kind="crash")
    cluster.etcdctl("del /registry/pods/default/junk")
    assert "web" in cluster.kubectl("get pods")


def test_a_request_that_makes_a_handler_fail_is_answered_500_and_the_server_runs_on():
    cluster = Cluster(workers=0)
    server = cluster.network.host("control-plane").memory["kube-apiserver"]

    def panics(kind, namespace, body, user):
        raise TypeError("unhashable type: 'list'")
        yield

    server.paths.writes.create = panics
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "x"},
           "spec": {"containers": [{"name": "c", "image": "nginx"}]}}
    with pytest.raises(K8sLabError) as raised:
        cluster.request(lambda client: client.create(pod))
    assert (raised.value.code, raised.value.reason) == (500, "InternalError")
    assert raised.value.message == (
        'an error on the server ("This request caused apiserver to panic. Look in the logs for '
        'details.") has prevented the request from succeeding')
    [panic] = cluster.trace.where(kind="panic")
    assert panic.details["error"] == "TypeError: unhashable type: 'list'"
    assert "kube-apiserver-control-plane" in cluster.kubectl("get pods -A")
