"""exec's channel protocol: options as apimachinery reads them, the Status on the error channel,
the messages in order, the refusals before any command runs, and one session over TLS with a
hand-written client (v4, base64, a ping while the server closes)."""

import base64
import io
import json
import os
import socket
import ssl

import pytest

from k8slab.errors import BadRequestError, ForbiddenError
from k8slab.lab.serving.exec_stream import (
    CLOSE_SIGNAL,
    ERROR,
    STDERR,
    STDOUT,
    V4,
    V4_BASE64,
    V5,
    ExecOptions,
    decode_message,
    encode_message,
    exec_answer,
    exec_options,
    exit_status,
    session_messages,
)
from k8slab.lab.serving.http_server import HttpsServer
from k8slab.lab.serving.tls import ServingPKI
from k8slab.lab.serving.websocket import (
    BINARY,
    CLOSE,
    PING,
    PONG,
    TEXT,
    Frame,
    WebSocket,
    accept_key,
    close_payload,
    encode_frame,
    read_frame,
)
from tests.lab.serving.http_requests import http
from tests.lab.serving.test_http_server import simulated_credentials

KEY = "dGhlIHNhbXBsZSBub25jZQ=="
UPGRADE = {"upgrade": "websocket", "connection": "Upgrade", "sec-websocket-key": KEY,
           "sec-websocket-version": "13"}
PATH = "/api/v1/namespaces/default/pods/web/exec"


def exec_request(method="GET", headers=None, **query):
    request = http(method, PATH, headers=headers if headers is not None else {
        **UPGRADE, "sec-websocket-protocol": V5})
    merged = {"command": ["sh", "-c", "echo hi"], "stdout": ["true"], "stderr": ["true"],
              **{k: v if isinstance(v, list) else [v] for k, v in query.items()}}
    return type(request)(request.method, request.path, merged, request.headers)


class Recorder:
    """run_exec for exec_answer: records its calls, answers like the simulated exec."""

    def __init__(self, answer=None, error=None, run_error=None):
        self.calls, self.answer, self.error, self.run_error = [], answer, error, run_error

    def __call__(self, container, argv):
        self.calls.append((container, argv))
        if self.error is not None:
            raise self.error
        if argv is None:
            return {"node": "worker-1", "container": container or "web"}
        if self.run_error is not None:
            raise self.run_error
        return self.answer


@pytest.mark.parametrize("value, meant", [
    (None, False), ("false", False), ("FALSE", False), ("0", False), ("true", True),
    ("1", True), ("", True), ("yes", True)])
def test_booleans_read_as_apimachinery_converts_them(value, meant):
    query = {"stderr": [value]} if value is not None else {"stderr": []}
    options = exec_options(exec_request(**query))
    assert options.stderr is meant


def test_options_are_checked():
    options = exec_options(exec_request(container="web"))
    assert options == ExecOptions(("sh", "-c", "echo hi"), "web", False, True, True, False)
    with pytest.raises(BadRequestError, match="at least 1 of stdin, stdout, stderr"):
        exec_options(exec_request(stdout="false", stderr="0"))
    with pytest.raises(BadRequestError, match="at least one command"):
        exec_options(exec_request(command=[]))
    with pytest.raises(BadRequestError, match=r"stdin=true \(kubectl exec -i\)"):
        exec_options(exec_request(stdin="true"))
    with pytest.raises(BadRequestError, match=r"tty=true \(kubectl exec -t\)"):
        exec_options(exec_request(tty="true"))


def test_the_error_channels_status():
    assert exit_status(0, ["true"]) == {"metadata": {}, "status": "Success"}
    assert exit_status(3, ["sh", "-c", "exit 3"]) == {
        "metadata": {}, "status": "Failure",
        "message": "command terminated with non-zero exit code: error executing command "
                   "[sh -c exit 3], exit code 3",
        "reason": "NonZeroExitCode",
        "details": {"causes": [{"reason": "ExitCode", "message": "3"}]}}


def test_channel_messages_raw_and_base64():
    assert encode_message(V5, STDOUT, b"hi\n") == b"\x01hi\n"
    assert decode_message(V5, b"\x02oops") == (STDERR, b"oops")
    assert encode_message(V4_BASE64, STDOUT, b"hi\n") == "1aGkK"
    assert decode_message(V4_BASE64, "1aGkK") == (STDOUT, b"hi\n")
    assert decode_message(V5, bytes([CLOSE_SIGNAL, 0])) == (CLOSE_SIGNAL, b"\x00")
    with pytest.raises(Exception, match="two bytes"):
        decode_message(V5, bytes([CLOSE_SIGNAL, 0, 1]))
    with pytest.raises(Exception, match="binary"):
        decode_message(V4, "1aGkK")


def test_the_session_sends_a_first_empty_message_then_output_then_the_status():
    answer = {"exitCode": 1, "stdout": "out\n", "stderr": "err\n"}
    both = ExecOptions(("false",), stdout=True, stderr=True)
    messages = session_messages(V5, both, answer)
    assert messages[:3] == [b"\x01", b"\x01out\n", b"\x02err\n"]
    assert json.loads(messages[3][1:])["reason"] == "NonZeroExitCode"
    assert messages[3][0] == ERROR
    only_stderr = session_messages(V4, ExecOptions(("false",), stderr=True), answer)
    assert only_stderr[:2] == [b"\x02", b"\x02err\n"] and len(only_stderr) == 3


def test_an_accepted_upgrade_runs_the_command_once_and_answers_101():
    run = Recorder({"exitCode": 0, "stdout": "hi\n", "stderr": ""})
    response = exec_answer(exec_request(container="web", headers={
        **UPGRADE, "sec-websocket-protocol": f"{V4}, {V5}"}), run)
    assert response.status == 101
    assert response.headers["Sec-WebSocket-Accept"] == accept_key(KEY)
    assert response.headers["Sec-WebSocket-Protocol"] == V4  # the client's first choice
    assert run.calls == [("web", None), ("web", ["sh", "-c", "echo hi"])]  # located, run
    sent = bytearray()
    closing = encode_frame(Frame(CLOSE, close_payload(1000)), b"abcd")
    response.upgrade(WebSocket(io.BytesIO(closing).read, sent.extend))
    reader, frames = io.BytesIO(bytes(sent)), []
    while reader.tell() < len(sent):
        frames.append(read_frame(reader.read, masked=False))
    assert [f.payload for f in frames] == [
        b"\x01", b"\x01hi\n", b'\x03{"metadata":{},"status":"Success"}', b"\x03\xe8"]


def test_a_refusal_while_locating_is_an_http_answer_and_one_while_running_a_status():
    denied = Recorder(error=ForbiddenError('pods "web" is forbidden'))
    with pytest.raises(ForbiddenError):
        exec_answer(exec_request(), denied)
    assert denied.calls == [("", None)]
    refused = Recorder(run_error=BadRequestError(
        'unable to upgrade connection: container not found ("web")'))
    response = exec_answer(exec_request(), refused)
    assert response.status == 101
    sent = bytearray()
    closing = encode_frame(Frame(CLOSE, close_payload(1000)), b"abcd")
    response.upgrade(WebSocket(io.BytesIO(closing).read, sent.extend))
    reader, payloads = io.BytesIO(bytes(sent)), []
    while reader.tell() < len(sent):
        payloads.append(read_frame(reader.read, masked=False).payload)
    assert payloads[0] == b"\x01"
    assert json.loads(payloads[1][1:]) == {
        "metadata": {}, "status": "Failure", "reason": "InternalError", "code": 500,
        "message": 'Internal error occurred: unable to upgrade connection: container not '
                   'found ("web")',
        "details": {"causes": [{"message": 'unable to upgrade connection: container not '
                                           'found ("web")'}]}}


@pytest.mark.parametrize("headers, status", [
    ({**UPGRADE, "sec-websocket-protocol": "channel.k8s.io"}, 403),
    ({**UPGRADE, "sec-websocket-version": "8", "sec-websocket-protocol": V5}, 400),
    ({k: v for k, v in UPGRADE.items() if k != "sec-websocket-key"}, 400)])
def test_a_refused_handshake_runs_nothing(headers, status):
    run = Recorder({"exitCode": 0})
    response = exec_answer(exec_request(headers=headers), run)
    assert response.status == status
    assert json.loads(response.body)["kind"] == "Status"
    assert run.calls == []


def test_a_post_upgrade_is_405_as_x_net_websocket_answers():
    run = Recorder({"exitCode": 0})
    assert exec_answer(exec_request("POST"), run).status == 405
    assert run.calls == []


def test_spdy_is_refused_after_the_checks_a_real_upgrade_passes_first():
    spdy = {"upgrade": "SPDY/3.1", "connection": "Upgrade"}
    run = Recorder()
    response = exec_answer(exec_request("POST", headers=spdy, container="web"), run)
    assert response.status == 400
    assert "WebSocket only" in json.loads(response.body)["message"]
    assert run.calls == [("web", None)]  # located, not run
    denied = Recorder(error=ForbiddenError("pods \"web\" is forbidden"))
    with pytest.raises(ForbiddenError):
        exec_answer(exec_request("POST", headers=spdy), denied)


# -- over TLS, with a hand-written client ---------------------------------------------------------

@pytest.fixture
def server():
    pki = ServingPKI()
    answer = {"exitCode": 7, "stdout": "out\n", "stderr": "err\n"}
    served = HttpsServer(lambda request: exec_answer(request, Recorder(answer)), pki,
                         simulated_credentials)
    served.start()
    yield served, pki
    served.stop()
    pki.close()


def handshake(served, pki, protocol):
    context = ssl.create_default_context(cadata=pki.ca_pem.decode())
    raw = socket.create_connection(("127.0.0.1", served.port), timeout=5)
    connection = context.wrap_socket(raw, server_hostname="127.0.0.1")
    key = base64.b64encode(os.urandom(16)).decode()
    connection.sendall((
        f"GET {PATH}?command=false&stdout=true&stderr=true HTTP/1.1\r\n"
        f"Host: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
        f"Sec-WebSocket-Protocol: {protocol}\r\n\r\n").encode())
    reader = connection.makefile("rb")
    head = []
    while (line := reader.readline()) not in (b"\r\n", b""):
        head.append(line.decode().strip())
    return connection, reader, head, key


@pytest.mark.parametrize("protocol", [V4, V4_BASE64])
def test_a_session_over_tls(server, protocol):
    connection, reader, head, key = handshake(*server, protocol)
    assert head[0] == "HTTP/1.1 101 Switching Protocols"
    assert f"Sec-WebSocket-Accept: {accept_key(key)}" in head
    assert f"Sec-WebSocket-Protocol: {protocol}" in head
    connection.sendall(encode_frame(Frame(PING, b"beat"), b"wxyz"))
    frames = []
    while not frames or frames[-1].opcode != CLOSE:
        frames.append(read_frame(reader.read, masked=False))
    data = [decode_message(protocol, f.payload if f.opcode == BINARY else f.payload.decode())
            for f in frames if f.opcode in (BINARY, TEXT)]
    assert data[:3] == [(STDOUT, b""), (STDOUT, b"out\n"), (STDERR, b"err\n")]
    assert data[3][0] == ERROR and json.loads(data[3][1])["details"]["causes"] == [
        {"reason": "ExitCode", "message": "7"}]
    assert frames[-1].payload == close_payload(1000)
    assert [f.payload for f in frames if f.opcode == PONG] in ([], [b"beat"])
    connection.sendall(encode_frame(Frame(CLOSE, close_payload(1000)), b"wxyz"))
    assert reader.read() == b""  # the server closed the connection
    connection.close()


def test_a_subprotocol_nobody_speaks_is_403_over_tls(server):
    connection, reader, head, _ = handshake(*server, "channel.k8s.io")
    assert head[0] == "HTTP/1.1 403 Forbidden"
    connection.close()
