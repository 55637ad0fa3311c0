"""RFC 6455 on its own: the handshake's accept key, frames at every length encoding, masking,
fragmented messages, ping/pong, the closing handshake and the refusals of broken frames."""

import io

import pytest

from k8slab.lab.serving.websocket import (
    BINARY,
    CLOSE,
    MESSAGE_TOO_BIG,
    NORMAL_CLOSURE,
    PING,
    PONG,
    PROTOCOL_ERROR,
    TEXT,
    ConnectionEnded,
    Frame,
    WebSocket,
    WebSocketError,
    accept_headers,
    accept_key,
    apply_mask,
    choose_subprotocol,
    close_payload,
    close_reason,
    encode_frame,
    handshake_problem,
    is_upgrade_request,
    offered_subprotocols,
    read_frame,
)

MASK = bytes([0x37, 0xFA, 0x21, 0x3D])  # RFC 6455 section 5.7's masking key
KEY = "dGhlIHNhbXBsZSBub25jZQ=="  # RFC 6455 section 1.3's sample nonce


def test_the_accept_key_of_the_rfcs_own_example():
    assert accept_key(KEY) == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
    assert accept_headers({"sec-websocket-key": KEY}, "v5.channel.k8s.io") == {
        "Upgrade": "websocket", "Connection": "Upgrade",
        "Sec-WebSocket-Accept": "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=",
        "Sec-WebSocket-Protocol": "v5.channel.k8s.io"}


def test_the_rfcs_example_frames_hello_unmasked_and_masked():
    assert encode_frame(Frame(TEXT, b"Hello")) == bytes.fromhex("810548656c6c6f")
    masked = bytes.fromhex("818537fa213d7f9f4d5158")
    assert encode_frame(Frame(TEXT, b"Hello"), MASK) == masked
    assert read_frame(io.BytesIO(masked).read, masked=True) == Frame(TEXT, b"Hello")
    assert encode_frame(Frame(PING, b"Hello")) == bytes.fromhex("890548656c6c6f")


@pytest.mark.parametrize("length, header", [
    (0, "8200"), (125, "827d"), (126, "827e007e"), (65535, "827effff"),
    (65536, "827f0000000000010000")])
def test_every_length_encoding_round_trips(length, header):
    payload = bytes(range(256)) * (length // 256) + bytes(range(length % 256))
    wire = encode_frame(Frame(BINARY, payload))
    assert wire.hex().startswith(header) and len(wire) == len(header) // 2 + length
    assert read_frame(io.BytesIO(wire).read, masked=False) == Frame(BINARY, payload)
    masked = encode_frame(Frame(BINARY, payload), MASK)
    assert read_frame(io.BytesIO(masked).read, masked=True) == Frame(BINARY, payload)


def test_masking_twice_gives_the_payload_back():
    data = b"any payload, of a length not a multiple of four"
    assert apply_mask(data, MASK) != data
    assert apply_mask(apply_mask(data, MASK), MASK) == data
    with pytest.raises(WebSocketError, match="4 bytes"):
        apply_mask(data, b"abc")


@pytest.mark.parametrize("wire, masked, words", [
    (encode_frame(Frame(TEXT, b"x")), True, "must mask"),  # a client that did not mask
    (encode_frame(Frame(TEXT, b"x"), MASK), False, "must mask"),  # a server that did
    (bytes([0xC1, 0x80]) + MASK, True, "reserved bits"),
    (bytes([0x83, 0x80]) + MASK, True, "unknown opcode"),
    (bytes([0x89, 0xFE, 0x00, 0x7E]) + MASK + b"x" * 126, True, "at most 125"),
    (bytes([0x09, 0x80]) + MASK, True, "at most 125"),  # a fragmented ping
])
def test_broken_frames_are_refused(wire, masked, words):
    with pytest.raises(WebSocketError, match=words) as caught:
        read_frame(io.BytesIO(wire).read, masked=masked)
    assert caught.value.code == PROTOCOL_ERROR


def test_a_frame_over_the_limit_is_too_big_and_a_cut_one_ended_the_connection():
    wire = encode_frame(Frame(BINARY, b"x" * 100), MASK)
    with pytest.raises(WebSocketError) as caught:
        read_frame(io.BytesIO(wire).read, masked=True, limit=99)
    assert caught.value.code == MESSAGE_TOO_BIG
    with pytest.raises(ConnectionEnded):
        read_frame(io.BytesIO(wire[:-1]).read, masked=True)


def test_close_payloads():
    assert close_payload(NORMAL_CLOSURE, "bye") == b"\x03\xe8bye"
    assert close_reason(b"\x03\xe8bye") == (NORMAL_CLOSURE, "bye")
    assert close_reason(b"") == (1005, "")


class Peer:
    """A client's bytes in, the server's bytes out."""

    def __init__(self, *frames: Frame):
        self.incoming = io.BytesIO(b"".join(encode_frame(f, MASK) for f in frames))
        self.sent = bytearray()
        self.socket = WebSocket(self.incoming.read, self.sent.extend)

    def frames(self) -> list[Frame]:
        out, reader = [], io.BytesIO(bytes(self.sent))
        while reader.tell() < len(self.sent):
            out.append(read_frame(reader.read, masked=False))
        return out


def test_a_fragmented_message_is_reassembled_and_a_ping_inside_it_answered():
    # RFC 6455 section 5.7: "Hel" then "lo", with a ping between the fragments.
    peer = Peer(Frame(TEXT, b"Hel", fin=False), Frame(PING, b"are you there"),
                Frame(0, b"lo"), Frame(BINARY, b"\x01data"))
    assert peer.socket.receive() == "Hello"
    assert peer.socket.receive() == b"\x01data"
    assert peer.frames() == [Frame(PONG, b"are you there")]


def test_the_closing_handshake_from_either_side():
    peer = Peer(Frame(CLOSE, close_payload(NORMAL_CLOSURE, "done")))
    assert peer.socket.receive() is None
    assert peer.socket.closed_by_peer == (NORMAL_CLOSURE, "done")
    assert peer.frames() == [Frame(CLOSE, close_payload(NORMAL_CLOSURE))]  # echoed once
    ours = Peer(Frame(BINARY, b"late"), Frame(CLOSE, close_payload(NORMAL_CLOSURE)))
    ours.socket.send(b"\x01out")
    ours.socket.close()
    assert ours.socket.receive() == b"late"  # still read after our close frame
    assert ours.socket.receive() is None
    assert ours.frames() == [Frame(BINARY, b"\x01out"), Frame(CLOSE, b"\x03\xe8")]
    with pytest.raises(WebSocketError, match="after the close frame"):
        ours.socket.send(b"more")


def test_a_protocol_error_closes_with_1002_before_raising():
    peer = Peer(Frame(0, b"a continuation with nothing to continue"))
    with pytest.raises(WebSocketError, match="continuation"):
        peer.socket.receive()
    [close] = peer.frames()
    assert close.opcode == CLOSE and close_reason(close.payload)[0] == PROTOCOL_ERROR


def test_a_text_message_must_be_utf8():
    peer = Peer(Frame(TEXT, b"\xff\xfe"))
    with pytest.raises(WebSocketError, match="UTF-8") as caught:
        peer.socket.receive()
    assert caught.value.code == 1007


@pytest.mark.parametrize("headers, upgrade", [
    ({"upgrade": "websocket", "connection": "Upgrade"}, True),
    ({"upgrade": "WebSocket", "connection": "keep-alive, Upgrade"}, True),
    ({"upgrade": "SPDY/3.1", "connection": "Upgrade"}, False),
    ({"upgrade": "websocket", "connection": "keep-alive"}, False),
    ({}, False)])
def test_what_counts_as_an_upgrade_request(headers, upgrade):
    assert is_upgrade_request(headers) is upgrade


def test_the_clients_order_chooses_the_subprotocol():
    supported = ("v5.channel.k8s.io", "v4.channel.k8s.io")
    offered = offered_subprotocols({"sec-websocket-protocol": "v4.channel.k8s.io, "
                                                              "v5.channel.k8s.io"})
    assert offered == ["v4.channel.k8s.io", "v5.channel.k8s.io"]
    assert choose_subprotocol(offered, supported) == "v4.channel.k8s.io"
    assert choose_subprotocol(["channel.k8s.io"], supported) is None
    assert choose_subprotocol([], supported) is None


@pytest.mark.parametrize("method, headers, problem", [
    ("GET", {"sec-websocket-key": KEY, "sec-websocket-version": "13"}, None),
    ("POST", {"sec-websocket-key": KEY, "sec-websocket-version": "13"}, 405),
    ("GET", {"sec-websocket-version": "13"}, 400),
    ("GET", {"sec-websocket-key": "c2hvcnQ=", "sec-websocket-version": "13"}, 400),
    ("GET", {"sec-websocket-key": KEY, "sec-websocket-version": "8"}, 400)])
def test_handshake_problems(method, headers, problem):
    found = handshake_problem(method, headers)
    assert (found[0] if found else None) == problem
