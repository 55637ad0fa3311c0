"""The HTTPS server on its own, with small handlers: TLS on loopback only, credentials from the
connection, the 3 MiB body limit, 500 for a failing handler, chunked streams."""

import http.client
import json
import socket
import ssl
import threading
import time

import pytest

from k8slab.api.certificates import CertificateAuthority, derived_key
from k8slab.api.kubeconfig import Credentials
from k8slab.errors import K8sLabError
from k8slab.lab.serving.http_server import MAX_REQUEST_BODY, HttpsServer, check_loopback
from k8slab.lab.serving.http_types import HttpResponse
from k8slab.lab.serving.tls import ServingPKI

SIMULATED_CA = CertificateAuthority.create("kubernetes", derived_key("test/ca"), 0.0)


def simulated_credentials(user, groups):
    if not user:  # as Cluster.issue_certificate refuses a certificate naming nobody
        raise K8sLabError("user must be a user name")
    return Credentials(SIMULATED_CA.issue(user, groups, 1, 0.0))


@pytest.fixture
def served(tmp_path):
    """A server whose handler echoes what it was given; yields (server, pki, seen requests)."""
    pki = ServingPKI()
    seen = []

    def echo(request):
        seen.append(request)
        if request.path == "/boom":
            raise RuntimeError("the handler broke")
        certificate = request.credentials.certificate
        return HttpResponse(200, body=json.dumps({
            "method": request.method, "path": request.path, "query": request.query,
            "body": len(request.body), "token": request.credentials.token,
            "groups_asked": request.headers.get("impersonate-group"),
            "user": certificate.common_name if certificate else None,
            "groups": list(certificate.organizations) if certificate else None}).encode())

    server = HttpsServer(echo, pki, simulated_credentials)
    server.start()
    yield server, pki, seen
    server.stop()
    pki.close()


def connect(server, pki, tmp_path, *, user=None, groups=()):
    context = ssl.create_default_context(cadata=pki.ca_pem.decode())
    if user is not None:
        pair = pki.client(user, groups)
        (tmp_path / "c.crt").write_bytes(pair.certificate)
        (tmp_path / "c.key").write_bytes(pair.key)
        context.load_cert_chain(tmp_path / "c.crt", tmp_path / "c.key")
    return http.client.HTTPSConnection("127.0.0.1", server.port, context=context, timeout=5)


def ask(connection, method="GET", path="/", body=None, headers=None):
    connection.request(method, path, body=body, headers=headers or {})
    response = connection.getresponse()
    return response.status, json.loads(response.read())


def test_a_verified_client_certificate_becomes_simulated_credentials_for_the_same_cn_o(
        served, tmp_path):
    server, pki, _ = served
    connection = connect(server, pki, tmp_path, user="jane", groups=("dev", "ops"))
    status, answer = ask(connection,
                         path="/api/v1/namespaces/a%3Ab/pods?labelSelector=app%3Dweb&watch=1")
    assert (status, answer["path"]) == (200, "/api/v1/namespaces/a:b/pods")
    assert (answer["user"], answer["groups"]) == ("jane", ["dev", "ops"])
    assert answer["query"] == {"labelSelector": ["app=web"], "watch": ["1"]}
    # The same connection serves the next request (HTTP/1.1 keep-alive).
    assert ask(connection, "POST", "/x", body=b"{}")[1]["body"] == 2


def test_a_header_sent_twice_is_one_comma_separated_value(served, tmp_path):
    server, pki, _ = served
    connection = connect(server, pki, tmp_path)
    connection.putrequest("GET", "/")
    connection.putheader("Impersonate-Group", "a")
    connection.putheader("Impersonate-Group", "b")
    connection.endheaders()
    assert json.loads(connection.getresponse().read())["groups_asked"] == "a, b"


def test_a_client_certificate_naming_no_user_is_401(served, tmp_path):
    server, pki, seen = served
    status, answer = ask(connect(server, pki, tmp_path, user=""))
    assert (status, answer["reason"]) == (401, "Unauthorized") and seen == []


def test_a_bearer_token_is_passed_on_and_no_credential_is_anonymous(served, tmp_path):
    server, pki, _ = served
    connection = connect(server, pki, tmp_path)
    assert ask(connection, headers={"Authorization": "Bearer abc.def"})[1]["token"] == "abc.def"
    status, answer = ask(connection)
    assert (answer["token"], answer["user"]) == ("", None)


def test_tls_checks_the_server_against_the_served_ca_only(served):
    server, _, _ = served
    other = ssl.create_default_context(cadata=ServingPKI().ca_pem.decode())
    connection = http.client.HTTPSConnection("127.0.0.1", server.port, context=other, timeout=5)
    with pytest.raises(ssl.SSLCertVerificationError):
        connection.request("GET", "/")


def test_a_client_certificate_from_another_ca_is_refused_in_the_handshake(served, tmp_path):
    server, pki, seen = served
    stranger = ServingPKI().client("mallory", ("system:masters",))
    (tmp_path / "m.crt").write_bytes(stranger.certificate)
    (tmp_path / "m.key").write_bytes(stranger.key)
    context = ssl.create_default_context(cadata=pki.ca_pem.decode())
    context.load_cert_chain(tmp_path / "m.crt", tmp_path / "m.key")
    connection = http.client.HTTPSConnection("127.0.0.1", server.port, context=context, timeout=5)
    with pytest.raises((ssl.SSLError, ConnectionError, http.client.HTTPException)):
        ask(connection)
    assert seen == []


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "localhost", "10.0.0.1", "", None, "::1"])
def test_any_address_but_127_0_0_1_is_refused_before_binding(host):
    with pytest.raises(K8sLabError, match="binds 127.0.0.1 only"):
        check_loopback(host)
    with pytest.raises(K8sLabError, match="binds 127.0.0.1 only"):
        HttpsServer(lambda r: HttpResponse(200), ServingPKI(), simulated_credentials, host=host)


def test_a_body_over_3_mib_gets_upstreams_413_status(served, tmp_path):
    server, pki, seen = served
    status, answer = ask(connect(server, pki, tmp_path), "POST", "/api/v1/namespaces",
                         body=b"x" * (MAX_REQUEST_BODY + 1))
    assert status == 413
    assert answer == {"kind": "Status", "apiVersion": "v1", "metadata": {},
                      "status": "Failure", "reason": "RequestEntityTooLarge", "code": 413,
                      "message": "Request entity too large: limit is 3145728"}
    assert seen == []
    status, answer = ask(connect(server, pki, tmp_path), "POST", "/", b"x" * MAX_REQUEST_BODY)
    assert (status, answer["body"]) == (200, MAX_REQUEST_BODY)


def test_a_failing_handler_answers_500_and_the_server_serves_on(served, tmp_path):
    server, pki, _ = served
    connection = connect(server, pki, tmp_path)
    status, answer = ask(connection, path="/boom")
    assert (status, answer["reason"], answer["message"]) == (
        500, "InternalError", "Internal error occurred: the handler broke")
    assert ask(connect(server, pki, tmp_path), path="/fine")[0] == 200


def test_a_stream_goes_out_chunked_and_closes_when_the_client_leaves(tmp_path):
    pki = ServingPKI()
    closed = threading.Event()

    def watch():
        try:
            yield b'{"type":"ADDED"}\n'
            yield b'{"type":"MODIFIED"}\n'
            while True:  # a watch with nothing more to say: ticks
                time.sleep(0.05)
                yield b""
        finally:  # the server closes the generator when the client has gone
            closed.set()

    def streams(request):
        if request.path == "/short":
            return HttpResponse(200, stream=iter([b"a\n", b"", b"b\n"]))
        return HttpResponse(200, stream=watch())

    server = HttpsServer(streams, pki, simulated_credentials)
    server.start()
    try:
        connection = connect(server, pki, tmp_path)
        connection.request("GET", "/short")
        response = connection.getresponse()
        assert response.getheader("Transfer-Encoding") == "chunked"
        assert response.read() == b"a\nb\n"
        connection.request("GET", "/watch")
        response = connection.getresponse()
        assert response.readline() == b'{"type":"ADDED"}\n'
        assert response.readline() == b'{"type":"MODIFIED"}\n'
        connection.sock.shutdown(socket.SHUT_RDWR)
        connection.close()
        assert closed.wait(3), "the stream was not closed after the client left"
    finally:
        server.stop()
        pki.close()


def test_stopping_frees_the_port_and_ends_kept_alive_connections(tmp_path):
    pki = ServingPKI()
    answered = []
    server = HttpsServer(lambda r: answered.append(r) or HttpResponse(200), pki,
                         simulated_credentials)
    server.start()
    port = server.port
    kept = connect(server, pki, tmp_path)
    kept.request("GET", "/")
    kept.getresponse().read()
    server.stop()
    again = HttpsServer(lambda r: HttpResponse(200), pki, simulated_credentials, port=port)
    again.stop()  # the port was free to listen on again
    with pytest.raises((ConnectionError, http.client.HTTPException, ssl.SSLError)):
        kept.request("GET", "/again")
        kept.getresponse()
    assert [r.path for r in answered] == ["/"]
    pki.close()
