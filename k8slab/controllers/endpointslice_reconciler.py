"""The EndpointSlice reconciler's packing: given a Service, its pods and its current slices,
which slices to create, update and delete so that every wanted endpoint is in exactly one slice
of at most `max_per_slice`, with as few writes as it can (staging/src/k8s.io/endpointslice/
reconciler.go, reconcileByAddressType and reconcileByPortMapping).

Per group of pods serving the same ports: (1) keep each slice's endpoints that are still wanted,
updating changed ones, deleting slices left empty; (2) top up the slices already being updated,
fullest first; (3) put what is left into the unchanged slice it fills closest to full, or into
new slices. A Service with no endpoints keeps one empty placeholder slice. Creates that coincide
with deletes become updates of the slices to delete.

Simplified: one address type (IPv4); no topology hints or trafficDistribution; where upstream
pops "any" endpoint from a Go map, this pops in pod-name order, so a seed makes one history.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field

from k8slab.controllers.endpointslice_desired import (
    endpoint_key,
    endpoint_ports,
    endpoint_view,
    new_slice,
    owned_by,
    pod_to_endpoint,
    port_map_key,
    should_pod_be_in_endpoints,
    slice_labels,
)

# --max-endpoints-per-slice's default (pkg/controller/endpointslice/config/v1alpha1/defaults.go).
MAX_ENDPOINTS_PER_SLICE = 100


@dataclass
class SlicePlan:
    """The writes one sync makes: slices to create (no name yet), to update, to delete."""

    create: list[dict] = field(default_factory=list)
    update: list[dict] = field(default_factory=list)
    delete: list[dict] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _name(slice_: dict) -> str:
    return slice_["metadata"].get("name", "")


def desired_endpoints(service: dict, pods: list[dict], nodes: Mapping[str, dict],
                      errors: list[str]) -> dict[tuple, tuple[list[dict], dict[tuple, dict]]]:
    """Wanted endpoints grouped by port map: key -> (ports, {endpoint key: endpoint}).

    A pod on a node the cache does not know is skipped with upstream's error (and the
    Service retried), unless publishNotReadyAddresses asks for every address."""
    meta = service["metadata"]
    publish = bool((service.get("spec") or {}).get("publishNotReadyAddresses"))
    desired: dict[tuple, tuple[list[dict], dict[tuple, dict]]] = {}
    for pod in sorted(pods, key=lambda p: p["metadata"]["name"]):
        if not should_pod_be_in_endpoints(pod):
            continue
        ports = endpoint_ports(service, pod)
        ports_key = port_map_key(ports)
        group = desired.setdefault(ports_key, (ports, {}))
        node_name = (pod.get("spec") or {}).get("nodeName") or ""
        node = nodes.get(node_name)
        if node is None and not publish:
            errors.append(f"skipping Pod {pod['metadata']['name']} for Service "
                          f"{meta.get('namespace')}/{meta['name']}: Node {node_name} Not Found")
            continue
        endpoint = pod_to_endpoint(pod, node, service)
        if endpoint["addresses"]:
            group[1][endpoint_key(endpoint)] = endpoint
    return desired


def reconcile(service: dict, pods: list[dict], nodes: Mapping[str, dict],
              existing: list[dict], max_per_slice: int = MAX_ENDPOINTS_PER_SLICE) -> SlicePlan:
    """The plan for one Service (reconcileByAddressType, then finalize's create-to-update)."""
    plan = SlicePlan()
    existing = sorted(existing, key=_name)
    by_ports: dict[tuple, list[dict]] = {}
    for slice_ in existing:
        if owned_by(slice_, service):
            by_ports.setdefault(port_map_key(slice_.get("ports")), []).append(slice_)
        else:
            plan.delete.append(slice_)  # left by an older Service of the same name
    desired = desired_endpoints(service, pods, nodes, plan.errors)
    for ports_key, (ports, wanted) in desired.items():
        create, update, delete = by_port_mapping(service, by_ports.get(ports_key, []),
                                                 dict(wanted), ports, max_per_slice)
        plan.create += create
        plan.update += update
        plan.delete += delete
    for ports_key, slices in by_ports.items():
        if ports_key not in desired:
            plan.delete += slices
    if len(existing) == len(plan.delete) and not plan.create:
        placeholder = new_slice(service, [])
        if len(plan.delete) == 1 and _is_placeholder(plan.delete[0], placeholder):
            plan.delete = []
        else:
            plan.create.append(placeholder)
    _creates_to_updates(service, plan)
    return plan


def _is_placeholder(slice_: dict, placeholder: dict) -> bool:
    """placeholderSliceCompare: no ports, no endpoints, same namespace, labels and owner."""
    meta, wanted = slice_["metadata"], placeholder["metadata"]
    return (not slice_.get("ports") and not slice_.get("endpoints")
            and slice_.get("addressType") == placeholder["addressType"]
            and meta.get("namespace") == wanted["namespace"]
            and (meta.get("labels") or {}) == wanted["labels"]
            and meta.get("ownerReferences") == wanted["ownerReferences"])


def _creates_to_updates(service: dict, plan: SlicePlan) -> None:
    """finalize: a slice to create takes over the name of a slice to delete (same address type,
    owned by this Service), so one update replaces a create and a delete."""
    index = 0
    while index < len(plan.delete) and plan.create:
        doomed = plan.delete[index]
        if doomed.get("addressType") == plan.create[-1]["addressType"] and owned_by(doomed,
                                                                                      service):
            slice_ = plan.create.pop()
            meta = dict(slice_["metadata"], name=_name(doomed),
                        resourceVersion=doomed["metadata"].get("resourceVersion"),
                        uid=doomed["metadata"].get("uid"))
            meta.pop("generateName", None)
            plan.update.append(dict(slice_, metadata=meta))
            del plan.delete[index]
        else:
            index += 1


def by_port_mapping(service: dict, existing: list[dict], wanted: dict[tuple, dict],
                    ports: list[dict], max_per_slice: int
                    ) -> tuple[list[dict], list[dict], list[dict]]:
    """reconcileByPortMapping for one group of ports: (create, update, delete)."""
    by_name: dict[str, dict] = {}
    unchanged: list[str] = []
    to_update: list[str] = []
    to_delete: list[str] = []
    # 1. Keep the wanted endpoints of each slice; note changed ones and changed labels.
    for slice_ in existing:
        name = _name(slice_)
        by_name[name] = slice_
        kept, changed = [], False
        for endpoint in slice_.get("endpoints") or []:
            got = wanted.pop(endpoint_key(endpoint), None)
            if got is not None:
                kept.append(got)
                changed = changed or endpoint_view(got) != endpoint_view(endpoint)
        labels, labels_changed = slice_labels(slice_, service)
        if changed or len(kept) != len(slice_.get("endpoints") or []):
            if not kept:
                to_delete.append(name)
                continue
            by_name[name] = _with(slice_, kept, labels)
            to_update.append(name)
        elif labels_changed:
            by_name[name] = _with(slice_, list(slice_.get("endpoints") or []), labels)
            to_update.append(name)
        else:
            unchanged.append(name)
    queue = list(wanted.values())
    # 2. Top up the slices already being written, fullest first.
    for name in sorted(to_update, key=lambda n: (-len(by_name[n]["endpoints"]), n)):
        room = max_per_slice - len(by_name[name]["endpoints"])
        if room > 0 and queue:
            by_name[name]["endpoints"] += queue[:room]
            queue = queue[room:]
    # 3. Fit the rest into the unchanged slice it fills closest to full, or into new slices.
    create: list[dict] = []
    while queue:
        target = None
        if len(queue) < max_per_slice and unchanged:
            target = slice_to_fill([by_name[n] for n in unchanged], len(queue), max_per_slice)
        if target is None:
            target = new_slice(service, ports)
        else:
            target = copy.deepcopy(target)
            target["endpoints"] = list(target.get("endpoints") or [])
            by_name[_name(target)] = target
        room = max_per_slice - len(target["endpoints"])
        target["endpoints"] += queue[:room]
        queue = queue[room:]
        if _name(target):
            to_update.append(_name(target))
            unchanged.remove(_name(target))
        else:
            create.append(target)
    return (create, [by_name[n] for n in sorted(to_update)],
            [by_name[n] for n in sorted(to_delete)])


def _with(slice_: dict, endpoints: list[dict], labels: dict) -> dict:
    changed = copy.deepcopy(slice_)
    changed["endpoints"] = copy.deepcopy(endpoints)
    changed["metadata"]["labels"] = labels
    return changed


def slice_to_fill(slices: list[dict], count: int, max_per_slice: int) -> dict | None:
    """getSliceToFill: the slice that `count` more endpoints bring closest to full, if any."""
    closest, best = None, max_per_slice
    for slice_ in slices:
        left = max_per_slice - (count + len(slice_.get("endpoints") or []))
        if 0 <= left < best:
            closest, best = slice_, left
            if left == 0:
                break
    return closest
