"""What the EndpointSlice controller wants for one Service: one endpoint per pod that should be
in it, grouped by the ports the Service's targetPorts resolve to in that pod.

The rules are upstream's (staging/src/k8s.io/endpointslice/utils.go and util/controller_utils.go):
a pod with no IP or in a terminal phase is left out; a terminating pod stays, with
ready = serving and not terminating (always true with publishNotReadyAddresses).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping

from k8slab.controllers.controller_utils import is_pod_ready

# discovery/v1 well-known labels (k8s.io/api/discovery/v1/well_known_labels.go) and the
# controller name the EndpointSlice controller writes into managed-by.
CONTROLLER_NAME = "endpointslice-controller.k8s.io"
LABEL_SERVICE_NAME = "kubernetes.io/service-name"
LABEL_MANAGED_BY = "endpointslice.kubernetes.io/managed-by"
LABEL_HEADLESS = "service.kubernetes.io/headless"
LABEL_ZONE = "topology.kubernetes.io/zone"
RESERVED_LABELS = (LABEL_SERVICE_NAME, LABEL_MANAGED_BY, LABEL_HEADLESS)
# The model is single-stack IPv4: upstream makes one slice family per Service ipFamily.
ADDRESS_TYPE = "IPv4"
TERMINAL_PHASES = ("Succeeded", "Failed")
DNS1123_SUBDOMAIN_MAX = 253


def should_pod_be_in_endpoints(pod: dict) -> bool:
    """ShouldPodBeInEndpoints(pod, includeTerminating=true): not terminal, and has an IP."""
    status = pod.get("status") or {}
    if status.get("phase") in TERMINAL_PHASES:
        return False
    return bool(status.get("podIP") or status.get("podIPs"))


def find_port(pod: dict, service_port: Mapping) -> int | None:
    """FindPort: a numeric targetPort as it is; a named one looked up in the pod's containers
    (and sidecars, init containers with restartPolicy Always) with the same protocol."""
    target = service_port.get("targetPort", service_port.get("port"))
    if isinstance(target, int):
        return target
    protocol = service_port.get("protocol") or "TCP"
    spec = pod.get("spec") or {}
    sidecars = [c for c in spec.get("initContainers") or []
                if c.get("restartPolicy") == "Always"]
    for container in list(spec.get("containers") or []) + sidecars:
        for port in container.get("ports") or []:
            if port.get("name") == target and (port.get("protocol") or "TCP") == protocol:
                return int(port["containerPort"])
    return None


def endpoint_ports(service: dict, pod: dict) -> list[dict]:
    """getEndpointPorts: the Service's ports as this pod serves them; a port whose name the
    pod does not define is left out (so such pods land in a slice of their own)."""
    spec = service.get("spec") or {}
    ports: list[dict] = []
    for service_port in spec.get("ports") or []:
        number = find_port(pod, service_port)
        if number is None:
            continue
        port = {"name": service_port.get("name") or "",
                "protocol": service_port.get("protocol") or "TCP", "port": number}
        if service_port.get("appProtocol"):
            port["appProtocol"] = service_port["appProtocol"]
        ports.append(port)
    return ports


def port_map_key(ports: list[dict] | None) -> tuple:
    """NewPortMapKey: the same ports in any order make the same key (upstream hashes them)."""
    return tuple(sorted((p.get("name") or "", p.get("protocol") or "TCP", p.get("port") or 0,
                         p.get("appProtocol") or "") for p in ports or []))


def _pod_addresses(pod: dict) -> list[str]:
    """getEndpointAddresses for IPv4: the pod's IPv4 podIPs (podIP if a status lacks podIPs)."""
    status = pod.get("status") or {}
    ips = [entry.get("ip", "") for entry in status.get("podIPs") or []]
    if not ips and status.get("podIP"):
        ips = [status["podIP"]]
    return [ip for ip in ips if ip and ":" not in ip]


def should_set_hostname(pod: dict, service: dict) -> bool:
    """ShouldSetHostname: the pod names a hostname and this Service as its subdomain."""
    spec = pod.get("spec") or {}
    return (bool(spec.get("hostname")) and spec.get("subdomain") == service["metadata"]["name"]
            and pod["metadata"].get("namespace") == service["metadata"].get("namespace"))


def pod_to_endpoint(pod: dict, node: dict | None, service: dict) -> dict:
    """podToEndpoint: the pod's addresses, its three conditions, hostname, targetRef, node
    and the node's zone (fields in discovery/v1 Endpoint's order)."""
    serving = is_pod_ready(pod)
    terminating = bool(pod["metadata"].get("deletionTimestamp"))
    publish = bool((service.get("spec") or {}).get("publishNotReadyAddresses"))
    endpoint: dict = {
        "addresses": _pod_addresses(pod),
        "conditions": {"ready": publish or (serving and not terminating), "serving": serving,
                       "terminating": terminating},
    }
    if should_set_hostname(pod, service):
        endpoint["hostname"] = pod["spec"]["hostname"]
    meta = pod["metadata"]
    endpoint["targetRef"] = {"kind": "Pod", "namespace": meta.get("namespace", ""),
                             "name": meta["name"], "uid": meta.get("uid", "")}
    node_name = (pod.get("spec") or {}).get("nodeName")
    if node_name:
        endpoint["nodeName"] = node_name
    zone = ((node or {}).get("metadata", {}).get("labels") or {}).get(LABEL_ZONE)
    if zone:
        endpoint["zone"] = zone
    return endpoint


def endpoint_key(endpoint: Mapping) -> tuple:
    """The endpoint's identity in an EndpointSet (hashEndpoint): addresses, hostname and the
    pod it points to; two endpoints with one key are the same endpoint, maybe changed."""
    ref = endpoint.get("targetRef") or {}
    return (tuple(sorted(endpoint.get("addresses") or [])), endpoint.get("hostname") or "",
            ref.get("namespace") or "", ref.get("name") or "")


def endpoint_view(endpoint: Mapping) -> tuple:
    """What EndpointsEqualBeyondHash compares: conditions, node, zone and the pod's uid."""
    conditions = endpoint.get("conditions") or {}
    return (endpoint_key(endpoint), conditions.get("ready"), conditions.get("serving"),
            conditions.get("terminating"), endpoint.get("nodeName") or "",
            endpoint.get("zone") or "", (endpoint.get("targetRef") or {}).get("uid") or "")


def is_headless(service: dict) -> bool:
    """!isServiceIPSet: clusterIP None (or not yet set)."""
    return (service.get("spec") or {}).get("clusterIP") in (None, "", "None")


def slice_labels(slice_: dict, service: dict) -> tuple[dict, bool]:
    """setEndpointSliceLabels: the Service's own labels, the headless label if it is headless,
    service-name and managed-by; and whether the Service's own labels differ from the slice's."""
    own = {k: v for k, v in (slice_["metadata"].get("labels") or {}).items()
           if k not in RESERVED_LABELS}
    labels = {k: v for k, v in (service["metadata"].get("labels") or {}).items()
              if k not in RESERVED_LABELS}
    changed = own != labels
    if is_headless(service):
        labels[LABEL_HEADLESS] = ""
    labels[LABEL_SERVICE_NAME] = service["metadata"]["name"]
    labels[LABEL_MANAGED_BY] = CONTROLLER_NAME
    return labels, changed


def owner_reference(service: dict) -> dict:
    """metav1.NewControllerRef for the Service: controller and blockOwnerDeletion set."""
    meta = service["metadata"]
    return {"apiVersion": "v1", "kind": "Service", "name": meta["name"],
            "uid": meta.get("uid", ""), "controller": True, "blockOwnerDeletion": True}


def owned_by(slice_: dict, service: dict) -> bool:
    """ownedBy: an ownerReference to this very Service (a same-named older one does not count)."""
    uid = service["metadata"].get("uid")
    return any(ref.get("uid") == uid and ref.get("kind") == "Service"
               and ref.get("apiVersion") == "v1"
               for ref in slice_["metadata"].get("ownerReferences") or [])


def slice_prefix(service_name: str) -> str:
    """getEndpointSlicePrefix: `<svc>-`, or the bare name when the dash would not fit."""
    prefix = f"{service_name}-"
    return prefix if len(prefix) <= DNS1123_SUBDOMAIN_MAX else service_name


def new_slice(service: dict, ports: list[dict]) -> dict:
    """newEndpointSlice: an empty slice for these ports, named by the API server from
    generateName, owned by the Service and labelled for it."""
    meta = service["metadata"]
    slice_ = {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
              "metadata": {"generateName": slice_prefix(meta["name"]),
                           "namespace": meta.get("namespace", "default"), "labels": {},
                           "ownerReferences": [owner_reference(service)]},
              "addressType": ADDRESS_TYPE, "endpoints": [], "ports": copy.deepcopy(ports)}
    slice_["metadata"]["labels"], _ = slice_labels(slice_, service)
    return slice_
