"""dryRun=All: a write that passes every step of the real one and stores nothing.

A dry run goes through the same handlers as a real write (defaulting, mutating admission,
validation, validating admission, graceful deletion) over a storage that reads etcd but never
writes it, as upstream's DryRunnableStorage does (apiserver pkg/registry/generic/registry/
dryrun.go): a create checks the name is free, an update runs its try on the stored object, a
delete checks its preconditions, and each answers what would have been stored.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Generator

from k8slab.api.kinds import Kind
from k8slab.apiserver.object_copy import json_copy
from k8slab.apiserver.storage import Storage, qualified
from k8slab.errors import AlreadyExistsError, BadRequestError, InvalidError, NotFoundError

# The only value dryRun accepts (metav1.DryRunAll; ValidateDryRun refuses any other).
DRY_RUN_ALL = "All"
# Which options a verb's dryRun comes with: the kind a refused value's 422 names.
OPTIONS_OF_VERB = {"create": "CreateOptions", "bind": "CreateOptions", "evict": "CreateOptions",
                   "token": "CreateOptions", "update": "UpdateOptions",
                   "update_status": "UpdateOptions", "update_scale": "UpdateOptions",
                   "finalize": "UpdateOptions", "patch": "PatchOptions",
                   "delete": "DeleteOptions"}


def check_dry_run(values: object, verb: str) -> None:
    """ValidateDryRun (apimachinery meta/v1/validation) on a request's dryRun values: each
    must be "All"; otherwise the 422 upstream words, naming the verb's options. A read with
    dryRun is a 400: only writes have it."""
    if values is None:
        return
    options = OPTIONS_OF_VERB.get(verb)
    if options is None:
        raise BadRequestError(f"dryRun is an option of writes, not of {verb}")
    if not isinstance(values, list) or any(value != DRY_RUN_ALL for value in values):
        shown = json.dumps(values, separators=(",", ":"))  # how field.Error shows a list
        raise InvalidError(f'{options}.meta.k8s.io "" is invalid: dryRun: Unsupported value: '
                           f'{shown}: supported values: "{DRY_RUN_ALL}"')


class DryRunStorage(Storage):
    """A storage sharing `storage`'s etcd client whose writes answer without writing."""

    def __init__(self, storage: Storage) -> None:
        super().__init__(storage.etcd)

    def create(self, kind: Kind, obj: dict, ttl: int | None = None) -> Generator:
        """The object as given (no resourceVersion: etcd never saw it); AlreadyExists if the
        name is taken. No lease is granted for a `ttl`."""
        meta = obj["metadata"]
        try:
            yield from self.get(kind, meta.get("namespace"), meta["name"])
        except NotFoundError:
            return json_copy(obj)
        raise AlreadyExistsError(f'{qualified(kind)} "{meta["name"]}" already exists')

    def update(self, kind: Kind, obj: dict, mutate: Callable[[dict], dict],
               admit: Callable[[dict, dict], Generator] | None = None) -> Generator:
        """What `mutate` (and `admit`) make of the stored object; a stale resourceVersion is
        still a Conflict."""
        _, updated = yield from self._updated(kind, obj, mutate, admit)
        return updated

    def delete(self, kind: Kind, namespace: str | None, name: str, *, uid: str | None = None,
               resource_version: str | None = None) -> Generator:
        """The stored object, checked against the preconditions; it stays stored."""
        return (yield from self._deletable(kind, namespace, name, uid, resource_version))
