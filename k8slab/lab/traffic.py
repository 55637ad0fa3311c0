"""What a load generator saw: every request it sent from one pod, when, which endpoint answered,
how long it took, or the error a client would print.

`TrafficReport` is plain data with four readings of it (counts per endpoint, failures by error,
latencies, and ok/failed per time bucket), which the traffic plots and the network panel draw.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from k8slab.errors import K8sLabError


@dataclass(frozen=True)
class Request:
    """One request sent at simulated time `at`: the endpoint ("ip:port") kube-proxy's rules chose
    (None if none was), its latency in seconds once answered, or the client's `error`."""

    at: float
    endpoint: str | None
    latency: float | None
    error: str | None


def _endpoint_order(endpoint: str) -> tuple[int, int, str]:
    # Numeric address order (10.244.1.10 after 10.244.1.9), then port; anything else last.
    host, _, port = endpoint.rpartition(":")
    try:
        return int(ipaddress.ip_address(host.strip("[]"))), int(port), endpoint
    except ValueError:
        return 2**128, 0, endpoint


@dataclass
class TrafficReport:
    """The requests `source` sent to `url` at `rps` requests per simulated second for `seconds`."""

    source: str
    url: str
    rps: float
    seconds: float
    requests: list[Request]

    def by_endpoint(self) -> dict[str, int]:
        """Answered requests per endpoint, in address order: how kube-proxy spread the load.

        A request that failed is not counted here, even if its endpoint was chosen."""
        counts: dict[str, int] = {}
        for request in self.requests:
            if request.error is None and request.endpoint is not None:
                counts[request.endpoint] = counts.get(request.endpoint, 0) + 1
        return {endpoint: counts[endpoint] for endpoint in sorted(counts, key=_endpoint_order)}

    def failures(self) -> dict[str, int]:
        """Failed requests per error text, the most frequent first (ties in text order)."""
        counts: dict[str, int] = {}
        for request in self.requests:
            if request.error is not None:
                counts[request.error] = counts.get(request.error, 0) + 1
        return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))

    def latencies(self) -> list[float]:
        """The latency in seconds of every answered request, in the order they were sent."""
        return [r.latency for r in self.requests if r.error is None and r.latency is not None]

    def over_time(self, bucket: float = 1.0) -> list[tuple[float, int, int]]:
        """(bucket start, answered, failed) for each `bucket` seconds from the first request's
        bucket to the last's; a bucket with no request sent is there with zeros."""
        if isinstance(bucket, bool) or not isinstance(bucket, int | float) or not bucket > 0:
            raise K8sLabError(f"bucket must be a positive number of seconds, got {bucket!r}")
        if not self.requests:
            return []
        index = {}
        for request in self.requests:
            slot = int(request.at // bucket)
            ok, failed = index.get(slot, (0, 0))
            index[slot] = (ok + (request.error is None), failed + (request.error is not None))
        first, last = min(index), max(index)
        return [(round(slot * bucket, 9), *index.get(slot, (0, 0)))
                for slot in range(first, last + 1)]
