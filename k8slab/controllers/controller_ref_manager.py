"""Adoption and release: which pods a controller may call its own (upstream's
pkg/controller/controller_ref_manager.go, PodControllerRefManager.ClaimPods).

A pod belongs to the controller named in its ownerReference with controller=true. A
controller adopts an orphan its selector matches (it adds that reference) and releases a pod
it owns that no longer matches (it removes it). Pods of another controller are never touched,
even if the selector matches them. Simplified: upstream writes both as strategic-merge
patches; we send an update at the cached resourceVersion, so a race ends in a Conflict and a
retry instead of a merge.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Generator

from k8slab.api.kinds import kind_info
from k8slab.api.labels import selector_matches
from k8slab.client.rest import Client
from k8slab.controllers.controller_utils import controller_ref, new_controller_ref
from k8slab.errors import K8sLabError, NotFoundError


def selected_by(selector: dict | None) -> Callable[[dict], bool]:
    """A pod test: the pod's labels match the metav1.LabelSelector."""
    return lambda pod: selector_matches(selector, pod["metadata"].get("labels") or {})


class ClaimError(K8sLabError):
    """The owner cannot adopt: it is gone or being deleted (RecheckDeletionTimestamp)."""


class PodClaimer:
    """Claims pods for one owner, checking once, on the first adoption, that it still lives."""

    def __init__(self, client: Client, owner: dict, matches: Callable[[dict], bool]) -> None:
        """`matches(pod)` says whether the owner's selector (and any filter) takes the pod."""
        self.client = client
        self.owner = owner
        self.matches = matches
        self._checked = False

    def claim(self, pods: list[dict]) -> Generator:
        """The pods that are the owner's after adopting and releasing; raises the first error
        after trying every pod, as ClaimPods aggregates them."""
        owner_uid = self.owner["metadata"]["uid"]
        deleting = bool(self.owner["metadata"].get("deletionTimestamp"))
        claimed: list[dict] = []
        errors: list[K8sLabError] = []
        for pod in pods:
            ref = controller_ref(pod)
            matches = self.matches(pod)
            try:
                if ref is not None:
                    if ref.get("uid") != owner_uid:
                        continue
                    if matches:
                        claimed.append(pod)
                    elif not deleting:
                        yield from self._release(pod)
                    continue
                if deleting or not matches or pod["metadata"].get("deletionTimestamp"):
                    continue
                adopted = yield from self._adopt(pod)
                if adopted is not None:
                    claimed.append(adopted)
            except K8sLabError as error:
                errors.append(error)
        if errors:
            raise errors[0]
        return claimed

    def _can_adopt(self) -> Generator:
        # An uncached read of the owner: adopting for an owner being deleted would race the
        # garbage collector (kk issue #42639).
        if self._checked:
            return
        meta = self.owner["metadata"]
        fresh = yield from self.client.get(_resource(self.owner), meta["name"], meta["namespace"])
        if fresh["metadata"].get("uid") != meta["uid"]:
            raise ClaimError(f"original {self.owner['kind']} {meta['namespace']}/{meta['name']} "
                             f"is gone: got uid {fresh['metadata'].get('uid')}, "
                             f"wanted {meta['uid']}")
        if fresh["metadata"].get("deletionTimestamp"):
            raise ClaimError(f"{meta['namespace']}/{meta['name']} has just been deleted at "
                             f"{fresh['metadata']['deletionTimestamp']}")
        self._checked = True

    def _adopt(self, pod: dict) -> Generator:
        yield from self._can_adopt()
        changed = copy.deepcopy(pod)
        refs = changed["metadata"].setdefault("ownerReferences", [])
        refs.append(new_controller_ref(self.owner))
        try:
            return (yield from self.client.update(changed))
        except NotFoundError:
            return None  # gone already: nothing to adopt

    def _release(self, pod: dict) -> Generator:
        changed = copy.deepcopy(pod)
        uid = self.owner["metadata"]["uid"]
        changed["metadata"]["ownerReferences"] = [
            r for r in changed["metadata"].get("ownerReferences") or [] if r.get("uid") != uid]
        try:
            yield from self.client.update(changed)
        except NotFoundError:
            pass  # gone already: nothing to release


def _resource(owner: dict) -> str:
    return kind_info(owner["kind"], owner.get("apiVersion")).resource
