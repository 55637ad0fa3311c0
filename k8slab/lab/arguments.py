"""Checks on what a reader passes to the `Cluster` facade, before anything is changed.

Each check returns the value in the form the facade uses, or raises a `K8sLabError` that names
the argument, shows what was given and says what is accepted, so a wrong call leaves the
cluster exactly as it was.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterable, Sequence

from k8slab.api.quantity import cpu_millis, memory_bytes
from k8slab.errors import K8sLabError
from k8slab.node.node_object import EVICTION_HARD_MEMORY
from k8slab.sim.errors import UnknownHostError

# A reader's value is shown up to this many characters in an error message.
SHOWN = 80
HOSTS_SHOWN = 8
# A Quantity's value is an int64 (milli-units for CPU): the most a node can have.
INT64_MAX = 2**63 - 1


def shown(value: object) -> str:
    """`repr(value)`, cut short so that a huge value cannot flood the message."""
    text = repr(value)
    return text if len(text) <= SHOWN else f"{text[:SHOWN - 3]}..."


def text(value: object, argument: str, accepted: str = "a string") -> str:
    """A string argument (a name, a resource, a command)."""
    if not isinstance(value, str):
        raise K8sLabError(f"{argument} must be {accepted}, got {shown(value)}")
    return value


def optional_text(value: object, argument: str, accepted: str = "a string or None") -> str | None:
    """A string argument that may be None (a namespace: None means all, or the default)."""
    return None if value is None else text(value, argument, accepted)


def host(value: object, known: Iterable[str], argument: str = "host") -> str:
    """The name of one of the cluster's hosts."""
    hosts = list(known)
    listed = ", ".join(hosts[:HOSTS_SHOWN])
    more = f", ... ({len(hosts)} hosts)" if len(hosts) > HOSTS_SHOWN else ""
    accepted = f"one host name: {listed}{more}"
    name = text(value, argument, accepted)
    if name not in hosts:  # the network's own words
        raise UnknownHostError(f'no host named "{name[:SHOWN]}"; hosts are: {listed}{more}')
    return name


def host_groups(groups: Sequence[object], known: Iterable[str]) -> list[list[str]]:
    """partition()'s groups: each a list of host names."""
    hosts = list(known)
    checked = []
    for group in groups:
        if isinstance(group, str) or not isinstance(group, Sequence):
            raise K8sLabError(f"each group is a list of host names, got {shown(group)}")
        checked.append([host(name, hosts, "each host in a group") for name in group])
    return checked


def number(value: object, argument: str, *, low: float = 0.0, high: float = math.inf,
           unit: str = "") -> float:
    """A real number in [low, high], never NaN or infinite."""
    bound = f"from {low:g} to {high:g}" if high < math.inf else f">= {low:g}"
    accepted = f"a finite number {bound}{unit}"
    if (isinstance(value, bool) or not isinstance(value, numbers.Real)
            or not math.isfinite(value) or not low <= value <= high):
        raise K8sLabError(f"{argument} must be {accepted}, got {shown(value)}")
    return float(value)


def flag(value: object, argument: str) -> bool:
    """A True/False argument."""
    if not isinstance(value, bool):
        raise K8sLabError(f"{argument} must be True or False, got {shown(value)}")
    return value


def cpu_quantity(value: object, argument: str) -> str:
    """A CPU quantity ("4", "2500m") a node can have: more than zero."""
    quantity, millis = _parsed(value, argument, 'a CPU quantity such as "4" or "2500m"',
                               cpu_millis)
    if not 0 < millis <= INT64_MAX:
        raise K8sLabError(f"{argument} must be more than 0 and at most {INT64_MAX}m, "
                          f"got {shown(value)}")
    return quantity


def memory_quantity(value: object, argument: str) -> str:
    """A memory quantity ("16Gi", "512Mi") a node can have: more than the 100Mi held back."""
    quantity, size = _parsed(value, argument, 'a memory quantity such as "16Gi" or "512Mi"',
                             memory_bytes)
    if not EVICTION_HARD_MEMORY < size <= INT64_MAX:
        raise K8sLabError(f"{argument} must be more than 100Mi (the kubelet holds back 100Mi "
                          f"for eviction) and at most {INT64_MAX} bytes, got {shown(value)}")
    return quantity


def _parsed(value: object, argument: str, accepted: str,
            parse: Callable[[str], int]) -> tuple[str, int]:
    """(the quantity text, its value in base units), or an error saying what is accepted."""
    quantity = text(value, argument, accepted)
    try:
        return quantity, parse(quantity)
    except (K8sLabError, ValueError, ArithmeticError):
        raise K8sLabError(f"{argument} must be {accepted}, got {shown(value)}") from None


def is_whole(value: object) -> bool:
    """True for an int that is not a bool (True is an int in Python)."""
    return isinstance(value, int) and not isinstance(value, bool)


def object_arguments(resource: object, name: object,
                     namespace: object) -> tuple[str, str, str | None]:
    """(resource, name, namespace) of an object a facade call names; namespace may be None."""
    return (text(resource, "resource", 'a resource name such as "pods"'),
            text(name, "name", "an object's name"),
            optional_text(namespace, "namespace"))
