"""busybox's network applets in a pod: `wget` and `nslookup`.

`wget` reaches the servers of its own pod (localhost, the pod's IP or hostname) through the pod's
network namespace. Simplified: there is no cluster network or DNS for a program yet, so any other
host is `wget: bad address 'X'` and every `nslookup` answers NXDOMAIN from the nameserver in
/etc/resolv.conf (busybox falls back to 127.0.0.1 when there is none).
"""

from __future__ import annotations

import re
from collections.abc import Generator

from k8slab.node.programs.applets import absolute
from k8slab.node.programs.http import reason, request
from k8slab.node.programs.streams import Invocation


def _local_names(inv: Invocation) -> tuple[str, ...]:
    return ("localhost", "127.0.0.1", inv.process.netns.ip, inv.env.get("HOSTNAME", "localhost"))


def wget(inv: Invocation) -> Generator:
    """`wget [-q] [-O FILE|-] [-T SEC] [--spider] URL`: GET over HTTP from the pod's own
    servers; the body to FILE (`-` is stdout; by default the URL's last path segment)."""
    args = list(inv.argv[1:])
    quiet, spider, output, urls = False, False, None, []
    while args:
        arg = args.pop(0)
        if arg == "--spider":
            spider = True
        elif arg in ("-O", "-T", "-U", "--header"):
            value = args.pop(0) if args else ""
            output = value if arg == "-O" else output
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
    if host not in _local_names(inv):
        inv.err(f"wget: bad address '{host}'")
        return 1
    if not quiet:
        inv.err(f"Connecting to {host}:{port} ({inv.process.netns.ip}:{port})")
    handler = inv.process.netns.connect(port)
    if handler is None:
        inv.err(f"wget: can't connect to remote host ({inv.process.netns.ip}): "
                "Connection refused")
        return 1
    answer = yield from handler(request(path, "HEAD" if spider else "GET", Host=host))
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


def nslookup(inv: Invocation) -> Generator:
    """`nslookup NAME [SERVER]`: busybox's answer. Simplified: every name is NXDOMAIN (no DNS
    yet), in busybox 1.36's words, and the status is 1."""
    args = [a for a in inv.argv[1:] if not a.startswith("-")]
    if not args:
        inv.err("Usage: nslookup [-type=QUERY_TYPE] [-debug] HOST [DNS_SERVER]")
        return 1
    resolv = inv.process.fs.read("/etc/resolv.conf") or ""
    servers = re.findall(r"^nameserver\s+(\S+)", resolv, re.MULTILINE)
    server = args[1] if len(args) > 1 else (servers[0] if servers else "127.0.0.1")
    inv.out(f"Server:\t\t{server}")
    inv.out(f"Address:\t{server}:53")
    inv.out("")
    inv.out(f"** server can't find {args[0]}: NXDOMAIN")
    inv.out("")
    return 1
    yield
