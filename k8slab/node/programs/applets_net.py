"""busybox's network applets in a pod: `wget`, `nc -z` and `ping` (`nslookup` has its own
module, k8slab.node.programs.nslookup).

A name is looked up as the C library does (k8slab.node.programs.resolver: /etc/hosts, then DNS
through the search list); one that does not resolve is busybox's `bad address 'X'`. Its own pod
(localhost, the pod's IP or hostname) answers through the pod's network namespace; any other
address goes out by the namespace's route, which the CNI plugin set up, across the pod network
(k8slab.node.pod_network).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Generator

from k8slab.node.pod_network import ECHO
from k8slab.node.programs.applets import absolute
from k8slab.node.programs.http import reason, request
from k8slab.node.programs.resolver import lookup
from k8slab.node.programs.streams import Invocation
from k8slab.node.service_path import ResetError
from k8slab.sim.errors import RefusedError, TimedOutError, UnreachableError

# With no -T, a connect waits as long as Linux retries a SYN (tcp_syn_retries=6: 127 s).
CONNECT_SECONDS = 127.0


def _local_names(inv: Invocation) -> tuple[str, ...]:
    return ("localhost", "127.0.0.1", inv.process.netns.ip, inv.env.get("HOSTNAME", "localhost"))


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def resolve(inv: Invocation, host: str) -> Generator:
    """The address to connect to for `host`: an IP as itself, the pod's own names locally,
    else the resolver's first address; None when the name does not resolve."""
    if _is_ip(host):
        return host
    if host in _local_names(inv):
        return "127.0.0.1" if host == "localhost" else inv.process.netns.ip
    addresses = yield from lookup(inv.process, host)
    return addresses[0] if addresses else None


def dial(inv: Invocation, host: str, port: int, request: object, timeout: float) -> Generator:
    """Open a connection from the pod to `host:port` (carrying `request`, or None for a bare
    TCP connect); returns the answer, or raises the network's error. `host` is a local name or
    an IP address (the caller resolved names)."""
    if host in _local_names(inv):
        if request == ECHO:
            return {"ttl": 64}  # the pod's own kernel answers
        handler = inv.process.netns.connect(port)
        if handler is None:
            raise RefusedError(f"dial tcp {inv.process.netns.ip}:{port}: connect: connection "
                               "refused")
        return True if request is None else (yield from handler(request))
    route = inv.process.netns.route
    if route is None:
        raise UnreachableError(f"dial tcp {host}:{port}: connect: network is unreachable")
    return (yield from route(host, port, request, timeout))


def _reason(error: Exception) -> str:
    # The C library's strerror text busybox prints after the address.
    if isinstance(error, TimedOutError):
        return "Connection timed out"
    if isinstance(error, RefusedError):
        return "Connection refused"
    return "Network is unreachable"


def wget(inv: Invocation) -> Generator:
    """`wget [-q] [-O FILE|-] [-T SEC] [--spider] URL`: GET over HTTP from the pod's own
    servers; the body to FILE (`-` is stdout; by default the URL's last path segment)."""
    args = list(inv.argv[1:])
    quiet, spider, output, urls, timeout = False, False, None, [], CONNECT_SECONDS
    while args:
        arg = args.pop(0)
        if arg == "--spider":
            spider = True
        elif arg in ("-O", "-T", "-U", "--header"):
            value = args.pop(0) if args else ""
            output = value if arg == "-O" else output
            timeout = float(value) if arg == "-T" and value.isdigit() else timeout
        elif re.fullmatch(r"-[qO]+.*", arg):
            quiet = quiet or "q" in arg.split("O", 1)[0]
            if "O" in arg:
                output = arg.split("O", 1)[1] or (args.pop(0) if args else "")
        elif arg.startswith("-"):
            continue
        else:
            urls.append(arg)
    if not urls:
        inv.err("Usage: wget [-q] [-O FILE] [--spider] URL")
        return 1
    match = re.fullmatch(r"(?:http://)?([^/:]+)(?::(\d+))?(/.*)?", urls[0])
    if not match:
        inv.err(f"wget: bad address '{urls[0]}'")
        return 1
    host, port, path = match.group(1), int(match.group(2) or 80), match.group(3) or "/"
    ip = yield from resolve(inv, host)
    if ip is None:
        inv.err(f"wget: bad address '{host}'")
        return 1
    if not quiet:
        inv.err(f"Connecting to {host}:{port} ({ip}:{port})")
    try:
        answer = yield from dial(inv, ip, port,
                                 request(path, "HEAD" if spider else "GET", Host=host), timeout)
    except ResetError:
        inv.err("wget: error getting response: Connection reset by peer")
        return 1
    except UnreachableError as error:
        inv.err(f"wget: can't connect to remote host ({ip}): {_reason(error)}")
        return 1
    status = answer.get("status") if isinstance(answer, dict) else None
    if not isinstance(status, int):
        inv.err("wget: error getting response")
        return 1
    if status >= 400:
        inv.err(f"wget: server returned error: HTTP/1.1 {status} {reason(status)}")
        return 1
    if spider:
        return 0
    body = str(answer.get("body", ""))
    target = output if output is not None else (path.rstrip("/").rsplit("/", 1)[-1]
                                                or "index.html")
    if target == "-":
        inv.stdout.write(body)
    else:
        inv.process.fs.write(absolute(inv, target), body)
        if not quiet:
            inv.err(f"saving to '{target}'")
    return 0


def nc(inv: Invocation) -> Generator:
    """`nc -z [-v] [-w SEC] HOST PORT`: does anything accept connections there? Status 0 if
    so; with -v, busybox's line either way."""
    args = list(inv.argv[1:])
    flags, rest, timeout = set(), [], CONNECT_SECONDS
    while args:
        arg = args.pop(0)
        if arg == "-w":
            value = args.pop(0) if args else ""
            timeout = float(value) if value.isdigit() else timeout
        elif arg.startswith("-"):
            flags.update(arg[1:])
        else:
            rest.append(arg)
    if "z" not in flags or len(rest) != 2 or not rest[1].isdigit():
        inv.err("Usage: nc -z [-v] [-w SEC] HOST PORT (k8slab's nc only scans)")
        return 1
    host, port = rest[0], int(rest[1])
    ip = yield from resolve(inv, host)
    if ip is None:
        inv.err(f"nc: bad address '{host}'")
        return 1
    try:
        yield from dial(inv, ip, port, None, timeout)
    except UnreachableError as error:
        if "v" in flags:
            inv.err(f"nc: {host} ({ip}:{port}): {_reason(error)}")
        return 1
    if "v" in flags:
        inv.err(f"{host} ({ip}:{port}) open")
    return 0


def ping(inv: Invocation) -> Generator:
    """`ping -c COUNT [-W SEC] IP`: ICMP echo across the pod network, with busybox's lines.
    An echo is answered by the kernel of whichever namespace holds the address."""
    args = list(inv.argv[1:])
    count, wait, hosts = 3, 10.0, []
    while args:
        arg = args.pop(0)
        if arg in ("-c", "-W") and args and args[0].isdigit():
            value = int(args.pop(0))
            count, wait = (value, wait) if arg == "-c" else (count, float(value))
        elif not arg.startswith("-"):
            hosts.append(arg)
    if len(hosts) != 1:
        inv.err("Usage: ping [-c COUNT] [-W SEC] HOST")
        return 1
    host = hosts[0]
    ip = yield from resolve(inv, host)
    if ip is None:
        inv.err(f"ping: bad address '{host}'")
        return 1
    inv.out(f"PING {host} ({ip}): 56 data bytes")
    times = []
    for seq in range(count):
        started = inv.process.now
        try:
            reply = yield from dial(inv, ip, 0, ECHO, wait)
        except TimedOutError:
            continue
        except UnreachableError as error:
            inv.err(f"ping: sendto: {_reason(error)}")
            return 1
        times.append((inv.process.now - started) * 1000)
        inv.out(f"64 bytes from {ip}: seq={seq} ttl={reply['ttl']} time={times[-1]:.3f} ms")
        if seq < count - 1:
            yield inv.process.env.timeout(max(0.0, 1.0 - (inv.process.now - started)))
    inv.out("")
    inv.out(f"--- {host} ping statistics ---")
    lost = round(100 * (count - len(times)) / count) if count else 0
    inv.out(f"{count} packets transmitted, {len(times)} packets received, {lost}% packet loss")
    if times:
        inv.out(f"round-trip min/avg/max = {min(times):.3f}/{sum(times) / len(times):.3f}/"
                f"{max(times):.3f} ms")
    return 0 if times else 1
