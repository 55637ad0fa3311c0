"""`kube-apiserver`'s entrypoint: etcd found through --etcd-servers, the API on port 6443."""

from k8slab.cmd import kube_apiserver
from k8slab.errors import K8sLabError
from k8slab.node.process import Process


def test_apiserver_main_finds_etcd_on_its_own_host_through_loopback(host) -> None:
    group = host.group("kube-apiserver")
    bundle = {"command": ["kube-apiserver", "--etcd-servers=https://127.0.0.1:2379"]}
    group.spawn(kube_apiserver.main(Process(group, bundle, [])))
    host.sim.run(0.1)
    assert host.memory["kube-apiserver"].storage.etcd.endpoint == "cp-1"
    assert host.server_on(6443) is host.memory["kube-apiserver"]


def test_an_apiserver_without_etcd_servers_fails_with_a_clear_error(host) -> None:
    group = host.group("kube-apiserver")
    group.spawn(kube_apiserver.main(Process(group, {"command": ["kube-apiserver"]}, [])))
    host.sim.run(0.1)  # the program dies of its error, as a process does; the world runs on
    assert not group.alive and isinstance(group.crashed, K8sLabError)
    assert "etcd-servers" in str(group.crashed)
    [crash] = host.sim.trace.where(kind="crash")
    assert "etcd-servers" in crash.details["error"]
