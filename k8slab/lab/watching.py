"""A watch through the API server, as a reader would open one: from a resourceVersion, for a
while, returning the events that came (an ERROR event carries the Status, e.g. 410 Expired).
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING

from k8slab.errors import K8sLabError

if TYPE_CHECKING:
    from k8slab.client.rest import Client
    from k8slab.lab.cluster import Cluster

WATCH_SECONDS = 1.0  # simulated seconds a watch stays open to collect what arrives


def watch(cluster: Cluster, resource: str, resource_version: str, *,
          namespace: str | None = None, seconds: float = WATCH_SECONDS) -> list[dict]:
    """`GET /api/v1/<resource>?watch=1&resourceVersion=<rv>` held open for `seconds`: the events.

    Each event is `{"type": ADDED | MODIFIED | DELETED | ERROR, "object": ...}`; a version older
    than the API server's watch cache keeps gets one ERROR event with a 410 `Status`.
    """
    if not isinstance(resource_version, str) or not resource_version.isdigit():
        raise K8sLabError(f"a resourceVersion is a string of digits, e.g. \"42\"; "
                          f"got {resource_version!r}")
    if not isinstance(seconds, int | float) or not 0 < seconds <= 60:
        raise K8sLabError(f"a watch here stays open 0 to 60 s, got {seconds!r}")

    def steps(client: Client) -> Generator:
        events: list[dict] = []
        stream = client.watch(resource, resource_version, events.append, lambda _: None,
                              namespace=namespace)
        yield client.group.env.timeout(seconds)
        stream.close("watch done")
        return events

    return cluster.request(steps)
