"""`kube-proxy`: what the kube-proxy DaemonSet's pod runs on every node, and the manifests
kubeadm installs it with (ConfigMap `kube-proxy` with config.conf, DaemonSet `kube-proxy`).

Flags as upstream: `--config=/var/lib/kube-proxy/config.conf --hostname-override=$(NODE_NAME)`.
"""

from __future__ import annotations

import re
from collections.abc import Generator

from k8slab.client.rest import Client
from k8slab.cmd.cli import endpoint_host, flags, kubeconfig_client, required, serve_forever
from k8slab.errors import K8sLabError
from k8slab.node.kube_proxy.config import kubeadm_config_conf, parse_config
from k8slab.node.kube_proxy.proxier import Proxier
from k8slab.node.process import Process

CONFIG_PATH = "/var/lib/kube-proxy/config.conf"
KUBECONFIG_PATH = "/var/lib/kube-proxy/kubeconfig.conf"
# Simplified: kube-proxy authenticates with a certificate for system:kube-proxy (kubeadm's
# stand-in file on the node), until its ServiceAccount token reaches the pod.
KUBE_PROXY_CONF = "/etc/kubernetes/kube-proxy.conf"


def main(process: Process) -> Generator:
    """`kube-proxy --config=... [--hostname-override=...]`: reads its configuration and
    kubeconfig from the files its ConfigMap volume shows, then watches Services and
    EndpointSlices and writes this node's rules."""
    group, args = process.group, flags(process.bundle)
    path = required(args, "config", "kube-proxy")
    text = process.fs.read(path)
    if text is None:
        raise K8sLabError(f"kube-proxy: failed to load config file {path!r}: "
                          f"open {path}: no such file or directory")
    config = parse_config(text)
    node = args.get("hostname-override") or config.hostname_override or group.host.name
    server = _kubeconfig_server(process, KUBECONFIG_PATH)
    credentials = kubeconfig_client(group, KUBE_PROXY_CONF)[1]
    proxier = Proxier(Client(group, credentials, server), config, node,
                      tuple(group.host.memory.get("node-addresses", ())))
    group.host.memory["kube-proxy"] = proxier
    proxier.start()
    yield from serve_forever(group)


def _kubeconfig_server(process: Process, path: str) -> str:
    """The API server host the kubeconfig at `path` (in the container's files) names."""
    text = process.fs.read(path)
    match = re.search(r"^\s*server:\s*(\S+)", text or "", re.MULTILINE)
    if match is None:
        raise K8sLabError(f"kube-proxy: invalid kubeconfig {path!r}: no cluster server")
    return endpoint_host(match.group(1), process.group.host.name)


def configmap(cluster_cidr: str = "", mode: str = "",
              server: str = "https://control-plane.k8slab:6443") -> dict:
    """The ConfigMap kubeadm writes: kube-system/kube-proxy, keys config.conf and
    kubeconfig.conf (the in-cluster service-account kubeconfig naming the control-plane
    endpoint `server`)."""
    kubeconfig = ("apiVersion: v1\nkind: Config\nclusters:\n- cluster:\n"
                  "    certificate-authority: "
                  "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt\n"
                  f"    server: {server}\n  name: default\n"
                  "contexts:\n- context:\n    cluster: default\n    namespace: default\n"
                  "    user: default\n  name: default\ncurrent-context: default\nusers:\n"
                  "- name: default\n  user:\n"
                  "    tokenFile: /var/run/secrets/kubernetes.io/serviceaccount/token\n")
    return {"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "kube-proxy", "namespace": "kube-system",
                         "labels": {"app": "kube-proxy"}},
            "data": {"config.conf": kubeadm_config_conf(cluster_cidr, mode),
                     "kubeconfig.conf": kubeconfig}}


def daemonset(image: str = "registry.k8s.io/kube-proxy:v1.35.0") -> dict:
    """The DaemonSet kubeadm writes: hostNetwork, privileged, system-node-critical, on every
    node (tolerates everything), updated one node at a time."""
    return {
        "apiVersion": "apps/v1", "kind": "DaemonSet",
        "metadata": {"name": "kube-proxy", "namespace": "kube-system",
                     "labels": {"k8s-app": "kube-proxy"}},
        "spec": {
            "selector": {"matchLabels": {"k8s-app": "kube-proxy"}},
            "updateStrategy": {"type": "RollingUpdate"},
            "template": {
                "metadata": {"labels": {"k8s-app": "kube-proxy"}},
                "spec": {
                    "hostNetwork": True,
                    "priorityClassName": "system-node-critical",
                    "serviceAccountName": "kube-proxy",
                    "nodeSelector": {"kubernetes.io/os": "linux"},
                    "tolerations": [{"operator": "Exists"}],
                    "containers": [{
                        "name": "kube-proxy", "image": image,
                        "command": ["/usr/local/bin/kube-proxy", f"--config={CONFIG_PATH}",
                                    "--hostname-override=$(NODE_NAME)"],
                        "env": [{"name": "NODE_NAME", "valueFrom": {
                            "fieldRef": {"apiVersion": "v1", "fieldPath": "spec.nodeName"}}}],
                        "securityContext": {"privileged": True},
                        "volumeMounts": [
                            {"name": "kube-proxy", "mountPath": "/var/lib/kube-proxy"},
                            {"name": "xtables-lock", "mountPath": "/run/xtables.lock"},
                            {"name": "lib-modules", "mountPath": "/lib/modules",
                             "readOnly": True}],
                    }],
                    "volumes": [
                        {"name": "kube-proxy", "configMap": {"name": "kube-proxy"}},
                        {"name": "xtables-lock", "hostPath": {"path": "/run/xtables.lock",
                                                              "type": "FileOrCreate"}},
                        {"name": "lib-modules", "hostPath": {"path": "/lib/modules"}}],
                },
            },
        },
    }
