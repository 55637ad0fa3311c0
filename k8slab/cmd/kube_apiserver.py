"""`kube-apiserver`: the Kubernetes API on port 6443, stored in the etcd `--etcd-servers` names.

kubeadm points each API server at the etcd member on its own host (https://127.0.0.1:2379),
trusts client certificates signed by the cluster CA (--client-ca-file) and turns bootstrap
tokens on (--enable-bootstrap-token-auth=true); anonymous requests stay allowed
(--anonymous-auth defaults to true). An audit policy file turns the audit log on.
"""

from __future__ import annotations

from collections.abc import Generator

from k8slab.api.certificates import Certificate, CertificateAuthority, key_from_pem
from k8slab.apiserver.audit_policy import parse_policy, policy_document
from k8slab.apiserver.authentication import Authenticator
from k8slab.apiserver.bootstrap_tokens import BootstrapTokenAuthenticator
from k8slab.apiserver.server import APIServer
from k8slab.cmd.cli import endpoint_host, flags, required, serve_forever
from k8slab.errors import K8sLabError
from k8slab.node.process import Process

BINARY = "kube-apiserver"
AUDIT_LOG = "/var/log/kubernetes/audit/audit.log"  # where the kubeadm docs' example writes it


def main(process: Process) -> Generator:
    """`kube-apiserver --etcd-servers=... --advertise-address=... --client-ca-file=...`."""
    group, bundle = process.group, process.bundle
    args = flags(bundle)
    etcd = endpoint_host(required(args, "etcd-servers", BINARY), group.host.name)
    authenticator = Authenticator(
        lambda: group.sim.now,
        client_ca(group.host.disk, args["client-ca-file"]) if "client-ca-file" in args else None,
        anonymous=_flag(args, "anonymous-auth", True))
    policy = None
    if "audit-policy-file" in args:
        path = args["audit-policy-file"]
        if path not in group.host.disk:
            raise K8sLabError(f"{BINARY}: loading audit policy file: failed to read file "
                              f'path "{path}": open {path}: no such file or directory')
        policy = parse_policy(policy_document(group.host.disk[path]))
    server = APIServer(group, etcd, args.get("advertise-address"), authenticator,
                       policy, args.get("audit-log-path", AUDIT_LOG))
    if _flag(args, "enable-bootstrap-token-auth", False):
        authenticator.add_token_authenticator(
            BootstrapTokenAuthenticator(lambda key: server.cache.objects.get(key),
                                        lambda: group.sim.now))
    server.dial = process.netns.route  # webhooks are reached through the node's network
    group.host.memory[BINARY] = server
    server.start()
    yield from serve_forever(group)


def client_ca(disk: dict, path: str) -> CertificateAuthority:
    """The CA that --client-ca-file names, read from the host's disk. Simplified: our
    signatures are keyed hashes, so the API server also reads the CA's key beside it (ca.key),
    where a real one checks signatures with the certificate's public key alone."""
    key_path = path.removesuffix(".crt") + ".key"
    for needed in (path, key_path):
        if needed not in disk:
            raise K8sLabError(f"{BINARY}: unable to load client CA file {path!r}: "
                              f"open {needed}: no such file or directory")
    return CertificateAuthority(Certificate.from_pem(disk[path]), key_from_pem(disk[key_path]))


def _flag(args: dict[str, str], name: str, default: bool) -> bool:
    value = args.get(name)
    if value is None:
        return default
    if value not in ("true", "false"):
        raise K8sLabError(f'{BINARY}: invalid argument "{value}" for "--{name}" flag: '
                          f'strconv.ParseBool: parsing "{value}": invalid syntax')
    return value == "true"
