"""`c.serve()`: the simulated cluster as a real Kubernetes API endpoint on 127.0.0.1, for the real
kubectl and the official Python client; `c.stop_serving()` ends it.

`serve()` writes a kubeconfig (kubeadm's admin.conf shape, for any user and groups) and returns
its path: `KUBECONFIG=<path> kubectl get pods` in a terminal, or `%%bash` in a notebook.
Every request is answered by the simulated API server, through authentication, RBAC and
admission, and shows in the trace and the audit log under the certificate's user.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from k8slab.api.certificates import Certificate
from k8slab.errors import K8sLabError
from k8slab.lab import arguments
from k8slab.lab.pki import ClusterPKI
from k8slab.lab.serving.http_types import HttpRequest, HttpResponse
from k8slab.lab.serving.router import Router
from k8slab.lab.serving.sim_runner import MODES, SimRunner, outside_lock
from k8slab.lab.serving.wall_clock import wall_clock_offset
from k8slab.sim.kernel import Simulation

if TYPE_CHECKING:
    from k8slab.lab.serving.http_server import HttpsServer
    from k8slab.lab.serving.tls import ServingPKI

LOOPBACK = "127.0.0.1"

MAX_PORT = 65535


@dataclass
class Serving:
    """A running endpoint: the port bound, the kubeconfig written, the mode, and its parts."""

    port: int
    kubeconfig: str
    mode: str
    speed: float
    runner: SimRunner = field(repr=False)
    server: HttpsServer = field(repr=False)
    pki: ServingPKI = field(repr=False)

    @property
    def url(self) -> str:
        """The server URL real clients use: https://127.0.0.1:<port>."""
        return f"https://{LOOPBACK}:{self.port}"


def router_handler(cluster: Any, runner: SimRunner) -> Callable[[HttpRequest], HttpResponse]:
    """What answers each HTTP request: the router (serving/router.py) of `cluster`, through
    `runner`. The one place the endpoint is wired to the router."""
    return Router(cluster, runner).handle


class ServingVerbs:
    """`serve()`, `stop_serving()` and `serving` for a Cluster with `sim` and `_pki`."""

    sim: Simulation
    _pki: ClusterPKI
    _serving: Serving | None = None
    # Added to every model timestamp shown to real clients, fixed at the first paced serve().
    _wall_clock_offset: int | None = None

    @property
    def serving(self) -> Serving | None:
        """The running endpoint (`c.serving.port`, `.kubeconfig`, `.url`), or None."""
        return self._serving

    @outside_lock
    def serve(self, port: int = 0, *, user: str = "kubernetes-admin",
              groups: tuple[str, ...] | list[str] = ("kubeadm:cluster-admins",),
              speed: float = 1.0, mode: str = "paced",
              kubeconfig_path: str | os.PathLike | None = None, host: str = LOOPBACK,
              handler: Callable[[Any, SimRunner], Callable[[HttpRequest], HttpResponse]]
              | None = None) -> str:
        """Serve this cluster's API over HTTPS on 127.0.0.1:`port` (0: a free port) and return
        the path of a kubeconfig for `user` in `groups` (kubeadm's admin by default), written
        to `kubeconfig_path` or a temporary file. `mode` "paced" runs the simulation at `speed`
        x wall clock in the background; "stepped" moves time only in c.run(). `handler`
        (cluster, runner) -> (HttpRequest -> HttpResponse) replaces the router (for tests)."""
        if self._serving is not None:
            raise K8sLabError(f"already serving on {self._serving.url}: call stop_serving() "
                              "first")
        try:  # real X.509 needs the `cryptography` package, from the clients extra
            from k8slab.lab.serving.http_server import HttpsServer, check_loopback
            from k8slab.lab.serving.tls import ServingPKI
        except ImportError as error:
            raise K8sLabError(f"serve() needs the clients extra ({error.name} is missing): "
                              "pip install 'k8slab[clients]'") from None
        check_loopback(host)
        if not arguments.is_whole(port) or not 0 <= port <= MAX_PORT:
            raise K8sLabError(f"port must be a whole number from 0 (any free port) to "
                              f"{MAX_PORT}, got {port!r}")
        if not isinstance(user, str) or not user:
            raise K8sLabError(f'user must be a user name such as "kubernetes-admin" (the '
                              f"certificate's CN), got {arguments.shown(user)}")
        groups = _groups(groups)
        if mode not in MODES:
            raise K8sLabError(f"mode must be one of {', '.join(map(repr, MODES))}, got {mode!r}")
        if kubeconfig_path is not None and not isinstance(kubeconfig_path, str | os.PathLike):
            raise K8sLabError(f"kubeconfig_path must be a file path or None (a temporary "
                              f"file), got {arguments.shown(kubeconfig_path)}")
        if handler is not None and not callable(handler):
            raise K8sLabError(f"handler must be a function (cluster, runner) -> request "
                              f"handler, or None (the router), got {arguments.shown(handler)}")
        runner = SimRunner(self, mode=mode, speed=speed)
        answer = (handler or router_handler)(self, runner)
        pki = ServingPKI()
        try:
            server = HttpsServer(answer, pki, runner.credentials_for, int(port), host)
        except OSError as error:
            pki.close()
            raise K8sLabError(f"cannot listen on {LOOPBACK}:{port}: {error.strerror}") from None
        try:
            path = pki.write_kubeconfig(f"https://{LOOPBACK}:{server.port}", user, groups,
                                        kubeconfig_path)
        except (K8sLabError, OSError) as error:
            server.stop()
            pki.close()
            raise K8sLabError(f"cannot write the kubeconfig: {error}") from None
        with self.sim.lock:
            # Stepped time is the notebook's, not the wall's: its timestamps stay the model's,
            # so real kubectl prints what c.kubectl prints.
            if mode == "paced" and self._wall_clock_offset is None:
                self._wall_clock_offset = wall_clock_offset(self.sim.now, time.time())
        server.start()
        runner.start()
        self._serving = Serving(server.port, path, mode, runner.speed, runner, server, pki)
        return path

    @outside_lock
    def stop_serving(self) -> None:
        """Stop the endpoint: the pacer stops, the port is freed, open watches end, the
        temporary kubeconfig and keys are removed. The cluster stays as it is."""
        serving = self._serving
        if serving is None:
            raise K8sLabError("not serving: serve() starts the endpoint")
        self._serving = None
        serving.runner.stop()
        serving.server.stop()
        serving.pki.close()

    @property
    def wall_clock_offset(self) -> int | None:
        """Seconds added to the model's timestamps (simulated seconds after 2026-01-01) where
        real clients see them, so the simulated time at the first paced serve() reads as the
        wall time then and kubectl's ages are right; None before it (stepped serving shows
        the model's own timestamps)."""
        return self._wall_clock_offset

    def issue_certificate(self, user: str, groups: tuple[str, ...] = ()) -> Certificate:
        """A client certificate for `user` in `groups`, signed now by the cluster's CA (as
        `kubeadm kubeconfig user --client-name` makes one)."""
        if not isinstance(user, str) or not user:
            raise K8sLabError(f"user must be a user name (the certificate's CN), got "
                              f"{arguments.shown(user)}")
        groups = _groups(groups)
        with self.sim.lock:
            issued_at, self._pki.now = self._pki.now, self.sim.now
            try:
                return self._pki.issue(user, groups)[0]
            finally:
                self._pki.now = issued_at


def _groups(groups: object) -> tuple[str, ...]:
    if isinstance(groups, str) or not isinstance(groups, tuple | list) or not all(
            isinstance(g, str) and g for g in groups):
        raise K8sLabError(f"groups must be a list of group names (each a certificate O), got "
                          f"{arguments.shown(groups)}")
    return tuple(groups)
