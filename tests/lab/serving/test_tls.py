"""The endpoint's real X.509: a CA, the server's certificate for 127.0.0.1, client certificates
with CN/O, and kubeconfig files real kubectl reads."""

import base64
import ipaddress

import pytest
import yaml
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from k8slab.errors import K8sLabError
from k8slab.lab.serving.tls import ServingPKI, identity


@pytest.fixture(scope="module")
def pki():
    made = ServingPKI()
    yield made
    made.close()


def test_the_server_certificate_names_loopback_and_is_signed_by_the_ca(pki):
    ca = x509.load_pem_x509_certificate(pki.ca_pem)
    server = x509.load_pem_x509_certificate(pki.server.certificate)
    sans = server.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert sans.get_values_for_type(x509.IPAddress) == [ipaddress.ip_address("127.0.0.1")]
    assert sans.get_values_for_type(x509.DNSName) == ["localhost"]
    server.verify_directly_issued_by(ca)  # raises if the CA did not sign it
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca


def test_a_client_certificate_carries_the_user_as_cn_and_each_group_as_an_o(pki):
    pair = pki.client("jane", ("developers", "system:authenticated"))
    der = x509.load_pem_x509_certificate(pair.certificate).public_bytes(Encoding.DER)
    assert identity(der) == ("jane", ("developers", "system:authenticated"))


def test_the_kubeconfig_is_kubeadms_shape_with_everything_embedded(pki, tmp_path):
    path = pki.write_kubeconfig("https://127.0.0.1:6443", "kubernetes-admin",
                                ("kubeadm:cluster-admins",), tmp_path / "admin.conf")
    config = yaml.safe_load(open(path))
    assert config["current-context"] == "kubernetes-admin@kubernetes"
    assert config["clusters"][0]["name"] == "kubernetes"
    assert config["clusters"][0]["cluster"]["server"] == "https://127.0.0.1:6443"
    assert base64.b64decode(config["clusters"][0]["cluster"]["certificate-authority-data"]) == (
        pki.ca_pem)
    user = config["users"][0]["user"]
    certificate = x509.load_pem_x509_certificate(base64.b64decode(user["client-certificate-data"]))
    assert certificate.subject.rfc4514_string() == "CN=kubernetes-admin,O=kubeadm:cluster-admins"
    assert b"PRIVATE KEY" in base64.b64decode(user["client-key-data"])
    assert (tmp_path / "admin.conf").stat().st_mode & 0o077 == 0  # owner only, as kubeadm's


def test_the_default_kubeconfig_lives_in_a_temporary_directory_removed_on_close():
    pki = ServingPKI()
    path = pki.write_kubeconfig("https://127.0.0.1:1", "u", ())
    assert open(path).read().startswith("apiVersion: v1")
    pki.close()
    with pytest.raises(FileNotFoundError):
        open(path)


def test_a_kubeconfig_path_in_a_missing_directory_is_refused(pki, tmp_path):
    with pytest.raises(K8sLabError, match="does not exist"):
        pki.write_kubeconfig("https://127.0.0.1:1", "u", (), tmp_path / "nope" / "config")
    with pytest.raises(K8sLabError, match="is a directory"):
        pki.write_kubeconfig("https://127.0.0.1:1", "u", (), tmp_path)
