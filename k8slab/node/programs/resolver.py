"""The stub resolver inside a container, by glibc's rules (res_search, res_send): /etc/hosts
first, then DNS queries over UDP to the first nameserver of /etc/resolv.conf.

A name with fewer dots than `ndots` tries each search domain in order before the name itself;
with as many dots or more, the name first; a name ending in "." only as it is. So with
ndots:5, `web` is asked as web.default.svc.cluster.local first, and even `example.com` walks
the whole search list before it is asked as itself. NXDOMAIN, an empty answer or SERVFAIL moves
on to the next candidate; a server that never answers ends the lookup (glibc's TRY_AGAIN).
Simplified: only A is asked (glibc also asks AAAA alongside), only the first nameserver, and a
SERVFAIL is not retried on the same server.
"""

from __future__ import annotations

import inspect
from collections.abc import Generator
from dataclasses import dataclass

from k8slab.node.process import Process
from k8slab.sim.errors import RefusedError, UnreachableError

DEFAULT_NDOTS = 1
# glibc resolv/resolv.h: RES_TIMEOUT 5 s for the first try, RES_DFLRETRY 2 tries, and
# `options timeout:` is capped at RES_MAXRETRANS 30, `attempts:` at RES_MAXRETRY 5; musl's
# resolvconf.c has the same defaults (timeout:5 attempts:2).
RES_TIMEOUT, RES_DFLRETRY = 5, 2
RES_MAXRETRANS, RES_MAXRETRY = 30, 5
DNS_PORT = 53
LOCAL_ADDRESSES = ("127.0.0.1", "localhost")


@dataclass(frozen=True)
class ResolvConf:
    """/etc/resolv.conf as the resolver reads it."""

    nameservers: tuple[str, ...] = ()
    searches: tuple[str, ...] = ()
    ndots: int = DEFAULT_NDOTS
    timeout: int = RES_TIMEOUT
    attempts: int = RES_DFLRETRY


def read_conf(text: str) -> ResolvConf:
    """Parse resolv.conf text: nameserver, search (or domain; the last one wins), options
    ndots:/timeout:/attempts: (glibc's caps: 15, 30, 5)."""
    servers, searches = [], []
    ndots, timeout, attempts = DEFAULT_NDOTS, RES_TIMEOUT, RES_DFLRETRY
    for line in text.splitlines():
        words = line.split()
        if not words or words[0].startswith(("#", ";")):
            continue
        if words[0] == "nameserver" and len(words) > 1:
            servers.append(words[1])
        elif words[0] in ("search", "domain"):
            searches = words[1:]
        elif words[0] == "options":
            for option in words[1:]:
                key, _, value = option.partition(":")
                number = int(value) if value.isdigit() else None
                if number is None:
                    continue
                if key == "ndots":
                    ndots = min(number, 15)
                elif key == "timeout":
                    timeout = min(number, RES_MAXRETRANS)
                elif key == "attempts":
                    attempts = min(number, RES_MAXRETRY)
    return ResolvConf(tuple(servers), tuple(searches), ndots, timeout, attempts)


def parse(text: str) -> tuple[list[str], list[str], int]:
    """(nameservers, search domains, ndots) from resolv.conf text."""
    conf = read_conf(text)
    return list(conf.nameservers), list(conf.searches), conf.ndots


def candidates(name: str, resolv: str) -> list[str]:
    """The names the resolver asks for, in order, until one answers."""
    conf = read_conf(resolv)
    if name.endswith("."):
        return [name.rstrip(".")]
    searched = [f"{name}.{domain}" for domain in conf.searches]
    if name.count(".") >= conf.ndots:
        return [name, *searched]
    return [*searched, name]


def from_hosts(hosts: str, name: str) -> str | None:
    """The address /etc/hosts gives `name` (its first line naming it), or None."""
    wanted = name.rstrip(".").lower()
    for line in hosts.splitlines():
        words = line.split("#", 1)[0].split()
        if len(words) > 1 and wanted in (w.lower() for w in words[1:]):
            return words[0]
    return None


def records(reply: dict) -> list[tuple[str, str, str]]:
    """(name without its final dot, type, data) of each record of a DNS reply; the server
    writes them as `dig` prints them (name ttl IN type data)."""
    found = []
    for text in reply.get("answers", []):
        fields = str(text).split("\t")
        if len(fields) == 5:
            found.append((fields[0].rstrip("."), fields[3], fields[4]))
    return found


def send_udp(process: Process, server: str, port: int, request: dict,
             timeout: float) -> Generator:
    """One datagram to `server:port` and its reply; None when nothing came back in time.
    A closed port (ICMP port unreachable) raises RefusedError."""
    netns = process.netns
    if server in LOCAL_ADDRESSES or server == netns.ip:
        handler = netns.connect(port)
        if handler is None:
            raise RefusedError(f"read udp {server}:{port}: connection refused")
        return (yield from handler(dict(request, remote_addr=netns.ip)))
    if netns.route is None:
        return None  # no default route: the datagram goes nowhere
    try:
        # The namespace route takes a protocol once the data path DNATs UDP (helper `path`).
        if "protocol" in inspect.signature(netns.route).parameters:
            return (yield from netns.route(server, port, request, timeout, protocol="udp"))
        return (yield from netns.route(server, port, request, timeout))
    except RefusedError:
        raise
    except UnreachableError:
        return None


def record(process: Process, name: str, qtype: str, server: str, rcode: str) -> None:
    """The trace record of one DNS exchange as the asking program saw it."""
    process.group.sim.record(process.group.host.name, "resolver", "resolve", name, type=qtype,
                             server=server, rcode=rcode, client=process.netns.ip)


def query(process: Process, conf: ResolvConf, server: str, name: str,
          qtype: str = "A") -> Generator:
    """Ask `server` for `name` as glibc's res_send does: up to `attempts` tries, the n-th
    waiting timeout << n seconds (send_dg: 5 s, then 10 s). The reply, or None."""
    request = {"protocol": "dns", "name": name, "type": qtype}
    for attempt in range(conf.attempts):
        try:
            reply = yield from send_udp(process, server, DNS_PORT, request,
                                        float(conf.timeout << attempt))
        except RefusedError:
            record(process, name, qtype, server, "refused")
            return None
        if isinstance(reply, dict):
            record(process, name, qtype, server, str(reply.get("rcode")))
            return reply
        record(process, name, qtype, server, "timeout")
    return None


def lookup(process: Process, name: str) -> Generator:
    """The IPv4 addresses of `name` as getaddrinfo finds them (empty: `bad address`): an
    address as itself, /etc/hosts, then DNS candidate by candidate."""
    hosted = from_hosts(process.fs.read("/etc/hosts") or "", name)
    if hosted is not None:
        return [hosted]
    resolv = process.fs.read("/etc/resolv.conf") or ""
    conf = read_conf(resolv)
    server = conf.nameservers[0] if conf.nameservers else "127.0.0.1"
    for candidate in candidates(name, resolv):
        reply = yield from query(process, conf, server, candidate)
        if reply is None:
            return []  # no server answered: TRY_AGAIN ends res_search
        addresses = [data for _, kind, data in records(reply) if kind == "A"]
        if reply.get("rcode") == "NOERROR" and addresses:
            return addresses
    return []
