"""What every binary's entrypoint shares: reading `--name=value` flags from the container's
command line, the hosts those flags name, and serving until the container is stopped.
"""

from __future__ import annotations

from collections.abc import Generator

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
    return endpoint_host(group.host.disk[path]["server"], group.host.name)


def serve_forever(group: ProcessGroup) -> Generator:
    """Keep the container's main process alive: the component serves until the group stops."""
    yield group.env.event()
