"""The admission plugins kube-apiserver runs, in its fixed order.

v1.35's default-on plugins plus kubeadm's NodeRestriction, in the order upstream runs them
(kk pkg/kubeapiserver/options/plugins.go AllOrderedPlugins; see reference i.4). Plugins k8slab
does not model yet are left out of the chain, not faked.
"""

from __future__ import annotations

from k8slab.apiserver.admission import AdmissionPlugin
from k8slab.apiserver.admission.namespace_lifecycle import NamespaceLifecycle
from k8slab.apiserver.admission.service_account import ServiceAccount
from k8slab.apiserver.storage import Storage

# Upstream's order of the plugins k8slab models (each helper inserts its plugin at its place).
ORDER = (
    "NamespaceLifecycle",
    "LimitRanger",
    "ServiceAccount",
    "NodeRestriction",
    "PodSecurity",
    "Priority",
    "DefaultTolerationSeconds",
    "MutatingAdmissionWebhook",
    "ValidatingAdmissionPolicy",
    "ValidatingAdmissionWebhook",
    "ResourceQuota",
)


def default_plugins(storage: Storage) -> list[AdmissionPlugin]:
    """The enabled plugins, built for one API server and sorted into upstream's order."""
    plugins: list[AdmissionPlugin] = [
        NamespaceLifecycle(storage),
        ServiceAccount(storage),
    ]
    return sorted(plugins, key=lambda plugin: ORDER.index(plugin.name))
