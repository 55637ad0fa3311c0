"""The load generator behind `Cluster.traffic`: HTTP GETs from inside a pod at a steady rate,
each a new connection on the real path (DNS, DNAT on the client's node, routing, the serving
program), and a report of who answered, how fast, and what failed.

Like `hey` or `wrk` run in the pod: one process in the pod's network namespace opens one
connection per request every 1/rps seconds. A name in the URL is looked up once per run
(through the pod's resolv.conf, DNS over UDP to its nameserver) and the answer is cached for
the run, as a client holding one address would. The serving endpoint of each request is read
from its flow's translation (what `conntrack -L` shows), named by the pod holding that IP.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Generator
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from k8slab.errors import K8sLabError
from k8slab.lab import arguments, components
from k8slab.node.process import Process
from k8slab.node.programs.resolver import lookup, read_conf

if TYPE_CHECKING:
    from k8slab.lab.cluster import Cluster



@dataclass(frozen=True)
class Request:
    """One request sent at simulated time `at`: the endpoint kube-proxy's rules chose (the pod
    holding it as "namespace/name", or "ip:port" if no pod does; None if none was chosen), its
    latency in seconds once answered, or the client's `error`."""

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


def _target(url: object) -> tuple[str, int, str]:
    text = arguments.text(url, "url", 'an http URL such as "http://web" or "http://10.96.0.20:80/"')
    parts = urlsplit(text)
    try:
        port = parts.port or 80
    except ValueError:
        port = None
    if parts.scheme != "http" or not parts.hostname or port is None:
        raise K8sLabError(f'url must be an http URL such as "http://web/" or '
                          f'"http://10.96.0.20:8080/path", got {arguments.shown(url)}')
    return parts.hostname, port, (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def _pod_names(cluster: Cluster) -> dict[str, str]:
    names = {}
    for pod in cluster.list("pods"):
        ip = (pod.get("status") or {}).get("podIP")
        if ip and not (pod.get("spec") or {}).get("hostNetwork"):
            names[ip] = f"{pod['metadata']['namespace']}/{pod['metadata']['name']}"
    return names


def _resolve(process: Process, name: str) -> Generator:
    # An address is itself; a name goes through the pod's stub resolver (/etc/hosts, then
    # DNS over UDP through the search list), as getaddrinfo in the client would.
    try:
        return str(ipaddress.ip_address(name))
    except ValueError:
        pass
    addresses = yield from lookup(process, name)
    if addresses:
        return addresses[0]
    servers = read_conf(process.fs.read("/etc/resolv.conf") or "").nameservers
    raise K8sLabError(f"dial tcp: lookup {name} on {servers[0] if servers else '127.0.0.1'}:53:"
                      " no such host")


def send_traffic(cluster: Cluster, from_pod: str, url: str, *, rps: float, seconds: float,
                 timeout: float = 1.0, namespace: str = "default") -> TrafficReport:
    """Send HTTP GETs to `url` from inside pod `from_pod`, `rps` a second for `seconds`, one
    connection each; runs the cluster for `seconds` plus the last request's timeout."""
    pod_name = arguments.text(from_pod, "from_pod", "a pod name")
    namespace = arguments.text(namespace, "namespace")
    host, port, path = _target(url)
    rps = arguments.number(rps, "rps", low=1e-3, high=100_000, unit=" requests a second")
    seconds = arguments.number(seconds, "seconds", low=0, high=86_400, unit=" seconds")
    timeout = arguments.number(timeout, "timeout", low=1e-3, high=3600, unit=" seconds")
    pod = cluster.get("pods", pod_name, namespace)
    node = (pod.get("spec") or {}).get("nodeName")
    inside = components.pod_namespace(cluster.network, node, f"pod/{namespace}/{pod_name}") \
        if node and cluster.host_is_up(node) else None
    if inside is None or inside[0].route is None:
        raise K8sLabError(f'pod "{pod_name}" in namespace "{namespace}" is not running with a '
                          "network: traffic starts from a running pod")
    netns, files = inside
    names = _pod_names(cluster)
    group = cluster.network.host(node).group(f"traffic/{namespace}/{pod_name}")
    process = Process(group, {}, ["k8slab-traffic", url], fs=files, netns=netns)
    outcomes: list[tuple[float, str | None, float | None, str | None]] = []
    request = {"protocol": "http", "method": "GET", "path": path,
               "headers": {"Host": host if port == 80 else f"{host}:{port}",
                           "User-Agent": "k8slab-traffic"}}
    count = int(round(rps * seconds))
    env = group.env

    def one(index: int, ip: str) -> Generator:
        peer: list[str] = []
        sent = env.now
        try:
            yield from netns.route(ip, port, request, timeout, peer=peer)
        except K8sLabError as error:
            outcomes[index] = (sent, None, None, str(error))
            return
        outcomes[index] = (sent, peer[0] if peer else None, env.now - sent, None)

    def run() -> Generator:
        ip, failure = host, None
        try:
            ip = yield from _resolve(process, host)
        except K8sLabError as error:
            failure = str(error)
        start = env.now
        deadline[0] = start + seconds + timeout
        for index in range(count):
            due = start + index / rps
            if due > env.now:
                yield env.timeout(due - env.now)
            outcomes.append((env.now, None, None, failure or "no answer before the run ended"))
            if failure is None:
                group.spawn(one(index, ip))

    deadline = [cluster.now + seconds + timeout]
    runner = group.spawn(run())
    try:  # an interrupted run stops the generator too: no requests sent behind the reader
        cluster.run(seconds + timeout)
        while runner.is_alive or cluster.now < deadline[0]:  # the lookup took time first
            cluster.run(max(deadline[0] - cluster.now, timeout))
    finally:
        group.stop()
    names.update(_pod_names(cluster))
    requests = [Request(at, _endpoint_name(served, names), latency, error)
                for at, served, latency, error in outcomes]
    return TrafficReport(f"{namespace}/{pod_name}", url, rps, seconds, requests)


def _endpoint_name(served: str | None, names: dict[str, str]) -> str | None:
    if served is None:
        return None
    return names.get(served.rsplit(":", 1)[0], served)
