"""Hand-written objects shaped as the API server returns them, for the kubectl read tests."""

from __future__ import annotations

from k8slab.errors import NotFoundError

NOW = 330.0  # 2026-01-01T00:05:30Z

KINDS = {
    "pods": "Pod", "nodes": "Node", "namespaces": "Namespace", "leases": "Lease",
    "events": "Event", "deployments": "Deployment", "replicasets": "ReplicaSet",
    "replicationcontrollers": "ReplicationController", "daemonsets": "DaemonSet",
    "statefulsets": "StatefulSet", "jobs": "Job", "services": "Service",
    "endpointslices": "EndpointSlice", "configmaps": "ConfigMap",
}


class Reader:
    """A cluster reader over fixed objects, listed by (namespace, name) as the API server does."""

    def __init__(self, *objects: dict, now: float = NOW, changes=()) -> None:
        self.now = now
        self.objects = objects
        self.changes = list(changes)
        self.calls: list[tuple] = []

    def list(self, resource: str, namespace: str | None) -> list[dict]:
        self.calls.append(("list", resource, namespace))
        return self._stored(resource, namespace)

    def _stored(self, resource: str, namespace: str | None) -> list[dict]:
        found = [o for o in self.objects if o["kind"] == KINDS[resource]
                 and (namespace is None or o["metadata"].get("namespace") == namespace)]
        return sorted(found, key=lambda o: (o["metadata"].get("namespace", ""),
                                            o["metadata"]["name"]))

    def get(self, resource: str, namespace: str | None, name: str) -> dict:
        self.calls.append(("get", resource, namespace, name))
        for obj in self._stored(resource, namespace):
            if obj["metadata"]["name"] == name:
                return obj
        raise NotFoundError(f"{resource} {name} is not stored")

    def list_and_watch(self, resource, namespace, seconds):
        listed = self._stored(resource, namespace)
        self.now += seconds
        return listed, [c for c in self.changes
                        if c.type == "ERROR" or c.object.get("kind") == KINDS[resource]]


def stamp(seconds: float) -> str:
    """RFC3339 time `seconds` after the simulation's epoch (within the hour)."""
    whole = int(seconds)
    return f"2026-01-01T00:{whole // 60:02d}:{whole % 60:02d}Z"


def meta(name, namespace="default", created=0, **extra):
    return {"name": name, "namespace": namespace, "creationTimestamp": stamp(created),
            "uid": f"uid-{name}", "resourceVersion": "42", **extra}


def template(labels, *containers):
    return {"metadata": {"labels": dict(labels)},
            "spec": {"containers": [{"name": n, "image": i} for n, i in containers]}}


def deployment(name, replicas=3, ready=3, updated=3, available=3, created=0, **spec):
    return {
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": meta(name, created=created),
        "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                 "template": template({"app": name}, ("nginx", "nginx:1.27")), **spec},
        "status": {"replicas": replicas, "readyReplicas": ready, "updatedReplicas": updated,
                   "availableReplicas": available},
    }


def replica_set(name, owner=None, replicas=3, current=3, ready=3, created=0, labels=None):
    metadata = meta(name, created=created, labels=labels or {"app": "web"})
    if owner:
        metadata["ownerReferences"] = [{"apiVersion": "apps/v1", "kind": "Deployment",
                                        "name": owner["metadata"]["name"],
                                        "uid": owner["metadata"]["uid"], "controller": True}]
    return {
        "apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": metadata,
        "spec": {"replicas": replicas, "selector": {"matchLabels": dict(labels or {"app": "web"})},
                 "template": template(labels or {"app": "web"}, ("nginx", "nginx:1.27"))},
        "status": {"replicas": current, "readyReplicas": ready},
    }


def event(name, reason, involved, *, first, last=None, count=1, type_="Normal",
          message="", component="", host="", namespace="default", **extra):
    return {
        "apiVersion": "v1", "kind": "Event", "metadata": meta(name, namespace, first),
        "involvedObject": involved, "reason": reason, "message": message, "type": type_,
        "source": {"component": component, **({"host": host} if host else {})},
        "firstTimestamp": stamp(first), "lastTimestamp": stamp(last if last is not None else first),
        "count": count, **extra,
    }


def ref(obj, **extra):
    m = obj["metadata"]
    return {"kind": obj["kind"], "namespace": m.get("namespace", ""), "name": m["name"],
            "uid": m["uid"], "apiVersion": obj["apiVersion"], **extra}
