"""The /etc/resolv.conf the kubelet writes for a pod (kk pkg/kubelet/network/dns/dns.go
GetPodDNS): with dnsPolicy ClusterFirst (the default), the cluster's DNS Service as nameserver,
`<ns>.svc.<domain> svc.<domain> <domain>` to search, and `options ndots:5`; dnsPolicy Default
uses the node's own resolver; None uses only the pod's dnsConfig, which the others append.
Simplified: the node's own search domains are not appended (a simulated node has none).
"""

from __future__ import annotations

NDOTS = 5  # the kubelet's ndots for ClusterFirst pods
NODE_RESOLVER = "10.0.0.2"  # the node's upstream resolver (a simplification: one fixed address)


def resolv_conf(pod: dict, cluster_dns: str, cluster_domain: str = "cluster.local") -> str:
    """The text of /etc/resolv.conf for `pod`."""
    spec = pod.get("spec", {})
    namespace = pod["metadata"].get("namespace", "default")
    policy = spec.get("dnsPolicy", "ClusterFirst")
    if policy == "ClusterFirst" and spec.get("hostNetwork"):
        policy = "Default"  # a host-network pod with ClusterFirst falls back to the node's
    if policy == "ClusterFirstWithHostNet":
        policy = "ClusterFirst"
    servers, searches, options = [], [], []
    if policy == "ClusterFirst":
        servers = [cluster_dns]
        searches = [f"{namespace}.svc.{cluster_domain}", f"svc.{cluster_domain}", cluster_domain]
        options = [f"ndots:{NDOTS}"]
    elif policy == "Default":
        servers = [NODE_RESOLVER]
    extra = spec.get("dnsConfig") or {}
    servers += [s for s in extra.get("nameservers", []) if s not in servers]
    searches += [s for s in extra.get("searches", []) if s not in searches]
    for option in extra.get("options", []):
        text = option["name"] + (f":{option['value']}" if option.get("value") else "")
        options = [o for o in options if o.split(":")[0] != option["name"]] + [text]
    lines = [f"search {' '.join(searches)}"] if searches else []
    lines += [f"nameserver {s}" for s in servers]
    lines += [f"options {' '.join(options)}"] if options else []
    return "\n".join(lines) + "\n"
