"""The API client every component uses to reach the API server: client-go's rest and typed clients.

Each call is one request over the simulated network to port 6443 of the server host (the API
server itself, or the load balancer in front of several); API errors come back as exceptions.
Every request carries the client's credentials (a client certificate or a bearer token, from
its kubeconfig), which the API server authenticates; the client never states a user name.
"""

from __future__ import annotations

from collections.abc import Callable, Generator

from k8slab.api.kinds import kind_info, resource_info
from k8slab.api.kubeconfig import Credentials
from k8slab.errors import K8sLabError, UnavailableError
from k8slab.sim.errors import UnreachableError
from k8slab.sim.host import ProcessGroup
from k8slab.sim.network import Stream

API_PORT = 6443


def delete_options(grace_period_seconds: int | None, propagation_policy: str | None,
                   uid: str | None) -> dict | None:
    """A metav1.DeleteOptions body with the fields given, or None when none is."""
    body: dict = {}
    if grace_period_seconds is not None:
        body["gracePeriodSeconds"] = grace_period_seconds
    if propagation_policy is not None:
        body["propagationPolicy"] = propagation_policy
    if uid is not None:
        body["preconditions"] = {"uid": uid}
    return {"apiVersion": "v1", "kind": "DeleteOptions", **body} if body else None


class Client:
    """Requests to the API server on `server` (a host name), made with `credentials`."""

    def __init__(self, group: ProcessGroup, credentials: Credentials, server: str) -> None:
        if not isinstance(credentials, Credentials):
            raise K8sLabError(f"Client needs Credentials (from a kubeconfig), got "
                              f"{credentials!r}")
        self.group = group
        self.credentials = credentials
        # Who the credentials claim to be: names this client's informers, never trusted.
        self.user = credentials.user_hint
        self.server = server
        self._network = group.host.network
        self._presented = _presented(credentials, group.host.name)

    def request(self, verb: str, resource: str, **fields) -> Generator:
        """Send one request and return the answer; API errors come back as exceptions.

        A request the network could not carry (refused, timed out) is an UnavailableError with
        the network's words, as client-go reports a failed connection.
        """
        request = {"verb": verb, "resource": resource, **self._presented, **fields}
        try:
            return (yield from self._network.rpc(self.group.host.name, self.server, API_PORT,
                                                 request))
        except UnreachableError as error:
            raise UnavailableError(error.message) from None

    def create(self, obj: dict) -> Generator:
        """POST a new object."""
        resource = _resource_of(obj)
        namespace = obj["metadata"].get("namespace")
        return (yield from self.request("create", resource, namespace=namespace, body=obj))

    def get(self, resource: str, name: str, namespace: str | None = None) -> Generator:
        """GET one object."""
        return (yield from self.request("get", resource, namespace=namespace, name=name))

    def list(self, resource: str, namespace: str | None = None, field_selector: str = "",
             resource_version: str = "", label_selector: str = ""):
        """LIST objects: returns (items, resourceVersion).

        resourceVersion "" reads the latest from etcd (kubectl's list); "0" accepts any
        version, which the API server serves from its watch cache (a reflector's first list).
        label_selector is the labelSelector parameter: "app=web,tier in (a,b),!canary".
        """
        answer = yield from self.request(
            "list", resource, namespace=namespace, field_selector=field_selector,
            resource_version=resource_version, label_selector=label_selector,
        )
        return answer["items"], answer["resourceVersion"]

    def update(self, obj: dict) -> Generator:
        """PUT an object (spec and metadata); a stale resourceVersion is a Conflict."""
        return (yield from self.request("update", _resource_of(obj), body=obj))

    def update_status(self, obj: dict) -> Generator:
        """PUT the status subresource."""
        return (yield from self.request("update_status", _resource_of(obj), body=obj))

    def finalize(self, namespace: dict) -> Generator:
        """PUT namespaces/<name>/finalize: write the namespace's spec.finalizers; a Terminating
        namespace left with none is removed."""
        return (yield from self.request("finalize", "namespaces", body=namespace))

    def bind(self, namespace: str, name: str, node: str) -> Generator:
        """POST pods/binding: assign a pod to a node."""
        return (yield from self.request("bind", "pods", namespace=namespace, name=name, node=node))

    def delete(self, resource: str, name: str, namespace: str | None = None, *,
               grace_period_seconds: int | None = None, propagation_policy: str | None = None,
               uid: str | None = None) -> Generator:
        """DELETE an object, with DeleteOptions: a grace period (0 with kubectl's --force),
        a propagationPolicy (Foreground, Background, Orphan) and a uid precondition.

        Returns the object, which lingers with a deletionTimestamp while it terminates.
        """
        options = delete_options(grace_period_seconds, propagation_policy, uid)
        return (yield from self.request("delete", resource, namespace=namespace, name=name,
                                        options=options))

    def evict(self, namespace: str, name: str, *, grace_period_seconds: int | None = None,
              uid: str | None = None) -> Generator:
        """POST pods/<name>/eviction: a policy/v1 Eviction, what `kubectl drain` sends."""
        body = {"apiVersion": "policy/v1", "kind": "Eviction",
                "metadata": {"name": name, "namespace": namespace},
                "deleteOptions": delete_options(grace_period_seconds, None, uid)}
        return (yield from self.request("evict", "pods", namespace=namespace, name=name,
                                        body=body))

    def watch(
        self,
        resource: str,
        resource_version: str,
        on_event: Callable[[dict], None],
        on_close: Callable[[str], None],
        namespace: str | None = None,
        field_selector: str = "",
        label_selector: str = "",
    ) -> Stream:
        """Open a watch stream from `resource_version`, of the objects both selectors select."""
        request = {
            "verb": "watch",
            "resource": resource,
            "namespace": namespace,
            "field_selector": field_selector,
            "label_selector": label_selector,
            "resource_version": resource_version,
            **self._presented,
        }
        return self._network.open_stream(
            self.group.host.name, self.server, API_PORT, request, on_event, on_close,
            owner=self.group,
        )


def _presented(credentials: Credentials, source: str) -> dict:
    """What a request carries of the client: its certificate (as the TLS handshake would
    present it), its `Authorization: Bearer` token, and its address (the host's name)."""
    presented: dict = {"source": source}
    if credentials.certificate is not None:
        presented["certificate"] = credentials.certificate
    if credentials.token:
        presented["token"] = credentials.token
    return presented


def _resource_of(obj: dict) -> str:
    """The resource an object is written to: "pods", "deployments", and group-qualified where
    the bare name means another version: "events.events.k8s.io" for an events.k8s.io Event."""
    info = kind_info(obj["kind"], obj.get("apiVersion"))
    return info.resource if resource_info(info.resource) is info else (
        f"{info.resource}.{info.group}")
