"""The NamespaceLifecycle admission plugin: new content needs an existing, Active namespace,
and the system namespaces may not be deleted (kk plugin/pkg/admission/namespace/lifecycle)."""

from __future__ import annotations

from collections.abc import Generator

from k8slab.api.kinds import NAMESPACE
from k8slab.apiserver.admission import CREATE, DELETE, AdmissionPlugin, AdmissionRequest
from k8slab.apiserver.namespace_lifecycle import admit_create, admit_delete
from k8slab.apiserver.storage import Storage
from k8slab.errors import NotFoundError


class NamespaceLifecycle(AdmissionPlugin):
    """Refuses a namespaced create in a missing (404) or Terminating (403) namespace, and the
    deletion of default, kube-system and kube-public (403)."""

    name = "NamespaceLifecycle"
    mutating = True  # upstream implements Admit: it runs before a generateName is expanded

    def __init__(self, storage: Storage) -> None:
        self.storage = storage

    def mutate(self, request: AdmissionRequest) -> Generator:
        """Check the request's namespace (on CREATE) or the namespace deleted (on DELETE)."""
        if request.operation == DELETE and request.kind is NAMESPACE:
            admit_delete(request.attributes.name)
        if request.operation != CREATE or not request.kind.namespaced:
            return
        try:
            namespace = yield from self.storage.get(NAMESPACE, None, request.namespace)
        except NotFoundError:
            raise NotFoundError(f'namespaces "{request.namespace}" not found') from None
        admit_create(request.kind.resource, (request.obj or {}).get("metadata", {}).get(
            "name", ""), namespace)
