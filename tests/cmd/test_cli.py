"""How the binaries read their command line: flags, the hosts URLs name, kubeconfig files."""

import pytest

from k8slab.cmd.cli import endpoint_host, flags, kubeconfig_server
from tests.pki_fixtures import kubeconfig_for

CP = "cp-1"


def test_flags_reads_name_value_arguments_from_command_and_args() -> None:
    bundle = {
        "command": ["etcd", "--name=cp-1", "--data-dir=/var/lib/etcd"],
        "args": ["--initial-cluster=cp-1=https://10.0.0.10:2380", "-v", "--debug", "positional"],
    }
    assert flags(bundle) == {
        "name": "cp-1",
        "data-dir": "/var/lib/etcd",
        "initial-cluster": "cp-1=https://10.0.0.10:2380",
    }


def test_flags_lets_a_later_argument_win_and_keeps_empty_values() -> None:
    bundle = {"command": ["kube-apiserver", "--v=2"], "args": ["--v=4", "--token-auth-file="]}
    assert flags(bundle) == {"v": "4", "token-auth-file": ""}


def test_flags_of_a_bundle_without_a_command_line_is_empty() -> None:
    assert flags({"image": "registry.k8s.io/etcd:3.6.6-0"}) == {}


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("https://127.0.0.1:2379", CP),
        ("https://localhost:2379", CP),
        ("http://127.0.0.1", CP),
        ("https://etcd-2:2379", "etcd-2"),
        ("https://control-plane:6443", "control-plane"),
        ("https://10.0.0.11:6443", "10.0.0.11"),
        ("control-plane:6443", "control-plane"),
    ],
)
def test_endpoint_host_maps_loopback_to_its_own_host(url: str, host: str) -> None:
    assert endpoint_host(url, CP) == host


def test_kubeconfig_server_reads_the_file_on_the_hosts_disk(host) -> None:
    host.disk["/etc/kubernetes/scheduler.conf"] = kubeconfig_for("https://127.0.0.1:6443", "s")
    host.disk["/etc/kubernetes/other.conf"] = kubeconfig_for("https://api.example:6443", "o")
    group = host.group("kube-scheduler")
    assert kubeconfig_server(group, "/etc/kubernetes/scheduler.conf") == CP
    assert kubeconfig_server(group, "/etc/kubernetes/other.conf") == "api.example"
