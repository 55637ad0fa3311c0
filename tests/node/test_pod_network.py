"""The pod network in a real cluster: routes learned from the Node objects, a request from a
pod on worker-1 to a pod on worker-2, and the ways it fails (refused, timed out across a
partition), each hop in the trace."""

from __future__ import annotations

import pytest

from k8slab import Cluster
from k8slab.errors import K8sLabError
from k8slab.node.pod_network import PodNetwork, Route, routes_from_nodes


def node(name: str, ip: str, cidr: str | None) -> dict:
    return {"metadata": {"name": name}, "spec": {"podCIDR": cidr} if cidr else {},
            "status": {"addresses": [{"type": "InternalIP", "address": ip},
                                     {"type": "Hostname", "address": name}]}}


def test_routes_are_the_other_nodes_pod_cidrs_via_their_addresses() -> None:
    nodes = [node("worker-2", "10.0.0.22", "10.244.2.0/24"),
             node("worker-1", "10.0.0.21", "10.244.1.0/24"),
             node("new", "10.0.0.23", None)]  # no podCIDR yet: no route
    assert routes_from_nodes(nodes, "worker-1") == [Route("10.244.2.0/24", "10.0.0.22",
                                                          "worker-2")]
    assert str(routes_from_nodes(nodes, "worker-1")[0]) == "10.244.2.0/24 via 10.0.0.22 dev eth0"


def web_and_client(skip_phases: tuple[str, ...] = ("addon",)) -> Cluster:
    """nginx on worker-2 and a busybox client on worker-1, both running; without kubeadm's
    addons unless asked (`--skip-phases=addon`: the pod network alone, its addresses exact)."""
    c = Cluster(workers=2, skip_phases=list(skip_phases))
    sleeper = {"name": "app", "image": "busybox:1.37", "command": ["sleep", "1000000"]}
    for name, where, container in [("web", "worker-2", {"name": "app", "image": "nginx:1.27"}),
                                   ("client", "worker-1", sleeper)]:
        c.apply({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
                 "spec": {"nodeName": where, "containers": [container]}})
    c.run(30)
    return c


@pytest.fixture(scope="module")
def cluster() -> Cluster:
    """With kube-proxy and CoreDNS: a CoreDNS replica on each worker holds its .2 address."""
    return web_and_client(skip_phases=())


def web_ip(c: Cluster) -> str:
    return c.get("pods", "web")["status"]["podIP"]


def test_each_node_learns_routes_to_the_others(cluster: Cluster) -> None:
    network: PodNetwork = cluster.network.host("worker-1").memory["pod_network"]
    assert network.ip_route() == (
        "10.244.0.0/24 via 10.0.0.10 dev eth0\n"
        "10.244.1.0/24 dev cni0 proto kernel scope link src 10.244.1.1\n"
        "10.244.2.0/24 via 10.0.0.22 dev eth0\n")
    assert cluster.get("pods", "client")["status"]["podIP"] == "10.244.1.3"
    assert web_ip(cluster) == "10.244.2.3"
    assert '"subnet": "10.244.2.0/24"' in cluster.node_file(
        "worker-2", "/etc/cni/net.d/10-flannel.conflist")
    [sandbox] = [s for s in cluster.network.host("worker-2").memory["containerd"]
                 .list_pod_sandboxes() if s.pod == "pod/default/web"]
    assert sandbox.netns_path.startswith("/var/run/netns/cni-")
    added = cluster.trace.where(component="cni", obj="pod/default/web")
    assert [(r.kind, r.details["plugin"], r.details["ips"]) for r in added] == [
        ("ADD", "bridge", ["10.244.2.3/24"]), ("ADD", "portmap", ["10.244.2.3/24"])]
    assert cluster.node_file("worker-2", "/var/lib/cni/networks/cbr0/10.244.2.3") == (
        f"{sandbox.id}\r\neth0")


def test_wget_from_a_pod_on_worker_1_reaches_nginx_on_worker_2(cluster: Cluster) -> None:
    start = len(cluster.trace.where(component="network"))
    page = cluster.exec_("client", ["wget", "-qO-", f"http://{web_ip(cluster)}/"])
    assert "<title>Welcome to nginx!</title>" in page
    hops = [(r.host, r.kind, r.obj) for r in cluster.trace.where(component="network")[start:]]
    assert hops == [("worker-1", "send", "10.244.1.3->10.244.2.3:80"),
                    ("worker-2", "deliver", "10.244.1.3->10.244.2.3:80")]


def test_ping_crosses_two_routers(cluster: Cluster) -> None:
    out = cluster.exec_("client", ["ping", "-c", "2", web_ip(cluster)])
    assert out.splitlines()[:3] == [
        "PING 10.244.2.3 (10.244.2.3): 56 data bytes",
        "64 bytes from 10.244.2.3: seq=0 ttl=62 time=1.000 ms",  # 0.5 ms each way on the LAN
        "64 bytes from 10.244.2.3: seq=1 ttl=62 time=1.000 ms"]
    assert "2 packets transmitted, 2 packets received, 0% packet loss" in out


def test_nothing_listening_is_connection_refused(cluster: Cluster) -> None:
    with pytest.raises(K8sLabError) as refused:
        cluster.exec_("client", ["wget", "-O-", f"http://{web_ip(cluster)}:8080/"])
    assert ("wget: can't connect to remote host (10.244.2.3): Connection refused"
            in str(refused.value))
    assert cluster.exec_("client", ["sh", "-c", f"nc -z {web_ip(cluster)} 80 && echo open"]
                         ) == "open"


def test_a_name_no_dns_server_knows_is_a_bad_address(cluster: Cluster) -> None:
    # Short resolver timeouts, so a silent nameserver fails inside exec's request timeout;
    # once CoreDNS answers behind 10.96.0.10, `web` (no such Service) is NXDOMAIN instead.
    script = ("echo 'options timeout:1 attempts:1' >> /etc/resolv.conf; "
              "wget -qO- http://web/")
    with pytest.raises(K8sLabError, match="wget: bad address 'web'"):
        cluster.exec_("client", ["sh", "-c", script])
    asked = cluster.trace.where(component="resolver", kind="resolve")
    assert asked[0].obj == "web.default.svc.cluster.local"


def test_a_partition_between_the_nodes_times_out() -> None:
    c = web_and_client()
    ip = c.get("pods", "web")["status"]["podIP"]
    c.partition(["worker-1"], ["worker-2"])
    started = c.now
    with pytest.raises(K8sLabError, match=r"can't connect to remote host \(10.244.2.2\): "
                                          "Connection timed out"):
        c.exec_("client", ["wget", "-T", "5", "-qO-", f"http://{ip}/"])
    assert c.now - started >= 5
    assert [r.kind for r in c.trace.where(component="network")][-2:] == ["lost", "timeout"]
    c.heal()
    assert "Welcome to nginx" in c.exec_("client", ["wget", "-qO-", f"http://{ip}/"])


def test_a_rebooted_node_never_hands_out_an_address_it_gave_before() -> None:
    c = web_and_client()
    before = c.get("pods", "client")["status"]["podIP"]
    c.kill_node("worker-1")
    c.run(5)
    c.restart_node("worker-1")
    c.run(60)
    after = c.get("pods", "client")["status"]["podIP"]
    # The kernel's namespaces are gone, host-local's files are not: the search goes on past
    # the last address it reserved.
    assert (before, after) == ("10.244.1.2", "10.244.1.3")
    files = c.node_files("worker-1", "/var/lib/cni/networks/cbr0")
    assert files == ["/var/lib/cni/networks/cbr0/10.244.1.2",
                     "/var/lib/cni/networks/cbr0/10.244.1.3",
                     "/var/lib/cni/networks/cbr0/last_reserved_ip.0"]
    assert "Welcome to nginx" in c.exec_("client", ["wget", "-qO-", "http://10.244.2.2/"])


def test_a_host_port_reaches_the_pod_through_the_nodes_address() -> None:
    c = web_and_client()
    c.apply({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "hp"},
             "spec": {"nodeName": "worker-2", "containers": [{
                 "name": "app", "image": "nginx:1.27",
                 "ports": [{"containerPort": 80, "hostPort": 8080}]}]}})
    c.run(20)
    host_net = c.network.host("worker-2").memory["pod_network"].host_net
    [(key, (ip, port, _))] = host_net.host_ports.items()
    assert (key, ip, port) == ((8080, "tcp"), c.get("pods", "hp")["status"]["podIP"], 80)
    assert "Welcome to nginx" in c.exec_("client", ["wget", "-qO-", "http://10.0.0.22:8080/"])
    with pytest.raises(K8sLabError, match="Connection refused"):
        c.exec_("client", ["wget", "-qO-", "http://10.0.0.22:8081/"])


def test_a_sandbox_whose_network_fails_is_an_event_and_is_retried() -> None:
    c = web_and_client()
    disk = c.network.host("worker-1").disk
    conf = disk.pop("/etc/cni/net.d/10-flannel.conflist")
    c.apply({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "late"},
             "spec": {"nodeName": "worker-1", "containers": [{"name": "app",
                                                             "image": "nginx:1.27"}]}})
    c.run(10)
    assert c.get("pods", "late")["status"].get("podIP") is None
    assert ("Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup "
            "network for sandbox") in c.kubectl("describe pod late")
    disk["/etc/cni/net.d/10-flannel.conflist"] = conf
    c.run(60)
    assert c.get("pods", "late")["status"]["podIP"] == "10.244.1.3"


def test_a_deleted_pods_address_and_a_crashed_node_are_silence() -> None:
    c = web_and_client()
    c.kubectl("delete pod web")
    with pytest.raises(K8sLabError, match="Connection timed out"):
        c.exec_("client", ["wget", "-T", "3", "-qO-", "http://10.244.2.2/"])
    assert [r.kind for r in c.trace.where(component="network")][-2:] == [
        "unreachable", "timeout"]  # worker-2 has no such address any more
    c.kill_node("worker-2")
    with pytest.raises(K8sLabError, match="1 packets transmitted, 0 packets received, 100% "
                                          "packet loss"):
        c.exec_("client", ["ping", "-c", "1", "-W", "2", "10.244.2.3"])
    assert c.trace.where(component="network")[-2].kind == "lost"


def test_a_host_network_pod_reaches_pods_from_the_nodes_address() -> None:
    c = web_and_client()
    c.apply({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "hn"},
             "spec": {"nodeName": "worker-1", "hostNetwork": True, "containers": [{
                 "name": "app", "image": "busybox:1.37", "command": ["sleep", "1000000"]}]}})
    c.run(10)
    assert c.get("pods", "hn")["status"]["podIP"] == "10.0.0.21"
    assert "Welcome to nginx" in c.exec_("hn", ["wget", "-qO-", "http://10.244.2.2/"])
    assert c.trace.where(component="network", kind="deliver")[-1].obj == (
        "10.0.0.21->10.244.2.2:80")
