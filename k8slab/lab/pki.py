"""kubeadm's `certs` and `kubeconfig` phases: the cluster CA, the certificates it signs, and the
kubeconfig files each component reads its identity from (reference i.3, "Identities").

Everything lands on the host's disk as kubeadm leaves it: /etc/kubernetes/pki/ca.crt and ca.key,
apiserver.crt (serving, with its SANs), apiserver-kubelet-client.crt, and admin.conf,
super-admin.conf, controller-manager.conf, scheduler.conf and kubelet.conf under
/etc/kubernetes/. Keys and serial numbers come from the cluster seed, so one seed makes one PKI.
Simplified: a joining worker gets its kubelet.conf with an embedded certificate, where a real
`kubeadm join` runs the kubelet's TLS bootstrap (a bootstrap token, a CSR, a signed certificate).
"""

from __future__ import annotations

from k8slab.api.certificates import (
    SERVER_AUTH,
    Certificate,
    CertificateAuthority,
    derived_key,
    key_pem,
)
from k8slab.api.kubeconfig import kubeconfig, read_kubeconfig
from k8slab.client.rest import Client
from k8slab.cmd.coredns import COREDNS_CONF
from k8slab.cmd.kube_proxy import KUBE_PROXY_CONF
from k8slab.cmd.node import FLANNEL_CONF
from k8slab.sim.host import Host, ProcessGroup

PKI = "/etc/kubernetes/pki"
CA_CERT, CA_KEY = f"{PKI}/ca.crt", f"{PKI}/ca.key"
ADMIN_CONF = "/etc/kubernetes/admin.conf"
SUPER_ADMIN_CONF = "/etc/kubernetes/super-admin.conf"
KUBELET_CONF = "/etc/kubernetes/kubelet.conf"
SCHEDULER_CONF = "/etc/kubernetes/scheduler.conf"
CONTROLLER_MANAGER_CONF = "/etc/kubernetes/controller-manager.conf"
KUBERNETES_SERVICE_IP = "10.96.0.1"  # the first IP of 10.96.0.0/12
# The API server's serving-certificate DNS names (kubeadm certs phase, reference i.3).
SERVING_NAMES = ("kubernetes", "kubernetes.default", "kubernetes.default.svc",
                 "kubernetes.default.svc.cluster.local")


def _service_account(namespace: str, name: str) -> tuple[str, tuple[str, ...]]:
    return (f"system:serviceaccount:{namespace}:{name}",
            ("system:serviceaccounts", f"system:serviceaccounts:{namespace}"))


# Each kubeconfig kubeadm writes on a control-plane host: its user (CN) and groups (O).
CONTROL_PLANE_IDENTITIES = {
    ADMIN_CONF: ("kubernetes-admin", ("kubeadm:cluster-admins",)),
    SUPER_ADMIN_CONF: ("kubernetes-super-admin", ("system:masters",)),
    CONTROLLER_MANAGER_CONF: ("system:kube-controller-manager", ()),
    SCHEDULER_CONF: ("system:kube-scheduler", ()),
}
# Not kubeadm's: stand-ins until ServiceAccount tokens reach the add-ons' pods. kube-proxy,
# CoreDNS and flannel authenticate with certificates naming the identities upstream gives them
# (system:kube-proxy, as kube-proxy's certificate did before kubeadm moved it to a
# ServiceAccount; the two ServiceAccounts' user names and groups).
ADDON_IDENTITIES = {
    KUBE_PROXY_CONF: ("system:kube-proxy", ()),
    COREDNS_CONF: _service_account("kube-system", "coredns"),
    FLANNEL_CONF: _service_account("kube-flannel", "flannel"),
}


class ClusterPKI:
    """The cluster CA made from the seed, signing certificates with consecutive serials."""

    def __init__(self, seed: int, now: float = 0.0) -> None:
        self.seed = seed
        self.now = now
        self.ca = CertificateAuthority.create("kubernetes", derived_key(f"{seed}/ca"), now)
        self._serial = 0

    def issue(self, common_name: str, organizations: tuple[str, ...] = (),
              **options) -> tuple[Certificate, bytes]:
        """A certificate the CA signs now, and its key (derived from the seed and serial)."""
        self._serial += 1
        certificate = self.ca.issue(common_name, organizations, self._serial, self.now,
                                    **options)
        return certificate, derived_key(f"{self.seed}/key/{self._serial}")

    def write_kubeconfig(self, host: Host, path: str, server: str, user: str,
                         groups: tuple[str, ...]) -> None:
        """`kubeadm init phase kubeconfig`: a client certificate for user/groups, embedded in
        the kubeconfig at `path` pointing at `server` (a host name, port 6443)."""
        certificate, key = self.issue(user, groups)
        host.disk[path] = kubeconfig(f"https://{server}:6443", self.ca.certificate, user,
                                     certificate=certificate, key=key)

    def write_control_plane(self, host: Host, advertise: str, endpoint: str) -> None:
        """A control-plane host's PKI: the CA, the API server's serving and kubelet-client
        certificates, the control-plane kubeconfigs (to the local API server, kubeadm's
        LocalAPIEndpoint, except admin.conf and kubelet.conf, to the `endpoint`)."""
        host.disk[CA_CERT] = self.ca.certificate.to_pem()
        host.disk[CA_KEY] = self.ca.key_pem()
        serving, key = self.issue("kube-apiserver", (), usages=(SERVER_AUTH,), sans=(
            *SERVING_NAMES, host.name, KUBERNETES_SERVICE_IP, advertise))
        host.disk[f"{PKI}/apiserver.crt"], host.disk[f"{PKI}/apiserver.key"] = (
            serving.to_pem(), key_pem(key))
        client, key = self.issue("kube-apiserver-kubelet-client", ("kubeadm:cluster-admins",))
        host.disk[f"{PKI}/apiserver-kubelet-client.crt"] = client.to_pem()
        host.disk[f"{PKI}/apiserver-kubelet-client.key"] = key_pem(key)
        for path, (user, groups) in CONTROL_PLANE_IDENTITIES.items():
            server = endpoint if path == ADMIN_CONF else host.name
            self.write_kubeconfig(host, path, server, user, groups)
        self.write_node(host, endpoint)

    def write_node(self, host: Host, endpoint: str) -> None:
        """What every node gets: the CA certificate, kubelet.conf as system:node:<name> in
        system:nodes, and the add-ons' stand-in kubeconfigs, all pointing at `endpoint`."""
        host.disk[CA_CERT] = self.ca.certificate.to_pem()
        # kubeadm lowercases the host name in the kubelet's CN (reference i.3).
        self.write_kubeconfig(host, KUBELET_CONF, endpoint, f"system:node:{host.name.lower()}",
                              ("system:nodes",))
        for path, (user, groups) in ADDON_IDENTITIES.items():
            self.write_kubeconfig(host, path, endpoint, user, groups)


def admin_client(group: ProcessGroup, path: str = ADMIN_CONF, *, impersonate_user: str = "",
                 impersonate_groups: tuple[str, ...] = ()) -> Client:
    """An API client as kubectl on a control-plane host makes one from
    KUBECONFIG=/etc/kubernetes/admin.conf (or `path`): kubernetes-admin, to the control-plane
    endpoint, impersonating whom --as/--as-group name."""
    server, credentials = read_kubeconfig(group.host.disk[path])
    return Client(group, credentials, server.split("://", 1)[-1].rsplit(":", 1)[0],
                  impersonate_user=impersonate_user, impersonate_groups=impersonate_groups)
