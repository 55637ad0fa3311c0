"""A namespace's life: Active on create, Terminating on delete, gone once finalized.

Upstream splits this between the namespace registry (kk pkg/registry/core/namespace/storage:
DELETE marks the namespace instead of removing it while `spec.finalizers` is not empty, and
the `namespaces/<name>/finalize` subresource writes that list) and the NamespaceLifecycle
admission plugin (kk plugin/pkg/admission/namespace/lifecycle: no new content in a Terminating
namespace, and the system namespaces may not be deleted). The namespace controller empties the
namespace and then finalizes it.
"""

from __future__ import annotations

from collections.abc import Callable, Generator

from k8slab.api.kinds import NAMESPACE, Kind
from k8slab.api.timestamps import to_time
from k8slab.apiserver.deletion import DeleteOptions, Deleter
from k8slab.apiserver.storage import Storage
from k8slab.errors import BadRequestError, ConflictError, ForbiddenError, NotFoundError

# v1.FinalizerKubernetes: the token the namespace controller removes when the namespace is empty.
FINALIZER_KUBERNETES = "kubernetes"
# kube-apiserver builds the admission plugin with these (lifecycle.NewLifecycle in
# kk pkg/kubeapiserver/options/admission.go): default, kube-system, kube-public.
IMMORTAL_NAMESPACES = ("default", "kube-system", "kube-public")
ACTIVE, TERMINATING = "Active", "Terminating"


def prepare_namespace_for_create(obj: dict) -> None:
    """namespaceStrategy.PrepareForCreate: phase Active, and the `kubernetes` finalizer in
    spec.finalizers (added if the client left it out). Changes `obj`."""
    obj["status"] = {"phase": ACTIVE}
    spec = obj.setdefault("spec", {})
    finalizers = list(spec.get("finalizers") or [])
    if FINALIZER_KUBERNETES not in finalizers:
        finalizers.append(FINALIZER_KUBERNETES)
    spec["finalizers"] = finalizers


def prepare_namespace_for_update(old: dict, new: dict) -> None:
    """namespaceStrategy.PrepareForUpdate: a plain update keeps the stored spec.finalizers and
    status; only the finalize and status subresources write them. Changes `new`."""
    new.setdefault("spec", {})["finalizers"] = list(old.get("spec", {}).get("finalizers") or [])
    new["status"] = old.get("status", {})


def admit_create(resource: str, name: str, namespace_obj: dict) -> None:
    """NamespaceLifecycle on CREATE: refuse new content in a namespace being terminated (403).

    Admission runs before a generateName is expanded, so such a create names no object."""
    if namespace_obj.get("status", {}).get("phase") != TERMINATING:
        return
    ns = namespace_obj["metadata"]["name"]
    subject = f'{resource} "{name}"' if name else resource
    raise ForbiddenError(f"{subject} is forbidden: unable to create new content in namespace "
                         f"{ns} because it is being terminated")


def admit_delete(name: str) -> None:
    """NamespaceLifecycle on DELETE: the system namespaces may not be deleted (403)."""
    if name in IMMORTAL_NAMESPACES:
        raise ForbiddenError(f'namespaces "{name}" is forbidden: this namespace may not be '
                             "deleted")


class NamespaceRegistry:
    """The namespace storage's own DELETE and finalize, in front of the generic Deleter."""

    def __init__(self, storage: Storage, deleter: Deleter, now: Callable[[], float]) -> None:
        self.storage = storage
        self.deleter = deleter
        self.now = now

    def delete(self, name: str, options: DeleteOptions) -> Generator:
        """First DELETE marks the namespace Terminating; while spec.finalizers is not empty
        every DELETE answers the namespace as it is; once it is empty, the namespace goes."""
        namespace = yield from self.storage.get(NAMESPACE, None, name)
        if not namespace["metadata"].get("deletionTimestamp"):

            def mark(existing: dict) -> dict:
                existing["metadata"].setdefault("deletionTimestamp", to_time(self.now()))
                existing.setdefault("status", {})["phase"] = TERMINATING
                return existing

            ref = {"metadata": {"name": name, "resourceVersion": options.resource_version}}
            namespace = yield from self.storage.update(NAMESPACE, ref, mark)
        if namespace.get("spec", {}).get("finalizers"):
            return namespace
        return (yield from self.deleter.delete(NAMESPACE, None, name, options))

    def finalize(self, kind: Kind, body: dict) -> Generator:
        """PUT namespaces/<name>/finalize: write spec.finalizers only; a Terminating namespace
        left with no finalizers of either kind is removed (ShouldDeleteNamespaceDuringUpdate)."""
        if kind is not NAMESPACE:
            raise BadRequestError(f"finalize is a subresource of namespaces, not {kind.resource}")
        finalizers = (body.get("spec") or {}).get("finalizers") or []
        if not isinstance(finalizers, list) or not all(isinstance(f, str) for f in finalizers):
            raise BadRequestError("spec.finalizers of a namespaces/finalize body must be a list "
                                  f"of strings, got {finalizers!r}")

        def write(existing: dict) -> dict:
            existing.setdefault("spec", {})["finalizers"] = list(finalizers)
            return existing

        updated = yield from self.storage.update(NAMESPACE, body, write)
        meta = updated["metadata"]
        if finalizers or not meta.get("deletionTimestamp") or meta.get("finalizers"):
            return updated
        try:
            yield from self.storage.delete(NAMESPACE, None, meta["name"],
                                           resource_version=meta["resourceVersion"])
        except (NotFoundError, ConflictError):
            pass  # already gone, or a newer write will finish it
        return updated
