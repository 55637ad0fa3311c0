"""`etcd`: one member of the cluster, answering clients on port 2379 and peers on 2380.

The member's name and its peers come from `--name` and `--initial-cluster`, as kubeadm writes
them into etcd's static pod manifest.
"""

from __future__ import annotations

from collections.abc import Generator

from k8slab.cmd.cli import flags, serve_forever
from k8slab.etcd.member import EtcdMember
from k8slab.sim.host import ProcessGroup


def main(group: ProcessGroup, bundle: dict) -> Generator:
    """`etcd --name=... --initial-cluster=...`: one member, clients on 2379, peers on 2380."""
    args = flags(bundle)
    name = args.get("name", group.host.name)
    peers = [m.split("=", 1)[0] for m in args.get("initial-cluster", f"{name}=").split(",")]
    member = EtcdMember(group, name, peers)
    group.host.memory["etcd"] = member
    member.start()
    yield from serve_forever(group)
