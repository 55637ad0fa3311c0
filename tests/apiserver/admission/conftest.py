"""Admission requests built by hand, and a driver that runs a plugin's generator to its end."""

from __future__ import annotations

from collections.abc import Generator

import pytest

from k8slab.api.defaults import apply_defaults
from k8slab.api.kinds import kind_info
from k8slab.apiserver.admission import AdmissionRequest
from k8slab.apiserver.request_info import ALL_AUTHENTICATED, UserInfo, request_attributes

# What admin.conf's certificate authenticates as (O=kubeadm:cluster-admins).
ADMIN = UserInfo("kubernetes-admin", ("kubeadm:cluster-admins", ALL_AUTHENTICATED))


def run(steps: Generator):
    """Drive a plugin step that reads only in-memory objects (it must not wait on anything)."""
    try:
        while True:
            next(steps)
    except StopIteration as done:
        return done.value


def review(operation: str, obj: dict | None, old: dict | None = None, *, verb: str = "",
           user: str = "kubernetes-admin") -> AdmissionRequest:
    """An AdmissionRequest for `obj` (defaulted, as the server hands it to admission)."""
    subject = obj if obj is not None else old
    kind = kind_info(subject["kind"], subject["apiVersion"])
    meta = subject.get("metadata") or {}
    default_verb = {"CREATE": "create", "UPDATE": "update", "DELETE": "delete"}[operation]
    request = {"verb": verb or default_verb, "resource": kind.resource,
               "namespace": meta.get("namespace"), "body": obj,
               "name": meta.get("name") if operation != "CREATE" else None}
    who = ADMIN if user == ADMIN.name else UserInfo(user, (ALL_AUTHENTICATED,))
    attributes = request_attributes(request, who)
    defaulted = apply_defaults(obj) if obj is not None else None
    return AdmissionRequest(operation, kind, attributes, defaulted, old)


class FakeLister:
    """The objects a plugin may read, by kind: what the watch cache would hold."""

    def __init__(self, *objects: dict) -> None:
        self.objects = list(objects)

    def list(self, kind, namespace=None) -> Generator:
        return [o for o in self.objects if o["kind"] == kind.kind and (
            namespace is None or o["metadata"].get("namespace") == namespace)]
        yield

    def get(self, kind, namespace, name, *, live_on_miss: bool = False) -> Generator:
        found = yield from self.list(kind, namespace)
        return next((o for o in found if o["metadata"]["name"] == name), None)


@pytest.fixture
def pod_spec():
    """pod_spec(name="web", namespace="default", metadata=None, **spec): a one-container pod."""
    def build(name: str = "web", namespace: str = "default", metadata: dict | None = None,
              **spec) -> dict:
        spec.setdefault("containers", [{"name": "c", "image": "nginx:1.27"}])
        return {"apiVersion": "v1", "kind": "Pod",
                "metadata": {"name": name, "namespace": namespace, **(metadata or {})},
                "spec": spec}
    return build
