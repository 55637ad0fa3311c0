"""etcdctl's cluster commands: `endpoint status`, `endpoint health`, `member list`
(ep_command.go, member_command.go, printer.go in v3.5.1).

One simplification, said where it shows: the model keeps no bbolt file, so DB SIZE is the
bytes of the keys and values a member holds now.
"""

from __future__ import annotations

from collections.abc import Generator

from k8slab.cmd.images import ETCD_IMAGE
from k8slab.etcd.client import EtcdClient
from k8slab.etcd.errors import EtcdError
from k8slab.etcd.membership import CLIENT_PORT
from k8slab.etcd.wire import StatusResponse
from k8slab.lab.etcdctl import printers as p
from k8slab.lab.etcdctl.commands import COMMAND_TIMEOUT, Context
from k8slab.lab.etcdctl.flags import EXIT_ERROR, EtcdctlError, fail
from k8slab.lab.etcdctl.gofmt import duration, human_bytes, table
from k8slab.sim.errors import NetworkError

SERVER_VERSION = ETCD_IMAGE.rsplit(":", 1)[1].split("-")[0]  # the image kubeadm runs: 3.6.6
STATUS_HEADER = ["endpoint", "ID", "version", "db size", "is leader", "is learner", "raft term",
                 "raft index", "raft applied index", "errors"]


def endpoint(host: str) -> str:
    """How etcdctl shows an endpoint: as given in --endpoints, here `host:2379`."""
    return f"{host}:{CLIENT_PORT}"


def _targets(ctx: Context, flags: dict) -> Generator:
    """(what etcdctl prints, host) per endpoint: --endpoints as given, or with --cluster every
    member's client URLs from the member list."""
    if not flags["cluster"]:
        return [(endpoint(host), host) for host in ctx.client.endpoints]
    answer = yield from ctx.call(ctx.client.member_list(),
                                 "failed to fetch endpoints from etcd cluster member list: %s")
    return [(url, url.split("://", 1)[-1].rsplit(":", 1)[0])
            for m in answer.members for url in m.client_urls]


def _one(ctx: Context, host: str) -> EtcdClient:
    return EtcdClient(ctx.client.group, host)


def _error_text(error: Exception) -> str:
    return error.message if isinstance(error, EtcdError) else "context deadline exceeded"


def endpoint_status(ctx: Context, args: list[str], flags: dict) -> Generator:
    """Each endpoint's Status, one after the other; a member that does not answer is reported
    on stderr (`Failed to get the status of endpoint ...`) and etcdctl exits 1."""
    failures, rows = [], []
    for shown, host in (yield from _targets(ctx, flags)):
        try:
            status = yield from _one(ctx, host).status(timeout=COMMAND_TIMEOUT)
            everything = yield from _one(ctx, host).get("\0", from_key=True, serializable=True)
        except (EtcdError, NetworkError) as error:
            failures.append(f"Failed to get the status of endpoint {shown} "
                            f"({_error_text(error)})")
            continue
        size = sum(len(kv.key.encode()) + len(kv.value.encode()) for kv in everything.kvs)
        rows.append((shown, status, size))
    if ctx.output == "json":
        lines = [p.json_line([_status_json(shown, status, size) for shown, status, size in rows])]
    else:
        cells = [[shown, f"{s.header.member_id:x}", SERVER_VERSION, human_bytes(size),
                  str(s.leader_id == s.header.member_id).lower(), "false", str(s.term),
                  str(s.raft_index), str(s.raft_applied_index), ""] for shown, s, size in rows]
        lines = _rows(ctx, STATUS_HEADER, cells)
    if failures:
        raise EtcdctlError("\n".join(failures + lines), EXIT_ERROR)
    return lines


def _status_json(shown: str, s: StatusResponse, size: int) -> dict:
    fields = {"header": p.header_json(s.header), "version": SERVER_VERSION, "dbSize": size,
              "leader": s.leader_id, "raftIndex": s.raft_index, "raftTerm": s.term,
              "raftAppliedIndex": s.raft_applied_index, "dbSizeInUse": size}
    return {"Endpoint": shown,
            "Status": {name: value for name, value in fields.items() if value}}


def _rows(ctx: Context, header: list[str], cells: list[list[str]]) -> list[str]:
    if ctx.output == "simple":
        return [", ".join(row) for row in cells]
    if ctx.output == "table":
        return table(header, cells).split("\n")
    raise ctx.unsupported()


def endpoint_health(ctx: Context, args: list[str], flags: dict) -> Generator:
    """A linearizable Get of "health" on each endpoint, timed in simulated time."""
    results = []
    for shown, host in (yield from _targets(ctx, flags)):
        start = ctx.client.group.sim.now
        try:
            yield from _one(ctx, host).get("health")
            error = ""
        except (EtcdError, NetworkError) as failure:
            error = _error_text(failure)
        took = duration(ctx.client.group.sim.now - start)
        results.append((shown, error == "", took, error))
    if ctx.output == "json":
        lines = [p.json_line([{"endpoint": ep, "health": ok, "took": took}
                              | ({"error": error} if error else {})
                              for ep, ok, took, error in results])]
    elif ctx.output == "simple":
        lines = [f"{ep} is healthy: successfully committed proposal: took = {took}" if ok
                 else f"{ep} is unhealthy: failed to commit proposal: {error}"
                 for ep, ok, took, error in results]
    else:
        lines = _rows(ctx, ["endpoint", "health", "took", "error"],
                      [[ep, str(ok).lower(), took, error] for ep, ok, took, error in results])
    if any(not ok for _, ok, _, _ in results):
        raise fail("unhealthy cluster", EXIT_ERROR, lines)
    return lines


def member_list(ctx: Context, args: list[str], flags: dict) -> Generator:
    """The Cluster service's MemberList: members by ID; one that has not published its name
    yet is `unstarted` (printer.go makeMemberListTable)."""
    answer = yield from ctx.call(ctx.client.member_list())
    if ctx.output == "json":
        return [p.json_line({"header": p.header_json(answer.header), "members": [
            {"ID": m.id, "name": m.name, "peerURLs": list(m.peer_urls),
             "clientURLs": list(m.client_urls)} | ({"isLearner": True} if m.is_learner else {})
            for m in answer.members]})]
    cells = [[f"{m.id:x}", "started" if m.name else "unstarted", m.name, ",".join(m.peer_urls),
              ",".join(m.client_urls), str(m.is_learner).lower()] for m in answer.members]
    return _rows(ctx, ["ID", "Status", "Name", "Peer Addrs", "Client Addrs", "Is Learner"], cells)

