"""Whatever a reader types into a field, validation accepts it or says what is wrong, in words.

Hypothesis puts arbitrary values (JSON and not: sets, bytes, times, NaN, huge numbers) at every
field path the typed description knows, in a valid object of every modelled kind, and checks
that validation either accepts the object, and what reads it then works, or raises a
K8sLabError and leaves the object as it was: never a Python error from deep inside.
"""

from __future__ import annotations

import copy
import datetime
import json
import math
import os
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from k8slab.api import apply_defaults, dump_manifest, load_manifests, node_allocatable, pod_requests
from k8slab.api.schema import KIND_SCHEMAS
from k8slab.api.schema.types import ListOf, MapOf, Struct
from k8slab.api.validation import validate
from k8slab.errors import K8sLabError

VALID = {
    "Pod": {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "web", "namespace": "default", "labels": {"app": "web"}},
        "spec": {
            "containers": [
                {
                    "name": "web",
                    "image": "nginx",
                    "ports": [{"containerPort": 80}],
                    "resources": {"requests": {"cpu": "100m"}, "limits": {"memory": "1Gi"}},
                }
            ],
            "tolerations": [{"key": "a", "operator": "Exists"}],
            "affinity": {
                "nodeAffinity": {
                    "requiredDuringSchedulingIgnoredDuringExecution": {
                        "nodeSelectorTerms": [
                            {"matchExpressions": [{"key": "a", "operator": "In", "values": ["b"]}]}
                        ]
                    }
                }
            },
            "topologySpreadConstraints": [
                {
                    "maxSkew": 1,
                    "topologyKey": "zone",
                    "whenUnsatisfiable": "DoNotSchedule",
                    "labelSelector": {"matchLabels": {"app": "web"}},
                }
            ],
        },
    },
    "Node": {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": "node-1"},
        "spec": {"taints": [{"key": "a", "effect": "NoSchedule"}]},
        "status": {"capacity": {"cpu": "4", "memory": "8Gi", "pods": "110"}},
    },
    "Namespace": {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "dev"}},
    "Lease.coordination.k8s.io": {
        "apiVersion": "coordination.k8s.io/v1",
        "kind": "Lease",
        "metadata": {"name": "node-1", "namespace": "kube-node-lease"},
        "spec": {"holderIdentity": "node-1", "renewTime": "2026-01-01T00:00:10.000000Z"},
    },
}
TEMPLATE = {"metadata": {"labels": {"app": "web"}},
            "spec": {"containers": [{"name": "web", "image": "nginx"}]}}
SELECTOR = {"matchLabels": {"app": "web"},
            "matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["db"]}]}
for _kind, _version in (("Deployment", "apps/v1"), ("ReplicaSet", "apps/v1"),
                        ("DaemonSet", "apps/v1"), ("StatefulSet", "apps/v1")):
    VALID[f"{_kind}.apps"] = {
        "apiVersion": _version, "kind": _kind, "metadata": {"name": "web"},
        "spec": {"selector": copy.deepcopy(SELECTOR), "template": copy.deepcopy(TEMPLATE),
                 "replicas": 2} if _kind != "DaemonSet" else
                {"selector": copy.deepcopy(SELECTOR), "template": copy.deepcopy(TEMPLATE)},
        "status": {"replicas": 1},
    } if _kind != "DaemonSet" else {
        "apiVersion": _version, "kind": _kind, "metadata": {"name": "web"},
        "spec": {"selector": copy.deepcopy(SELECTOR), "template": copy.deepcopy(TEMPLATE)},
    }
VALID["ReplicationController"] = {
    "apiVersion": "v1", "kind": "ReplicationController", "metadata": {"name": "web"},
    "spec": {"replicas": 1, "template": copy.deepcopy(TEMPLATE)},
}
VALID["Job.batch"] = {
    "apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "pi"},
    "spec": {"manualSelector": True, "selector": {"matchLabels": {"job": "pi"}},
             "template": {"metadata": {"labels": {"job": "pi"}},
                          "spec": {"restartPolicy": "Never",
                                   "containers": [{"name": "pi", "image": "perl"}]}}},
}
VALID["Event"] = {
    "apiVersion": "v1", "kind": "Event", "metadata": {"name": "web.1", "namespace": "default"},
    "involvedObject": {"kind": "Pod", "name": "web", "namespace": "default"},
    "reason": "Scheduled", "message": "Successfully assigned default/web to node-1",
    "type": "Normal", "count": 1,
}
VALID["Event.events.k8s.io"] = {
    "apiVersion": "events.k8s.io/v1", "kind": "Event",
    "metadata": {"name": "web.2", "namespace": "default"},
    "eventTime": "2026-01-01T00:00:00.000000Z", "reportingController": "default-scheduler",
    "reportingInstance": "default-scheduler-node-1", "action": "Binding", "reason": "Scheduled",
    "regarding": {"kind": "Pod", "name": "web", "namespace": "default"},
    "note": "Successfully assigned default/web to node-1", "type": "Normal",
}
VALID["Service"] = {
    "apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": "default"},
    "spec": {"type": "NodePort", "selector": {"app": "web"}, "sessionAffinity": "ClientIP",
             "ports": [{"name": "http", "port": 80, "targetPort": "http", "nodePort": 30080}]},
}
VALID["EndpointSlice.discovery.k8s.io"] = {
    "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
    "metadata": {"name": "web-abcde", "namespace": "default"}, "addressType": "IPv4",
    "endpoints": [{"addresses": ["10.244.1.5"], "conditions": {"ready": True},
                   "nodeName": "node-1", "targetRef": {"kind": "Pod", "name": "web"}}],
    "ports": [{"name": "http", "port": 80, "protocol": "TCP"}],
}
VALID["CustomResourceDefinition.apiextensions.k8s.io"] = {
    "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
    "metadata": {"name": "webapps.example.com"},
    "spec": {"group": "example.com", "scope": "Namespaced",
             "names": {"plural": "webapps", "kind": "WebApp", "shortNames": ["wa"]},
             "versions": [{"name": "v1", "served": True, "storage": True,
                           "schema": {"openAPIV3Schema": {"type": "object", "properties": {
                               "spec": {"type": "object", "properties": {
                                   "replicas": {"type": "integer", "minimum": 0,
                                                "default": 1}}}}}},
                           "subresources": {"status": {}, "scale": {
                               "specReplicasPath": ".spec.replicas",
                               "statusReplicasPath": ".status.replicas"}},
                           "additionalPrinterColumns": [
                               {"name": "Replicas", "type": "integer",
                                "jsonPath": ".spec.replicas"}]}]},
}
VALID["ConfigMap"] = {
    "apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg", "namespace": "default"},
    "data": {"Corefile": ".:53 {}"}, "binaryData": {"blob": "AAEC"},
}
_WEBHOOK = {
    "name": "a.webhooks.k8slab.dev", "sideEffects": "None", "admissionReviewVersions": ["v1"],
    "clientConfig": {"service": {"name": "a", "namespace": "default", "path": "/", "port": 443}},
    "rules": [{"operations": ["CREATE"], "apiGroups": [""], "apiVersions": ["v1"],
               "resources": ["pods"], "scope": "*"}],
    "namespaceSelector": {"matchLabels": {"a": "b"}}, "objectSelector": {},
}
for _kind in ("MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"):
    VALID[f"{_kind}.admissionregistration.k8s.io"] = {
        "apiVersion": "admissionregistration.k8s.io/v1", "kind": _kind,
        "metadata": {"name": "a"}, "webhooks": [dict(_WEBHOOK)],
    }
VALID["PriorityClass.scheduling.k8s.io"] = {
    "apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass", "metadata": {"name": "high"},
    "value": 1000, "globalDefault": False, "description": "batch", "preemptionPolicy": "Never",
}
VALID["LimitRange"] = {
    "apiVersion": "v1", "kind": "LimitRange", "metadata": {"name": "limits"},
    "spec": {"limits": [{"type": "Container", "default": {"cpu": "500m"},
                         "defaultRequest": {"cpu": "100m"}, "max": {"cpu": "1"}}]},
}
VALID["ResourceQuota"] = {
    "apiVersion": "v1", "kind": "ResourceQuota", "metadata": {"name": "quota"},
    "spec": {"hard": {"pods": "10", "requests.cpu": "4"}, "scopes": ["NotBestEffort"]},
}
_RBAC = "rbac.authorization.k8s.io"
VALID[f"Role.{_RBAC}"] = {
    "apiVersion": f"{_RBAC}/v1", "kind": "Role",
    "metadata": {"name": "reader", "namespace": "default"},
    "rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get"],
               "resourceNames": ["web"]}],
}
VALID[f"ClusterRole.{_RBAC}"] = {
    "apiVersion": f"{_RBAC}/v1", "kind": "ClusterRole", "metadata": {"name": "system:x"},
    "rules": [{"nonResourceURLs": ["/healthz"], "verbs": ["get"]}],
    "aggregationRule": {"clusterRoleSelectors": [{"matchLabels": {"a": "b"}}]},
}
VALID[f"RoleBinding.{_RBAC}"] = {
    "apiVersion": f"{_RBAC}/v1", "kind": "RoleBinding",
    "metadata": {"name": "read", "namespace": "default"},
    "roleRef": {"apiGroup": _RBAC, "kind": "Role", "name": "reader"},
    "subjects": [{"kind": "ServiceAccount", "name": "bot", "namespace": "default"}],
}
VALID[f"ClusterRoleBinding.{_RBAC}"] = {
    "apiVersion": f"{_RBAC}/v1", "kind": "ClusterRoleBinding", "metadata": {"name": "read"},
    "roleRef": {"apiGroup": _RBAC, "kind": "ClusterRole", "name": "view"},
    "subjects": [{"apiGroup": _RBAC, "kind": "Group", "name": "dev"}],
}
VALID["ServiceAccount"] = {
    "apiVersion": "v1", "kind": "ServiceAccount",
    "metadata": {"name": "robot", "namespace": "default"},
    "secrets": [{"name": "robot-token"}], "imagePullSecrets": [{"name": "registry-key"}],
    "automountServiceAccountToken": False,
}
VALID["Secret"] = {
    "apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s", "namespace": "default"},
    "type": "Opaque", "data": {"password": "aHVudGVyMg=="}, "stringData": {"user": "jane"},
}


def field_paths(schema: Any, prefix: tuple = (), depth: int = 0) -> list[tuple]:
    """Every path the typed description knows, list items as index 0, map values as key "k"."""
    if depth > 12:
        return []
    if isinstance(schema, Struct):
        paths = []
        for name, field in schema.fields.items():
            paths.append((*prefix, name))
            paths += field_paths(field, (*prefix, name), depth + 1)
        return paths
    if isinstance(schema, ListOf):
        return [(*prefix, 0), *field_paths(schema.item, (*prefix, 0), depth + 1)]
    if isinstance(schema, MapOf):
        return [(*prefix, "cpu"), *field_paths(schema.value, (*prefix, "cpu"), depth + 1)]
    return []


PATHS = [(kind, path) for kind, schema in KIND_SCHEMAS.items() for path in field_paths(schema)]
NAMES = sorted({part for _, path in PATHS for part in path if isinstance(part, str)})

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(
        [
            "100m",
            "1Gi",
            "lots",
            "",
            "-1",
            "2026-01-01T00:00:00Z",
            "Always",
            "In",
            "Exists",
            "NoSchedule",
            "DoNotSchedule",
            "a/b",
            "zone",
            "web",
            "metadata.name",
        ]
    ),
)
json_values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.sampled_from(NAMES) | st.text(max_size=6), children, max_size=3)
    ),
    max_leaves=8,
)
not_json = st.one_of(
    st.tuples(scalars),
    st.frozensets(st.integers(), max_size=2),
    st.binary(max_size=4),
    st.datetimes(),
    st.dictionaries(st.integers(), scalars, max_size=2),
)
values = json_values | not_json


def put(obj: dict, path: tuple, value: Any) -> None:
    """Set value at path, creating the mappings and one-item lists on the way."""
    node = obj
    for part, following in zip(path, path[1:], strict=False):
        empty = [] if isinstance(following, int) else {}
        if isinstance(part, int):
            if not isinstance(node, list) or not node:
                return
            if not isinstance(node[0], type(empty)):
                node[0] = empty
            node = node[0]
        else:
            if not isinstance(node.get(part), type(empty)):
                node[part] = empty
            if isinstance(empty, list) and not node[part]:
                node[part].append({})
            node = node[part]
    if isinstance(path[-1], int):
        if isinstance(node, list) and node:
            node[0] = value
    elif isinstance(node, dict):
        node[path[-1]] = value


def use(obj: dict) -> None:
    """What the rest of the lab does with an accepted object: it must not fail."""
    assert json.loads(json.dumps(obj, allow_nan=False)) == obj
    dump_manifest(obj)
    if obj["kind"] == "Pod":
        pod_requests(obj)
    if obj["kind"] == "Node":
        node_allocatable(obj)


changes = st.lists(st.tuples(st.sampled_from(PATHS), values), min_size=1, max_size=3)


@settings(
    max_examples=int(os.environ.get("K8SLAB_EXAMPLES", "400")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(changes)
def test_any_value_at_any_field_is_accepted_or_refused_in_words(edits):
    kind = edits[0][0][0]
    obj = copy.deepcopy(VALID[kind])
    for (edit_kind, path), value in edits:
        if edit_kind == kind:
            put(obj, path, value)
    before = copy.deepcopy(obj)
    try:
        validate(obj)
    except K8sLabError:
        pass
    assert _same(obj, before), "validate() changed its input"
    # The API server decodes and defaults the body, validates it, and stores what it decoded.
    try:
        stored = apply_defaults(obj)
        validate(stored)
    except K8sLabError:
        pass
    else:
        use(stored)
    assert _same(obj, before), "apply_defaults() changed its input"
    # And a manifest: kubectl's reading, decoding, defaulting, validation.
    try:
        loaded = load_manifests(obj)
    except K8sLabError:
        return
    use(loaded[0])


def _same(a: Any, b: Any) -> bool:
    # NaN is not equal to itself; compare it as text.
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a):
        return math.isnan(b)
    if isinstance(a, dict) and isinstance(b, dict):
        return list(a) == list(b) and all(_same(a[key], b[key]) for key in a)
    if isinstance(a, (list, tuple)) and type(a) is type(b):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return a == b


@pytest.mark.parametrize(
    ("kind", "path", "value"),
    [
        ("Pod", ("spec", "containers", 0, "ports"), [80]),
        ("Pod", ("spec", "resources"), {"requests": {"cpu": "lots"}}),
        ("Pod", ("spec", "affinity"), "x"),
        ("Pod", ("spec", "affinity", "nodeAffinity"), 5),
        ("Pod", ("spec", "topologySpreadConstraints"), [5]),
        ("Pod", ("spec", "topologySpreadConstraints", 0, "labelSelector"), 5),
        (
            "Pod",
            (
                "spec",
                "affinity",
                "nodeAffinity",
                "requiredDuringSchedulingIgnoredDuringExecution",
                "nodeSelectorTerms",
                0,
                "matchExpressions",
                0,
                "values",
            ),
            5,
        ),
        ("Lease.coordination.k8s.io", ("spec", "nodeName"), {"a": 1}),
        ("Deployment.apps", ("spec", "strategy", "rollingUpdate", "maxSurge"), True),
        ("Deployment.apps", ("spec", "strategy", "rollingUpdate", "maxSurge"), 2**40),
        ("ReplicaSet.apps", ("spec", "selector", "matchExpressions", 0, "operator"), "Near"),
        ("Pod", ("spec", "foo"), datetime.datetime(2026, 1, 1)),
        ("Pod", ("spec", "foo"), b"\x00"),
        ("Pod", ("spec", "foo"), {1, 2}),
    ],
    ids=[
        "ports-80",
        "pod-level-cpu-lots",
        "affinity-x",
        "nodeAffinity-5",
        "spread-[5]",
        "labelSelector-5",
        "values-5",
        "lease-nodeName-map",
        "maxSurge-bool",
        "maxSurge-too-big",
        "selector-operator",
        "timestamp",
        "binary",
        "set",
    ],
)
def test_the_holes_of_issue_9_are_refused_in_words(kind, path, value):
    obj = copy.deepcopy(VALID[kind])
    put(obj, path, value)
    with pytest.raises(K8sLabError):
        validate(obj)
