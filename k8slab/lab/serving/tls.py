"""Real X.509 for the endpoint: a CA, the server's certificate for 127.0.0.1, client certificates
naming a user (CN) and groups (O), and the kubeconfig file a real client reads them from.

These keys are outside the model: the simulated cluster's PKI (lab/pki.py) is data derived from
the seed, with no public-key cryptography, which real kubectl cannot check. So `serve()` makes a
fresh CA with the `cryptography` package each time (elliptic-curve P-256 keys, quick to make),
unseeded: nothing in the simulation reads them. The server maps a verified client certificate's
CN/O to a simulated certificate for the same CN/O, which the simulated API server authenticates.
"""

from __future__ import annotations

import base64
import datetime
import ipaddress
import os
import ssl
import tempfile
from dataclasses import dataclass
from pathlib import Path

import yaml
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from k8slab.api.kubeconfig import CLUSTER_NAME
from k8slab.errors import K8sLabError

LOOPBACK = "127.0.0.1"  # the only address served (http_server.check_loopback)
CA_NAME = "kubernetes"  # kubeadm's CA common name
# Validity as kubeadm gives its certificates: the CA ten years, the rest one year
# (kk cmd/kubeadm/app/constants: CACertificateValidityPeriod, CertificateValidityPeriod).
CA_VALIDITY = datetime.timedelta(days=3650)
CERTIFICATE_VALIDITY = datetime.timedelta(days=365)
# A real clock's skew: certificates are valid from a few minutes back.
BACKDATE = datetime.timedelta(minutes=5)


@dataclass(frozen=True)
class KeyPair:
    """A certificate and its private key, both PEM."""

    certificate: bytes
    key: bytes


class ServingPKI:
    """A CA made now, and the certificates it signs: the server's and any client's."""

    def __init__(self) -> None:
        self._ca_key = ec.generate_private_key(ec.SECP256R1())
        name = _name(CA_NAME)
        self._ca = _builder(name, name, self._ca_key.public_key(), CA_VALIDITY).add_extension(
            x509.BasicConstraints(ca=True, path_length=None), critical=True,
        ).add_extension(
            x509.KeyUsage(digital_signature=True, key_encipherment=True, key_cert_sign=True,
                          content_commitment=False, data_encipherment=False,
                          key_agreement=False, crl_sign=False, encipher_only=False,
                          decipher_only=False), critical=True,
        ).sign(self._ca_key, hashes.SHA256())
        self.ca_pem = self._ca.public_bytes(serialization.Encoding.PEM)
        # kube-apiserver's serving certificate, here for the loopback address it is reached on.
        self.server = self._issue("kube-apiserver", (), ExtendedKeyUsageOID.SERVER_AUTH,
                                  sans=[x509.IPAddress(ipaddress.ip_address(LOOPBACK)),
                                        x509.DNSName("localhost")])
        self._directory = tempfile.TemporaryDirectory(prefix="k8slab-serving-")

    def client(self, user: str, groups: tuple[str, ...] = ()) -> KeyPair:
        """A client certificate for `user` (CN) in `groups` (one O each), as kubeadm makes
        admin.conf's for kubernetes-admin in kubeadm:cluster-admins."""
        return self._issue(user, groups, ExtendedKeyUsageOID.CLIENT_AUTH)

    def server_context(self) -> ssl.SSLContext:
        """The server's TLS: TLS 1.2 or later, this CA's server certificate, and client
        certificates optional but, when presented, verified against this CA."""
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        certificate = self._write("apiserver.crt", self.server.certificate)
        key = self._write("apiserver.key", self.server.key)
        context.load_cert_chain(certificate, key)
        context.load_verify_locations(cadata=self.ca_pem.decode())
        context.verify_mode = ssl.CERT_OPTIONAL
        context.set_alpn_protocols(["http/1.1"])  # no HTTP/2: Go's clients fall back to 1.1
        return context

    def kubeconfig(self, server: str, user: str, groups: tuple[str, ...]) -> dict:
        """A kubeconfig as kubeadm writes admin.conf: cluster `kubernetes` at `server`, user
        `user` with a client certificate for user/groups, context `<user>@kubernetes`, every
        certificate and key embedded as base64 `*-data`."""
        pair = self.client(user, groups)
        context = f"{user}@{CLUSTER_NAME}"
        return {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [{"cluster": {"certificate-authority-data": _b64(self.ca_pem),
                                      "server": server}, "name": CLUSTER_NAME}],
            "contexts": [{"context": {"cluster": CLUSTER_NAME, "user": user},
                          "name": context}],
            "current-context": context,
            "preferences": {},
            "users": [{"name": user, "user": {
                "client-certificate-data": _b64(pair.certificate),
                "client-key-data": _b64(pair.key)}}],
        }

    def write_kubeconfig(self, server: str, user: str, groups: tuple[str, ...],
                         path: str | os.PathLike | None = None) -> str:
        """Write `kubeconfig(...)` as YAML to `path` (by default a file in this PKI's temporary
        directory, removed with it) readable by its owner only; returns the path."""
        target = Path(path) if path is not None else Path(self._directory.name) / "kubeconfig"
        if target.is_dir():
            raise K8sLabError(f"kubeconfig_path {str(target)!r} is a directory; name a file")
        if not target.parent.is_dir():
            raise K8sLabError(f"kubeconfig_path's directory {str(target.parent)!r} does not "
                              "exist")
        document = yaml.safe_dump(self.kubeconfig(server, user, groups), sort_keys=False)
        target.write_text(document)
        target.chmod(0o600)
        return str(target)

    def close(self) -> None:
        """Remove the temporary directory (the server's key and the default kubeconfig)."""
        self._directory.cleanup()

    def _issue(self, common_name: str, groups: tuple[str, ...], usage: x509.ObjectIdentifier,
               sans: list[x509.GeneralName] | None = None) -> KeyPair:
        key = ec.generate_private_key(ec.SECP256R1())
        builder = _builder(_name(common_name, groups), self._ca.subject, key.public_key(),
                           CERTIFICATE_VALIDITY).add_extension(
            x509.ExtendedKeyUsage([usage]), critical=False)
        if sans:
            builder = builder.add_extension(x509.SubjectAlternativeName(sans), critical=False)
        certificate = builder.sign(self._ca_key, hashes.SHA256())
        return KeyPair(certificate.public_bytes(serialization.Encoding.PEM),
                       key.private_bytes(serialization.Encoding.PEM,
                                         serialization.PrivateFormat.PKCS8,
                                         serialization.NoEncryption()))

    def _write(self, filename: str, data: bytes) -> str:
        # ssl loads a certificate chain only from files.
        path = Path(self._directory.name) / filename
        path.write_bytes(data)
        path.chmod(0o600)
        return str(path)


def identity(der: bytes) -> tuple[str, tuple[str, ...]]:
    """The user (CN) and groups (every O, in order) a client certificate names, as
    kube-apiserver's x509 authenticator reads them."""
    subject = x509.load_der_x509_certificate(der).subject
    common = subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    organizations = subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)
    return (str(common[0].value) if common else "",
            tuple(str(o.value) for o in organizations))


def _name(common_name: str, organizations: tuple[str, ...] = ()) -> x509.Name:
    # No CN at all for an empty one (X.509 allows no empty CN); the API server refuses it.
    common = [x509.NameAttribute(NameOID.COMMON_NAME, common_name)] if common_name else []
    return x509.Name([*(x509.NameAttribute(NameOID.ORGANIZATION_NAME, o) for o in organizations),
                      *common])


def _builder(subject: x509.Name, issuer: x509.Name, public_key: ec.EllipticCurvePublicKey,
             validity: datetime.timedelta) -> x509.CertificateBuilder:
    now = datetime.datetime.now(datetime.UTC)
    return (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer)
            .public_key(public_key).serial_number(x509.random_serial_number())
            .not_valid_before(now - BACKDATE).not_valid_after(now + validity))


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()
