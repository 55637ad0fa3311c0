"""What `kubeadm init` and `kubeadm join` leave on a host's disk, and how a node boots.

The control plane runs as static pods: kubeadm writes their manifests to
/etc/kubernetes/manifests, and the kubelet starts them. Every host runs containerd and the kubelet
as system services, started again on each boot.
"""

from __future__ import annotations

import hashlib
from collections.abc import Generator

from k8slab.api.kubeconfig import read_kubeconfig
from k8slab.api.timestamps import to_time
from k8slab.apiserver.bootstrap_tokens import token_secret
from k8slab.apiserver.loadbalancer import LoadBalancer
from k8slab.client.rest import Client
from k8slab.cmd import coredns, kube_proxy
from k8slab.cmd.images import (
    APISERVER_IMAGE,
    CONTROLLER_MANAGER_IMAGE,
    ETCD_IMAGE,
    PROGRAMS,
    PROXY_IMAGE,
    SCHEDULER_IMAGE,
)
from k8slab.cmd.kube_apiserver import AUDIT_LOG
from k8slab.cmd.node import preload_images, start_node_services
from k8slab.errors import ConflictError, K8sLabError
from k8slab.lab.node_files import KUBELET_CONFIG, kubelet_config
from k8slab.lab.pki import (
    CA_CERT,
    CONTROLLER_MANAGER_CONF,
    KUBELET_CONF,
    PKI,
    SCHEDULER_CONF,
    ClusterPKI,
)
from k8slab.node.kubelet import MANIFESTS, NodeConfig
from k8slab.sim.host import Host

AUDIT_POLICY = "/etc/kubernetes/audit-policy.yaml"
BOOTSTRAP_TOKEN_TTL = 86_400.0
TOKEN_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"
# kubeadm's defaults: the pod subnet the lab's CNI uses (flannel's 10.244.0.0/16) and the
# service subnet 10.96.0.0/12.
POD_SUBNET = "10.244.0.0/16"
SERVICE_SUBNET = "10.96.0.0/12"
CONTROL_PLANE_TAINT = {"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}
CONTROL_PLANE_LABEL = "node-role.kubernetes.io/control-plane"
# kubeadm's static pods run on the host network at system-node-critical priority.
SYSTEM_NODE_CRITICAL = 2_000_001_000


def static_pod(name: str, image: str, command: list[str], cpu: str) -> dict:
    """A kubeadm-style control-plane static pod manifest."""
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": name,
            "namespace": "kube-system",
            "labels": {"component": name, "tier": "control-plane"},
        },
        "spec": {
            "hostNetwork": True,
            "priorityClassName": "system-node-critical",
            "priority": SYSTEM_NODE_CRITICAL,
            "containers": [
                {
                    "name": name,
                    "image": image,
                    "command": command,
                    "resources": {"requests": {"cpu": cpu}},
                }
            ],
        },
    }


def controller_manager_command() -> list[str]:
    """kube-controller-manager's command line as kubeadm writes it, flags sorted by name
    (kk cmd/kubeadm/app/phases/controlplane/manifests.go getControllerManagerCommand)."""
    pki = "/etc/kubernetes/pki"
    flags = {
        "allocate-node-cidrs": "true",
        "authentication-kubeconfig": CONTROLLER_MANAGER_CONF,
        "authorization-kubeconfig": CONTROLLER_MANAGER_CONF,
        "bind-address": "127.0.0.1",
        "client-ca-file": f"{pki}/ca.crt",
        "cluster-cidr": POD_SUBNET,
        "cluster-name": "kubernetes",
        "cluster-signing-cert-file": f"{pki}/ca.crt",
        "cluster-signing-key-file": f"{pki}/ca.key",
        "controllers": "*,bootstrapsigner,tokencleaner",
        "kubeconfig": CONTROLLER_MANAGER_CONF,
        "leader-elect": "true",
        "requestheader-client-ca-file": f"{pki}/front-proxy-ca.crt",
        "root-ca-file": f"{pki}/ca.crt",
        "service-account-private-key-file": f"{pki}/sa.key",
        "service-cluster-ip-range": SERVICE_SUBNET,
        "use-service-account-credentials": "true",
    }
    return ["kube-controller-manager", *(f"--{k}={v}" for k, v in sorted(flags.items()))]


def init_control_plane(host: Host, advertise: str, *, endpoint: str | None = None,
                       etcd_members: list[str] | None = None,
                       pki: ClusterPKI | None = None, audit_policy: dict | None = None) -> None:
    """`kubeadm init` (or `join --control-plane`): certificates and kubeconfigs signed by the
    cluster CA `pki` (one made from seed 0 if none is given), static pods, images pulled.
    An `audit_policy` document is written to /etc/kubernetes/audit-policy.yaml and handed to
    the API server with --audit-policy-file and --audit-log-path, as kubeadm's docs show
    through apiServer.extraArgs (kubeadm itself turns no audit on).

    etcd is stacked: one member per control-plane host, the API server using its local member.
    The scheduler and the controller manager talk to their local API server (kubeadm's
    LocalAPIEndpoint, kk PR #94398); the kubelet to the control-plane `endpoint` (the load
    balancer when there are several).
    """
    endpoint = endpoint or host.name
    members = etcd_members or [host.name]
    initial_cluster = ",".join(f"{m}=https://{m}:2380" for m in members)
    # CPU requests as kubeadm sets them (cmd/kubeadm/app/phases/controlplane/manifests.go, etcd).
    host.disk[MANIFESTS] = {
        "etcd.yaml": static_pod(
            "etcd",
            ETCD_IMAGE,
            [
                "etcd",
                f"--name={host.name}",
                "--data-dir=/var/lib/etcd",
                "--listen-client-urls=https://127.0.0.1:2379",
                f"--listen-peer-urls=https://{host.name}:2380",
                f"--initial-cluster={initial_cluster}",
                "--heartbeat-interval=100",
                "--election-timeout=1000",
                "--snapshot-count=10000",
            ],
            "100m",
        ),
        "kube-apiserver.yaml": static_pod(
            "kube-apiserver",
            APISERVER_IMAGE,
            [
                "kube-apiserver",
                f"--advertise-address={advertise}",
                *([f"--audit-log-path={AUDIT_LOG}", f"--audit-policy-file={AUDIT_POLICY}"]
                  if audit_policy is not None else []),
                f"--client-ca-file={CA_CERT}",
                "--enable-bootstrap-token-auth=true",
                "--etcd-servers=https://127.0.0.1:2379",
                "--secure-port=6443",
                f"--tls-cert-file={PKI}/apiserver.crt",
            ],
            "250m",
        ),
        "kube-controller-manager.yaml": static_pod(
            "kube-controller-manager",
            CONTROLLER_MANAGER_IMAGE,
            controller_manager_command(),
            "200m",
        ),
        "kube-scheduler.yaml": static_pod(
            "kube-scheduler",
            SCHEDULER_IMAGE,
            ["kube-scheduler", f"--kubeconfig={SCHEDULER_CONF}"],
            "100m",
        ),
    }
    # etcd's data dir is a hostPath volume, as kubeadm mounts it (phases/etcd/local.go).
    etcd = host.disk[MANIFESTS]["etcd.yaml"]["spec"]
    etcd["containers"][0]["volumeMounts"] = [{"mountPath": "/var/lib/etcd", "name": "etcd-data"}]
    etcd["volumes"] = [{"hostPath": {"path": "/var/lib/etcd", "type": "DirectoryOrCreate"},
                        "name": "etcd-data"}]
    (pki or ClusterPKI(0)).write_control_plane(host, advertise, endpoint)
    if audit_policy is not None:
        host.disk[AUDIT_POLICY] = audit_policy
    # `kubeadm config images pull`: the control plane's images and the addons'.
    preload_images(host, [ETCD_IMAGE, APISERVER_IMAGE, CONTROLLER_MANAGER_IMAGE, SCHEDULER_IMAGE,
                          PROXY_IMAGE, coredns.IMAGE])
    host.programs.update(PROGRAMS)


# kubeadm init's addon phases, skipped as `--skip-phases=addon/coredns,addon/kube-proxy`
# does (`addon` alone skips both; kk cmd/kubeadm/app/cmd/phases/init/addons.go).
COREDNS, KUBE_PROXY = "addon/coredns", "addon/kube-proxy"
ADDON_PHASES = ("addon", COREDNS, KUBE_PROXY)


def skipped_addons(phases: object) -> set[str]:
    """The addon phases `--skip-phases` names, or K8sLabError naming the ones accepted."""
    if isinstance(phases, str) or not isinstance(phases, list | tuple):
        raise K8sLabError(f"skip_phases must be a list of phase names ({', '.join(ADDON_PHASES)})"
                          f", got {phases!r}")
    unknown = [p for p in phases if p not in ADDON_PHASES]
    if unknown:
        raise K8sLabError(f"skip_phases: unknown phase {unknown[0]!r}; the lab can skip "
                          f"{', '.join(ADDON_PHASES)}")
    return {COREDNS, KUBE_PROXY} if "addon" in phases else set(phases)


def addons(endpoint: str, proxy_mode: str = "iptables", skipped: set[str] = frozenset()
           ) -> list[dict]:
    """kubeadm init's addon phase: CoreDNS (ConfigMap, Deployment of 2, the kube-dns Service)
    and kube-proxy (ConfigMap with the pod subnet as clusterCIDR, DaemonSet on every node),
    reaching the API server at the control-plane `endpoint`, less the `skipped` phases
    (kk cmd/kubeadm/app/phases/addons/dns, phases/addons/proxy). Each phase first creates the
    ServiceAccount its pods run as (kube-system/coredns, kube-system/kube-proxy), which the
    ServiceAccount admission plugin requires."""
    mode = "" if proxy_mode == "iptables" else proxy_mode  # kubeadm leaves mode empty
    manifests = [] if COREDNS in skipped else [_service_account("coredns"),
                                               *coredns.manifests()]
    if KUBE_PROXY not in skipped:
        manifests += [_service_account("kube-proxy"),
                      kube_proxy.configmap(POD_SUBNET, mode, f"https://{endpoint}:6443"),
                      kube_proxy.daemonset(PROXY_IMAGE)]
    return manifests


def mark_control_plane(client: Client, node: str) -> Generator:
    """kubeadm init's mark-control-plane phase: the node-role.kubernetes.io/control-plane label
    (kk cmd/kubeadm/app/phases/markcontrolplane), retried on a conflict."""
    while True:
        obj = yield from client.get("nodes", node)
        obj["metadata"].setdefault("labels", {})[CONTROL_PLANE_LABEL] = ""
        try:
            return (yield from client.update(obj))
        except ConflictError:
            continue


def _service_account(name: str) -> dict:
    return {"apiVersion": "v1", "kind": "ServiceAccount",
            "metadata": {"name": name, "namespace": "kube-system"}}


def bootstrap_token(seed: int, index: int) -> str:
    """The index-th token `kubeadm token create` makes (`<6 of [a-z0-9]>.<16 of [a-z0-9]>`),
    here derived from the cluster seed where kubeadm draws it at random."""
    digest = hashlib.sha256(f"k8slab-bootstrap-token/{seed}/{index}".encode()).digest()
    chars = "".join(TOKEN_ALPHABET[b % len(TOKEN_ALPHABET)] for b in digest[:22])
    return f"{chars[:6]}.{chars[6:22]}"


def bootstrap_token_secret(token: str, now: float, ttl: float = BOOTSTRAP_TOKEN_TTL) -> dict:
    """The Secret `kubeadm token create` stores for `token`, valid `ttl` seconds (kubeadm's
    default 24h0m0s), its users in system:bootstrappers:kubeadm:default-node-token."""
    token_id, _, secret = token.partition(".")
    return token_secret(token_id, secret, to_time(now + ttl) if ttl else "")


def join_worker(host: Host, api_host: str, pki: ClusterPKI | None = None) -> None:
    """`kubeadm join`: the kubelet's kubeconfig, signed by the cluster CA `pki`, pointing at
    the API server. (Simplified: the pause image is already on the node, where a real
    containerd pulls it for the first pod.)"""
    (pki or ClusterPKI(0)).write_node(host, api_host)
    preload_images(host, [])
    host.programs.update(PROGRAMS)


def load_balancer_boot(backends: list[str]):
    """The boot function of the load-balancer host: HAProxy in front of the API servers."""

    def boot(host: Host) -> None:
        balancer = LoadBalancer(host.group("haproxy"), backends)
        host.memory["haproxy"] = balancer
        balancer.start()

    return boot


def node_boot(config: NodeConfig):
    """The boot function of a node: start containerd and the kubelet, as systemd would."""

    def boot(host: Host) -> None:
        # kubeadm wrote the kubelet's configuration before the kubelet first started.
        host.disk.setdefault(KUBELET_CONFIG, kubelet_config(config))
        server, credentials = read_kubeconfig(host.disk[KUBELET_CONF])
        start_node_services(host, config, server.split("://", 1)[1].split(":", 1)[0],
                            credentials)

    return boot
