"""What every binary's entrypoint shares: reading `--name=value` flags from the container's
command line, the hosts those flags name, and serving until the container is stopped.
"""

from __future__ import annotations

import re
from collections.abc import Generator

from k8slab.api.kubeconfig import Credentials, read_kubeconfig
from k8slab.errors import K8sLabError
from k8slab.sim.host import ProcessGroup


def flags(bundle: dict) -> dict[str, str]:
    """`--name=value` arguments of a container's command line, as a dict."""
    parsed = {}
    for arg in [*bundle.get("command", []), *bundle.get("args", [])]:
        if arg.startswith("--") and "=" in arg:
            name, value = arg[2:].split("=", 1)
            parsed[name] = value
    return parsed


def required(args: dict[str, str], flag: str, binary: str) -> str:
    """The value of a required `--flag`; its absence stops the program, as the binary exits."""
    if flag not in args:
        raise K8sLabError(f"{binary}: required flag --{flag} is not set")
    return args[flag]


def endpoint_host(url: str, own_host: str) -> str:
    """`https://127.0.0.1:2379` -> the host name it points at (loopback = this host)."""
    host = url.split("://", 1)[-1].split(":", 1)[0]
    return own_host if host in ("127.0.0.1", "localhost") else host


def kubeconfig_server(group: ProcessGroup, path: str) -> str:
    """The API server host named in the kubeconfig file at `path` on this host's disk."""
    return kubeconfig_client(group, path)[0]


def kubeconfig_client(group: ProcessGroup, path: str) -> tuple[str, Credentials]:
    """The API server host and the credentials of the kubeconfig at `path` on this host's
    disk, as a binary's --kubeconfig flag reads it."""
    if path not in group.host.disk:
        raise K8sLabError(f"stat {path}: no such file or directory")
    server, credentials = read_kubeconfig(group.host.disk[path])
    return endpoint_host(server, group.host.name), credentials


def serve_forever(group: ProcessGroup) -> Generator:
    """Keep the container's main process alive: the component serves until the group stops."""
    yield group.env.event()


# Go's time.ParseDuration: units and their length in seconds.
_DURATION_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "μs": 1e-6, "ms": 1e-3, "s": 1.0,
                   "m": 60.0, "h": 3600.0}
_DURATION_PART = re.compile(r"(\d*)(?:\.(\d*))?([^\d.]*)")


def go_duration(text: str) -> float:
    """Seconds in a Go duration ("50s", "1m30s", "1.5h", "300ms"), with Go's error texts."""
    quoted = f'"{text}"'
    rest = text.lstrip("+-")
    sign = -1.0 if text.startswith("-") else 1.0
    if rest == "0":
        return 0.0
    if not rest:
        raise K8sLabError(f"time: invalid duration {quoted}")
    total = 0.0
    while rest:
        match = _DURATION_PART.match(rest)
        whole, fraction, unit = match.group(1), match.group(2), match.group(3)
        if not whole and not fraction:
            raise K8sLabError(f"time: invalid duration {quoted}")
        if not unit:
            raise K8sLabError(f"time: missing unit in duration {quoted}")
        if unit not in _DURATION_UNITS:
            raise K8sLabError(f'time: unknown unit "{unit}" in duration {quoted}')
        total += float(f"{whole or 0}.{fraction or 0}") * _DURATION_UNITS[unit]
        rest = rest[match.end():]
    return sign * total
