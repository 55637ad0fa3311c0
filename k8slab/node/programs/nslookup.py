"""busybox 1.36's `nslookup` (networking/nslookup.c with FEATURE_NSLOOKUP_BIG, busybox's
default): its own DNS client, not the C library's resolver.

Facts from nslookup.c: an IP address is asked as PTR; otherwise A and AAAA (or the -type=
given). add_query_with_search() applies the search list only to a name without a dot, and then
asks only `name.<domain>` for each domain (never the bare name); a name with a dot is asked as
it is: `ndots` is not read. Every query goes to the server at once; send_queries() re-sends the
unanswered every timeout/retry seconds (5 s / 2) until 5 s have passed, re-sends a SERVFAIL at
once (at most 2 per query), and prints each reply as it arrives: `Server:`/`Address:` before
the first, then `Name:`/`Address:` per A record, `** server can't find NAME: NXDOMAIN` for an
error rcode (exit status 1), `*** Can't find NAME: No answer` for an empty one. With no reply
at all: `;; connection timed out; no servers could be reached`.
Simplified: only the first server is asked (busybox moves to the next after a silent one).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Generator

from k8slab.node.programs.resolver import DNS_PORT, read_conf, record, records, send_udp
from k8slab.node.programs.streams import Invocation
from k8slab.sim.errors import RefusedError

USAGE = "Usage: nslookup [-type=QUERY_TYPE] [-debug] HOST [DNS_SERVER]"
QUERY_TYPES = ("A", "AAAA", "CNAME", "MX", "NS", "PTR", "SOA", "SRV", "TXT", "ANY")
TIMEOUT, RETRY = 5, 2  # nslookup_main: default_timeout 5, default_retry 2


def reverse_name(address: str) -> str | None:
    """The PTR name of an IP address (`10.96.0.10` -> `10.0.96.10.in-addr.arpa`), or None."""
    try:
        return ipaddress.ip_address(address).reverse_pointer
    except ValueError:
        return None


def queries(name: str, types: list[str], searches: tuple[str, ...]) -> list[tuple[str, str]]:
    """(name, type) of each query busybox sends, in order."""
    ptr = reverse_name(name)
    if not types:
        if ptr is not None:
            return [(ptr, "PTR")]
        types = ["A", "AAAA"]
    asked = []
    for qtype in types:
        if qtype == "PTR" or not searches or "." in name:
            asked.append((name, qtype))
        else:
            asked += [(f"{name}.{domain}", qtype) for domain in searches]
    return asked


def _lines(reply: dict, name: str) -> list[str]:
    # parse_reply(): one block per answer record, by type, names without their final dot.
    if reply.get("rcode") != "NOERROR":
        return [f"** server can't find {name}: {reply.get('rcode')}"]
    lines = [] if reply.get("aa", True) else ["Non-authoritative answer:"]
    for owner, kind, data in records(reply):
        if kind in ("A", "AAAA"):
            lines += [f"Name:\t{owner}", f"Address: {data}"]
        elif kind == "SRV":
            lines.append(f"{owner}\tservice = {data.rstrip('.')}")
        elif kind in ("PTR", "CNAME"):
            label = "name" if kind == "PTR" else "canonical name"
            lines.append(f"{owner}\t{label} = {data.rstrip('.')}")
    if not records(reply):
        lines.append(f"*** Can't find {name}: No answer")
    return lines


def _options(argv: list[str]) -> tuple[list[str], list[str], int] | str:
    """(types, arguments, timeout) from the command line, or the error to print."""
    types, timeout, rest = [], TIMEOUT, list(argv)
    while rest and rest[0].startswith("-"):
        key, _, value = rest.pop(0)[1:].partition("=")
        if key in ("type", "querytype", "query"):
            if value.upper() not in QUERY_TYPES:
                return f'nslookup: invalid query type "{value}"'
            types.append(value.upper())
        elif key in ("t", "timeout") and value.isdigit() and int(value) > 0:
            timeout = int(value)
        elif key not in ("debug", "port", "retry"):
            return USAGE
    if not 1 <= len(rest) <= 2:
        return USAGE
    return types, rest, timeout


def nslookup(inv: Invocation) -> Generator:
    """`nslookup [-type=T] NAME [SERVER]`: ask the server (resolv.conf's first nameserver by
    default, 127.0.0.1 without one) and print each reply as busybox does."""
    parsed = _options(inv.argv[1:])
    if isinstance(parsed, str):
        inv.err(parsed)
        return 1
    types, args, timeout = parsed
    process = inv.process
    conf = read_conf(process.fs.read("/etc/resolv.conf") or "")
    server = args[1] if len(args) > 1 else (conf.nameservers or ("127.0.0.1",))[0]
    asked = queries(args[0], types, conf.searches)
    env, start = process.env, process.now
    state = {"replies": 0, "servfail_budget": 2 * len(asked), "failed": False}

    def ask(name: str, qtype: str) -> Generator:
        while process.now - start < timeout - 1e-9:
            wait = min(timeout / RETRY, timeout - (process.now - start))
            sent = process.now
            try:
                reply = yield from send_udp(process, server, DNS_PORT,
                                            {"protocol": "dns", "name": name, "type": qtype},
                                            wait)
            except RefusedError:
                reply = None  # ICMP port unreachable: busybox waits on, then re-sends
                yield env.timeout(max(0.0, wait - (process.now - sent)))
            if not isinstance(reply, dict):
                continue
            record(process, name, qtype, server, str(reply.get("rcode")))
            if reply.get("rcode") == "SERVFAIL" and state["servfail_budget"] > 0:
                state["servfail_budget"] -= 1
                continue
            if state["replies"] == 0:
                inv.out(f"Server:\t\t{server}")
                inv.out(f"Address:\t{server}:{DNS_PORT}")
                inv.out("")
            state["replies"] += 1
            state["failed"] = state["failed"] or reply.get("rcode") != "NOERROR"
            for line in _lines(reply, name):
                inv.out(line)
            inv.out("")
            return True
        return False

    waits = [process.group.spawn(ask(name, qtype)) for name, qtype in asked]
    answered = yield env.all_of(waits)
    if state["replies"] == 0:
        inv.out(";; connection timed out; no servers could be reached")
        inv.out("")
        return 1
    missing = [name for (name, _), done in zip(asked, waits, strict=True)
               if not answered[done]]
    for name in missing:
        inv.out(f"*** Can't find {name}: No answer")
    if missing:
        inv.out("")
    return 1 if state["failed"] else 0
