"""The db file: a store's history, leases and Raft position written and read back; its status
computed as etcdutl computes it; the SHA-256 a snapshot carries."""

import hashlib

import pytest

from k8slab.etcd import dbfile
from k8slab.etcd.data_dir import store_image
from k8slab.etcd.kvstore import KVStore
from k8slab.etcd.wire import Member


@pytest.fixture
def store() -> KVStore:
    s = KVStore()
    lease = s.lessor.grant(60).id
    s.put("/a", "1")
    s.put("/b", "2", lease=lease)
    s.put("/a", "3")
    s.delete_range("/c")  # nothing deleted: no revision
    s.put("/c", "4")
    s.delete_range("/c")
    s.compact(3)
    return s


def backend(s: KVStore) -> dbfile.Backend:
    return dbfile.Backend(s.history(), s.compact_revision, tuple(s.lessor.dump()), 42, 7,
                          (Member(1, "m1", ("https://m1:2380",)),))


def test_a_db_file_reads_back_as_it_was_written(store):
    db = backend(store)
    assert dbfile.decode(dbfile.encode(db)) == db


def test_a_store_opened_from_the_db_answers_as_the_store_did(store):
    again = KVStore()
    again.restore_snapshot(store_image(dbfile.decode(dbfile.encode(backend(store)))))
    assert (again.revision, again.compact_revision) == (store.revision, store.compact_revision)
    assert again.dump() == store.dump()
    for revision in range(3, store.revision + 1):  # history since the compaction survives
        assert again.range("/", "0", revision=revision) == store.range("/", "0", revision=revision)
    assert again.lessor.lookup(1).keys == {"/b"}


def test_the_file_is_whole_pages_and_a_snapshot_adds_its_sha256(store):
    db = dbfile.encode(backend(store))
    assert len(db) % dbfile.PAGE_SIZE == 0
    saved = dbfile.with_checksum(db)
    assert saved[-32:] == hashlib.sha256(db).digest()
    assert dbfile.has_checksum(len(saved)) and not dbfile.has_checksum(len(db))
    assert dbfile.without_checksum(saved) == db


def test_crc32c_is_castagnolis():
    assert dbfile.crc32c(b"123456789") == 0xE3069283  # the check value of CRC-32C
    assert dbfile.crc32c(b"6789", dbfile.crc32c(b"12345")) == 0xE3069283


def test_status_hashes_bucket_names_keys_and_values_in_order(store):
    db = backend(store)
    crc, items = 0, 0
    for name, entries in dbfile.buckets(db):
        crc = dbfile.crc32c(name, crc)
        for key, value in entries:
            crc = dbfile.crc32c(key + value, crc)
            items += 1
    found = dbfile.status(dbfile.with_checksum(dbfile.encode(db)))
    assert found.hash == crc and found.total_items == items
    assert found.revision == store.revision  # the newest revision in `key`
    assert found.live_keys == 2  # /a and /b; /c was deleted
    assert found.total_size == len(dbfile.encode(db)) and found.version == "3.6.0"


def test_revision_keys_are_etcds():
    assert dbfile.revision_key(5, 1) == b"\0\0\0\0\0\0\0\x05_\0\0\0\0\0\0\0\x01"
    assert dbfile.revision_key(5, 0, tombstone=True).endswith(b"t")


@pytest.mark.parametrize("data", [b"", b"not a db", dbfile.MAGIC + b"{broken\n"])
def test_anything_else_is_an_invalid_database(data):
    with pytest.raises(dbfile.InvalidDatabaseError, match="^invalid database$"):
        dbfile.decode(data)
