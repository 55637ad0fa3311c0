"""WebSocket (RFC 6455), the part a server needs: the opening handshake, frames, masking,
fragmented messages, ping/pong and the closing handshake.

A client upgrades an HTTP/1.1 GET (`Upgrade: websocket`, `Connection: Upgrade`, a random
`Sec-WebSocket-Key`, `Sec-WebSocket-Version: 13`); the server answers 101 with
`Sec-WebSocket-Accept`, the key's SHA-1 with the protocol's GUID, base64-encoded, and at most
one of the subprotocols the client offered. From then on both ends send frames: a header of two
to fourteen bytes (FIN, opcode, a masking bit, a 7-, 16- or 64-bit length) and the payload. A
client masks every frame it sends with four random bytes; a server never masks. This module
knows nothing of Kubernetes: exec_stream.py carries exec's channels over it.
"""

from __future__ import annotations

import base64
import hashlib
import re
import struct
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from k8slab.errors import K8sLabError

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"  # RFC 6455 section 1.3
VERSION = "13"  # the only version RFC 6455 defines (section 4.1)
CONTINUATION, TEXT, BINARY, CLOSE, PING, PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA
DATA_OPCODES = (CONTINUATION, TEXT, BINARY)
CONTROL_OPCODES = (CLOSE, PING, PONG)
MAX_CONTROL_PAYLOAD = 125  # section 5.5: a control frame's payload is 125 bytes at most
# Close codes (section 7.4.1): normal, protocol error, data it cannot accept, too big.
NORMAL_CLOSURE, PROTOCOL_ERROR, UNSUPPORTED_DATA, MESSAGE_TOO_BIG = 1000, 1002, 1003, 1009
NO_STATUS = 1005  # what a close frame without a payload reports (never sent)
MAX_MESSAGE = 3 * 1024 * 1024  # a message from a client, at most (the API server's body limit)
# go's net/http (and so the API server, through x/net/websocket) reads Connection this way.
_CONNECTION_UPGRADE = re.compile(r"(^|.*,\s*)upgrade($|\s*,)")

Read = Callable[[int], bytes]
Write = Callable[[bytes], object]


class WebSocketError(K8sLabError):
    """The peer broke the protocol; `code` is the close code to answer with."""

    def __init__(self, message: str, code: int = PROTOCOL_ERROR) -> None:
        super().__init__(message)
        self.code = code


class ConnectionEnded(WebSocketError):
    """The byte stream ended in the middle of a frame (or before one)."""


# -- the opening handshake ----------------------------------------------------------------------

def accept_key(key: str) -> str:
    """Sec-WebSocket-Accept for a Sec-WebSocket-Key: base64(SHA-1(key + GUID)) (section 4.2.2)."""
    digest = hashlib.sha1((key.strip() + GUID).encode("ascii")).digest()  # noqa: S324 (RFC's)
    return base64.b64encode(digest).decode("ascii")


def is_upgrade_request(headers: dict[str, str]) -> bool:
    """Whether the request asks to become a WebSocket: `Upgrade: websocket` and a Connection
    header naming upgrade (wsstream.IsWebSocketRequest's test). Header names lower-case."""
    return (headers.get("upgrade", "").strip().lower() == "websocket"
            and bool(_CONNECTION_UPGRADE.match(headers.get("connection", "").lower())))


def offered_subprotocols(headers: dict[str, str]) -> list[str]:
    """The Sec-WebSocket-Protocol values the client offered, in its order (the header may
    come several times: http_server.py joins them with commas)."""
    return [p.strip() for p in headers.get("sec-websocket-protocol", "").split(",")
            if p.strip()]


def choose_subprotocol(offered: Sequence[str], supported: Sequence[str]) -> str | None:
    """The first protocol the client offered that the server supports, or None.

    The client's order decides, as upstream's wsstream handshake does (it walks the
    client's list and takes the first one it allows)."""
    return next((protocol for protocol in offered if protocol in supported), None)


def handshake_problem(method: str, headers: dict[str, str]) -> tuple[int, str] | None:
    """Why an upgrade request cannot be accepted, as (HTTP status, message), or None.

    The statuses are x/net/websocket's (the server the API server's wsstream uses): 405 for
    a method other than GET, 400 for a missing key or a version other than 13."""
    if method != "GET":
        return 405, f"a WebSocket opens with GET (RFC 6455 section 4.1), not {method}"
    key = headers.get("sec-websocket-key", "").strip()
    try:
        valid_key = len(base64.b64decode(key, validate=True)) == 16
    except ValueError:
        valid_key = False
    if not valid_key:
        return 400, ("Sec-WebSocket-Key must be 16 bytes, base64-encoded (RFC 6455 section "
                     f"4.1), got {key!r}")
    version = headers.get("sec-websocket-version", "").strip()
    if version != VERSION:
        return 400, f"Sec-WebSocket-Version must be {VERSION}, got {version!r}"
    return None


def accept_headers(headers: dict[str, str], subprotocol: str) -> dict[str, str]:
    """The headers of the 101 Switching Protocols answer to an upgrade request."""
    return {"Upgrade": "websocket", "Connection": "Upgrade",
            "Sec-WebSocket-Accept": accept_key(headers["sec-websocket-key"]),
            "Sec-WebSocket-Protocol": subprotocol}


# -- frames -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Frame:
    """One frame: FIN (the last of its message), the opcode, and the unmasked payload."""

    opcode: int
    payload: bytes = b""
    fin: bool = True


def apply_mask(payload: bytes, key: bytes) -> bytes:
    """Payload XOR the 4-byte masking key repeated (section 5.3); masking twice unmasks."""
    if len(key) != 4:
        raise WebSocketError(f"a masking key is 4 bytes, got {len(key)}")
    repeated = (key * (len(payload) // 4 + 1))[:len(payload)]
    return (int.from_bytes(payload, "big") ^ int.from_bytes(repeated, "big")).to_bytes(
        len(payload), "big")


def encode_frame(frame: Frame, mask: bytes | None = None) -> bytes:
    """The frame's bytes on the wire; `mask` (4 bytes) masks it, as a client must."""
    length = len(frame.payload)
    if frame.opcode in CONTROL_OPCODES and (length > MAX_CONTROL_PAYLOAD or not frame.fin):
        raise WebSocketError("a control frame is one frame of at most 125 bytes")
    head = bytes([(0x80 if frame.fin else 0) | frame.opcode])
    masked = 0x80 if mask is not None else 0
    if length < 126:
        head += bytes([masked | length])
    elif length < 1 << 16:
        head += bytes([masked | 126]) + struct.pack("!H", length)
    else:
        head += bytes([masked | 127]) + struct.pack("!Q", length)
    if mask is None:
        return head + frame.payload
    return head + mask + apply_mask(frame.payload, mask)


def read_frame(read: Read, *, masked: bool, limit: int = MAX_MESSAGE) -> Frame:
    """Read one frame with `read(n)` (n bytes, fewer only at the end of the stream).

    `masked`: whether the sender must mask (a server reads a client's frames so; section 5.1
    says a server closes on an unmasked one). Raises WebSocketError on a broken frame."""
    first, second = _exactly(read, 2)
    if first & 0x70:
        raise WebSocketError("reserved bits set, and no extension was negotiated")
    opcode, fin = first & 0x0F, bool(first & 0x80)
    if opcode not in DATA_OPCODES + CONTROL_OPCODES:
        raise WebSocketError(f"unknown opcode {opcode:#x}")
    if bool(second & 0x80) != masked:
        raise WebSocketError("a client must mask its frames and a server must not "
                             "(RFC 6455 section 5.1)")
    length = second & 0x7F
    if length == 126:
        length = struct.unpack("!H", _exactly(read, 2))[0]
    elif length == 127:
        length = struct.unpack("!Q", _exactly(read, 8))[0]
    if opcode in CONTROL_OPCODES and (length > MAX_CONTROL_PAYLOAD or not fin):
        raise WebSocketError("a control frame is one frame of at most 125 bytes")
    if length > limit:
        raise WebSocketError(f"a frame of {length} bytes is over the {limit}-byte limit",
                             MESSAGE_TOO_BIG)
    key = _exactly(read, 4) if masked else b""
    payload = _exactly(read, length)
    return Frame(opcode, apply_mask(payload, key) if masked else payload, fin)


def _exactly(read: Read, count: int) -> bytes:
    data = read(count) if count else b""
    if len(data) != count:
        raise ConnectionEnded("the connection ended inside a frame")
    return data


def close_payload(code: int, reason: str = "") -> bytes:
    """A close frame's payload: the 2-byte code, then a UTF-8 reason (section 5.5.1)."""
    return struct.pack("!H", code) + reason.encode()[:MAX_CONTROL_PAYLOAD - 2]


def close_reason(payload: bytes) -> tuple[int, str]:
    """(code, reason) of a received close frame; NO_STATUS when it carries no code."""
    if not payload:
        return NO_STATUS, ""
    if len(payload) == 1:
        raise WebSocketError("a close frame's payload is empty or starts with a 2-byte code")
    return struct.unpack("!H", payload[:2])[0], payload[2:].decode(errors="replace")


# -- one end of an open connection --------------------------------------------------------------

class WebSocket:
    """The server's end of an open WebSocket over a byte stream (`read(n)`, `write(bytes)`).

    `receive()` gives the next data message, answering pings with pongs and a close frame
    with one; `send()` sends a message; `close()` starts the closing handshake."""

    def __init__(self, read: Read, write: Write, *, limit: int = MAX_MESSAGE) -> None:
        self._read = read
        self._write = write
        self._limit = limit
        self.close_sent = False
        self.closed_by_peer: tuple[int, str] | None = None  # the peer's close code and reason

    def send(self, message: bytes | str) -> None:
        """Send one message in one frame: bytes as binary, str as text."""
        if self.close_sent:
            raise WebSocketError("cannot send after the close frame")
        opcode = TEXT if isinstance(message, str) else BINARY
        payload = message.encode() if isinstance(message, str) else message
        self._write(encode_frame(Frame(opcode, payload)))

    def ping(self, payload: bytes = b"") -> None:
        """Send a ping; the peer answers with a pong carrying the same payload."""
        self._write(encode_frame(Frame(PING, payload)))

    def close(self, code: int = NORMAL_CLOSURE, reason: str = "") -> None:
        """Send the close frame (once); the peer answers with its own, then both stop."""
        if not self.close_sent:
            self.close_sent = True
            self._write(encode_frame(Frame(CLOSE, close_payload(code, reason))))

    def receive(self) -> bytes | str | None:
        """The next whole data message (bytes for binary, str for text), or None once the
        peer has sent its close frame (answered with ours). Broken input raises
        WebSocketError after sending the close frame its code calls for."""
        try:
            return self._receive()
        except ConnectionEnded:
            raise
        except WebSocketError as error:
            self.close(error.code, str(error)[:MAX_CONTROL_PAYLOAD - 2])
            raise

    def _receive(self) -> bytes | str | None:
        opcode, parts, size = None, [], 0
        while True:
            frame = read_frame(self._read, masked=True, limit=self._limit)
            if frame.opcode == CLOSE:
                self.closed_by_peer = close_reason(frame.payload)
                self.close()  # the echo of section 5.5.1
                return None
            if frame.opcode == PING:
                if not self.close_sent:
                    self._write(encode_frame(Frame(PONG, frame.payload)))
                continue
            if frame.opcode == PONG:
                continue
            if (frame.opcode == CONTINUATION) == (opcode is None):
                raise WebSocketError("a continuation frame must follow a data frame that "
                                     "has no FIN, and only such a frame")
            opcode = frame.opcode if opcode is None else opcode
            parts.append(frame.payload)
            size += len(frame.payload)
            if size > self._limit:
                raise WebSocketError(f"a message over the {self._limit}-byte limit",
                                     MESSAGE_TOO_BIG)
            if frame.fin:
                message = b"".join(parts)
                if opcode == BINARY:
                    return message
                try:
                    return message.decode("utf-8")
                except UnicodeDecodeError:
                    raise WebSocketError("a text message that is not UTF-8",
                                         1007) from None
