"""A small served cluster for the router's tests, and a runner that steps it.

`StepRunner` plays SimRunner's part (the serving engineer's, with its lock and paced time)
for tests, with the same signatures: each request runs the simulation until the API client's
steps return, and a watch runs it a tenth of a simulated second at a time, giving its events
and a None tick after each silent step, until it has been silent `WATCH_WAIT` simulated
seconds. It is no part of the package: tests only.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Generator, Iterator
from typing import Any

import pytest

from k8slab import Cluster
from k8slab.api.kubeconfig import Credentials, read_kubeconfig
from k8slab.client.rest import Client
from k8slab.lab.pki import ADMIN_CONF
from k8slab.lab.serving.router import Router

WATCH_WAIT = 5.0  # simulated seconds a test watch waits for its next event


class StepRunner:
    """Runs a request's steps, or a watch, by stepping the cluster's simulation."""

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster
        self.lock = threading.RLock()
        self.requests: list[tuple[Credentials, tuple[str, tuple[str, ...]]]] = []

    def _client(self, group, credentials: Credentials,
                impersonation: tuple[str, tuple[str, ...]]) -> Client:
        user, groups = impersonation
        return Client(group, credentials, self.cluster.endpoint, impersonate_user=user,
                      impersonate_groups=groups)

    def run_request(self, steps: Callable[[Client], Generator], credentials: Credentials, *,
                    impersonation: tuple[str, tuple[str, ...]] = ("", ())) -> Any:
        self.requests.append((credentials, impersonation))
        with self.lock:
            return self.cluster._on_control_plane(
                lambda group: steps(self._client(group, credentials, impersonation)))

    def shown(self, value: Any) -> Any:
        """As SimRunner's, for a cluster never served: no wall-clock offset to apply."""
        return value

    def received(self, value: Any) -> Any:
        """As SimRunner's, for a cluster never served."""
        return value

    def open_watch(self, resource: str, resource_version: str, credentials: Credentials, *,
                   impersonation: tuple[str, tuple[str, ...]] = ("", ()), user_agent: str = "",
                   **options) -> Iterator[dict | None]:
        with self.lock:
            host = self.cluster.network.host(self.cluster.control_planes[0])
            group = host.group("test-watch")
            events: list[dict] = []
            closed: list[str] = []
            client = self._client(group, credentials, impersonation)
            stream = client.watch(resource, resource_version, events.append, closed.append,
                                  **options)
        return self._events(stream, group, events, closed)

    def _events(self, stream, group, events: list[dict],
                closed: list[str]) -> Iterator[dict | None]:
        """Each event as it comes; None (a tick, as SimRunner's) after every tenth of a
        simulated second without one; the end once the stream closed or stayed silent for
        WATCH_WAIT."""
        try:
            silent = 0.0
            while silent < WATCH_WAIT:
                if events:
                    silent = 0.0
                    yield events.pop(0)
                    continue
                if closed:
                    return
                with self.lock:
                    self.cluster.run(0.1)
                silent += 0.1
                if not events:
                    yield None
        finally:
            with self.lock:
                stream.close("test watch done")
                group.stop()


@pytest.fixture(scope="module")
def cluster() -> Cluster:
    return Cluster(workers=1, seed=3)


@pytest.fixture(scope="module")
def runner(cluster: Cluster) -> StepRunner:
    return StepRunner(cluster)


@pytest.fixture(scope="module")
def router(cluster: Cluster, runner: StepRunner) -> Router:
    return Router(cluster, runner)


@pytest.fixture(scope="module")
def admin(cluster: Cluster) -> Credentials:
    """kubernetes-admin's credentials, from the control plane's admin.conf."""
    host = cluster.network.host(cluster.control_planes[0])
    return read_kubeconfig(host.disk[ADMIN_CONF])[1]

