"""The stub resolver inside a container (musl's and glibc's rules): read /etc/resolv.conf, and
for a name with fewer dots than `ndots` try each search domain in order before the name
itself; with as many dots or more, the name first; a name ending in "." only as it is.
So with ndots:5, `web` is asked as web.default.svc.cluster.local first, and even
`example.com` walks the whole search list before it is asked as itself.
"""

from __future__ import annotations

DEFAULT_NDOTS = 1


def parse(text: str) -> tuple[list[str], list[str], int]:
    """(nameservers, search domains, ndots) from resolv.conf text."""
    servers, searches, ndots = [], [], DEFAULT_NDOTS
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
                if option.startswith("ndots:") and option[6:].isdigit():
                    ndots = min(int(option[6:]), 15)
    return servers, searches, ndots


def candidates(name: str, resolv: str) -> list[str]:
    """The names the resolver asks for, in order, until one answers."""
    _, searches, ndots = parse(resolv)
    if name.endswith("."):
        return [name.rstrip(".")]
    searched = [f"{name}.{domain}" for domain in searches]
    if name.count(".") >= ndots:
        return [name, *searched]
    return [*searched, name]
