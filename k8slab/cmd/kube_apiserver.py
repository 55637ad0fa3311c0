"""`kube-apiserver`: the Kubernetes API on port 6443, stored in the etcd `--etcd-servers` names.

kubeadm points each API server at the etcd member on its own host (https://127.0.0.1:2379).
"""

from __future__ import annotations

from collections.abc import Generator

from k8slab.apiserver.server import APIServer
from k8slab.cmd.cli import endpoint_host, flags, required, serve_forever
from k8slab.node.process import Process


def main(process: Process) -> Generator:
    """`kube-apiserver --etcd-servers=... --advertise-address=...`: the API on port 6443."""
    group, bundle = process.group, process.bundle
    etcd = endpoint_host(required(flags(bundle), "etcd-servers", "kube-apiserver"),
                         group.host.name)
    server = APIServer(group, etcd, flags(bundle).get("advertise-address"))
    server.dial = process.netns.route  # webhooks are reached through the node's network
    group.host.memory["kube-apiserver"] = server
    server.start()
    yield from serve_forever(group)
