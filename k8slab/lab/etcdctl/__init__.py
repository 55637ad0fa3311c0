"""`etcdctl`, run on a control-plane host against the etcd members, printing what etcdctl 3.5
prints: `put`, `get`, `del`, `txn`, `compaction`, `lease grant|revoke|timetolive|list|
keep-alive --once`, a bounded `watch --rev N`, `endpoint status|health`, `member list`,
`snapshot save|status|restore` (snapshot.py), with `-w simple|json|fields|table` where
etcdctl has that printer. TLS flags (--cacert, --cert, --key) are accepted and not read: the
model's etcd speaks no TLS.

`run` returns stdout without its last newline (`print()` shows exactly what etcdctl shows);
an error raises `EtcdctlError` with etcdctl's `Error: ...` text and exit code.

etcdctl 3.6 (kubeadm for v1.35 deploys etcd 3.6) differs in four places, all since v3.6.0:
`endpoint status` gains STORAGE VERSION, IN USE, PERCENTAGE NOT IN USE, QUOTA, DOWNGRADE
TARGET VERSION and DOWNGRADE ENABLED columns; `get` gains --min/max-create-rev and
--min/max-mod-rev; `del KEY RANGE_END` warns and waits 2 s unless given --range (PR 13747);
`snapshot status|restore` move to etcdutl.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Sequence

from k8slab.etcd.client import EtcdClient
from k8slab.lab.etcdctl import commands as c
from k8slab.lab.etcdctl import maintenance as m
from k8slab.lab.etcdctl import snapshot as s
from k8slab.lab.etcdctl.flags import (
    EXIT_BAD_ARGS,
    EXIT_BAD_FEATURE,
    EXIT_ERROR,
    GLOBAL_FLAGS,
    OUTPUT_FORMATS,
    EtcdctlError,
    Flag,
    fail,
    parse,
    split,
)
from k8slab.sim.host import ProcessGroup

__all__ = ["EtcdctlError", "Output", "run"]

Handler = Callable[[c.Context, list[str], dict], Generator]
# command path -> (its flags, what runs it); `compact` is how people shorten `compaction`
COMMANDS: dict[tuple[str, ...], tuple[tuple[Flag, ...], Handler]] = {
    ("get",): (c.GET_FLAGS, c.get),
    ("put",): (c.PUT_FLAGS, c.put),
    ("del",): (c.DEL_FLAGS, c.delete),
    ("txn",): ((Flag("interactive", bool, False, "i"),), c.txn),
    ("compaction",): ((Flag("physical", bool, False),), c.compaction),
    ("compact",): ((Flag("physical", bool, False),), c.compaction),
    ("lease", "grant"): ((), c.lease_grant),
    ("lease", "revoke"): ((), c.lease_revoke),
    ("lease", "timetolive"): ((Flag("keys", bool, False),), c.lease_timetolive),
    ("lease", "list"): ((), c.lease_list),
    ("lease", "keep-alive"): ((Flag("once", bool, False),), c.lease_keep_alive),
    ("watch",): ((Flag("prefix", bool, False), Flag("rev", int, 0),
                  Flag("prev-kv", bool, False)), c.watch),
    ("endpoint", "status"): ((Flag("cluster", bool, False),), m.endpoint_status),
    ("endpoint", "health"): ((Flag("cluster", bool, False),), m.endpoint_health),
    ("member", "list"): ((), m.member_list),
    ("snapshot", "save"): ((), s.save),
    ("snapshot", "status"): ((), s.snapshot_status),
    ("snapshot", "restore"): (s.RESTORE_FLAGS, s.snapshot_restore),
}
GROUPS = {"lease": ("grant", "keep-alive", "list", "revoke", "timetolive"),
          "endpoint": ("health", "status"), "member": ("list",),
          "snapshot": ("restore", "save", "status")}
SUPPORTED = ("supported: get, put, del, txn, compaction, lease grant|revoke|timetolive|list|"
             "keep-alive --once, watch --rev N, endpoint status|health, member list, "
             "snapshot save|status|restore")


class Output(str):
    """What etcdctl printed on stdout, without the last newline; a notebook shows it as text."""

    def _repr_pretty_(self, printer, cycle: bool) -> None:
        printer.text(str(self))


def command_path(words: list[str]) -> tuple[tuple[str, ...], list[str]]:
    """The command (one or two words, found among the non-flag words as cobra does) and the
    words left for its flags and arguments."""
    plain = [i for i, w in enumerate(words) if not w.startswith("-")]
    if not plain:
        raise EtcdctlError(f"etcdctl: no command given; {SUPPORTED}", EXIT_BAD_ARGS)
    first = words[plain[0]]
    if first in GROUPS:
        second = words[plain[1]] if len(plain) > 1 else ""
        if (first, second) not in COMMANDS:
            what = f"unknown subcommand {second!r}" if second else "a subcommand is needed"
            raise EtcdctlError(f"etcdctl {first}: {what}; etcdctl {first} has "
                               f"{', '.join(GROUPS[first])}", EXIT_BAD_ARGS)
        rest = [w for i, w in enumerate(words) if i not in plain[:2]]
        return (first, second), rest
    if (first,) not in COMMANDS:
        raise EtcdctlError(f'Error: unknown command "{first}" for "etcdctl"\n'
                           f"Run 'etcdctl --help' for usage.", EXIT_ERROR)
    return (first,), [w for i, w in enumerate(words) if i != plain[0]]


def run(group: ProcessGroup, members: Sequence[str], command: str,
        stdin: str = "") -> Generator:
    """Carry out `etcdctl --endpoints=<members> <command>` from `group` (`--endpoints` in the
    command picks some of them), `stdin` as its standard input (txn's requests, a put's value);
    returns what etcdctl prints (an `Output`)."""
    words = split(command)
    path, rest = command_path(words)
    flag_specs, handler = COMMANDS[path]
    flags, args = parse(rest, flag_specs + GLOBAL_FLAGS)
    if flags["hex"]:
        raise EtcdctlError("this lab prints keys and values as text: --hex is not supported",
                           EXIT_BAD_FEATURE)
    output = flags["write-out"]
    if output not in OUTPUT_FORMATS:
        raise fail("unsupported output format", EXIT_BAD_FEATURE)
    endpoints = _endpoints(flags["endpoints"], members)
    ctx = c.Context(EtcdClient(group, endpoints), output, stdin)
    lines = yield from handler(ctx, args, flags)
    return Output("\n".join(lines))


def _endpoints(given: str, members: Sequence[str]) -> list[str]:
    """--endpoints as hosts: `host`, `host:2379` or `https://host:2379`, comma-separated."""
    if not given:
        return list(members)
    hosts = []
    for item in given.split(","):
        host = item.split("://", 1)[-1].split(":", 1)[0]
        if host not in members:
            raise EtcdctlError(f"etcdctl: --endpoints names {item!r}, which is not an etcd "
                               f"member; the members are {', '.join(members)}", EXIT_BAD_ARGS)
        hosts.append(host)
    return hosts
