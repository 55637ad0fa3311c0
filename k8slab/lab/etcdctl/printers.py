"""etcdctl 3.5's printers: what `-w simple`, `-w json` and `-w fields` print for each answer.

Each function returns the lines etcdctl writes to stdout (printer_simple.go, printer_json.go,
printer_fields.go in etcd-io/etcd v3.5.1). JSON is encoding/json over the protobuf structs, so
zero fields are left out (omitempty) and keys and values are base64.
"""

from __future__ import annotations

from k8slab.api.go_values import go_quote as quote
from k8slab.etcd.wire import (
    DeleteRangeResponse,
    KeyValue,
    PutResponse,
    RangeResponse,
    ResponseHeader,
    TxnResponse,
    WatchResponse,
)
from k8slab.lab.etcdctl.gofmt import b64, dumps

# -- simple ---------------------------------------------------------------------------------------


def simple_kv(kv: KeyValue, value_only: bool = False) -> list[str]:
    """util.go printKV: the key (unless --print-value-only), then the value (empty if
    --keys-only asked for no values: etcdctl 3.5 still prints the empty line)."""
    return ([] if value_only else [kv.key]) + [kv.value]


def simple_get(r: RangeResponse, value_only: bool = False) -> list[str]:
    """Get: each key-value as printKV prints it."""
    return [line for kv in r.kvs for line in simple_kv(kv, value_only)]


def simple_put(r: PutResponse, value_only: bool = False) -> list[str]:
    """Put: `OK`, then the previous key-value if the put asked for it."""
    return ["OK"] + (simple_kv(r.prev_kv, value_only) if r.prev_kv else [])


def simple_del(r: DeleteRangeResponse, value_only: bool = False) -> list[str]:
    """Del: how many keys were deleted, then each deleted key-value if asked for."""
    return [str(r.deleted)] + [line for kv in r.prev_kvs for line in simple_kv(kv, value_only)]


def simple_txn(r: TxnResponse) -> list[str]:
    """SUCCESS or FAILURE, then each operation's answer after an empty line."""
    lines = ["SUCCESS" if r.succeeded else "FAILURE"]
    for answer in r.responses:
        lines.append("")
        lines += simple_any(answer)
    return lines


def simple_any(answer: RangeResponse | PutResponse | DeleteRangeResponse) -> list[str]:
    """One answer inside a txn, printed as its own command prints it."""
    if isinstance(answer, RangeResponse):
        return simple_get(answer)
    return simple_put(answer) if isinstance(answer, PutResponse) else simple_del(answer)


def simple_watch(r: WatchResponse) -> list[str]:
    """Each event: its type, the previous key-value if the watch asked for it, the key-value."""
    lines = []
    for event in r.events:
        lines.append(event.type)
        if event.prev_kv is not None:
            lines += simple_kv(event.prev_kv)
        lines += simple_kv(event.kv)
    return lines


# -- json -----------------------------------------------------------------------------------------


def header_json(h: ResponseHeader) -> dict:
    """etcdserverpb.ResponseHeader, zero fields left out."""
    fields = {"cluster_id": h.cluster_id, "member_id": h.member_id, "revision": h.revision,
              "raft_term": h.raft_term}
    return {name: value for name, value in fields.items() if value}


def kv_json(kv: KeyValue) -> dict:
    """mvccpb.KeyValue: key, create_revision, mod_revision, version, value, lease."""
    fields = {"key": b64(kv.key), "create_revision": kv.create_revision,
              "mod_revision": kv.mod_revision, "version": kv.version,
              "value": b64(kv.value) if kv.value else "", "lease": kv.lease}
    return {name: value for name, value in fields.items() if value}


def _drop_empty(fields: dict) -> dict:
    return {name: value for name, value in fields.items() if value not in (None, False, 0, [])}


def range_json(r: RangeResponse) -> dict:
    """RangeResponse: header, kvs, more, count."""
    return _drop_empty({"header": header_json(r.header), "kvs": [kv_json(kv) for kv in r.kvs],
                        "more": r.more, "count": r.count})


def put_json(r: PutResponse) -> dict:
    """PutResponse: header, prev_kv."""
    return _drop_empty({"header": header_json(r.header),
                        "prev_kv": kv_json(r.prev_kv) if r.prev_kv else None})


def del_json(r: DeleteRangeResponse) -> dict:
    """DeleteRangeResponse: header, deleted, prev_kvs."""
    return _drop_empty({"header": header_json(r.header), "deleted": r.deleted,
                        "prev_kvs": [kv_json(kv) for kv in r.prev_kvs]})


def txn_json(r: TxnResponse) -> dict:
    """The TxnResponse; each answer sits in its oneof wrapper ({"Response": {...}})."""
    def op(answer: RangeResponse | PutResponse | DeleteRangeResponse) -> dict:
        if isinstance(answer, RangeResponse):
            return {"Response": {"response_range": range_json(answer)}}
        if isinstance(answer, PutResponse):
            return {"Response": {"response_put": put_json(answer)}}
        return {"Response": {"response_delete_range": del_json(answer)}}

    return _drop_empty({"header": header_json(r.header), "succeeded": r.succeeded,
                        "responses": [op(answer) for answer in r.responses]})


def watch_json(r: WatchResponse) -> dict:
    """clientv3.WatchResponse: exported Go field names, no omitempty; Events null if none."""
    events = [_drop_empty({"type": 1 if e.type == "DELETE" else 0, "kv": kv_json(e.kv),
                           "prev_kv": kv_json(e.prev_kv) if e.prev_kv else None})
              for e in r.events]
    return {"Header": header_json(r.header), "Events": events or None,
            "CompactRevision": r.compact_revision, "Canceled": r.canceled, "Created": False}


def flat_json(header: ResponseHeader, **fields: object) -> str:
    """A clientv3 lease response: the header's fields inline (an embedded pointer), then its own
    fields, which have no omitempty."""
    return dumps(header_json(header) | fields)


def json_line(value: dict | list) -> str:
    """One JSON line, as printJSON writes it."""
    return dumps(value)


# -- fields ---------------------------------------------------------------------------------------


def fields_get(r: RangeResponse) -> list[str]:
    """printer_fields.go Get: the header, each key-value, then More and Count."""
    h = r.header
    lines = [f'"ClusterID" : {h.cluster_id}', f'"MemberID" : {h.member_id}',
             f'"Revision" : {h.revision}', f'"RaftTerm" : {h.raft_term}']
    for kv in r.kvs:
        lines += [f'"Key" : {quote(kv.key)}', f'"CreateRevision" : {kv.create_revision}',
                  f'"ModRevision" : {kv.mod_revision}', f'"Version" : {kv.version}',
                  f'"Value" : {quote(kv.value)}', f'"Lease" : {kv.lease}']
    return lines + [f'"More" : {str(r.more).lower()}', f'"Count" : {r.count}']
