"""The CNI chain as containerd runs it: the conflist read from /etc/cni/net.d/, ADD through
bridge (with host-local) and portmap giving the spec's result, CHECK, DEL in reverse, and the
plugins' errors wrapped in libcni's words."""

from __future__ import annotations

import json

import pytest

from k8slab.node.cni import conflist
from k8slab.node.cni.chain import CniChain
from k8slab.node.cni.contract import CniError, Invocation, format_args, parse_args
from k8slab.node.cni.host_net import HostNet

POD_ARGS = {"K8S_POD_NAMESPACE": "default", "K8S_POD_NAME": "web",
            "K8S_POD_INFRA_CONTAINER_ID": "sandbox1", "K8S_POD_UID": "uid-1"}


@pytest.fixture
def node() -> tuple[CniChain, HostNet, dict, str]:
    disk: dict = {}
    conflist.install(disk, "10.244.2.0/24")
    host = HostNet("10.0.0.22")
    path, _ = host.add_namespace("cni-1")
    records: list = []
    chain = CniChain(host, disk, lambda kind, pod, **d: records.append((kind, pod, d)))
    chain.records = records  # what it noted, for the tests to read
    return chain, host, disk, path


def call(command: str, path: str, container: str = "sandbox1") -> Invocation:
    return Invocation(command, container, path, "eth0", POD_ARGS)


def test_the_conflist_on_disk_is_flannels_bridge_and_portmap() -> None:
    disk: dict = {}
    assert conflist.install(disk, "10.244.2.0/24") == "/etc/cni/net.d/10-flannel.conflist"
    conf = json.loads(disk["/etc/cni/net.d/10-flannel.conflist"])
    assert conf["name"] == "cbr0" and conf["cniVersion"] == "1.0.0"
    bridge, portmap = conf["plugins"]
    assert (bridge["type"], bridge["bridge"], bridge["isGateway"], bridge["ipMasq"]) == (
        "bridge", "cni0", True, True)
    assert bridge["ipam"] == {"type": "host-local",
                              "ranges": [[{"subnet": "10.244.2.0/24", "gateway": "10.244.2.1"}]],
                              "routes": [{"dst": "10.244.0.0/16"}]}
    assert portmap == {"type": "portmap", "capabilities": {"portMappings": True}}


def test_add_returns_the_spec_result_and_wires_the_namespace(node) -> None:
    chain, host, disk, path = node
    result = chain.add(call("ADD", path))
    assert result["cniVersion"] == "1.0.0"
    assert [i["name"] for i in result["interfaces"]][::2] == ["cni0", "eth0"]
    assert result["interfaces"][2]["sandbox"] == path
    assert result["ips"] == [{"address": "10.244.2.2/24", "gateway": "10.244.2.1",
                              "interface": 2}]
    assert result["routes"] == [{"dst": "10.244.0.0/16"},
                                {"dst": "0.0.0.0/0", "gw": "10.244.2.1"}]
    assert host.namespaces[path].ip == "10.244.2.2"
    assert host.namespace_of("10.244.2.2") is host.namespaces[path]
    assert host.bridges == {"cni0": "10.244.2.1/24"} and host.masquerade == ["10.244.2.0/24"]
    chain.check(call("CHECK", path))
    assert [(kind, pod, d["plugin"]) for kind, pod, d in chain.records] == [
        ("ADD", "pod/default/web", "bridge"), ("ADD", "pod/default/web", "portmap"),
        ("CHECK", "pod/default/web", "bridge"), ("CHECK", "pod/default/web", "portmap")]
    assert chain.records[0][2]["args"].startswith("IgnoreUnknown=1;K8S_POD_NAMESPACE=default")
    cached = json.loads(disk["/var/lib/cni/results/cbr0-sandbox1-eth0"])
    assert cached["result"] == result and cached["kind"] == "cniCacheV1"


def test_del_releases_the_address_and_the_veth_and_is_idempotent(node) -> None:
    chain, host, disk, path = node
    chain.add(call("ADD", path))
    chain.delete(call("DEL", path))
    assert "/var/lib/cni/networks/cbr0/10.244.2.2" not in disk
    assert host.veths == {} and host.namespace_of("10.244.2.2") is None
    assert "/var/lib/cni/results/cbr0-sandbox1-eth0" not in disk
    chain.delete(call("DEL", path))  # again: nothing left, still no error
    with pytest.raises(CniError, match="cached result"):
        chain.check(call("CHECK", path))


def test_host_ports_are_mapped_by_portmap_and_dropped_on_del(node) -> None:
    chain, host, _, path = node
    chain.add(call("ADD", path), {"portMappings": [
        {"hostPort": 8080, "containerPort": 80, "protocol": "TCP"}]})
    assert host.host_ports == {(8080, "tcp"): ("10.244.2.2", 80, "sandbox1")}
    chain.delete(call("DEL", path))
    assert host.host_ports == {}


def test_failures_name_the_plugin_as_libcni_does_and_leave_nothing(node) -> None:
    chain, host, disk, _ = node
    with pytest.raises(CniError, match='plugin type="bridge" failed \\(add\\): failed to open '
                                       'netns "/var/run/netns/gone"'):
        chain.add(call("ADD", "/var/run/netns/gone"))
    assert host.veths == {}
    bad = json.loads(disk[conflist.CONF_FILE])
    bad["plugins"][1]["type"] = "calico"
    disk[conflist.CONF_FILE] = json.dumps(bad)
    path, _ = host.add_namespace("cni-2")
    with pytest.raises(CniError, match='failed to find plugin "calico" in path'):
        chain.add(call("ADD", path, "sandbox2"))


def test_no_conflist_means_the_cni_plugin_is_not_initialized() -> None:
    host = HostNet("10.0.0.22")
    path, _ = host.add_namespace("x")
    with pytest.raises(CniError, match="no network config found in /etc/cni/net.d: cni plugin "
                                       "not initialized"):
        CniChain(host, {}).add(call("ADD", path))
    with pytest.raises(CniError, match="error parsing configuration list"):
        CniChain(host, {"/etc/cni/net.d/10-x.conflist": "{not json"}).add(call("ADD", path))


def test_cni_args_and_commands() -> None:
    text = format_args(POD_ARGS)
    assert text.startswith("IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=web")
    assert parse_args(text) == {"IgnoreUnknown": "1", **POD_ARGS}
    assert call("ADD", "/p").environ()["CNI_COMMAND"] == "ADD"
    with pytest.raises(CniError, match="unknown CNI_COMMAND: 'VERSION'; accepted: ADD, DEL, "
                                       "CHECK"):
        Invocation("VERSION", "c", "/p")
    with pytest.raises(CniError, match='invalid pair "oops"'):
        parse_args("oops")
