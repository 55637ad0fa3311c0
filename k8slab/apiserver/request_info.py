"""Who is asking and what for: the user an authenticator found, and the attributes of one request
that the authorizers, the admission plugins and the audit log all read.

Upstream: user.Info (apiserver pkg/authentication/user) and authorizer.Attributes built by the
RequestInfoFactory (apiserver pkg/endpoints/request/requestinfo.go).
"""

from __future__ import annotations

from dataclasses import dataclass

from k8slab.api.kinds import Kind, resource_info

# The groups every authenticated user is in, and the anonymous user (apiserver
# pkg/authentication/user/user.go AllAuthenticated, AllUnauthenticated, Anonymous).
ALL_AUTHENTICATED = "system:authenticated"
ALL_UNAUTHENTICATED = "system:unauthenticated"
SYSTEM_MASTERS = "system:masters"


@dataclass(frozen=True)
class UserInfo:
    """An authenticated identity: a name, the groups it belongs to, and for a ServiceAccount or
    a bound token its uid and extra fields (`authentication.kubernetes.io/pod-name`, ...)."""

    name: str
    groups: tuple[str, ...] = ()
    uid: str = ""
    extra: tuple[tuple[str, tuple[str, ...]], ...] = ()


ANONYMOUS = UserInfo("system:anonymous", (ALL_UNAUTHENTICATED,))

# Our internal verbs, as the Kubernetes verb and subresource an authorizer sees:
# a binding is `create pods/binding`, an eviction `create pods/eviction`, a status write
# `update pods/status`, a log read `get pods/log`, exec `create pods/exec`.
_VERB_AND_SUBRESOURCE = {
    "get": ("get", ""),
    "list": ("list", ""),
    "watch": ("watch", ""),
    "create": ("create", ""),
    "update": ("update", ""),
    "patch": ("patch", ""),
    "delete": ("delete", ""),
    "deletecollection": ("deletecollection", ""),
    "update_status": ("update", "status"),
    "bind": ("create", "binding"),
    "evict": ("create", "eviction"),
    "log": ("get", "log"),
    "exec": ("create", "exec"),
    "finalize": ("update", "finalize"),
    "scale": ("get", "scale"),
    "update_scale": ("update", "scale"),
    "token": ("create", "token"),
}
# Requests that name no resource: a verb on a URL path (`get /healthz`).
_NON_RESOURCE_PATHS = {"healthz": "/healthz", "livez": "/livez", "readyz": "/readyz",
                       "version": "/version"}


@dataclass(frozen=True)
class Attributes:
    """One request as the authorizers see it: user, verb, and either a resource (group,
    resource, subresource, namespace, name) or a non-resource URL path."""

    user: UserInfo
    verb: str
    resource: str = ""
    subresource: str = ""
    name: str = ""
    namespace: str = ""
    api_group: str = ""
    api_version: str = ""
    path: str = ""
    resource_request: bool = True
    field_selector: str = ""
    label_selector: str = ""
    # The write's field manager (its fieldManager option, or its User-Agent's product name):
    # the name its managedFields entry is kept under. Admission sees it with the options.
    field_manager: str = ""
    # dryRun=All: the write passes every check and stores nothing (admission sees it too).
    dry_run: bool = False

    @property
    def qualified_resource(self) -> str:
        """`pods`, `deployments.apps`: how upstream names a resource in its messages."""
        return f"{self.resource}.{self.api_group}" if self.api_group else self.resource


def request_attributes(request: dict, user: UserInfo, kind: Kind | None = None) -> Attributes:
    """The attributes of one of our API requests (a dict with verb, resource, namespace, name,
    body...) as the Kubernetes verb and subresource an authorizer checks. `kind` is the kind
    the server resolved the resource to (needed for custom resources, which only it knows)."""
    verb = request["verb"]
    if verb in _NON_RESOURCE_PATHS:
        return Attributes(user=user, verb="get", path=_NON_RESOURCE_PATHS[verb],
                          resource_request=False)
    kind = kind or resource_info(request["resource"])
    k8s_verb, subresource = _VERB_AND_SUBRESOURCE.get(verb, (verb, ""))
    if verb == "patch":  # PATCH names its subresource: pods/status, deployments/scale
        subresource = request.get("subresource") or ""
    body = request.get("body") or {}
    meta = body.get("metadata") or {} if isinstance(body, dict) else {}
    name = request.get("name") or (meta.get("name", "") if verb != "create" else "")
    namespace = ""
    if kind.namespaced:
        namespace = request.get("namespace") or meta.get("namespace") or ""
        if verb == "create" and not namespace:
            namespace = "default"
    elif kind.kind == "Namespace" and verb != "create":
        namespace = name  # upstream: a namespace's own requests are in that namespace
    return Attributes(
        user=user, verb=k8s_verb, resource=kind.resource, subresource=subresource,
        name=name or "", namespace=namespace, api_group=kind.group,
        api_version=kind.api_version.rpartition("/")[2],
        field_selector=request.get("field_selector") or "",
        label_selector=request.get("label_selector") or "",
        field_manager=manager_name(request.get("field_manager") or "",
                                   request.get("user_agent") or ""),
        dry_run=bool(request.get("dry_run")),  # ["All"], once check_dry_run passed it
    )


# apimachinery validation.FieldManagerMaxLength: a manager name is at most 128 bytes.
FIELD_MANAGER_MAX_LENGTH = 128


def manager_name(field_manager: str, user_agent: str) -> str:
    """managerOrUserAgent (apiserver endpoints/handlers/create.go): the fieldManager given,
    else the User-Agent before its first "/" ("kubectl/v1.35.0 (linux/amd64)..." is
    "kubectl"), without unprintable characters, cut to 128 bytes; "" without a User-Agent."""
    if field_manager:
        return field_manager
    name = ""
    for char in user_agent.split("/")[0]:
        if not char.isprintable():
            continue
        if len((name + char).encode()) > FIELD_MANAGER_MAX_LENGTH:
            break
        name += char
    return name
