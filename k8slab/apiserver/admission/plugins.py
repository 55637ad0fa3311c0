"""The admission plugins kube-apiserver runs, in its fixed order.

v1.35's default-on plugins plus kubeadm's NodeRestriction, in the order upstream runs them
(kk pkg/kubeapiserver/options/plugins.go AllOrderedPlugins; see reference i.4). Plugins k8slab
does not model yet are left out of the chain, not faked.
"""

from __future__ import annotations

from collections.abc import Callable

from k8slab.apiserver.admission import AdmissionPlugin
from k8slab.apiserver.admission.default_toleration_seconds import DefaultTolerationSeconds
from k8slab.apiserver.admission.limit_ranger import LimitRanger
from k8slab.apiserver.admission.listers import Lister
from k8slab.apiserver.admission.listing import Lister as NamespacedIndex
from k8slab.apiserver.admission.namespace_lifecycle import NamespaceLifecycle
from k8slab.apiserver.admission.node_restriction import NodeRestriction
from k8slab.apiserver.admission.pod_security import PodSecurity
from k8slab.apiserver.admission.priority import Priority
from k8slab.apiserver.admission.resource_quota import ResourceQuotaAdmission
from k8slab.apiserver.admission.service_account import ServiceAccount
from k8slab.apiserver.admission.webhook_call import WebhookClient
from k8slab.apiserver.admission.webhook_mutating import MutatingAdmissionWebhook
from k8slab.apiserver.admission.webhook_validating import ValidatingAdmissionWebhook
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


def default_plugins(storage: Storage, *, lister: Lister | None = None,
                    index: NamespacedIndex | None = None,
                    now: Callable[[], float] = lambda: 0.0,
                    webhooks: WebhookClient | None = None) -> list[AdmissionPlugin]:
    """The enabled plugins, built for one API server and sorted into upstream's order.

    `lister` is what the plugins that read other objects read (the server's watch cache;
    without one they read etcd), `index` a namespace's LimitRanges and ResourceQuotas from the
    same cache, `now` the simulated clock (quota stops charging a pod stuck past its grace
    period), `webhooks` calls admission webhooks (their plugins are on when it is given)."""
    lister = lister or Lister(storage)
    plugins: list[AdmissionPlugin] = [NamespaceLifecycle(storage)]
    plugins.append(LimitRanger(storage, index))
    plugins.append(ServiceAccount(storage))
    plugins.append(NodeRestriction())
    plugins.append(PodSecurity(lister))
    plugins.append(Priority(lister))
    plugins.append(DefaultTolerationSeconds())
    plugins.append(ResourceQuotaAdmission(storage, index, now))
    if webhooks is not None:
        plugins += [MutatingAdmissionWebhook(webhooks), ValidatingAdmissionWebhook(webhooks)]
    return sorted(plugins, key=lambda plugin: ORDER.index(plugin.name))
