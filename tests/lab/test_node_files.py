"""Reading a node's files from its disk: manifests, the kubelet's config.yaml, pod logs."""

from __future__ import annotations

import pytest
import yaml

from k8slab.lab.node_files import (
    KUBELET_CONFIG,
    MANIFESTS,
    POD_LOGS,
    NodeFileError,
    kubelet_config,
    list_files,
    read_file,
)
from k8slab.node.node_object import NodeConfig

POD = {"apiVersion": "v1", "kind": "Pod",
       "metadata": {"name": "etcd", "namespace": "kube-system"},
       "spec": {"containers": [{"name": "etcd", "image": "registry.k8s.io/etcd:3.6.6-0"}]}}


def disk() -> dict:
    return {
        MANIFESTS: {"etcd.yaml": POD},
        KUBELET_CONFIG: kubelet_config(NodeConfig("cp-1", "10.0.0.2", "10.244.0.0/24")),
        POD_LOGS: {"default_web_u1/nginx/0.log": [
            "2026-01-01T00:00:31.000000000Z stdout F start worker process 29"]},
        "/etc/kubernetes/kubelet.conf": {"server": "https://cp-1:6443"},
    }


def test_kubelet_config_as_kubeadm_writes_it() -> None:
    config = kubelet_config()
    assert (config["cgroupDriver"], config["clusterDNS"], config["clusterDomain"]) == (
        "systemd", ["10.96.0.10"], "cluster.local")
    assert config["staticPodPath"] == "/etc/kubernetes/manifests"
    assert config["authentication"]["webhook"]["enabled"] is True
    assert config["authentication"]["anonymous"]["enabled"] is False
    assert config["authorization"]["mode"] == "Webhook"
    assert config["syncFrequency"] == "0s"  # left for the kubelet to default (1m)
    assert "maxPods" not in config and "kubeReserved" not in config


def test_max_pods_is_written_only_when_not_the_default() -> None:
    node = NodeConfig("w", "10.0.0.3", "10.244.1.0/24", max_pods=250)
    assert kubelet_config(node)["maxPods"] == 250


def test_list_files() -> None:
    assert list_files(disk(), "/etc/kubernetes") == [
        "/etc/kubernetes/kubelet.conf", "/etc/kubernetes/manifests/etcd.yaml"]
    assert list_files(disk(), "/var/log/pods/") == ["/var/log/pods/default_web_u1/nginx/0.log"]
    assert len(list_files(disk(), "/")) == 4
    assert list_files({MANIFESTS: {}}, MANIFESTS) == []


def test_read_manifest_as_yaml() -> None:
    text = read_file(disk(), "/etc/kubernetes/manifests/etcd.yaml")
    assert text.startswith("apiVersion: v1\nkind: Pod\nmetadata:\n")
    assert yaml.safe_load(text) == POD


def test_read_config_and_logs() -> None:
    config = yaml.safe_load(read_file(disk(), KUBELET_CONFIG))
    assert config["kind"] == "KubeletConfiguration"
    assert read_file(disk(), "/var/log/pods/default_web_u1/nginx/0.log") == (
        "2026-01-01T00:00:31.000000000Z stdout F start worker process 29\n")


@pytest.mark.parametrize(("path", "words"), [
    ("/etc/kubernetes/manifests/nope.yaml", "No such file or directory"),
    ("/etc/kubernetes/manifests", "Is a directory"),
    ("/var/lib", "Is a directory"),
])
def test_read_errors(path: str, words: str) -> None:
    with pytest.raises(NodeFileError, match=words):
        read_file(disk(), path)


def test_list_missing_directory() -> None:
    with pytest.raises(NodeFileError, match="cannot access '/srv'"):
        list_files(disk(), "/srv")
