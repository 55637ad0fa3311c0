"""The OpenAPI v3 schemas of the kinds k8slab models, built from k8slab.api.schema.

The API server publishes each Go struct as a named schema (`io.k8s.api.core.v1.PodSpec`); a
field that holds a struct refers to it as `{"allOf": [{"$ref": ...}], "default": {}}`, as
upstream's v3 documents do, and each kind carries `x-kubernetes-group-version-kind`, which is
how `kubectl explain` finds it. The lab's structs do not say which Go package they come from, so
the package is the schema module that first reaches a struct (meta/v1, then core/v1, then the
other groups). Simplifications: a struct the lab does not model (Opaque: volumes, probes'
handlers...) is published as an object without properties; descriptions are ours and short, on
each kind and on the common fields of FIELD_DESCRIPTIONS only (kubectl explain prints `<no
description>` for the others); `required` lists and patch strategies are not published.
"""

from __future__ import annotations

from k8slab.api.schema import (
    KIND_SCHEMAS,
    admissionregistration_v1,
    apiextensions_v1,
    apps_v1,
    batch_v1,
    coordination_v1,
    core_v1,
    core_v1_event,
    core_v1_probes,
    core_v1_quota,
    core_v1_scheduling,
    core_v1_secret,
    core_v1_security,
    core_v1_service,
    core_v1_serviceaccount,
    core_v1_workloads,
    discovery_v1,
    events_v1,
    meta_v1,
    rbac_v1,
    scheduling_v1,
)
from k8slab.api.schema.types import (
    AnyJSON,
    IntOrString,
    ListOf,
    MapOf,
    Opaque,
    Quantity,
    Scalar,
    SchemaType,
    Struct,
    Time,
)

REF_PREFIX = "#/components/schemas/"
META = "io.k8s.apimachinery.pkg.apis.meta.v1"
# Each schema module and the Go package its structs belong to, in the order packages claim
# the structs they reach (a struct core/v1 defines and apps/v1 reuses stays core's).
_MODULES = (
    (meta_v1, META),
    *((module, "io.k8s.api.core.v1") for module in (
        core_v1_security, core_v1_probes, core_v1_scheduling, core_v1, core_v1_workloads,
        core_v1_event, core_v1_quota, core_v1_secret, core_v1_service, core_v1_serviceaccount)),
    (apps_v1, "io.k8s.api.apps.v1"),
    (batch_v1, "io.k8s.api.batch.v1"),
    (coordination_v1, "io.k8s.api.coordination.v1"),
    (discovery_v1, "io.k8s.api.discovery.v1"),
    (events_v1, "io.k8s.api.events.v1"),
    (scheduling_v1, "io.k8s.api.scheduling.v1"),
    (rbac_v1, "io.k8s.api.rbac.v1"),
    (admissionregistration_v1, "io.k8s.api.admissionregistration.v1"),
    (apiextensions_v1, "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1"),
)
# The named scalar types upstream publishes as schemas of their own.
SCALAR_SCHEMAS = {
    "io.k8s.apimachinery.pkg.api.resource.Quantity": {
        "oneOf": [{"type": "string"}, {"type": "number"}]},
    "io.k8s.apimachinery.pkg.util.intstr.IntOrString": {
        "format": "int-or-string", "oneOf": [{"type": "integer"}, {"type": "string"}]},
    f"{META}.Time": {"type": "string", "format": "date-time"},
    f"{META}.MicroTime": {"type": "string", "format": "date-time"},
}
_TIME_NAMES = {"v1.Time": f"{META}.Time", "v1.MicroTime": f"{META}.MicroTime"}


def _children(node: SchemaType) -> list[SchemaType]:
    if isinstance(node, Struct):
        return list(node.fields.values())
    if isinstance(node, ListOf):
        return [node.item]
    if isinstance(node, MapOf):
        return [node.value]
    return []


def _packages() -> dict[int, str]:
    """The Go package of every named struct the schema modules reach, by object identity."""
    owner: dict[int, str] = {}
    for module, package in _MODULES:
        stack = [value for value in vars(module).values()
                 if isinstance(value, Struct | Opaque | AnyJSON | ListOf | MapOf)]
        while stack:
            node = stack.pop()
            if isinstance(node, Struct | Opaque | AnyJSON):
                if id(node) in owner:
                    continue
                owner[id(node)] = package
            stack.extend(_children(node))
    return owner


_PACKAGE_OF = _packages()


class SchemaSet:
    """The named schemas one OpenAPI document publishes, gathered as kinds are added."""

    def __init__(self) -> None:
        self.schemas: dict[str, dict] = {}
        self._named: dict[str, int] = {}

    def add_kind(self, qualified_kind: str, group: str, version: str, kind: str,
                 description: str) -> str:
        """Publish a built-in kind's struct (KIND_SCHEMAS key `qualified_kind`) with its GVK;
        returns its schema name."""
        struct = KIND_SCHEMAS[qualified_kind]
        name = f"{_PACKAGE_OF.get(id(struct), 'io.k8s.api')}.{kind}"
        self._publish(name, struct)
        self.schemas[name] |= {
            "description": description,
            "x-kubernetes-group-version-kind": [
                {"group": group, "kind": kind, "version": version}]}
        return name

    def add_list(self, item_name: str, group: str, version: str, kind: str) -> str:
        """Publish `<Kind>List`: apiVersion, kind, ListMeta and the items."""
        self.add_named(f"{META}.ListMeta", _LIST_META)
        name = f"{item_name}List"
        self.schemas[name] = {
            "description": f"A list of {kind} objects.",
            "type": "object",
            "required": ["items"],
            "properties": {
                "apiVersion": {"type": "string"},
                "kind": {"type": "string"},
                "metadata": _ref(f"{META}.ListMeta"),
                "items": {"type": "array", "items": _ref(item_name)},
            },
            "x-kubernetes-group-version-kind": [
                {"group": group, "kind": f"{kind}List", "version": version}],
        }
        return name

    def add_named(self, name: str, schema: dict) -> None:
        """Publish a schema under `name` (once)."""
        self.schemas.setdefault(name, schema)

    def field(self, node: SchemaType) -> dict:
        """The schema of a field of type `node`, publishing the named types it uses."""
        if isinstance(node, Scalar):
            if node.json_type is bool:
                return {"type": "boolean"}
            if node.json_type is int:
                return {"type": "integer", "format": f"int{node.bits or 64}"}
            return {"type": "string"}
        if isinstance(node, Quantity):
            return self._scalar_ref("io.k8s.apimachinery.pkg.api.resource.Quantity")
        if isinstance(node, IntOrString):
            return self._scalar_ref("io.k8s.apimachinery.pkg.util.intstr.IntOrString")
        if isinstance(node, Time):
            return self._scalar_ref(_TIME_NAMES.get(node.go, f"{META}.Time"))
        if isinstance(node, ListOf):
            return {"type": "array", "items": self.field(node.item)}
        if isinstance(node, MapOf):
            return {"type": "object", "additionalProperties": self.field(node.value)}
        name = self._name(node)
        if name is None:
            return self._struct(node) if isinstance(node, Struct) else {"type": "object"}
        self._publish(name, node)
        return _ref(name)

    def _scalar_ref(self, name: str) -> dict:
        self.add_named(name, SCALAR_SCHEMAS[name])
        return {"$ref": REF_PREFIX + name}

    def _name(self, node: Struct | Opaque | AnyJSON) -> str | None:
        """The schema name of a struct, or None when another struct already has it (then the
        field's schema is written inline)."""
        package = _PACKAGE_OF.get(id(node), "io.k8s.api")
        name = f"{package}.{node.go.rpartition('.')[2]}"
        if self._named.setdefault(name, id(node)) != id(node):
            return None
        return name

    def _publish(self, name: str, node: Struct | Opaque | AnyJSON) -> None:
        if name in self.schemas:
            return
        self._named.setdefault(name, id(node))
        self.schemas[name] = {"type": "object"}  # placeholder: a struct may refer to itself
        if isinstance(node, Struct):
            self.schemas[name] = self._struct(node)

    def _struct(self, struct: Struct) -> dict:
        properties = {}
        for key, value in struct.fields.items():
            schema = self.field(value)
            if key in FIELD_DESCRIPTIONS:
                schema = {"description": FIELD_DESCRIPTIONS[key], **schema}
            properties[key] = schema
        return {"type": "object", "properties": properties}


# Short descriptions of our own for the fields every reader meets first; the rest have none.
FIELD_DESCRIPTIONS = {
    "apiVersion": "The versioned API group of this object's schema, e.g. apps/v1.",
    "kind": "The kind of object, e.g. Pod.",
    "metadata": "Name, namespace, labels, annotations, owners and the server's bookkeeping.",
    "spec": "The desired state, written by users and controllers.",
    "status": "The observed state, written by the component that owns the object.",
    "labels": "Key-value pairs that selectors match.",
    "annotations": "Key-value pairs for tools; selectors ignore them.",
    "replicas": "How many pods.",
    "selector": "Which pods (by label) this object manages or targets.",
    "template": "The pod this object creates copies of.",
    "containers": "The containers of the pod; they share its network and volumes.",
    "initContainers": "Containers that run to completion, in order, before the others start.",
    "image": "The container image to run, e.g. nginx:1.27.",
    "command": "The program to run, replacing the image's ENTRYPOINT.",
    "args": "Its arguments, replacing the image's CMD.",
    "env": "Environment variables of the container.",
    "resources": "CPU and memory requests (for scheduling) and limits (enforced by cgroups).",
    "nodeName": "The node the pod is bound to; the scheduler sets it.",
    "nodeSelector": "Labels a node must have for the pod to be scheduled onto it.",
    "restartPolicy": "Always, OnFailure or Never: what the kubelet does when a container exits.",
    "conditions": "The latest observations of the object's state, one per type.",
}


_LIST_META = {"type": "object", "properties": {
    "resourceVersion": {"type": "string"}, "continue": {"type": "string"},
    "remainingItemCount": {"type": "integer", "format": "int64"},
    "selfLink": {"type": "string"}}}


def _ref(name: str) -> dict:
    """A field that holds a named object, as upstream's v3 documents write it."""
    return {"allOf": [{"$ref": REF_PREFIX + name}], "default": {}}
