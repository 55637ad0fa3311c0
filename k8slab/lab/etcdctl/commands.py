"""etcdctl's commands, run from a process group against the etcd members (etcdctl 3.5).

Each command takes the parsed flags and arguments, sends etcd's requests through the etcd
client, and returns the lines etcdctl prints; a failure raises `EtcdctlError` in etcdctl's
words and exit code (etcd-io/etcd v3.5.1 etcdctl/ctlv3/command/*_command.go).
"""

from __future__ import annotations

from collections.abc import Generator

from k8slab.etcd.client import EtcdClient, op_delete, op_get, op_put
from k8slab.etcd.errors import EtcdError
from k8slab.etcd.wire import RequestOp
from k8slab.lab.etcdctl import printers as p
from k8slab.lab.etcdctl import txn as txn_input
from k8slab.lab.etcdctl.flags import (
    EXIT_BAD_ARGS,
    EXIT_BAD_CONNECTION,
    EXIT_BAD_FEATURE,
    EXIT_ERROR,
    EXIT_INTERRUPTED,
    EXIT_INVALID_INPUT,
    EtcdctlError,
    Flag,
    fail,
    parse,
    parse_int,
)
from k8slab.sim.errors import NetworkError

COMMAND_TIMEOUT = 5.0  # etcdctl --command-timeout default
SORT_TARGETS = {"CREATE": "CREATE", "KEY": "KEY", "MODIFY": "MOD", "VALUE": "VALUE",
                "VERSION": "VERSION", "": "KEY"}
SORT_ORDERS = {"ASCEND": "ASCEND", "DESCEND": "DESCEND", "": "NONE"}

GET_FLAGS = (Flag("consistency", str, "l"), Flag("order", str, ""), Flag("sort-by", str, ""),
             Flag("limit", int, 0), Flag("prefix", bool, False), Flag("from-key", bool, False),
             Flag("rev", int, 0), Flag("keys-only", bool, False), Flag("count-only", bool, False),
             Flag("print-value-only", bool, False))
PUT_FLAGS = (Flag("lease", str, "0"), Flag("prev-kv", bool, False),
             Flag("ignore-value", bool, False), Flag("ignore-lease", bool, False))
DEL_FLAGS = (Flag("prefix", bool, False), Flag("prev-kv", bool, False),
             Flag("from-key", bool, False))


class Context:
    """One etcdctl run: the client on its endpoints, the output format, stdin."""

    def __init__(self, client: EtcdClient, output: str, stdin: str) -> None:
        self.client = client
        self.output = output
        self.stdin = stdin

    def unsupported(self) -> EtcdctlError:
        """printerUnsupported: the format has no printer for this answer (checked after the
        request was sent, as etcdctl does)."""
        if self.output == "protobuf":
            return EtcdctlError("-w protobuf prints protobuf bytes, which this lab does not "
                                "encode; use -w simple, json or fields", EXIT_BAD_FEATURE)
        if self.output == "fields":  # etcdctl has a fields printer for every answer
            return EtcdctlError("this lab prints -w fields for get only; use -w simple or "
                                "json here", EXIT_BAD_FEATURE)
        return fail(f"{self.output} not supported as output format", EXIT_BAD_FEATURE)

    def call(self, request: Generator, wrap: str = "%s",
             exit_code: int = EXIT_ERROR) -> Generator:
        """Run one client call; etcd's error (or a member out of reach) as etcdctl prints it."""
        try:
            return (yield from request)
        except EtcdError as error:
            raise fail(wrap % error.message, exit_code) from None
        except NetworkError:
            raise fail(wrap % "context deadline exceeded", exit_code) from None


# -- get / put / del -------------------------------------------------------------------------------


def get_op(args: list[str], flags: dict) -> tuple[str, dict]:
    """getGetOp: the key and clientv3 options of `get KEY [RANGE_END]` with its flags."""
    if not args:
        raise fail("get command needs one argument as key and an optional argument as "
                   "range_end", EXIT_BAD_ARGS)
    _exclusive(flags)
    if flags["keys-only"] and flags["count-only"]:
        raise fail("`--keys-only` and `--count-only` cannot be set at the same time, choose one",
                   EXIT_BAD_ARGS)
    consistency = flags["consistency"]
    if consistency not in ("l", "s"):
        raise fail(f'unknown consistency flag "{consistency}"', EXIT_BAD_FEATURE)
    key, options = _key_range(args, flags)
    order, target = flags["order"].upper(), flags["sort-by"].upper()
    if order not in SORT_ORDERS:
        raise fail(f"bad sort order {flags['order']}", EXIT_BAD_FEATURE)
    if target not in SORT_TARGETS:
        raise fail(f"bad sort target {flags['sort-by']}", EXIT_BAD_FEATURE)
    sort_order = SORT_ORDERS[order]
    if SORT_TARGETS[target] == "KEY" and sort_order == "ASCEND":
        sort_order = "NONE"  # clientv3 WithSort: keys come sorted ascending anyway
    return key, options | {"limit": flags["limit"], "revision": max(flags["rev"], 0),
                           "sort_order": sort_order, "sort_target": SORT_TARGETS[target],
                           "serializable": flags["consistency"] == "s",
                           "keys_only": flags["keys-only"], "count_only": flags["count-only"]}


def _exclusive(flags: dict) -> None:
    if flags["prefix"] and flags["from-key"]:
        raise fail("`--prefix` and `--from-key` cannot be set at the same time, choose one",
                   EXIT_BAD_ARGS)


def _key_range(args: list[str], flags: dict) -> tuple[str, dict]:
    """The key and its range options: a range end argument, --prefix or --from-key; an empty
    key with either flag means every key (etcdctl sends key "\\0" with from-key)."""
    key, prefix, from_key = args[0], flags["prefix"], flags["from-key"]
    if len(args) > 1:
        if prefix or from_key:
            raise fail("too many arguments, only accept one argument when `--prefix` or "
                       "`--from-key` is set", EXIT_BAD_ARGS)
        return key, {"range_end": args[1]}
    if (prefix or from_key) and key == "":
        return "\0", {"from_key": True}
    return key, {"prefix": prefix, "from_key": from_key}


def get(ctx: Context, args: list[str], flags: dict) -> Generator:
    """`get KEY [RANGE_END]`: a Range; each key and value on its own line (simple)."""
    key, options = get_op(args, flags)
    answer = yield from ctx.call(ctx.client.get(key, **options))
    if flags["count-only"] and ctx.output != "fields":
        raise fail("--count-only is only for `--write-out=fields`", EXIT_BAD_ARGS)
    if flags["print-value-only"] and ctx.output != "simple":
        raise fail("print-value-only is only for `--write-out=simple`", EXIT_BAD_ARGS)
    if ctx.output == "simple":
        return p.simple_get(answer, flags["print-value-only"])
    if ctx.output == "json":
        return [p.json_line(p.range_json(answer))]
    if ctx.output == "fields":
        return p.fields_get(answer)
    raise ctx.unsupported()


def put_op(args: list[str], flags: dict, stdin: str = "") -> tuple[str, str, dict]:
    """getPutOp: key, value and options of `put KEY VALUE` (the value from stdin if not
    given)."""
    if not args:
        raise fail("put command needs 1 argument and input from stdin or 2 arguments",
                   EXIT_BAD_ARGS)
    if flags["ignore-value"] and len(args) > 1:
        raise fail("put command needs only 1 argument when 'ignore-value' is set",
                   EXIT_BAD_ARGS)
    value = ""
    if not flags["ignore-value"]:
        value = args[1] if len(args) > 1 else stdin
        if not value and len(args) < 2:
            raise fail("put command needs 1 argument and input from stdin or 2 arguments",
                       EXIT_BAD_ARGS)
    lease = lease_id(flags["lease"], "bad lease ID ({}), expecting ID in Hex")
    return args[0], value, {"lease": lease, "prev_kv": flags["prev-kv"],
                            "ignore_value": flags["ignore-value"],
                            "ignore_lease": flags["ignore-lease"]}


def put(ctx: Context, args: list[str], flags: dict) -> Generator:
    """`put KEY VALUE`: a Put; `OK`, then the previous key-value with --prev-kv."""
    key, value, options = put_op(args, flags, ctx.stdin)
    answer = yield from ctx.call(ctx.client.put(key, value, **options))
    if ctx.output == "simple":
        return p.simple_put(answer)
    if ctx.output == "json":
        return [p.json_line(p.put_json(answer))]
    raise ctx.unsupported()


def del_op(args: list[str], flags: dict) -> tuple[str, dict]:
    """getDelOp: the key and options of `del KEY [RANGE_END]`."""
    if not args or len(args) > 2:
        raise fail("del command needs one argument as key and an optional argument as "
                   "range_end", EXIT_BAD_ARGS)
    _exclusive(flags)
    key, options = _key_range(args, flags)
    return key, options | {"prev_kv": flags["prev-kv"]}


def delete(ctx: Context, args: list[str], flags: dict) -> Generator:
    """`del KEY [RANGE_END]`: a DeleteRange; how many keys went, then them with --prev-kv."""
    key, options = del_op(args, flags)
    answer = yield from ctx.call(ctx.client.delete(key, **options))
    if ctx.output == "simple":
        return p.simple_del(answer)
    if ctx.output == "json":
        return [p.json_line(p.del_json(answer))]
    raise ctx.unsupported()


# -- txn and compaction ----------------------------------------------------------------------------


def _txn_request(words: list[str], line: str) -> RequestOp:
    """One request line of txn input, parsed as etcdctl parses it (a put, get or del)."""
    verb, rest = words[0], words[1:]
    if verb not in ("put", "get", "del"):
        raise fail(f"invalid txn request: {line}", EXIT_INVALID_INPUT)
    try:
        flags, args = parse(rest, {"put": PUT_FLAGS, "get": GET_FLAGS, "del": DEL_FLAGS}[verb])
    except EtcdctlError:
        raise fail(f"invalid txn request: {line}", EXIT_INVALID_INPUT) from None
    if verb == "put":
        key, value, options = put_op(args, flags)
        return op_put(key, value, **options)
    if verb == "get":
        key, options = get_op(args, flags)
        return op_get(key, **options)
    key, options = del_op(args, flags)
    return op_delete(key, **options)


def txn(ctx: Context, args: list[str], flags: dict) -> Generator:
    """`txn` with its requests on stdin: SUCCESS or FAILURE, then each answer (-i prints the
    prompts too, as the input is not typed here)."""
    if args:
        raise fail("txn command does not accept argument", EXIT_BAD_ARGS)
    compares, success, failure = txn_input.parse(ctx.stdin, _txn_request)
    prompts = flags["interactive"]
    answer = yield from ctx.call(ctx.client.txn(compares, success, failure))
    lines = (["compares:", "success requests (get, put, del):",
              "failure requests (get, put, del):"] if prompts else [])
    if ctx.output == "simple":
        return lines + p.simple_txn(answer)
    if ctx.output == "json":
        return lines + [p.json_line(p.txn_json(answer))]
    raise ctx.unsupported()


def compaction(ctx: Context, args: list[str], flags: dict) -> Generator:
    """`compaction REV`: history before REV is dropped; printed the same whatever -w says."""
    if len(args) != 1:
        raise fail("compaction command needs 1 argument", EXIT_BAD_ARGS)
    try:
        revision = parse_int(args[0], 10)
    except ValueError as error:
        raise fail(str(error)) from None
    yield from ctx.call(ctx.client.compact(revision))
    return [f"compacted revision {revision}"]  # printed whatever -w says


# -- leases ----------------------------------------------------------------------------------------


def lease_id(text: str, message: str) -> int:
    """A lease ID given in hex, as etcdctl reads it (strconv.ParseInt(text, 16, 64))."""
    try:
        return parse_int(text, 16)
    except ValueError as error:
        raise fail(message.format(error), EXIT_BAD_ARGS) from None


def lease_grant(ctx: Context, args: list[str], flags: dict) -> Generator:
    """`lease grant TTL`: a new lease, its ID in hex (TTL raised to the 2 s minimum)."""
    if len(args) != 1:
        raise fail("lease grant command needs TTL argument", EXIT_BAD_ARGS)
    try:
        ttl = parse_int(args[0], 10)
    except ValueError as error:
        raise fail(f"bad TTL ({error})", EXIT_BAD_ARGS) from None
    answer = yield from ctx.call(ctx.client.lease_grant(ttl), "failed to grant lease (%s)")
    if ctx.output == "simple":
        return [f"lease {answer.id:016x} granted with TTL({answer.ttl}s)"]
    if ctx.output == "json":
        return [p.flat_json(answer.header, ID=answer.id, TTL=answer.ttl, Error="")]
    raise ctx.unsupported()


def lease_revoke(ctx: Context, args: list[str], flags: dict) -> Generator:
    """`lease revoke ID`: the lease and every key attached to it go."""
    if len(args) != 1:
        raise fail("lease revoke command needs 1 argument", EXIT_BAD_ARGS)
    lease = lease_id(args[0], "bad lease ID arg ({}), expecting ID in Hex")
    answer = yield from ctx.call(ctx.client.lease_revoke(lease), "failed to revoke lease (%s)")
    if ctx.output == "simple":
        return [f"lease {lease:016x} revoked"]
    if ctx.output == "json":
        return [p.json_line({"header": p.header_json(answer.header)})]
    raise ctx.unsupported()


def lease_timetolive(ctx: Context, args: list[str], flags: dict) -> Generator:
    """`lease timetolive ID [--keys]`: granted TTL, seconds left, the keys attached."""
    if len(args) != 1:
        raise fail("lease timetolive command needs lease ID as argument", EXIT_BAD_ARGS)
    lease = lease_id(args[0], "bad lease ID arg ({}), expecting ID in Hex")
    answer = yield from ctx.call(ctx.client.lease_time_to_live(lease, keys=flags["keys"]))
    if ctx.output == "simple":
        if answer.granted_ttl == 0 and answer.ttl == -1:
            return [f"lease {answer.id:016x} already expired"]
        text = (f"lease {answer.id:016x} granted with TTL({answer.granted_ttl}s), "
                f"remaining({answer.ttl}s)")
        if flags["keys"]:
            text += f", attached keys([{' '.join(answer.keys)}])"
        return [text]
    if ctx.output == "json":
        keys = [p.b64(k) for k in answer.keys] if answer.keys else None
        return [p.flat_json(answer.header, id=answer.id, ttl=answer.ttl,
                            **{"granted-ttl": answer.granted_ttl}, keys=keys)]
    raise ctx.unsupported()


def lease_list(ctx: Context, args: list[str], flags: dict) -> Generator:
    """`lease list`: the leases the answering member knows."""
    answer = yield from ctx.call(ctx.client.leases())
    if ctx.output == "simple":
        return [f"found {len(answer.leases)} leases"] + [f"{s.id:016x}" for s in answer.leases]
    if ctx.output == "json":
        return [p.flat_json(answer.header, leases=[{"id": s.id} for s in answer.leases])]
    raise ctx.unsupported()


def lease_keep_alive(ctx: Context, args: list[str], flags: dict) -> Generator:
    """`lease keep-alive --once ID`: one renewal, answered by the leader."""
    if len(args) != 1:
        raise fail("lease keep-alive command needs lease ID as argument", EXIT_BAD_ARGS)
    lease = lease_id(args[0], "bad lease ID arg ({}), expecting ID in Hex")
    if not flags["once"]:
        raise EtcdctlError("this lab's etcdctl keeps a lease alive once per command: add "
                           "--once (a real `lease keep-alive` runs until interrupted)",
                           EXIT_BAD_ARGS)
    answer = yield from ctx.call(ctx.client.lease_keep_alive(lease),
                                 exit_code=EXIT_BAD_CONNECTION)
    if ctx.output == "simple":
        return [f"lease {answer.id:016x} keepalived with TTL({answer.ttl})"]
    if ctx.output == "json":
        return [p.flat_json(answer.header, ID=answer.id, TTL=answer.ttl)]
    raise ctx.unsupported()


# -- watch -----------------------------------------------------------------------------------------

WATCH_WAIT = 1.0  # simulated seconds a bounded watch waits for the history it asked for
WATCH_SETTLE = 0.1  # and then for any further response of the same batch


def watch(ctx: Context, args: list[str], flags: dict) -> Generator:
    """`watch KEY [RANGE_END] --rev N`: the events from revision N already in history, then
    it stops (a real watch keeps waiting for new events until interrupted)."""
    if not args or len(args) > 2:
        raise fail("bad number of arguments", EXIT_BAD_ARGS)
    if flags["prefix"] and len(args) > 1:
        raise fail("`range_end` and `--prefix` are mutually exclusive", EXIT_BAD_ARGS)
    if flags["rev"] <= 0:
        raise EtcdctlError("this lab's etcdctl watch is bounded: give --rev N to print the "
                           "events from revision N that are already in history", EXIT_BAD_ARGS)
    responses: list = []
    closed: list[str] = []
    env = ctx.client.group.env
    arrived = env.event()

    def on_message(response) -> None:
        responses.append(response)
        if not arrived.triggered:
            arrived.succeed()

    key = args[0]
    stream = ctx.client.watch(key, flags["rev"], on_message, closed.append,
                              prefix=flags["prefix"] and key != "",
                              from_key=flags["prefix"] and key == "",
                              range_end=args[1] if len(args) > 1 else "",
                              prev_kv=flags["prev-kv"])
    yield arrived | env.timeout(WATCH_WAIT)
    yield env.timeout(WATCH_SETTLE)
    stream.close("etcdctl watch done")
    lines: list[str] = []
    for response in responses:
        if response.canceled:
            lines.append(f"watch was canceled ({response.err()})")
            raise fail("watch is canceled by the server", EXIT_INTERRUPTED, lines)
        if ctx.output == "simple":
            lines += p.simple_watch(response)
        elif ctx.output == "json":
            lines.append(p.json_line(p.watch_json(response)))
        else:
            raise ctx.unsupported()
    return lines

