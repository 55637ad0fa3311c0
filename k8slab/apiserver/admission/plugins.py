"""The admission plugins kube-apiserver runs, in its fixed order.

v1.35's default-on plugins plus kubeadm's NodeRestriction, in the order upstream runs them
(kk pkg/kubeapiserver/options/plugins.go AllOrderedPlugins; see reference i.4). Plugins k8slab
does not model yet are left out of the chain, not faked.
"""

from __future__ import annotations

from collections.abc import Callable

from k8slab.apiserver.admission import AdmissionPlugin
from k8slab.apiserver.admission.limit_ranger import LimitRanger
from k8slab.apiserver.admission.listing import Lister
from k8slab.apiserver.admission.namespace_lifecycle import NamespaceLifecycle
from k8slab.apiserver.admission.resource_quota import ResourceQuotaAdmission
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
                    now: Callable[[], float] = lambda: 0.0,
                    webhooks: WebhookClient | None = None) -> list[AdmissionPlugin]:
    """The enabled plugins, built for one API server and sorted into upstream's order.

    `lister` reads the server's watch cache (the informers upstream's plugins list from),
    `now` is the simulated clock (quota stops charging a pod stuck past its grace period),
    `webhooks` calls admission webhooks (their plugins are on when the server can call out)."""
    plugins: list[AdmissionPlugin] = [NamespaceLifecycle(storage)]
    plugins.append(LimitRanger(storage, lister))
    plugins.append(ResourceQuotaAdmission(storage, lister, now))
    if webhooks is not None:
        plugins += [MutatingAdmissionWebhook(webhooks), ValidatingAdmissionWebhook(webhooks)]
    return sorted(plugins, key=lambda plugin: ORDER.index(plugin.name))
