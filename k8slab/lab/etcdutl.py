"""`etcdutl snapshot status|restore`: reading a db file and making a data dir from it, on a host.

etcdutl works on files, not over the network. In etcd 3.6, the release kubeadm for v1.35 runs,
`snapshot status` and `snapshot restore` exist only here: etcdctl 3.6 dropped them (etcd
CHANGELOG-3.6). `run` prints as etcdutl 3.6.6 does: `status` has a VERSION column (meta's
storageVersion) and TOTAL KEYS counts live user keys (etcd PR #19344, v3.6.0), where etcdutl
3.5, and etcdctl 3.5 for it, counted every item of every bucket and had no VERSION.
"""

from __future__ import annotations

from k8slab.lab.etcdctl.flags import EXIT_BAD_ARGS, EtcdctlError, Flag, parse, split
from k8slab.lab.etcdctl.snapshot import RESTORE_FLAGS, VERSION_36, restore_data_dir, status
from k8slab.sim.host import Host

OUTPUT = (Flag("write-out", str, "simple", "w"),)


def run(host: Host, command: str) -> str:
    """What `etcdutl <command>` prints on `host` (snapshot status, snapshot restore); errors
    raise `EtcdctlError` (etcdutl shares etcdctl's exit codes and `Error:` lines)."""
    words = split(command)
    words = words[1:] if words[:1] == ["etcdutl"] else words
    plain = [w for w in words if not w.startswith("-")]
    if plain[:2] not in (["snapshot", "status"], ["snapshot", "restore"]):
        raise EtcdctlError("this lab's etcdutl runs `snapshot status FILE` and `snapshot "
                           f"restore FILE --data-dir DIR ...`; got {command!r}", EXIT_BAD_ARGS)
    rest = list(words)
    rest.remove("snapshot")
    rest.remove(plain[1])
    if plain[1] == "status":
        flags, args = parse(rest, OUTPUT)
        return "\n".join(status(host, args, str(flags["write-out"]), VERSION_36))
    flags, args = parse(rest, RESTORE_FLAGS + OUTPUT)
    return "\n".join(restore_data_dir(host, args, flags))
