"""The HTTPS server real clients connect to: TLS on 127.0.0.1 only, one thread per connection.

Each request is read whole (up to kube-apiserver's 3 MiB body limit), given the simulated
credentials its connection presented (a verified client certificate, or a bearer token, or
none: anonymous), and handed to `handler(HttpRequest) -> HttpResponse`. A response with a
`stream` goes out chunked, one chunk per item, until the stream ends or the client leaves. A
101 with an `upgrade` session (exec's WebSocket) hands the connection to that session, which
speaks RFC 6455 frames on it (websocket.py) until it ends; then the connection closes.
"""

from __future__ import annotations

import json
import logging
import select
import socket
import ssl
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

from k8slab.api.kubeconfig import Credentials
from k8slab.errors import K8sLabError
from k8slab.lab.serving.http_types import HttpRequest, HttpResponse
from k8slab.lab.serving.tls import LOOPBACK, ServingPKI, identity
from k8slab.lab.serving.websocket import WebSocket

# kube-apiserver refuses a larger request body with 413 (its MaxRequestBodyBytes, 3 MiB;
# reference kubernetes.md, "Other fixed texts" and "Numbers").
MAX_REQUEST_BODY = 3 * 1024 * 1024
DISCARD_LIMIT = 64 * 1024 * 1024  # a larger refused body is not read: the connection just closes
POLL_SECONDS = 0.05  # how soon stop() is noticed
UPGRADED_IDLE_SECONDS = 30.0  # an upgraded connection whose client says nothing this long ends
LOG = logging.getLogger(__name__)

Handler = Callable[[HttpRequest], HttpResponse]
# The simulated credentials for a verified client certificate's (CN, O...).
CertificateCredentials = Callable[[str, tuple[str, ...]], Credentials]


def check_loopback(host: object) -> str:
    """`host` if it is 127.0.0.1, else K8sLabError: the endpoint never listens on another
    address. "localhost" is refused too: it may name ::1 or, through /etc/hosts, any address,
    and the server certificate names 127.0.0.1."""
    if host != LOOPBACK:
        raise K8sLabError(f"the lab's API endpoint binds {LOOPBACK} only (loopback: no other "
                          f"machine can reach a simulated cluster's admin), got {host!r}")
    return LOOPBACK


def status_body(code: int, reason: str, message: str) -> bytes:
    """A metav1 Status failure body, as kube-apiserver answers an error."""
    return json.dumps({"kind": "Status", "apiVersion": "v1", "metadata": {},
                       "status": "Failure", "message": message, "reason": reason,
                       "code": code}).encode()


def _headers(items: object) -> dict[str, str]:
    # Names lower-cased; a header sent several times (kubectl sends one Impersonate-Group per
    # --as-group) becomes one comma-separated value, as HTTP allows (RFC 9110, section 5.3).
    headers: dict[str, str] = {}
    for name, value in items:
        key = name.lower()
        headers[key] = f"{headers[key]}, {value}" if key in headers else value
    return headers


class Activity:
    """What the server is doing now, for a caller that must not move time under a request
    (c.kubectl_real in stepped mode): requests being answered, the streams open (watch,
    logs -f) with the wall time each opened, and when the last answer went out (monotonic)."""

    def __init__(self) -> None:
        self.answering = 0
        self.last_answered: float | None = None
        self._streams: dict[int, float] = {}  # an open stream's key -> when it opened
        self._lock = threading.Lock()

    def answer_begins(self) -> None:
        """A request arrived and is being answered."""
        with self._lock:
            self.answering += 1

    def answer_ends(self, stream_key: int | None = None) -> None:
        """A request is answered; with `stream_key`, its answer is a stream now open."""
        with self._lock:
            self.answering -= 1
            self.last_answered = time.monotonic()
            if stream_key is not None:
                self._streams[stream_key] = self.last_answered

    def stream_ends(self, stream_key: int) -> None:
        """The stream `stream_key` ended (or its client left)."""
        with self._lock:
            self._streams.pop(stream_key, None)

    def streaming_since(self, moment: float) -> bool:
        """Whether a stream opened at or after wall time `moment` is still open."""
        with self._lock:
            return any(opened >= moment for opened in self._streams.values())


class HttpsServer:
    """A TLS server on 127.0.0.1:`port` (0: any free port) answering with `handler`."""

    def __init__(self, handler: Handler, pki: ServingPKI, credentials: CertificateCredentials,
                 port: int = 0, host: str = LOOPBACK) -> None:
        address = (check_loopback(host), port)
        self._server = _TlsServer(address, _RequestHandler, pki.server_context())
        self._server.answer = handler
        self._server.credentials = credentials
        self.activity: Activity = self._server.activity
        self.port: int = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, args=(POLL_SECONDS,),
                                        name=f"k8slab-https-{self.port}", daemon=True)

    def start(self) -> None:
        """Accept connections in a background (daemon) thread."""
        self._thread.start()

    def stop(self) -> None:
        """Stop accepting, close the listening socket (the port is free again) and end the
        open streams at their next chunk."""
        self._server.stopping.set()
        if self._thread.is_alive():
            self._server.shutdown()  # waits for serve_forever, so only once it runs
            self._thread.join()
        self._server.server_close()
        self._server.close_connections()


class _TlsServer(ThreadingHTTPServer):
    daemon_threads = True
    answer: Handler
    credentials: CertificateCredentials

    def __init__(self, address: tuple[str, int], handler: type, context: ssl.SSLContext) -> None:
        self.context = context
        self.stopping = threading.Event()
        self.activity = Activity()
        self._connections: dict[int, socket.socket] = {}  # open ones, by id, for stop()
        self._connections_lock = threading.Lock()
        super().__init__(address, handler)

    def close_connections(self) -> None:
        """End every open connection (a keep-alive one would otherwise still be answered)."""
        with self._connections_lock:
            open_now = list(self._connections.values())
        for connection in open_now:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # already closed by its client

    def server_bind(self) -> None:
        # The base class would look up the host's name (getfqdn); a loopback server needs none.
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.socket.bind(self.server_address)
        self.server_address = self.socket.getsockname()
        self.server_name, self.server_port = LOOPBACK, self.server_address[1]

    def finish_request(self, request: socket.socket, client_address: tuple) -> None:
        # Headers and body go out in separate writes: without TCP_NODELAY, Nagle's algorithm
        # holds the body until the client's delayed ACK (some 40 ms per request).
        request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        # The TLS handshake runs in the connection's own thread, so a slow client never
        # holds up accepting others.
        try:
            connection = self.context.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError) as error:
            LOG.info("TLS handshake with %s failed: %s", client_address, error)
            return
        with self._connections_lock:
            self._connections[id(connection)] = connection
        try:
            if not self.stopping.is_set():
                super().finish_request(connection, client_address)
        finally:
            with self._connections_lock:
                del self._connections[id(connection)]
            connection.close()

    def handle_error(self, request: object, client_address: tuple) -> None:
        LOG.warning("connection from %s ended with an error", client_address, exc_info=True)


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive and chunked bodies, as kubectl expects
    timeout = 120  # seconds a connection may stay silent (idle keep-alive, a stalled reader)
    server: _TlsServer
    _streaming = False  # this request's answer is a stream (its activity counts as one)

    def do_GET(self) -> None:  # noqa: N802 (http.server's names)
        activity = self.server.activity
        activity.answer_begins()
        self._streaming = False
        try:
            self._answer()
        finally:
            if self._streaming:
                activity.stream_ends(id(self))
            else:
                activity.answer_ends()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = do_GET  # noqa: N815

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        LOG.debug("%s " + format, self.client_address[0], *args)

    def _answer(self) -> None:
        length = self.headers.get("Content-Length", "0")
        if not length.isdigit():
            self._send(HttpResponse(400, body=status_body(
                400, "BadRequest", f"invalid Content-Length {length!r}")), close=True)
            return
        if int(length) > MAX_REQUEST_BODY:
            # Read and dropped (up to a bound), so the client, still sending, reads the answer
            # instead of a reset connection; then the connection closes.
            self._discard(int(length))
            self._send(HttpResponse(413, body=status_body(
                413, "RequestEntityTooLarge",
                f"Request entity too large: limit is {MAX_REQUEST_BODY}")), close=True)
            return
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            self._send(HttpResponse(411, body=status_body(
                411, "BadRequest", "a request body needs a Content-Length (the lab reads no "
                "chunked request body)")), close=True)
            return
        body = self.rfile.read(int(length))
        try:
            credentials = self._credentials()
        except K8sLabError as error:  # a certificate naming no user, say
            LOG.info("refused a client certificate: %s", error)
            self._send(HttpResponse(401, body=status_body(401, "Unauthorized", "Unauthorized")))
            return
        url = urlsplit(self.path)
        request = HttpRequest(
            method=self.command, path=unquote(url.path) or "/",  # decoded, as Go's URL.Path
            query=parse_qs(url.query, keep_blank_values=True),
            headers=_headers(self.headers.items()), body=body, credentials=credentials)
        try:
            response = self.server.answer(request)
        except Exception as error:  # a bug behind one request must not take the server down
            LOG.exception("%s %s failed", self.command, self.path)
            response = HttpResponse(500, body=status_body(
                500, "InternalError", f"Internal error occurred: {error}"))
        self._send(response)

    def _discard(self, length: int) -> None:
        if length > DISCARD_LIMIT:
            return
        while length > 0:
            piece = self.rfile.read(min(length, 65536))
            if not piece:
                return
            length -= len(piece)

    def _credentials(self) -> Credentials:
        token = ""
        scheme, _, value = self.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "bearer":
            token = value.strip()
        der = self.connection.getpeercert(binary_form=True)
        if der is None:
            return Credentials(token=token)
        user, groups = identity(der)
        found = self.server.credentials(user, groups)
        return Credentials(found.certificate, token)

    def _send(self, response: HttpResponse, close: bool = False) -> None:
        if response.upgrade is not None:
            self._upgrade(response)
            return
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        for name, value in response.headers.items():
            self.send_header(name, value)
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        if response.stream is None:
            self.send_header("Content-Length", str(len(response.body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(response.body)
            return
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self._streaming = True  # answered: from here on the connection waits on the world
        self.server.activity.answer_ends(stream_key=id(self))
        self._stream(response)

    def _upgrade(self, response: HttpResponse) -> None:
        """101 Switching Protocols, then the session on the connection, which then closes.
        The session counts as an open stream (it may wait on its client) while it runs."""
        self.send_response(101)
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.close_connection = True
        self._streaming = True
        self.server.activity.answer_ends(stream_key=id(self))
        self.connection.settimeout(UPGRADED_IDLE_SECONDS)
        assert response.upgrade is not None
        try:
            response.upgrade(WebSocket(self.rfile.read, self._write_now))
        except OSError:  # the client went away, or said nothing for UPGRADED_IDLE_SECONDS
            pass

    def _write_now(self, data: bytes) -> None:
        self.wfile.write(data)
        self.wfile.flush()

    def _stream(self, response: HttpResponse) -> None:
        stream = response.stream
        try:
            for chunk in stream:
                # An empty chunk is the stream's tick while nothing happens: the moment to
                # notice that the server stops or the client has gone.
                if self.server.stopping.is_set() or (not chunk and self._client_gone()):
                    break
                if chunk:
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                    self.wfile.flush()
            else:
                self.wfile.write(b"0\r\n\r\n")
                self.wfile.flush()
                return
            self.close_connection = True
        except OSError:  # the client went away (kubectl get -w interrupted)
            self.close_connection = True
        finally:
            close = getattr(stream, "close", None)
            if close is not None:
                close()

    def _client_gone(self) -> bool:
        # A client reading a chunked answer sends nothing more: anything readable now is its
        # TLS close_notify or end of file.
        readable, _, _ = select.select([self.connection], [], [], 0)
        return bool(readable) or self.connection.pending() > 0
