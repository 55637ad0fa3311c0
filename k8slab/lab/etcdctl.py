"""`etcdctl`, run on a control-plane host against the etcd members, printing what etcdctl prints.

Supported: `put KEY VALUE`, `get KEY [--prefix] [--keys-only] [--consistency=s|l]`,
`del KEY [--prefix]`, `endpoint status`, `member list`. Values are shown as stored: the API
server's objects are JSON here (real clusters store protobuf, which etcdctl shows as bytes).
"""

from __future__ import annotations

import shlex
from collections.abc import Generator
from dataclasses import fields

from k8slab.errors import BadRequestError, K8sLabError
from k8slab.etcd.client import EtcdClient
from k8slab.etcd.wire import StatusResponse
from k8slab.sim.host import ProcessGroup

COMMAND_TIMEOUT = 5.0  # etcdctl --command-timeout default
USAGE = ("supported: put KEY VALUE | get KEY [--prefix] [--keys-only] [--consistency=s|l] | "
         "del KEY [--prefix] | endpoint status | member list")


def parse(command: str) -> tuple[str, list[str], dict[str, str]]:
    """Split `etcdctl ...` into (verb, positional words, --flags)."""
    try:
        words = shlex.split(command)
    except ValueError as error:
        raise BadRequestError(f"etcdctl: {error}") from None
    if words and words[0] == "etcdctl":
        words = words[1:]
    if not words:
        raise BadRequestError(f"etcdctl: no command given; {USAGE}")
    flags: dict[str, str] = {}
    positional: list[str] = []
    for word in words[1:]:
        if word.startswith("--"):
            name, _, value = word[2:].partition("=")
            flags[name] = value or "true"
        else:
            positional.append(word)
    return words[0], positional, flags


def run(group: ProcessGroup, endpoints: list[str], command: str) -> Generator:
    """Carry out `etcdctl --endpoints=<endpoints> <command>` from `group`; returns the text
    etcdctl prints (or, for `endpoint status` and `member list`, rows for a table)."""
    client = EtcdClient(group, endpoints)
    verb, args, flags = parse(command)
    known = {"get": {"prefix", "keys-only", "consistency"}, "del": {"prefix"}, "put": set(),
             "endpoint": set(), "member": set()}
    if verb not in known:
        raise BadRequestError(f'etcdctl: unknown command "{verb}"; {USAGE}')
    unknown = sorted(set(flags) - known[verb])
    if unknown:
        raise BadRequestError(f"etcdctl: unknown flag: --{unknown[0]}; {USAGE}")
    if verb == "put":
        _need(args, 2, "put KEY VALUE")
        yield from client.put(args[0], args[1])
        return "OK"
    if verb == "get":
        _need(args, 1, "get KEY")
        consistency = flags.get("consistency", "l")
        if consistency not in ("l", "s"):
            raise BadRequestError('etcdctl: unknown consistency flag "' + consistency + '"')
        answer = yield from client.get(args[0], prefix="prefix" in flags,
                                       serializable=consistency == "s",
                                       keys_only="keys-only" in flags)
        lines = []
        for kv in answer.kvs:
            lines.append(kv.key)
            if "keys-only" not in flags:
                lines.append(kv.value)
        return "\n".join(lines)
    if verb == "del":
        _need(args, 1, "del KEY")
        result = yield from client.delete(args[0], prefix="prefix" in flags)
        return str(result.deleted)
    if args == ["status"] and verb == "endpoint":
        rows = []
        for endpoint in client.endpoints:
            one = EtcdClient(client.group, endpoint)
            try:
                rows.append(status_row((yield from one.status(timeout=COMMAND_TIMEOUT))))
            except K8sLabError as error:
                rows.append({"member": endpoint, "error": error.message})
        return rows
    if args == ["list"] and verb == "member":
        return [{"name": e, "peer": f"https://{e}:2380", "client": f"https://{e}:2379"}
                for e in client.endpoints]
    raise BadRequestError(f"etcdctl: unknown command \"{' '.join([verb, *args])}\"; {USAGE}")


def status_row(status: StatusResponse) -> dict:
    """One member's row of `etcdctl endpoint status`: the StatusResponse's fields, in order."""
    return {field.name: getattr(status, field.name) for field in fields(StatusResponse)}


def _need(args: list[str], count: int, form: str) -> None:
    if len(args) < count:
        raise BadRequestError(f"etcdctl: {form.split()[0]} needs {form}")
