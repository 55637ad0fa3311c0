"""The ResourceQuota admission plugin (apiserver pkg/admission/plugin/resourcequota/controller.go
checkQuotas and CheckRequest): the last plugin a write passes.

For each quota of the namespace that covers the object (it limits something the object costs,
and the object is in its scopes) the plugin checks that the containers state what the quota
tracks (`failed quota: q: must specify limits.cpu for: web`), that the controller has counted
usage (`status unknown for quota: ...`), and that used + requested stays within hard
(`exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2`). It then charges the
quota: status.used is written in the same request, guarded by the quota's resourceVersion, and
a conflict re-reads the quota and checks again (three retries), so two creates racing for the
last slot cannot both pass. A create that fails after admission leaves the charge in place
until the resource quota controller recounts (as upstream). Simplified: one request at a time,
where upstream batches a namespace's waiting requests into one update.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Generator

from k8slab.api import quota
from k8slab.api.kinds import POD, RESOURCE_QUOTA
from k8slab.apiserver.admission import UPDATE, AdmissionPlugin, AdmissionRequest
from k8slab.apiserver.admission.forbidden import admission_forbidden
from k8slab.apiserver.admission.listing import Lister, list_namespaced
from k8slab.apiserver.storage import Storage
from k8slab.errors import ConflictError, NotFoundError

RETRIES = 3  # checkAttributes: e.checkQuotas(quotas, admissionAttributes, 3)


def check_request(quotas: list[dict], request: AdmissionRequest,
                  now: float) -> dict[str, quota.ResourceList]:
    """CheckRequest: the new status.used of each quota the request changes, by quota name;
    raises the 403 a quota gives."""
    kind, obj = request.kind, request.obj or {}
    covering = []
    for item in quotas:
        status = item.get("status") or {}
        hard = quota.parse_list(status.get("hard"))
        if not quota.matches(item, sorted(hard), kind, obj):
            continue
        name = item["metadata"]["name"]
        restricted = quota.matching_resources(kind, sorted(hard))
        if kind is POD:
            missing = quota.constraints(restricted, obj)
            if missing:
                raise admission_forbidden(request, f"failed quota: {name}: {missing}")
        used = quota.parse_list(status.get("used"))
        if any(resource not in used for resource in restricted):
            raise admission_forbidden(request, f"status unknown for quota: {name}, resources: "
                                      f"{','.join(restricted)}")
        covering.append((item, hard, used))
    wanted = quota.usage(kind, obj, now)
    changed = {}
    for item, hard, used in covering:
        delta = wanted
        if request.operation == UPDATE and request.old is not None \
                and quota.matches(item, sorted(hard), kind, request.old):
            delta = quota.subtract_non_negative(wanted, quota.usage(kind, request.old, now))
        requested = quota.mask(quota.remove_zeros(delta), sorted(hard))
        if not requested:
            continue
        new_used = quota.add(used, requested)
        over = quota.exceeded(quota.mask(new_used, sorted(requested)), hard)
        if over:
            raise admission_forbidden(request, (
                f"exceeded quota: {item['metadata']['name']}, requested: "
                f"{quota.pretty(quota.mask(requested, over))}, used: "
                f"{quota.pretty(quota.mask(used, over))}, limited: "
                f"{quota.pretty(quota.mask(hard, over))}"))
        changed[item["metadata"]["name"]] = new_used
    return changed


class ResourceQuotaAdmission(AdmissionPlugin):
    """Refuses what would take a namespace over a ResourceQuota, and charges the quota."""

    name = "ResourceQuota"
    validating = True

    def __init__(self, storage: Storage, lister: Lister | None = None,
                 now: Callable[[], float] = lambda: 0.0) -> None:
        self.storage = storage
        self.lister = lister
        self.now = now

    def validate(self, request: AdmissionRequest) -> Generator:
        """Check the request against every quota of its namespace; charge those it uses."""
        if not request.kind.namespaced or request.obj is None or not quota.handles(
                request.kind, request.operation, request.attributes.subresource):
            return
        quotas = yield from list_namespaced(self.storage, self.lister, RESOURCE_QUOTA,
                                            request.namespace)
        charged: list[str] = []
        for attempt in range(RETRIES + 1):
            changed = check_request(quotas, request, self.now())
            if not changed or request.dry_run:
                return
            try:
                for item in quotas:
                    name = item["metadata"]["name"]
                    if name in changed:
                        yield from self._charge(item, changed[name])
                        charged.append(name)
                return
            except (ConflictError, NotFoundError):
                if attempt == RETRIES:
                    raise
            # Another write moved a quota on: read again from etcd the quotas not yet charged
            # and check the request against them only.
            fresh, _ = yield from self.storage.list(RESOURCE_QUOTA, request.namespace)
            quotas = [item for item in fresh if item["metadata"]["name"] not in charged]

    def _charge(self, item: dict, used: quota.ResourceList) -> Generator:
        """UpdateQuotaStatus: write status.used if the quota is still the one read."""
        ref = copy.deepcopy(item)

        def write(current: dict) -> dict:
            current.setdefault("status", {})["used"] = quota.to_strings(used)
            return current

        yield from self.storage.update(RESOURCE_QUOTA, ref, write)
