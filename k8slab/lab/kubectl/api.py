"""What kubectl's writing verbs ask of the API server, as one small interface, and the adapter
that answers it with the lab's API client over the simulated network.

Every method is a generator (`yield from api.get(...)`), so a verb reads like the sequence of
requests kubectl sends; `sleep` lets simulated time pass while kubectl waits or polls. Tests
drive the same verbs with a fake that keeps objects in a dict.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Protocol

from k8slab.client.rest import Client


class Api(Protocol):
    """The requests a mutating kubectl verb sends, and the clock it waits on."""

    @property
    def now(self) -> float:
        """Simulated seconds since the cluster started."""

    def get(self, resource: str, name: str, namespace: str | None) -> Generator:
        """GET one object; NotFoundError when there is none."""

    def list(self, resource: str, namespace: str | None, field_selector: str = "") -> Generator:
        """LIST objects (the items only), all namespaces when `namespace` is None."""

    def update(self, obj: dict) -> Generator:
        """PUT an object back (a stale resourceVersion is a ConflictError)."""

    def patch(self, resource: str, name: str, namespace: str | None, patch_type: str,
              patch: object, field_manager: str = "", subresource: str = "") -> Generator:
        """PATCH an object (or its "status" or "scale") with a patch of `patch_type` (its
        Content-Type), in the name of `field_manager` (kubectl's is `kubectl-<verb>`)."""

    def delete(self, resource: str, name: str, namespace: str | None, *,
               grace_period_seconds: int | None = None,
               propagation_policy: str | None = None) -> Generator:
        """DELETE with DeleteOptions; returns the object (lingering, or as it was)."""

    def evict(self, name: str, namespace: str, *,
              grace_period_seconds: int | None = None) -> Generator:
        """POST a policy/v1 Eviction to the pod's eviction subresource."""

    def sleep(self, seconds: float) -> Generator:
        """Let `seconds` of simulated time pass."""

    def get_scale(self, resource: str, name: str, namespace: str | None) -> Generator:
        """GET <resource>/<name>/scale: an autoscaling/v1 Scale."""

    def update_scale(self, resource: str, name: str, namespace: str | None,
                     replicas: int) -> Generator:
        """PUT <resource>/<name>/scale with spec.replicas."""

    def logs(self, name: str, namespace: str, options: dict) -> Generator:
        """GET pods/<name>/log with PodLogOptions; the log text."""

    def exec(self, name: str, namespace: str, container: str, argv: list[str]) -> Generator:
        """POST pods/<name>/exec; {"exitCode", "stdout", "stderr"}."""


def delete_options(grace_period_seconds: int | None, propagation_policy: str | None) -> dict | None:
    """The metav1.DeleteOptions kubectl sends, with only the fields it sets (None if none)."""
    body: dict = {}
    if grace_period_seconds is not None:
        body["gracePeriodSeconds"] = grace_period_seconds
    if propagation_policy is not None:
        body["propagationPolicy"] = propagation_policy
    return {"apiVersion": "v1", "kind": "DeleteOptions", **body} if body else None


class ClientApi:
    """`Api` over the lab's API client: each call is one request to the API server.

    A DELETE carries its DeleteOptions as the request's `options`, and an eviction is the
    verb "evict" with a policy/v1 Eviction body, as the API server's DELETE path reads them.
    """

    def __init__(self, client: Client) -> None:
        self._client = client

    @property
    def now(self) -> float:
        """Simulated seconds since the cluster started."""
        return self._client.group.sim.now

    def get(self, resource: str, name: str, namespace: str | None) -> Generator:
        """GET one object."""
        return (yield from self._client.get(resource, name, namespace))

    def list(self, resource: str, namespace: str | None, field_selector: str = "") -> Generator:
        """LIST objects, read from etcd (kubectl's list), items only."""
        items, _ = yield from self._client.list(resource, namespace, field_selector)
        return items

    def update(self, obj: dict) -> Generator:
        """PUT an object."""
        return (yield from self._client.update(obj))

    def patch(self, resource: str, name: str, namespace: str | None, patch_type: str,
              patch: object, field_manager: str = "", subresource: str = "") -> Generator:
        """PATCH an object or its subresource."""
        return (yield from self._client.patch(resource, name, namespace, patch_type, patch,
                                              field_manager=field_manager,
                                              subresource=subresource))

    def delete(self, resource: str, name: str, namespace: str | None, *,
               grace_period_seconds: int | None = None,
               propagation_policy: str | None = None) -> Generator:
        """DELETE with kubectl's DeleteOptions."""
        return (yield from self._client.request(
            "delete", resource, namespace=namespace, name=name,
            options=delete_options(grace_period_seconds, propagation_policy)))

    def evict(self, name: str, namespace: str, *,
              grace_period_seconds: int | None = None) -> Generator:
        """POST pods/<name>/eviction with a policy/v1 Eviction, as kubectl drain sends it."""
        body = {"apiVersion": "policy/v1", "kind": "Eviction",
                "metadata": {"name": name, "namespace": namespace},
                "deleteOptions": delete_options(grace_period_seconds, None)}
        return (yield from self._client.request(
            "evict", "pods", namespace=namespace, name=name, body=body))

    def sleep(self, seconds: float) -> Generator:
        """Wait in simulated time."""
        yield self._client.group.env.timeout(seconds)

    def get_scale(self, resource: str, name: str, namespace: str | None) -> Generator:
        """GET <resource>/<name>/scale."""
        return (yield from self._client.get_scale(resource, name, namespace))

    def update_scale(self, resource: str, name: str, namespace: str | None,
                     replicas: int) -> Generator:
        """PUT <resource>/<name>/scale."""
        return (yield from self._client.update_scale(resource, name, namespace, replicas))

    def logs(self, name: str, namespace: str, options: dict) -> Generator:
        """GET pods/<name>/log: the API server asks the pod's kubelet."""
        return (yield from self._client.request(
            "log", "pods", namespace=namespace, name=name, options=options))

    def exec(self, name: str, namespace: str, container: str, argv: list[str]) -> Generator:
        """POST pods/<name>/exec: the command's exit code, stdout and stderr."""
        return (yield from self._client.request(
            "exec", "pods", namespace=namespace, name=name, container=container, argv=argv))

    def review(self, resource: str, body: dict) -> Generator:
        """POST a SelfSubjectAccessReview or SelfSubjectRulesReview; the answered review."""
        return (yield from self._client.request("create", resource, body=body))
