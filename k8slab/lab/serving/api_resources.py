"""What the simulated API server serves, resource by resource, as discovery describes it.

Each built-in kind of k8slab.api.kinds and each served version of an Established CRD is one
APIResource (metav1): its name, singular name, scope, kind, verbs, short names, categories, and
its subresources. Short names, categories and subresources are upstream's (v1.35, each
resource's registry: `ShortNames()`, `Categories()`, the storage map in pkg/registry/*/rest);
subresources the simulation does not serve (pods/attach, portforward, proxy, resize,
ephemeralcontainers; nodes/proxy; services/proxy) are left out, and so is the verb
`deletecollection`, which the simulated API server does not implement.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from k8slab.api import kinds
from k8slab.api.custom_kinds import crd_kinds, established, storage_version, version_named
from k8slab.api.kinds import Kind

# The verbs of a resource's own path: what the simulated API server answers, sorted as upstream
# lists them (create, delete, get, list, patch, update, watch; no deletecollection).
VERBS = ("create", "delete", "get", "list", "patch", "update", "watch")
STATUS_VERBS = ("get", "patch", "update")
_ALL = ("all",)
_API_EXTENSIONS = ("api-extensions",)
# Upstream's categories (each kind's REST storage Categories(), v1.35).
_CATEGORIES = {
    kinds.POD: _ALL, kinds.REPLICATION_CONTROLLER: _ALL, kinds.SERVICE: _ALL,
    kinds.DEPLOYMENT: _ALL, kinds.REPLICA_SET: _ALL, kinds.STATEFUL_SET: _ALL,
    kinds.DAEMON_SET: _ALL, kinds.JOB: _ALL,
    kinds.CUSTOM_RESOURCE_DEFINITION: _API_EXTENSIONS,
    kinds.MUTATING_WEBHOOK_CONFIGURATION: _API_EXTENSIONS,
    kinds.VALIDATING_WEBHOOK_CONFIGURATION: _API_EXTENSIONS,
}


@dataclass(frozen=True)
class Subresource:
    """One subresource: its name, verbs, and the kind it answers with ("" group and version:
    the parent's own group-version; empty kind: the parent's kind)."""

    name: str
    verbs: tuple[str, ...]
    kind: str = ""
    group: str = ""
    version: str = ""


_STATUS = Subresource("status", STATUS_VERBS)
_SCALE = Subresource("scale", STATUS_VERBS, "Scale", "autoscaling", "v1")
_SUBRESOURCES: dict[Kind, tuple[Subresource, ...]] = {
    kinds.POD: (
        Subresource("binding", ("create",), "Binding"),
        Subresource("eviction", ("create",), "Eviction", "policy", "v1"),
        Subresource("exec", ("create", "get"), "PodExecOptions"),
        Subresource("log", ("get",)),
        _STATUS,
    ),
    kinds.NODE: (_STATUS,),
    kinds.NAMESPACE: (Subresource("finalize", ("update",)), _STATUS),
    kinds.REPLICATION_CONTROLLER: (_SCALE, _STATUS),
    kinds.RESOURCE_QUOTA: (_STATUS,),
    kinds.SERVICE: (_STATUS,),
    kinds.SERVICE_ACCOUNT: (
        Subresource("token", ("create",), "TokenRequest", "authentication.k8s.io", "v1"),),
    kinds.DEPLOYMENT: (_SCALE, _STATUS),
    kinds.REPLICA_SET: (_SCALE, _STATUS),
    kinds.STATEFUL_SET: (_SCALE, _STATUS),
    kinds.DAEMON_SET: (_STATUS,),
    kinds.JOB: (_STATUS,),
    kinds.CUSTOM_RESOURCE_DEFINITION: (_STATUS,),
}
# Core v1 Events and events.k8s.io/v1 Events share one storage, core v1's
# (kube-apiserver's storage factory: cohabitating resources).
_STORED_AS = {kinds.EVENTS_V1_EVENT: kinds.EVENT}


@dataclass(frozen=True)
class APIResource:
    """One resource of one group-version, everything discovery says about it."""

    group: str
    version: str
    name: str
    singular: str
    namespaced: bool
    kind: str
    verbs: tuple[str, ...]
    short_names: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    subresources: tuple[Subresource, ...] = ()
    storage_version_hash: str = ""

    @property
    def group_version(self) -> str:
        """`v1` for the core group, else `apps/v1`."""
        return f"{self.group}/{self.version}" if self.group else self.version


def storage_version_hash(group: str, version: str, kind: str) -> str:
    """The opaque hash of the version a resource is stored in (apiserver pkg/endpoints/
    discovery StorageVersionHash: base64 of the first 8 bytes of sha256("group/version/kind"))."""
    digest = hashlib.sha256(f"{group}/{version}/{kind}".encode()).digest()
    return base64.b64encode(digest[:8]).decode()


def _built_in(info: Kind) -> APIResource:
    stored = _STORED_AS.get(info, info)
    return APIResource(
        group=info.group, version=info.api_version.rpartition("/")[2], name=info.resource,
        singular=info.singular, namespaced=info.namespaced, kind=info.kind, verbs=VERBS,
        short_names=info.short_names, categories=_CATEGORIES.get(info, ()),
        subresources=_SUBRESOURCES.get(info, ()),
        storage_version_hash=storage_version_hash(
            stored.group, stored.api_version.rpartition("/")[2], stored.kind))


# authorization.k8s.io/v1: the two reviews the simulated API server answers (create only).
_REVIEWS = tuple(
    APIResource("authorization.k8s.io", "v1", name, kind.lower(), False, kind, ("create",))
    for name, kind in (("selfsubjectaccessreviews", "SelfSubjectAccessReview"),
                       ("selfsubjectrulesreviews", "SelfSubjectRulesReview")))
BUILT_IN: tuple[APIResource, ...] = tuple(_built_in(info) for info in kinds.KINDS) + _REVIEWS


def custom_resources(crds: Sequence[dict]) -> tuple[APIResource, ...]:
    """The resources the Established CRDs among `crds` add: one per served version, each with
    the CRD's names, categories and the subresources that version declares."""
    resources = []
    for crd in sorted(crds, key=lambda c: c["metadata"]["name"]):
        if not established(crd):
            continue
        names = (crd.get("status") or {}).get("acceptedNames") or crd["spec"]["names"]
        stored = storage_version(crd)
        for info in crd_kinds(crd):
            version = info.api_version.rpartition("/")[2]
            declared = version_named(crd, version).get("subresources") or {}
            subresources = tuple(sub for key, sub in (("scale", _SCALE), ("status", _STATUS))
                                 if key in declared)
            resources.append(APIResource(
                group=info.group, version=version, name=info.resource,
                singular=names.get("singular") or info.singular, namespaced=info.namespaced,
                kind=info.kind, verbs=VERBS, short_names=tuple(names.get("shortNames") or ()),
                categories=tuple(names.get("categories") or ()), subresources=subresources,
                storage_version_hash=storage_version_hash(info.group, stored, info.kind)))
    return tuple(resources)


def served_resources(crds: Sequence[dict] = ()) -> tuple[APIResource, ...]:
    """Every resource served: the built-in ones, then those of the Established CRDs."""
    return BUILT_IN + custom_resources(crds)
