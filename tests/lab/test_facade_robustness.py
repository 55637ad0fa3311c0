"""Whatever a reader types, the lab answers: every public `Cluster` method and `apply`, driven with
arbitrary values, either succeeds or raises a K8sLabError; an error raised before anything was
sent leaves the cluster exactly as it was; and afterwards the cluster still answers
`kubectl get pods` and advances time."""

from __future__ import annotations

import math
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from k8slab import Cluster
from k8slab.errors import K8sLabError
from k8slab.lab import cluster as cluster_module
from k8slab.sim.network import DEFAULT_LINK_LATENCY, SWITCH

HOSTS = ["control-plane", "worker-1"]
WORDS = [*HOSTS, "pods", "nodes", "namespaces", "default", "kube-system", "pod/default/a",
         "default/a", "a", "get pods", "get nodes -o wide", "delete pod a", "deployment/a",
         "cordon worker-1", "drain worker-1 --force", "rollout status deploy/a",
         "scale deploy/a --replicas=2", "set image pod/a c=nginx", "background", "put /k v",
         "get /k", "del /k",
         "dedicated=x:NoSchedule", "dedicated:NoSchedule-", "tier=web", "tier-", "", "-"]

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=12),
    st.binary(max_size=6), st.sampled_from(WORDS),
)
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)),
    max_leaves=6)


def pod_manifests(affinity: bool = False) -> st.SearchStrategy:
    """A Pod, with fields replaced by arbitrary values now and then (`affinity` too if asked)."""
    container = st.fixed_dictionaries({"name": st.sampled_from(["c", "web"]),
                                       "image": st.sampled_from(["nginx", "redis"])},
                                      optional={"resources": values, "ports": values,
                                                "command": values})
    spec = st.fixed_dictionaries({"containers": st.one_of(st.lists(container, min_size=1,
                                                                   max_size=2), values)},
                                 optional={"nodeName": values, "tolerations": values,
                                           "restartPolicy": values,
                                           **({"affinity": values} if affinity else {})})
    metadata = st.fixed_dictionaries({"name": st.one_of(st.sampled_from(["a", "b"]), values)},
                                     optional={"namespace": values, "labels": values})
    return st.fixed_dictionaries({"apiVersion": st.just("v1"), "kind": st.just("Pod"),
                                  "metadata": metadata, "spec": spec})


manifests = st.one_of(pod_manifests(), st.lists(pod_manifests(), max_size=3), values)

CALLS = {
    "apply": st.tuples(manifests),
    "create": st.tuples(manifests),
    "run": st.tuples(values),
    "get": st.tuples(values, values, values),
    "list": st.tuples(values, values),
    "delete": st.tuples(values, values, values),
    "scale": st.tuples(values, values),
    "kubectl": st.tuples(values),
    "authorize": st.tuples(values, values, values),
    "logs": st.tuples(values),
    "exec_": st.tuples(values, st.one_of(values, st.lists(st.sampled_from(["cat", "/x"])))),
    "trace_of": st.tuples(values),
    "request": st.tuples(values),
    "kill_node": st.tuples(values),
    "restart_node": st.tuples(values),
    "partition": st.lists(values, max_size=3).map(tuple),
    "heal": st.tuples(),
    "set_faults": st.tuples(),
    "set_link": st.tuples(values),
    "explain": st.tuples(values),
    "scheduling_history": st.tuples(values),
    "cordon": st.tuples(values),
    "uncordon": st.tuples(values),
    "taint": st.tuples(values, values),
    "label": st.tuples(values, values),
    "etcd_status": st.tuples(),
    "etcd_leader": st.tuples(),
    "etcdctl": st.tuples(values),
    "etcdutl": st.tuples(values),
    "edit_static_pod": st.tuples(values, values, values),
    "invariants": st.tuples(),
    "host_is_up": st.tuples(values),
    "containers": st.tuples(values),
    "crictl": st.tuples(values, st.one_of(values, st.sampled_from(["ps -a", "pods", "logs x"]))),
    "node_file": st.tuples(values, values),
    "node_files": st.tuples(values, values),
    "ip_route": st.tuples(values),
    "iptables_save": st.tuples(values),
    "ipvsadm": st.tuples(values),
    "nft": st.tuples(values),
    "traffic": st.tuples(values, st.one_of(values, st.sampled_from(["http://a/",
                                                                    "http://10.96.0.1:443/"]))),
    "curl_from_outside": st.tuples(values, values),
    "write_static_pod": st.tuples(values, values, manifests),
    "remove_static_pod": st.tuples(values, values),
    "run_webhook_server": st.tuples(values, values),
    "custom_kinds": st.tuples(),
    "run_controller": st.tuples(values, values),
    "certificate": st.tuples(values, st.one_of(values, st.sampled_from([
        "/etc/kubernetes/admin.conf", "/etc/kubernetes/pki/ca.crt",
        "/etc/kubernetes/manifests"]))),
    "audit_log": st.tuples(),
    "kubeadm_token_create": st.tuples(values),
    "serve": st.tuples(values),
    "stop_serving": st.tuples(),
    "issue_certificate": st.tuples(values, values),
    "kubectl_real": st.tuples(values),
}
KEYWORDS = {
    "set_faults": st.fixed_dictionaries({}, optional={"duplicate": values, "jitter": values}),
    "set_link": st.fixed_dictionaries({}, optional={"latency": values, "loss": values}),
    "taint": st.fixed_dictionaries({}, optional={"overwrite": values}),
    "label": st.fixed_dictionaries({}, optional={"overwrite": values}),
    "etcdctl": st.fixed_dictionaries({}, optional={"stdin": values}),
    "delete": st.fixed_dictionaries({}, optional={"grace_period": values, "cascade": values,
                                                  "force": values, "wait": values}),
    "scale": st.fixed_dictionaries({}, optional={"namespace": values}),
    "logs": st.fixed_dictionaries({}, optional={"container": values, "namespace": values,
                                                "previous": values, "tail": values,
                                                "timestamps": values}),
    "exec_": st.fixed_dictionaries({}, optional={"container": values, "namespace": values}),
    "traffic": st.fixed_dictionaries({}, optional={
        "rps": st.one_of(values, st.sampled_from([1, 10])),
        "seconds": st.one_of(values, st.sampled_from([0.5, 2])), "timeout": values,
        "namespace": values}),
    "curl_from_outside": st.fixed_dictionaries({}, optional={"path": values,
                                                             "timeout": values}),
    "iptables_save": st.fixed_dictionaries({}, optional={"table": values}),
    "run_webhook_server": st.fixed_dictionaries({}, optional={
        "namespace": values, "latency": values, "replicas": values}),
    "run_controller": st.fixed_dictionaries({}, optional={
        "watches": values, "name": values, "workers": values, "leader_election": values}),
    "audit_log": st.fixed_dictionaries({}, optional={
        "user": values, "verb": values, "resource": values, "namespace": values,
        "name": values, "stage": values}),
    "kubectl_real": st.fixed_dictionaries({}, optional={"stdin": values, "timeout": values}),
    # Not kubeconfig_path: a string would be a file written into the working directory.
    "serve": st.fixed_dictionaries({}, optional={
        "user": values, "groups": values, "speed": values, "host": values,
        "mode": st.one_of(values, st.just("stepped"))}),
}
calls = st.sampled_from(sorted(CALLS)).flatmap(lambda name: st.tuples(
    st.just(name), CALLS[name], KEYWORDS.get(name, st.just({}))))


def test_every_public_method_is_driven():
    public = {n for n in dir(Cluster) if not n.startswith("_")
              and callable(getattr(Cluster, n))}
    assert public == set(CALLS)


def fingerprint(c: Cluster) -> tuple:
    """Cheap and complete enough: time, trace, etcd's revision, hosts, links, cuts, faults."""
    status = c.etcd_status()["control-plane"]
    network = c.network
    links = sorted((a, b, d["latency"], d["loss"]) for a, b, d in network.graph.edges(data=True))
    return (c.now, len(c.trace), status.revision if status else None,
            [c.host_is_up(h) for h in c.hosts], links, sorted(network._blocked),
            network._duplicate, network._jitter)


def recover(c: Cluster) -> None:
    """Undo what a successful fault call did, so the next example starts from a working cluster."""
    if c.serving is not None:  # a paced endpoint would move time behind the next example's back
        c.stop_serving()
    c.heal()
    c.set_faults()
    for host in c.hosts:
        c.network.set_link(host, SWITCH, latency=DEFAULT_LINK_LATENCY, loss=0.0)
        if not c.host_is_up(host):
            c.restart_node(host)


def answers(c: Cluster) -> str:
    """`kubectl get pods`, giving a restarted control plane up to a minute to come back."""
    for _ in range(60):
        try:
            return c.kubectl("get pods")
        except K8sLabError:
            c.run(1)
    return c.kubectl("get pods")


@pytest.fixture(scope="module")
def cluster():
    saved = cluster_module.MAX_RUN_SECONDS
    cluster_module.MAX_RUN_SECONDS = 20.0  # keeps every example short; the limit is checked
    yield Cluster(workers=1)
    cluster_module.MAX_RUN_SECONDS = saved


SETTINGS = settings(max_examples=int(os.environ.get("K8SLAB_EXAMPLES", "150")), deadline=None,
                    derandomize=os.environ.get("K8SLAB_EXAMPLES") is None,
                    suppress_health_check=[HealthCheck.too_slow,
                                           HealthCheck.function_scoped_fixture,
                                           HealthCheck.filter_too_much, HealthCheck.data_too_large])


@SETTINGS
@given(call=calls)
def test_any_call_succeeds_or_raises_a_k8slab_error_and_the_cluster_goes_on(cluster, call):
    check_call(cluster, call)


@SETTINGS
@given(manifest=st.one_of(pod_manifests(affinity=True),
                          st.lists(pod_manifests(affinity=True), max_size=3)))
def test_any_manifest_is_applied_or_refused_with_a_k8slab_error(cluster, manifest):
    check_call(cluster, ("apply", (manifest,), {}))


def check_call(cluster: Cluster, call: tuple) -> None:
    """Call; success or K8sLabError; unchanged if refused before running; still answers."""
    name, args, kwargs = call
    before, events = fingerprint(cluster), cluster.sim.events
    try:
        getattr(cluster, name)(*args, **kwargs)
    except K8sLabError:
        if cluster.sim.events == events:  # refused before anything ran: nothing may change
            assert fingerprint(cluster) == before
    recover(cluster)
    assert isinstance(answers(cluster), str)
    start = cluster.now
    cluster.run(0.5)
    assert math.isclose(cluster.now, start + 0.5)
