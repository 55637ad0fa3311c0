"""`snapshot save`, `snapshot status` and `snapshot restore`, as etcdctl 3.5 and etcdutl run them
(etcdctl/ctlv3/command/snapshot_command.go and etcdutl/snapshot/v3_snapshot.go).

`save` asks one member for its db file (the Maintenance service's Snapshot) and writes it, with
the SHA-256 etcd appends, to a file on the host etcdctl runs on, printing "Snapshot saved at
FILE" (its progress log goes to stderr; etcdctl 3.6 adds a "Server version" line). `status`
and `restore` work on files: etcdctl 3.5 prints a deprecation line on stderr and then does what
etcdutl 3.5 does; etcdctl 3.6 no longer has them, and etcdutl 3.6 prints `status` with a
VERSION column (meta's storageVersion) and counts only live user keys (k8slab.lab.etcdutl).

The host's disk has no directories: any path can be written, and a data dir "exists" when a
file lies under it. Hash and size are computed as etcd computes them, over our db file
(k8slab.etcd.dbfile), so their values differ from a bbolt file's.
"""

from __future__ import annotations

from collections.abc import Generator

from k8slab.etcd import dbfile
from k8slab.etcd.data_dir import (
    RestoreError,
    db_path,
    parse_initial_cluster,
    restore,
    verify_bootstrap,
    wal_path,
)
from k8slab.etcd.errors import EtcdError
from k8slab.etcd.membership import CLUSTER_TOKEN
from k8slab.lab.etcdctl.commands import COMMAND_TIMEOUT, Context
from k8slab.lab.etcdctl.flags import (
    EXIT_BAD_ARGS,
    EXIT_BAD_FEATURE,
    EXIT_INTERRUPTED,
    EtcdctlError,
    Flag,
    fail,
)
from k8slab.lab.etcdctl.gofmt import dumps, human_bytes, table
from k8slab.lab.etcdctl.maintenance import endpoint
from k8slab.sim.host import Host

VERSION_35, VERSION_36 = "3.5", "3.6"
DEFAULT_NAME = "default"
DEFAULT_PEER_URL = "http://localhost:2380"  # embed.DefaultInitialAdvertisePeerURLs
RESTORE_FLAGS = (Flag("data-dir", str, ""), Flag("wal-dir", str, ""),
                 Flag("initial-cluster", str, f"{DEFAULT_NAME}={DEFAULT_PEER_URL}"),
                 Flag("initial-cluster-token", str, CLUSTER_TOKEN),
                 Flag("initial-advertise-peer-urls", str, DEFAULT_PEER_URL),
                 Flag("name", str, DEFAULT_NAME), Flag("skip-hash-check", bool, False))


def _deprecated(verb: str) -> tuple[str, ...]:
    """What etcdctl 3.5 prints on stderr before running an etcdutl command for you."""
    return (f"Deprecated: Use `etcdutl snapshot {verb}` instead.",)


def save(ctx: Context, args: list[str], flags: dict) -> Generator:
    """`snapshot save FILE`: one member's db file and its checksum, written to FILE."""
    if len(args) != 1:
        raise fail("snapshot save expects one argument", EXIT_BAD_ARGS)
    endpoints = ctx.client.endpoints
    if len(endpoints) != 1:  # snapshot.Save in etcd's client/v3/snapshot
        shown = " ".join(endpoint(host) for host in endpoints)
        raise fail(f"snapshot must be requested to one selected node, not multiple [{shown}]",
                   EXIT_INTERRUPTED)
    answer = yield from ctx.call(ctx.client.snapshot(timeout=COMMAND_TIMEOUT),
                                 exit_code=EXIT_INTERRUPTED)
    path = args[0]
    ctx.client.group.host.disk[path] = answer.blob
    return [f"Snapshot saved at {path}"]


def snapshot_status(ctx: Context, args: list[str], flags: dict) -> Generator:
    """`etcdctl snapshot status FILE`: as etcdutl 3.5 prints it (no VERSION column)."""
    yield from ()
    return status(ctx.client.group.host, args, ctx.output, VERSION_35, _deprecated("status"))


def snapshot_restore(ctx: Context, args: list[str], flags: dict) -> Generator:
    """`etcdctl snapshot restore FILE --data-dir DIR ...`: a new data dir, as etcdutl 3.5."""
    yield from ()
    return restore_data_dir(ctx.client.group.host, args, flags, _deprecated("restore"))


# -- snapshot status ----------------------------------------------------------------------------


def read(host: Host, path: str) -> bytes:
    """A file's bytes from the host's disk, or the error Go's os.Stat gives."""
    if path not in host.disk:
        raise fail(f"stat {path}: no such file or directory")
    data = host.disk[path]
    return data if isinstance(data, bytes) else b""


def status(host: Host, args: list[str], output: str, version: str,
           printed: tuple[str, ...] = ()) -> list[str]:
    """`snapshot status FILE`: hash, revision, total keys, total size (and, in 3.6, version)."""
    if len(args) != 1:
        raise fail("snapshot status requires exactly one argument", EXIT_BAD_ARGS, list(printed))
    if output not in ("simple", "table", "json", "fields"):
        raise fail(f"{output} not supported as output format", EXIT_BAD_FEATURE, list(printed))
    try:
        found = dbfile.status(read(host, args[0]))
    except EtcdError as error:
        raise fail(error.message, printed=list(printed)) from None
    except EtcdctlError as error:
        raise EtcdctlError("\n".join([*printed, error.message]), error.exit_code) from None
    keys = found.total_items if version == VERSION_35 else found.live_keys
    header = ["hash", "revision", "total keys", "total size"]
    row = [f"{found.hash:x}", str(found.revision), str(keys), human_bytes(found.total_size)]
    fields = {"hash": found.hash, "revision": found.revision, "totalKey": keys,
              "totalSize": found.total_size}
    if version == VERSION_36:
        header, row = header + ["version"], row + [found.version]
        fields["version"] = found.version
    if output == "simple":
        return [", ".join(row)]
    if output == "table":
        return table(header, [row]).split("\n")
    if output == "json":
        return [dumps(fields)]
    names = {"hash": "Hash", "revision": "Revision", "totalKey": "Keys", "totalSize": "Size",
             "version": "Version"}
    return [f'"{names[name]}" : {value}' for name, value in fields.items()]


# -- snapshot restore ---------------------------------------------------------------------------


def restore_data_dir(host: Host, args: list[str], flags: dict,
                     printed: tuple[str, ...] = ()) -> list[str]:
    """`snapshot restore FILE --data-dir DIR ...`: a new member's data dir on the host's disk.

    It prints nothing on stdout (etcdutl logs "restoring snapshot" and "restored snapshot" on
    stderr). Refuses a data dir that holds anything, as etcdutl does.
    """
    said = list(printed)
    if len(args) != 1:
        raise fail("snapshot restore requires exactly one argument", EXIT_BAD_ARGS, said)
    if flags["wal-dir"]:
        raise EtcdctlError("this lab keeps the WAL in the data dir: leave --wal-dir out",
                           EXIT_BAD_ARGS)
    data_dir = str(flags["data-dir"]) or f"{flags['name']}.etcd"
    try:
        cluster = parse_initial_cluster(str(flags["initial-cluster"]))
        peer_urls = str(flags["initial-advertise-peer-urls"]).split(",")
        verify_bootstrap(str(flags["name"]), cluster, peer_urls)
        if any(path == data_dir or path.startswith(data_dir.rstrip("/") + "/")
               for path in host.disk):
            raise RestoreError(f'data-dir "{data_dir}" not empty or could not be read')
        snapshot = _snapshot_file(host, args[0])
        db, wal = restore(snapshot, name=str(flags["name"]), initial_cluster=cluster,
                          peer_urls=peer_urls, token=str(flags["initial-cluster-token"]),
                          skip_hash_check=bool(flags["skip-hash-check"]))
    except EtcdError as error:
        raise fail(error.message, printed=said) from None
    host.disk[db_path(data_dir)] = db
    host.disk[wal_path(data_dir)] = wal
    return []


def _snapshot_file(host: Host, path: str) -> bytes:
    # copyAndVerifyDB opens the file first: Go's os.Open error if it is not there.
    if path not in host.disk:
        raise RestoreError(f"open {path}: no such file or directory")
    data = host.disk[path]
    return data if isinstance(data, bytes) else b""
