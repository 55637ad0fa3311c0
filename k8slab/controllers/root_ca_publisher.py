"""The root-ca-cert-publisher (kk pkg/controller/certificates/rootcacertpublisher/publisher.go):
the ConfigMap `kube-root-ca.crt` in every namespace, holding the cluster CA under `ca.crt`, so
a pod can check the API server's serving certificate (the projected token volume mounts it).

A namespace added or changed, and the ConfigMap changed or deleted, sync that namespace: the
ConfigMap is created when missing and put back when its data or description differ.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Generator

from k8slab.client.workqueue import WorkQueue, run_workers
from k8slab.controllers.context import ControllerContext
from k8slab.errors import AlreadyExistsError, ConflictError, ForbiddenError, NotFoundError

CONFIGMAP = "kube-root-ca.crt"
DESCRIPTION_ANNOTATION = "kubernetes.io/description"
DESCRIPTION = ("Contains a CA bundle that can be used to verify the kube-apiserver when using "
               "internal endpoints such as the internal service IP or kubernetes.default.svc. "
               "No other usage is guaranteed across distributions of Kubernetes clusters.")
WORKERS = 1


ROOT_CA_FILE = "/etc/kubernetes/pki/ca.crt"


def root_ca_bundle(seed: int) -> str:
    """A stand-in for the cluster CA certificate where the host has no
    /etc/kubernetes/pki/ca.crt (a control plane built without kubeadm's PKI, as in tests): a
    PEM-shaped text derived from the cluster seed (deterministic, not a parseable certificate).
    """
    body = b"".join(hashlib.sha256(f"k8slab/{seed}/ca.crt/{i}".encode()).digest()
                    for i in range(24))
    text = base64.b64encode(body).decode()
    lines = [text[i:i + 64] for i in range(0, len(text), 64)]
    return "-----BEGIN CERTIFICATE-----\n" + "\n".join(lines) + "\n-----END CERTIFICATE-----\n"


class RootCACertPublisher:
    """Publishes the cluster CA into every namespace as the ConfigMap kube-root-ca.crt."""

    NAME = "root-ca-certificate-publisher-controller"

    def __init__(self, ctx: ControllerContext) -> None:
        self.client = ctx.client
        # --root-ca-file=/etc/kubernetes/pki/ca.crt (kubeadm's): the CA kubeadm's certs phase
        # wrote on this host, or the stand-in where there is none.
        self.root_ca = (ctx.group.host.disk.get(ROOT_CA_FILE)
                        or root_ca_bundle(ctx.group.sim.seed))
        self.namespaces = ctx.informers.informer("namespaces")
        self.configmaps = ctx.informers.informer("configmaps")
        self.queue = WorkQueue(ctx.group, "root_ca_cert_publisher")

    def start(self) -> None:
        """Sync on namespace add/update and on a change to or deletion of the ConfigMap."""
        self.namespaces.on_add.append(self._namespace)
        self.namespaces.on_update.append(lambda _old, new: self._namespace(new))
        self.configmaps.on_update.append(lambda _old, new: self._configmap(new))
        self.configmaps.on_delete.append(self._configmap)
        run_workers(self.queue, self.sync, WORKERS)

    def _namespace(self, namespace: dict) -> None:
        self.queue.add(namespace["metadata"]["name"])

    def _configmap(self, configmap: dict) -> None:
        if configmap["metadata"]["name"] == CONFIGMAP:
            self.queue.add(configmap["metadata"]["namespace"])

    def sync(self, name: str) -> Generator:
        """Create or correct kube-root-ca.crt in one namespace."""
        namespace = self.namespaces.get(name)
        if namespace is None or namespace["metadata"].get("deletionTimestamp"):
            return
        data = {"ca.crt": self.root_ca}
        current = self.configmaps.get(f"{name}/{CONFIGMAP}")
        try:
            if current is None:
                yield from self.client.create({
                    "apiVersion": "v1", "kind": "ConfigMap",
                    "metadata": {"name": CONFIGMAP, "namespace": name,
                                 "annotations": {DESCRIPTION_ANNOTATION: DESCRIPTION}},
                    "data": data})
                return
            annotations = current["metadata"].get("annotations") or {}
            if current.get("data") == data and annotations.get(DESCRIPTION_ANNOTATION) == \
                    DESCRIPTION:
                return
            fixed = dict(current, data=data)
            fixed["metadata"] = dict(current["metadata"], annotations={
                **annotations, DESCRIPTION_ANNOTATION: DESCRIPTION})
            yield from self.client.update(fixed)
        except (AlreadyExistsError, ForbiddenError, NotFoundError):
            return  # made meanwhile, or the namespace is terminating or gone
        except ConflictError:
            self.queue.add_rate_limited(name)  # changed meanwhile: look again
