"""pods/exec over a WebSocket: the remote-command channel protocol real clients speak.

`kubectl exec` (client-go's remotecommand) opens `GET .../pods/<name>/exec?command=...&
container=...&stdout=true&stderr=true` as a WebSocket offering the subprotocol
`v5.channel.k8s.io` (the official Python client offers v5, then v4). Every binary message starts
with one byte naming its channel: 0 stdin, 1 stdout, 2 stderr, 3 error, 4 terminal resize; v5
adds 255, "close", followed by the channel the sender has finished writing. The error channel
carries one metav1.Status: Success, or Failure with reason NonZeroExitCode and the exit code as
a cause, which kubectl turns into `command terminated with exit code N` and its own exit status.
The `.base64.` variants send text messages: the channel as a digit, then the data in base64.

As upstream, what the API server checks itself (authentication, RBAC's `create pods/exec`, the
pod, the container, its node) is refused before the upgrade with an HTTP Status; what goes
wrong once the kubelet has the request comes after it, on the error channel (the stream
translator's InternalError). Simplified: the endpoint asks the simulated API server twice, to
locate the container and then to run the command, where upstream does both in one request; and
the command runs to completion before the session starts (the simulated kubelet answers with
all its output at once), so the session replays stdout, stderr and the status, then closes.
No stdin and no terminal (the simulated exec takes no input): a request for either is refused
with a Status before the upgrade. Upstream: the API server's
util/proxy/websocket.go (v5) and the kubelet's streaming server (v4), over apimachinery's wsstream.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass

from k8slab.errors import APIError, BadRequestError, K8sLabError
from k8slab.lab.serving.http_types import HttpRequest, HttpResponse
from k8slab.lab.serving.status import encode
from k8slab.lab.serving.websocket import (
    ConnectionEnded,
    WebSocket,
    WebSocketError,
    accept_headers,
    choose_subprotocol,
    handshake_problem,
    is_upgrade_request,
    offered_subprotocols,
)

# The channels (k8s.io/apimachinery pkg/util/remotecommand constants.go).
STDIN, STDOUT, STDERR, ERROR, RESIZE = 0, 1, 2, 3, 4
CLOSE_SIGNAL = 255  # v5 only: [255, channel] says the sender closed that channel
V5 = "v5.channel.k8s.io"  # the API server's own WebSocket server (util/proxy/websocket.go)
V4 = "v4.channel.k8s.io"  # the kubelet's, which the API server proxies a v4 client to
V4_BASE64 = "v4.base64.channel.k8s.io"
PROTOCOLS = (V5, V4, V4_BASE64)
# remotecommand's Status for a command that exited non-zero (constants.go).
NON_ZERO_EXIT_CODE, EXIT_CODE_CAUSE = "NonZeroExitCode", "ExitCode"

Message = bytes | str  # binary for the raw protocols, text for the base64 ones
# (container, argv) -> {"exitCode", "stdout", "stderr"}; argv None: only check, run nothing.
RunExec = Callable[[str, list[str] | None], dict]


@dataclass(frozen=True)
class ExecOptions:
    """PodExecOptions as the query string gives them (command repeated, one word each)."""

    command: tuple[str, ...]
    container: str = ""
    stdin: bool = False
    stdout: bool = False
    stderr: bool = False
    tty: bool = False


def query_bool(request: HttpRequest, name: str) -> bool:
    """A boolean query parameter as apimachinery converts one: absent, "0" or "false" (any
    case) is false; anything else, even empty, is true (Convert_Slice_string_To_bool)."""
    values = request.query.get(name)
    return bool(values) and values[0] != "0" and values[0].lower() != "false"


def exec_options(request: HttpRequest) -> ExecOptions:
    """The request's PodExecOptions, checked; BadRequestError names what is wrong."""
    options = ExecOptions(tuple(request.query.get("command", [])), request.param("container"),
                          *(query_bool(request, n) for n in ("stdin", "stdout", "stderr",
                                                             "tty")))
    if not (options.stdin or options.stdout or options.stderr):
        # the kubelet's remotecommand NewOptions
        raise BadRequestError("you must specify at least 1 of stdin, stdout, stderr")
    if not options.command:
        raise BadRequestError("you must specify at least one command for the container "
                              "(the query's command=, one per word)")
    if options.tty:
        raise BadRequestError("this lab's exec has no terminal: tty=true (kubectl exec -t) is "
                              "not supported; run the command without -t")
    if options.stdin:
        raise BadRequestError("this lab's exec runs a command without input: stdin=true "
                              "(kubectl exec -i) is not supported; run the command without -i")
    return options


def exit_status(exit_code: int, argv: list[str] | tuple[str, ...]) -> dict:
    """The error channel's Status for a command that ended with `exit_code`: Success, or the
    kubelet's NonZeroExitCode Failure (the message is containerd's CodeExitError's)."""
    if not exit_code:
        return {"metadata": {}, "status": "Success"}
    words = " ".join(argv)
    return {"metadata": {}, "status": "Failure",
            "message": ("command terminated with non-zero exit code: error executing command "
                        f"[{words}], exit code {exit_code}"),
            "reason": NON_ZERO_EXIT_CODE,
            "details": {"causes": [{"reason": EXIT_CODE_CAUSE, "message": str(exit_code)}]}}


def encode_message(protocol: str, channel: int, data: bytes) -> Message:
    """One message on `channel`: the channel byte then the data, or for a base64 protocol
    the channel as a digit then the data base64-encoded (wsstream's two codecs)."""
    if ".base64." in protocol:
        return chr(ord("0") + channel) + base64.b64encode(data).decode("ascii")
    return bytes([channel]) + data


def decode_message(protocol: str, message: Message) -> tuple[int, bytes]:
    """(channel, data) of a message; a v5 close signal is (CLOSE_SIGNAL, the channel byte)."""
    if isinstance(message, str):
        if ".base64." not in protocol or not message:
            raise K8sLabError(f"{protocol} sends binary messages, not text")
        try:
            return ord(message[0]) - ord("0"), base64.b64decode(message[1:], validate=True)
        except ValueError:
            raise K8sLabError("a base64 channel message whose data is not base64") from None
    if not message:
        raise K8sLabError("an empty message names no channel")
    if protocol == V5 and message[0] == CLOSE_SIGNAL and len(message) != 2:
        raise K8sLabError("a close signal is two bytes: 255 and the channel it closes")
    return message[0], message[1:]


def run_failure(error: APIError) -> dict:
    """The error channel's Status when the run itself failed (the kubelet refused, or could
    not be reached): errors.NewInternalError of the error, as the stream translator sends a
    kubelet's refusal that is not a Status."""
    return {"metadata": {}, "status": "Failure",
            "message": f"Internal error occurred: {error.message}", "reason": "InternalError",
            "details": {"causes": [{"message": error.message}]}, "code": 500}


def session_messages(protocol: str, options: ExecOptions, answer: dict,
                     status: dict | None = None) -> list[Message]:
    """What the server sends, in order: an empty message on the lowest channel it writes
    (stdout, else stderr, else error: "the connection is established"), the command's stdout
    and stderr, and the Status on the error channel (`status`, or the exit code's)."""
    first = STDOUT if options.stdout else STDERR if options.stderr else ERROR
    messages = [encode_message(protocol, first, b"")]
    for wanted, channel, key in ((options.stdout, STDOUT, "stdout"),
                                 (options.stderr, STDERR, "stderr")):
        data = str(answer.get(key) or "").encode()
        if wanted and data:
            messages.append(encode_message(protocol, channel, data))
    if status is None:
        status = exit_status(int(answer.get("exitCode") or 0), options.command)
    messages.append(encode_message(protocol, ERROR, json.dumps(
        status, separators=(",", ":")).encode()))
    return messages


def replay(messages: list[Message]) -> Callable[[WebSocket], None]:
    """The upgraded connection's session: send `messages`, then close and wait for the
    client's close frame (data it sends meanwhile is dropped: its input is closed)."""

    def session(socket: WebSocket) -> None:
        for message in messages:
            socket.send(message)
        socket.close()
        try:
            while socket.receive() is not None:
                pass
        except (ConnectionEnded, WebSocketError, OSError):
            pass  # the client left without its close frame, or broke the protocol

    return session


def exec_answer(request: HttpRequest, run_exec: RunExec) -> HttpResponse:
    """The answer to an exec request that asks for an upgrade: a refusal (the handshake's,
    the options', or the API server's Status from locating the container, raised), or 101
    with the session. The command runs only once the handshake is known to succeed."""
    if not is_upgrade_request(request.headers):  # kubectl's SPDY fallback, say
        # Refused after the checks a real upgrade passes first (RBAC, the pod, the
        # container), so kubectl, which falls back here after a refused WebSocket, prints
        # the same error as upstream's.
        exec_options(request)
        run_exec(request.param("container"), None)
        return HttpResponse(400, body=encode(_failure(
            400, "BadRequest", "this lab's API endpoint runs exec over WebSocket only "
            f"(Upgrade: websocket, subprotocol {' or '.join(PROTOCOLS)}), not Upgrade: "
            f"{request.headers.get('upgrade', '')}")))
    problem = handshake_problem(request.method, request.headers)
    if problem is not None:
        code, message = problem
        reason = "MethodNotAllowed" if code == 405 else "BadRequest"
        return HttpResponse(code, body=encode(_failure(code, reason, message)),
                            headers={"Sec-WebSocket-Version": "13"} if code == 400 else {})
    options = exec_options(request)
    offered = offered_subprotocols(request.headers)
    protocol = choose_subprotocol(offered, PROTOCOLS)
    if protocol is None:  # x/net/websocket answers a failed subprotocol handshake 403
        return HttpResponse(403, body=encode(_failure(
            403, "Forbidden", f"requested protocol(s) are not supported: {offered}; "
            f"supports {list(PROTOCOLS)}")))
    located = run_exec(options.container, None)  # refusals here are HTTP answers
    try:
        answer, status = run_exec(located["container"], list(options.command)), None
    except APIError as error:  # after the upgrade: on the error channel
        answer, status = {}, run_failure(error)
    return HttpResponse(101, headers=accept_headers(request.headers, protocol),
                        upgrade=replay(session_messages(protocol, options, answer, status)))


def _failure(code: int, reason: str, message: str) -> dict:
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": message, "reason": reason, "code": code}
