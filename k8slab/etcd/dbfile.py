"""The db file: what a member's Snapshot RPC streams and `etcdutl snapshot restore` reads back.

A real member keeps its keys in a bbolt file (member/snap/db): buckets of sorted byte keys, in
4096-byte pages. Ours is not bbolt. It holds the same buckets with the same keys etcd writes
(`key`: a revision as 8 bytes main, `_`, 8 bytes sub, plus `t` for a deletion; `lease`: the ID
as 8 bytes; `meta`: consistent_index, term, finishedCompactRev, storageVersion; `members`), but
values are JSON where etcd writes protobuf, and the file is a JSON line per bucket, zero-padded
to whole 4096-byte pages. So a hash or size differs from bbolt's while the way they are computed
(server/storage/schema, etcdutl/snapshot/v3_snapshot.go Status) is etcd's.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from k8slab.etcd.errors import EtcdError
from k8slab.etcd.wire import KeyValue, Member

PAGE_SIZE = 4096  # bbolt's page size on amd64 Linux (os.Getpagesize)
MAGIC = b"k8slab etcd db (buckets as JSON lines, not bbolt)\n"
STORAGE_VERSION = "3.6.0"  # meta/storageVersion an etcd 3.6 member writes (schema/version.go)
CHECKSUM_SIZE = 32  # a snapshot stream ends with the db's SHA-256 (v3rpc/maintenance.go)


class InvalidDatabaseError(EtcdError):
    """The file is not a db file (bbolt's ErrInvalid, as etcdutl prints it)."""

    text = "invalid database"


@dataclass(frozen=True, slots=True)
class Backend:
    """Everything a db file holds: the MVCC history, leases, the Raft position it was applied
    to (consistent index and term), and the membership."""

    history: tuple[KeyValue, ...]  # kept versions and tombstones, by revision
    compact_revision: int
    leases: tuple[tuple[int, int], ...]  # (id, granted TTL)
    consistent_index: int
    term: int
    members: tuple[Member, ...]

    @property
    def revision(self) -> int:
        """The store's revision on opening: the newest revision in `key`, or the compacted
        one if that is newer (mvcc kvstore.go restore); 1 for an empty store."""
        newest = max((kv.mod_revision for kv in self.history), default=0)
        return max(newest, self.compact_revision, 1)

    def current(self) -> list[KeyValue]:
        """The live keys: each key's newest version, unless that is a deletion."""
        newest: dict[str, KeyValue] = {}
        for kv in self.history:
            newest[kv.key] = kv
        return sorted((kv for kv in newest.values() if kv.version > 0), key=lambda kv: kv.key)


def revision_key(main: int, sub: int, tombstone: bool = False) -> bytes:
    """A `key` bucket key (mvcc/revision.go RevToBytes, plus `t` for a tombstone)."""
    return main.to_bytes(8, "big") + b"_" + sub.to_bytes(8, "big") + (b"t" if tombstone else b"")


def buckets(db: Backend) -> list[tuple[bytes, list[tuple[bytes, bytes]]]]:
    """The db's buckets and their items, each sorted by its bytes as bbolt keeps them."""
    keys, sub, last = [], 0, 0
    for kv in sorted(db.history, key=lambda kv: (kv.mod_revision, kv.key)):
        sub = sub + 1 if kv.mod_revision == last else 0
        last = kv.mod_revision
        keys.append((revision_key(kv.mod_revision, sub, kv.version == 0), _json(
            {"key": kv.key, "create_revision": kv.create_revision, "mod_revision": kv.mod_revision,
             "version": kv.version, "value": kv.value, "lease": kv.lease})))
    meta = [(b"consistent_index", db.consistent_index.to_bytes(8, "big")),
            (b"storageVersion", STORAGE_VERSION.encode()),
            (b"term", db.term.to_bytes(8, "big"))]
    if db.compact_revision > 0:
        meta.append((b"finishedCompactRev", revision_key(db.compact_revision, 0)))
    leases = [(i.to_bytes(8, "big"), _json({"ID": i, "TTL": ttl})) for i, ttl in db.leases]
    members = [(f"{m.id:x}".encode(), _json({"id": m.id, "name": m.name,
                                            "peerURLs": list(m.peer_urls)})) for m in db.members]
    named = {b"key": keys, b"lease": leases, b"members": members, b"meta": meta}
    return [(name, sorted(items)) for name, items in sorted(named.items())]


def encode(db: Backend) -> bytes:
    """The db file's bytes: the magic line, a JSON line per bucket, zeros to a whole page."""
    lines = [MAGIC] + [_json({"bucket": name.hex(),
                              "items": [[k.hex(), v.hex()] for k, v in items]}) + b"\n"
                       for name, items in buckets(db)]
    body = b"".join(lines)
    return body + bytes(-len(body) % PAGE_SIZE)


def decode(data: bytes) -> Backend:
    """Read a db file (with or without a snapshot's checksum after it) back into a Backend."""
    if not data.startswith(MAGIC):
        raise InvalidDatabaseError()
    found: dict[bytes, dict[bytes, bytes]] = {}
    try:
        for line in data[len(MAGIC):].rstrip(b"\0").split(b"\n"):
            if line:
                bucket = json.loads(line)
                found[bytes.fromhex(bucket["bucket"])] = {
                    bytes.fromhex(k): bytes.fromhex(v) for k, v in bucket["items"]}
        history = tuple(KeyValue(**json.loads(v)) for _, v in sorted(found[b"key"].items()))
        meta = found[b"meta"]
        leases = tuple(sorted((int.from_bytes(k, "big"), json.loads(v)["TTL"])
                              for k, v in found[b"lease"].items()))
        members = tuple(sorted((_member(json.loads(v)) for v in found[b"members"].values()),
                               key=lambda m: m.id))
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        raise InvalidDatabaseError() from None
    compacted = meta.get(b"finishedCompactRev", b"")
    return Backend(history, int.from_bytes(compacted[:8], "big") if compacted else -1, leases,
                   int.from_bytes(meta[b"consistent_index"], "big"),
                   int.from_bytes(meta[b"term"], "big"), members)


def _member(fields: dict) -> Member:
    return Member(fields["id"], fields["name"], tuple(fields["peerURLs"]))


def _json(value: object) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":")).encode()


# -- a snapshot stream's checksum -----------------------------------------------------------------


def with_checksum(db: bytes) -> bytes:
    """What `snapshot save` writes: the db, then its SHA-256 (v3rpc/maintenance.go Snapshot)."""
    return db + hashlib.sha256(db).digest()


def has_checksum(size: int) -> bool:
    """etcdutl's hasChecksum: a size 32 past a multiple of 512 has a SHA-256 appended."""
    return size % 512 == CHECKSUM_SIZE


def without_checksum(data: bytes) -> bytes:
    """The db part of a file (the checksum, if any, cut off), as bbolt would see it."""
    return data[:-CHECKSUM_SIZE] if has_checksum(len(data)) else data


# -- snapshot status ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FileStatus:
    """etcdutl's snapshot.Status: CRC-32C over every bucket name, key and value; the newest
    revision in `key`; the key counts of 3.5 (every item of every bucket) and of 3.6 (live user
    keys, etcd PR #19344); the db's size; meta's storage version."""

    hash: int
    revision: int
    total_items: int
    live_keys: int
    total_size: int
    version: str


def status(data: bytes) -> FileStatus:
    """The status of a db file's bytes (a snapshot's checksum, if any, is not part of the db)."""
    db_bytes = without_checksum(data)
    db = decode(db_bytes)
    crc, items, version = 0, 0, ""
    for name, entries in buckets(db):
        crc = crc32c(name, crc)
        for key, value in entries:
            crc = crc32c(value, crc32c(key, crc))
            items += 1
            if name == b"meta" and key == b"storageVersion":
                version = value.decode()
    revision = max((kv.mod_revision for kv in db.history), default=0)
    return FileStatus(crc, revision, items, len(db.current()), len(db_bytes), version)


def _crc32c_table() -> list[int]:
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0x82F63B78 if crc & 1 else crc >> 1  # Castagnoli, reversed
        table.append(crc)
    return table


_CRC32C = _crc32c_table()


def crc32c(data: bytes, crc: int = 0) -> int:
    """CRC-32 with Castagnoli's polynomial, continued from `crc` (Go's crc32.Update)."""
    crc ^= 0xFFFFFFFF
    for byte in data:
        crc = _CRC32C[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF
