"""Certificates as data: who a certificate names (CN and O), who signed it, and when it is valid.

kubeadm makes a cluster CA and signs a client certificate for every component; kube-apiserver
takes a certificate's CN as the user name and its O entries as the groups. Simplified: no X.509
or public-key cryptography. A CA's key is a secret derived from the cluster seed, its signature
an HMAC-SHA256 of the certificate's fields, so checking one needs that key (kubeadm writes it
to /etc/kubernetes/pki/ca.key on every control-plane host); real X.509 checks it with the CA's
public key alone. The TLS handshake, in which a client proves it holds its certificate's private
key, is not modelled: presenting the certificate is enough.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import asdict, dataclass, replace

from k8slab.errors import K8sLabError

# kubeadm's validity periods (kk cmd/kubeadm/app/constants: CertificateValidityPeriod 1 year,
# CACertificateValidityPeriod 10 years; reference i.3).
YEAR_SECONDS = 365 * 86_400.0
CERTIFICATE_VALIDITY = YEAR_SECONDS
CA_VALIDITY = 10 * YEAR_SECONDS
CLIENT_AUTH, SERVER_AUTH = "client auth", "server auth"
_PEM_CERTIFICATE = "CERTIFICATE"
_PEM_KEY = "PRIVATE KEY"


class CertificateError(K8sLabError):
    """A certificate or key that cannot be read, with what was expected."""


@dataclass(frozen=True)
class Certificate:
    """A certificate: subject (CN, O list), issuer CN, serial, validity in simulated seconds,
    SANs, usages, and the issuer's signature over all of those."""

    common_name: str
    organizations: tuple[str, ...]
    issuer: str
    serial: int
    not_before: float
    not_after: float
    sans: tuple[str, ...] = ()
    usages: tuple[str, ...] = (CLIENT_AUTH,)
    is_ca: bool = False
    signature: str = ""

    def signed_part(self) -> bytes:
        """The bytes the issuer signs: every field but the signature, canonically encoded."""
        fields = asdict(self)
        del fields["signature"]
        return json.dumps(fields, sort_keys=True, separators=(",", ":")).encode()

    def valid_at(self, now: float) -> bool:
        """True between notBefore and notAfter."""
        return self.not_before <= now <= self.not_after

    @property
    def subject(self) -> str:
        """The subject as openssl prints it: `O = system:nodes, CN = system:node:worker-1`."""
        return ", ".join([*(f"O = {o}" for o in self.organizations),
                          f"CN = {self.common_name}"])

    def to_pem(self) -> str:
        """The certificate as a PEM block (its fields as JSON inside, not DER)."""
        return _pem(_PEM_CERTIFICATE, json.dumps(asdict(self), sort_keys=True).encode())

    @classmethod
    def from_pem(cls, text: str) -> Certificate:
        """Read a certificate that `to_pem` wrote; CertificateError if it is not one."""
        try:
            fields = json.loads(_unpem(_PEM_CERTIFICATE, text))
            return cls(**{**fields, "organizations": tuple(fields["organizations"]),
                          "sans": tuple(fields["sans"]), "usages": tuple(fields["usages"])})
        except (TypeError, KeyError, ValueError) as error:
            raise CertificateError(f"not a certificate: {error}") from None


@dataclass(frozen=True)
class CertificateAuthority:
    """A CA: its own self-signed certificate and the key it signs with."""

    certificate: Certificate
    key: bytes

    @classmethod
    def create(cls, name: str, key: bytes, now: float) -> CertificateAuthority:
        """A self-signed CA named `name` (kubeadm's is `kubernetes`), valid ten years."""
        unsigned = Certificate(name, (), name, 0, now, now + CA_VALIDITY,
                               usages=("digital signature", "key encipherment", "cert sign"),
                               is_ca=True)
        return cls(_signed(unsigned, key), key)

    def issue(self, common_name: str, organizations: tuple[str, ...], serial: int, now: float,
              *, sans: tuple[str, ...] = (), usages: tuple[str, ...] = (CLIENT_AUTH,),
              validity: float = CERTIFICATE_VALIDITY) -> Certificate:
        """A certificate for CN/O signed by this CA, valid from `now` for `validity` seconds."""
        unsigned = Certificate(common_name, tuple(organizations), self.certificate.common_name,
                               serial, now, now + validity, tuple(sans), tuple(usages))
        return _signed(unsigned, self.key)

    def signed(self, certificate: Certificate) -> bool:
        """True if this CA signed `certificate` (issuer and signature both match)."""
        return (certificate.issuer == self.certificate.common_name and hmac.compare_digest(
            certificate.signature, _signature(certificate, self.key)))

    def key_pem(self) -> str:
        """The CA's key as a PEM block (ca.key)."""
        return key_pem(self.key)


def key_pem(key: bytes) -> str:
    """A key as a PEM block."""
    return _pem(_PEM_KEY, key)


def key_from_pem(text: str) -> bytes:
    """The key in a PEM block `key_pem` wrote."""
    return _unpem(_PEM_KEY, text)


def derived_key(secret: str) -> bytes:
    """32 bytes of key material derived from `secret` (the cluster seed and a purpose), so
    the same seed makes the same PKI."""
    return hashlib.sha256(f"k8slab-pki/{secret}".encode()).digest()


def _signature(certificate: Certificate, key: bytes) -> str:
    return hmac.new(key, certificate.signed_part(), hashlib.sha256).hexdigest()


def _signed(certificate: Certificate, key: bytes) -> Certificate:
    return replace(certificate, signature=_signature(certificate, key))


def _pem(label: str, data: bytes) -> str:
    text = base64.b64encode(data).decode()
    lines = [text[i:i + 64] for i in range(0, len(text), 64)]
    return "\n".join([f"-----BEGIN {label}-----", *lines, f"-----END {label}-----", ""])


def _unpem(label: str, text: str) -> bytes:
    begin, end = f"-----BEGIN {label}-----", f"-----END {label}-----"
    if not isinstance(text, str) or begin not in text or end not in text:
        raise CertificateError(f"expected a PEM block {begin} ... {end}, got {text!r:.80}")
    body = text.split(begin, 1)[1].split(end, 1)[0]
    try:
        return base64.b64decode("".join(body.split()), validate=True)
    except ValueError:
        raise CertificateError(f"the {label} PEM block is not valid base64") from None
