"""`etcd`: one member of the cluster, answering clients on port 2379 and peers on 2380.

The member's name, its peers and its data dir come from `--name`, `--initial-cluster` and
`--data-dir`, as kubeadm writes them into etcd's static pod manifest. The data dir is a path in
the container: the pod's hostPath volume (`etcd-data`, mounted at /var/lib/etcd) says where on
the host's disk it lies, so editing that volume's path points etcd at another data dir.
"""

from __future__ import annotations

from collections.abc import Generator

from k8slab.cmd.cli import flags, serve_forever
from k8slab.etcd.member import DATA_DIR, EtcdMember
from k8slab.node.process import Process


def host_path(path: str, mounts: list[dict]) -> str:
    """Where a path inside the container lies on the host: under the longest mount holding it,
    else where it is (a container without mounts writes to its own filesystem; the model keeps
    that on the host's disk too)."""
    holding = [m for m in mounts if path == m["container_path"]
               or path.startswith(m["container_path"].rstrip("/") + "/")]
    if not holding:
        return path
    mount = max(holding, key=lambda m: len(m["container_path"]))
    return mount["host_path"].rstrip("/") + path[len(mount["container_path"].rstrip("/")):]


def main(process: Process) -> Generator:
    """`etcd --name=... --initial-cluster=... --data-dir=...`: one member, clients on 2379,
    peers on 2380, its WAL and db in the data dir."""
    group, bundle = process.group, process.bundle
    args = flags(bundle)
    name = args.get("name", group.host.name)
    peers = [m.split("=", 1)[0] for m in args.get("initial-cluster", f"{name}=").split(",")]
    data_dir = host_path(args.get("data-dir", DATA_DIR), bundle.get("mounts", []))
    member = EtcdMember(group, name, peers, data_dir)
    group.host.memory["etcd"] = member
    member.start()
    yield from serve_forever(group)
