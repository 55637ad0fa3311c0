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
from k8slab.api.version import user_agent as default_user_agent
from k8slab.api.warnings import split_warnings, was_created
from k8slab.errors import GoneError, K8sLabError, UnavailableError
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

    def __init__(self, group: ProcessGroup, credentials: Credentials, server: str, *,
                 impersonate_user: str = "", impersonate_groups: tuple[str, ...] = (),
                 user_agent: str = "") -> None:
        if not isinstance(credentials, Credentials):
            raise K8sLabError(f"Client needs Credentials (from a kubeconfig), got "
                              f"{credentials!r}")
        self.group = group
        self.credentials = credentials
        # Who the credentials claim to be: names this client's informers, never trusted.
        self.user = credentials.user_hint
        self.server = server
        self._network = group.host.network
        # The Warning headers of the last answer: client-go passes each to its WarningHandler;
        # kubectl's prints `Warning: <text>`.
        self.warnings: list[str] = []
        # Whether the last answer was a 201 to a write that is not a create (an apply that
        # created its object).
        self.created = False
        # Impersonate-User / Impersonate-Group headers (kubectl --as / --as-group).
        self._impersonation = ({"impersonate_user": impersonate_user,
                                "impersonate_groups": list(impersonate_groups)}
                               if impersonate_user or impersonate_groups else {})
        self._presented = _presented(credentials, group.host.name)
        # The User-Agent header: the program's name (its process group's) and version, which
        # names the field manager of what it writes without a fieldManager.
        self._presented["user_agent"] = user_agent or default_user_agent(group.name)

    def request(self, verb: str, resource: str, **fields) -> Generator:
        """Send one request and return the answer; API errors come back as exceptions.

        A request the network could not carry (refused, timed out) is an UnavailableError with
        the network's words, as client-go reports a failed connection.
        """
        request = {"verb": verb, "resource": resource, **self._presented,
                   **self._impersonation, **fields}
        try:
            answer = yield from self._network.rpc(self.group.host.name, self.server, API_PORT,
                                                  request)
        except UnreachableError as error:
            raise UnavailableError(error.message) from None
        body, self.warnings = split_warnings(answer)
        self.created = was_created(answer)
        return body

    def create(self, obj: dict) -> Generator:
        """POST a new object."""
        resource = resource_of(obj)
        namespace = obj["metadata"].get("namespace")
        return (yield from self.request("create", resource, namespace=namespace, body=obj))

    def get(self, resource: str, name: str, namespace: str | None = None) -> Generator:
        """GET one object."""
        return (yield from self.request("get", resource, namespace=namespace, name=name))

    def list(self, resource: str, namespace: str | None = None, field_selector: str = "",
             resource_version: str = "", label_selector: str = "", *, limit: int = 0,
             resource_version_match: str = "", read_only: bool = False) -> Generator:
        """LIST objects: returns (items, resourceVersion).

        resourceVersion "" asks for the most recent state (a consistent read, which the API
        server answers from its watch cache once it has caught up with etcd); "0" accepts any
        version (a reflector's first list); "<n>" one not older than n, or exactly n with
        resource_version_match="Exact". label_selector is the labelSelector parameter:
        "app=web,tier in (a,b),!canary". With `limit` the list comes in chunks of that many,
        as client-go's pager fetches them; a chunk whose continue token expired (410) makes it
        list again in one piece, as the pager's FullListIfExpired does.

        `read_only` promises that the items will never be changed (an informer's cache): the
        simulated API server may then hand every such caller one shared copy of each object
        version instead of a copy each (the simulation's memory, not the cluster's behaviour).
        """
        answer = yield from self.list_chunk(
            resource, namespace, field_selector, resource_version, label_selector, limit=limit,
            resource_version_match=resource_version_match, read_only=read_only)
        items = list(answer["items"])
        while answer.get("continue"):
            try:
                answer = yield from self.list_chunk(resource, namespace, field_selector, "",
                                                    label_selector, limit=limit,
                                                    continue_=answer["continue"],
                                                    read_only=read_only)
            except GoneError:
                return (yield from self.list(resource, namespace, field_selector,
                                             resource_version, label_selector,
                                             read_only=read_only))
            items.extend(answer["items"])
        return items, answer["resourceVersion"]

    def list_chunk(self, resource: str, namespace: str | None = None, field_selector: str = "",
                   resource_version: str = "", label_selector: str = "", *, limit: int = 0,
                   continue_: str = "", resource_version_match: str = "",
                   read_only: bool = False) -> Generator:
        """One LIST request as sent: returns the list's items and metadata, with `continue`
        (the token of the next chunk) and `remainingItemCount` when more are left."""
        fields = {"limit": limit, "continue": continue_,
                  "resource_version_match": resource_version_match, "read_only": read_only}
        return (yield from self.request(
            "list", resource, namespace=namespace, field_selector=field_selector,
            resource_version=resource_version, label_selector=label_selector,
            **{k: v for k, v in fields.items() if v}))

    def update(self, obj: dict) -> Generator:
        """PUT an object (spec and metadata); a stale resourceVersion is a Conflict."""
        return (yield from self.request("update", resource_of(obj), body=obj))

    def update_status(self, obj: dict) -> Generator:
        """PUT the status subresource."""
        return (yield from self.request("update_status", resource_of(obj), body=obj))

    def patch(self, resource: str, name: str, namespace: str | None, patch_type: str,
              patch: object, *, subresource: str = "", field_manager: str = "",
              force: bool | None = None, field_validation: str = "") -> Generator:
        """PATCH an object (or its "status" or "scale" subresource); returns it as stored.

        patch_type is the Content-Type: "application/json-patch+json" (a list of RFC 6902
        operations), "application/merge-patch+json" (RFC 7386: null deletes, lists replace),
        "application/strategic-merge-patch+json" (built-in kinds: lists such as containers
        merge by their key, as kubectl patch does by default) or "application/apply-patch+yaml"
        (server-side apply, which needs a field_manager; force takes fields other managers
        own). patch is the raw text or the decoded value. The server applies it to the object
        as stored and retries by itself when another writer got in first. field_validation
        says what unknown fields in the result do: "Warn" (the default: dropped, named in a
        warning, see `warnings`), "Strict" (a 422) or "Ignore".
        """
        fields: dict = {"patch_type": patch_type, "body": patch}
        if subresource:
            fields["subresource"] = subresource
        if field_manager:
            fields["field_manager"] = field_manager
        if force is not None:
            fields["force"] = force
        if field_validation:
            fields["field_validation"] = field_validation
        return (yield from self.request("patch", resource, namespace=namespace, name=name,
                                        **fields))

    def get_scale(self, resource: str, name: str, namespace: str | None = None) -> Generator:
        """GET <resource>/<name>/scale: an autoscaling/v1 Scale (custom resources with a
        scale subresource)."""
        return (yield from self.request("scale", resource, namespace=namespace, name=name))

    def update_scale(self, resource: str, name: str, namespace: str | None,
                     replicas: int) -> Generator:
        """PUT <resource>/<name>/scale with spec.replicas, as `kubectl scale` does."""
        body = {"apiVersion": "autoscaling/v1", "kind": "Scale",
                "metadata": {"name": name, "namespace": namespace},
                "spec": {"replicas": replicas}}
        return (yield from self.request("update_scale", resource, namespace=namespace,
                                        name=name, body=body))

    def create_token(self, namespace: str, name: str, token_request: dict) -> Generator:
        """POST serviceaccounts/<name>/token: a TokenRequest back, with status.token."""
        return (yield from self.request("token", "serviceaccounts", namespace=namespace,
                                        name=name, body=token_request))

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
        *,
        allow_watch_bookmarks: bool = False,
        send_initial_events: bool | None = None,
        resource_version_match: str = "",
    ) -> Stream:
        """Open a watch stream from `resource_version`, of the objects both selectors select.

        allow_watch_bookmarks asks for BOOKMARK events (about one a minute, carrying only a
        resourceVersion); send_initial_events (with resource_version_match="NotOlderThan")
        starts with the current objects and, with bookmarks, marks their end with a BOOKMARK
        annotated k8s.io/initial-events-end.
        """
        request = {
            "verb": "watch",
            "resource": resource,
            "namespace": namespace,
            "field_selector": field_selector,
            "label_selector": label_selector,
            "resource_version": resource_version,
            **self._presented,
            **self._impersonation,
        }
        if allow_watch_bookmarks:
            request["allow_watch_bookmarks"] = True
        if send_initial_events is not None:
            request["send_initial_events"] = send_initial_events
        if resource_version_match:
            request["resource_version_match"] = resource_version_match
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


def resource_of(obj: dict) -> str:
    """The resource an object is written to: "pods", "deployments", and group-qualified where
    the bare name means another version: "events.events.k8s.io" for an events.k8s.io Event.
    A kind the client does not know is a custom one: `webapp.v1.example.com` (kind, version,
    group), which the API server resolves through its CRDs, as kubectl's RESTMapper would."""
    try:
        info = kind_info(obj["kind"], obj.get("apiVersion"))
    except K8sLabError:
        group, _, version = str(obj.get("apiVersion", "")).rpartition("/")
        return f"{str(obj['kind']).lower()}.{version}.{group}"
    return info.resource if resource_info(info.resource) is info else (
        f"{info.resource}.{info.group}")
