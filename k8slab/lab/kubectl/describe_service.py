"""`kubectl describe service`, in kubectl v1.35's layout (pkg/describe/describe.go
describeService): the Service's addresses and ports, and for each port the ready endpoints of
its EndpointSlices (formatEndpointSlices: at most three, then "+ N more...").
"""

from __future__ import annotations

from k8slab.lab.kubectl.describe_text import (
    DescribeWriter,
    annotations_block,
    events_section,
    labels_block,
)
from k8slab.lab.kubectl.printers import format_labels

SERVICE_NAME_LABEL = "kubernetes.io/service-name"  # discovery/v1 LabelServiceName
UNSET = "<unset>"
ENDPOINTS_MAX = 3


def _ready(endpoint: dict) -> bool:
    return (endpoint.get("conditions") or {}).get("ready") is not False


def endpoints_text(slices: list[dict], port_name: str) -> str:
    """formatEndpointSlices: `ip:port` of the ready endpoints serving the port named
    port_name (an address alone for a slice without ports), `<none>` without slices."""
    if not slices:
        return "<none>"
    shown: list[str] = []
    count = 0
    for slice_ in slices:
        ports = slice_.get("ports") or []
        endpoints = slice_.get("endpoints") or []
        pairs = ([(None, e) for e in endpoints] if not ports else
                 [(p, e) for p in ports if (p.get("name") or "") == port_name for e in endpoints])
        for port, endpoint in pairs:
            address = (endpoint.get("addresses") or [""])[0]
            if len(shown) < ENDPOINTS_MAX and _ready(endpoint):
                shown.append(address if port is None else f"{address}:{port.get('port')}")
            count += 1
    text = ",".join(shown)
    if count > ENDPOINTS_MAX and len(shown) == ENDPOINTS_MAX:
        return f"{text} + {count - ENDPOINTS_MAX} more..."
    return text


def describe_service(service: dict, slices: list[dict], events: list[dict], now: float) -> str:
    """The text of `kubectl describe service NAME`; `slices` are the namespace's."""
    metadata, spec = service.get("metadata", {}), service.get("spec", {})
    name = metadata.get("name", "")
    own = [s for s in slices if (s.get("metadata", {}).get("labels") or {})
           .get(SERVICE_NAME_LABEL) == name]
    w = DescribeWriter()
    w.write(0, f"Name:\t{name}\n")
    w.write(0, f"Namespace:\t{metadata.get('namespace', '')}\n")
    labels_block(w, "Labels", metadata.get("labels"))
    annotations_block(w, "Annotations", metadata.get("annotations"))
    w.write(0, f"Selector:\t{format_labels(spec.get('selector') or {})}\n")
    w.write(0, f"Type:\t{spec.get('type', '')}\n")
    if spec.get("ipFamilyPolicy"):
        w.write(0, f"IP Family Policy:\t{spec['ipFamilyPolicy']}\n")
    w.write(0, f"IP Families:\t{','.join(spec.get('ipFamilies') or []) or '<none>'}\n")
    w.write(0, f"IP:\t{spec.get('clusterIP', '')}\n")
    w.write(0, f"IPs:\t{','.join(spec.get('clusterIPs') or []) or '<none>'}\n")
    if spec.get("externalIPs"):
        w.write(0, f"External IPs:\t{','.join(spec['externalIPs'])}\n")
    ingress = ((service.get("status") or {}).get("loadBalancer") or {}).get("ingress") or []
    if ingress:
        listed = ", ".join(i.get("ip") or i.get("hostname") or "" for i in ingress)
        w.write(0, f"LoadBalancer Ingress:\t{listed}\n")
    if spec.get("type") == "ExternalName":
        w.write(0, f"External Name:\t{spec.get('externalName', '')}\n")
    for port in spec.get("ports") or []:
        port_name, protocol = port.get("name") or UNSET, port.get("protocol", "TCP")
        w.write(0, f"Port:\t{port_name}\t{port.get('port')}/{protocol}\n")
        w.write(0, f"TargetPort:\t{port.get('targetPort')}/{protocol}\n")
        if port.get("nodePort"):
            w.write(0, f"NodePort:\t{port_name}\t{port['nodePort']}/{protocol}\n")
        w.write(0, f"Endpoints:\t{endpoints_text(own, port.get('name') or '')}\n")
    w.write(0, f"Session Affinity:\t{spec.get('sessionAffinity', '')}\n")
    if spec.get("externalTrafficPolicy"):
        w.write(0, f"External Traffic Policy:\t{spec['externalTrafficPolicy']}\n")
    if spec.get("internalTrafficPolicy"):
        w.write(0, f"Internal Traffic Policy:\t{spec['internalTrafficPolicy']}\n")
    events_section(w, events, now)
    return w.text()
