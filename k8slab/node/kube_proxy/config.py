"""KubeProxyConfiguration (kubeproxy.config.k8s.io/v1alpha1): the fields modelled, their
upstream defaults, and the checks kube-proxy's validation makes on them.

Defaults from pkg/proxy/apis/config/v1alpha1/defaults.go and the v1.35 flag reference:
mode "" means iptables on Linux; syncPeriod 30s, minSyncPeriod 1s; masqueradeBit 14.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

import yaml

from k8slab.errors import K8sLabError

API_VERSION = "kubeproxy.config.k8s.io/v1alpha1"
MODES = ("iptables", "ipvs", "nftables")


class ProxyConfigError(K8sLabError):
    """A KubeProxyConfiguration kube-proxy refuses to start with."""


@dataclass(frozen=True)
class ProxyConfig:
    """The settings the proxier runs with."""

    mode: str = "iptables"
    sync_period: float = 30.0
    min_sync_period: float = 1.0
    cluster_cidr: str = ""
    masquerade_all: bool = False
    ipvs_scheduler: str = "rr"
    hostname_override: str = ""


_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}
_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h)")


def _seconds(text: object, field: str, default: float) -> float:
    """A metav1.Duration in seconds ("30s", "1m30s", "500ms"); zero means the default, as
    SetDefaults_KubeProxyConfiguration fills zero periods in."""
    parts = _DURATION.findall(text) if isinstance(text, str) else []
    if not isinstance(text, str) or (text != "0" and "".join(a + u for a, u in parts) != text):
        raise ProxyConfigError(f'{field}: time: invalid duration "{text}" (e.g. "30s", "1m")')
    value = sum(float(a) * _UNITS[u] for a, u in parts)
    return value or default


def parse_config(document: str | dict) -> ProxyConfig:
    """A ProxyConfig from the config.conf text (YAML) or dict, with upstream's defaults
    for fields left out; a wrong kind, mode or period is a ProxyConfigError."""
    data = yaml.safe_load(document) if isinstance(document, str) else document
    if not isinstance(data, dict) or data.get("kind") != "KubeProxyConfiguration":
        raise ProxyConfigError('config: kind must be "KubeProxyConfiguration" '
                               f'(apiVersion {API_VERSION})')
    if data.get("apiVersion") != API_VERSION:
        raise ProxyConfigError(f'config: apiVersion must be "{API_VERSION}", '
                               f'got {data.get("apiVersion")!r}')
    mode = data.get("mode") or "iptables"
    if mode not in MODES:
        raise ProxyConfigError(f'KubeProxyConfiguration.Mode: Invalid value: "{mode}": '
                               f'must be one of {", ".join(MODES)}')
    section = data.get(mode) or {}
    sync = _seconds(section.get("syncPeriod", "0s"), f"{mode}.syncPeriod", 30.0)
    min_sync = _seconds(section.get("minSyncPeriod", "0s"), f"{mode}.minSyncPeriod", 1.0)
    if min_sync > sync:
        raise ProxyConfigError(f"KubeProxyConfiguration.{mode.capitalize()}.MinSyncPeriod: "
                               "Invalid value: must be greater than or equal to 0 and less "
                               "than or equal to SyncPeriod")
    cidr = data.get("clusterCIDR") or ""
    if cidr:
        try:
            ipaddress.ip_network(cidr)
        except ValueError:
            raise ProxyConfigError(f'KubeProxyConfiguration.ClusterCIDR: Invalid value: '
                                   f'"{cidr}": must be a valid CIDR block (e.g. 10.100.0.0/16)'
                                   ) from None
    scheduler = (data.get("ipvs") or {}).get("scheduler") or "rr"
    if scheduler != "rr":
        raise ProxyConfigError(f'ipvs.scheduler "{scheduler}": only "rr" is modelled')
    return ProxyConfig(mode, sync, min_sync, cidr, bool(section.get("masqueradeAll", False)),
                       scheduler, data.get("hostnameOverride") or "")


def kubeadm_config_conf(cluster_cidr: str = "", mode: str = "") -> str:
    """config.conf as kubeadm writes it into the kube-proxy ConfigMap (the defaulted
    KubeProxyConfiguration, trimmed to the fields this model reads and a few neighbours)."""
    doc = {
        "apiVersion": API_VERSION,
        "kind": "KubeProxyConfiguration",
        "bindAddress": "0.0.0.0",
        "clientConnection": {"kubeconfig": "/var/lib/kube-proxy/kubeconfig.conf"},
        "clusterCIDR": cluster_cidr,
        "conntrack": {"maxPerCore": None, "min": None, "tcpCloseWaitTimeout": None,
                      "tcpEstablishedTimeout": None},
        "healthzBindAddress": "",
        "iptables": {"masqueradeAll": False, "masqueradeBit": None, "minSyncPeriod": "0s",
                     "syncPeriod": "0s"},
        "ipvs": {"minSyncPeriod": "0s", "scheduler": "", "syncPeriod": "0s"},
        "metricsBindAddress": "",
        "mode": mode,
        "nftables": {"masqueradeAll": False, "masqueradeBit": None, "minSyncPeriod": "0s",
                     "syncPeriod": "0s"},
    }
    return yaml.safe_dump(doc, sort_keys=True)
