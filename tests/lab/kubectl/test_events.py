# ruff: noqa: E501  (golden texts: kubectl prints these lines whole)
"""`kubectl events`: sorted by when each event was last seen, kubectl's columns and filters,
and `-w` printing each arrival on its own (kubectl flushes its tabwriter per event)."""

import pytest

from k8slab.errors import BadRequestError
from k8slab.lab.kubectl import dispatch
from k8slab.lab.kubectl.events import events, parse, watch
from k8slab.lab.kubectl.get import WatchChange
from tests.lab.kubectl.kubectl_objects import Reader, event, stamp

POD = {"kind": "Pod", "namespace": "default", "name": "web", "uid": "uid-web"}
NODE = {"kind": "Node", "name": "worker-1", "uid": "worker-1"}
# Named so that name order differs from time order: the command must sort by last seen.
A = event("a", "BackOff", POD, first=100, last=300, count=4, type_="Warning",
          message="Back-off restarting failed container\nsecond line")
B = event("b", "Scheduled", POD, first=50, message="Successfully assigned default/web to worker-1")
C = event("c", "NodeNotReady", NODE, first=200, message=" Node worker-1 status is now: NodeNotReady ")
SERIES = event("d", "Pulling", POD, first=0, message='Pulling image "nginx"')
del SERIES["lastTimestamp"], SERIES["firstTimestamp"], SERIES["count"]
SERIES.update(eventTime="2026-01-01T00:00:40.000000Z",
              series={"count": 2, "lastObservedTime": "2026-01-01T00:04:00.000000Z"})
SYSTEM = event("e", "Started", {"kind": "Pod", "namespace": "kube-system", "name": "etcd"},
               first=5, namespace="kube-system", message="Started container etcd")
READER = Reader(A, B, C, SERIES, SYSTEM)


def run(command: str, reader=READER) -> str:
    return events(reader, parse(command.split()))


def test_events_are_sorted_by_last_seen_in_kubectls_columns() -> None:
    assert run("") == (
        "LAST SEEN             TYPE      REASON         OBJECT          MESSAGE\n"
        "4m40s                 Normal    Scheduled      Pod/web         Successfully assigned default/web to worker-1\n"
        "2m10s                 Normal    NodeNotReady   Node/worker-1   Node worker-1 status is now: NodeNotReady\n"
        "90s (x2 over 4m50s)   Normal    Pulling        Pod/web         Pulling image \"nginx\"\n"
        "30s (x4 over 3m50s)   Warning   BackOff        Pod/web         Back-off restarting failed container..."
    )


def test_all_namespaces_types_for_and_no_headers() -> None:
    assert run("-A --types=warning,Normal --for pod/etcd").splitlines() == [
        "NAMESPACE     LAST SEEN   TYPE     REASON    OBJECT     MESSAGE",
        "kube-system   5m25s       Normal   Started   Pod/etcd   Started container etcd",
    ]
    assert run("--types Warning --no-headers") == (
        "30s (x4 over 3m50s)   Warning   BackOff   Pod/web   Back-off restarting failed container...")
    assert run("--for no/worker-1 -n default").splitlines()[1].startswith("2m10s ")


def test_nothing_found_says_so_in_kubectls_words() -> None:
    assert run("-n kube-node-lease") == "No events found in kube-node-lease namespace."
    assert run("-A --for deployment/web") == "No events found."


@pytest.mark.parametrize(("words", "message"), [
    ("--types=Error", "valid --types are Normal or Warning"),
    ("--for web", "--for must be in resource/name form"),
    ("--for pod/a/b", "may not have more than one slash"),
    ("--for gizmo/a", 'the server doesn\'t have a resource type "gizmo"'),
    ("pods", 'unknown command "pods" for "kubectl events"'),
    ("--since=5m", "unknown flag: --since"),
    ("-w --request-timeout=-1s", "--request-timeout cannot be negative"),
])
def test_bad_events_commands_are_refused(words, message) -> None:
    with pytest.raises(BadRequestError, match=message):
        run(words)


def test_events_watch_prints_each_arrival_flushed_alone_and_skips_deletions() -> None:
    later = event("f", "Killing", POD, first=340, message="Stopping container c")
    reader = Reader(B, C, changes=[WatchChange(340.0, "ADDED", later),
                                   WatchChange(341.0, "DELETED", B),
                                   WatchChange(345.0, "MODIFIED", {**later, "count": 2,
                                                                   "lastTimestamp": stamp(344)})])
    assert watch(reader, parse(["-w"]), 30) == (
        "LAST SEEN   TYPE     REASON      OBJECT    MESSAGE\n"
        "4m40s       Normal   Scheduled   Pod/web   Successfully assigned default/web to worker-1\n"
        "2m10s   Normal   NodeNotReady   Node/worker-1   Node worker-1 status is now: NodeNotReady\n"
        "0s    Normal   Killing   Pod/web   Stopping container c\n"
        "1s (x2 over 5s)   Normal   Killing   Pod/web   Stopping container c"
    )


class WatchTerminal:
    """A terminal whose reader is a fixed `Reader` (watching reads its changes)."""

    def __init__(self, reader: Reader) -> None:
        self.reader = reader


def test_dispatch_routes_get_w_and_events_with_their_bounds() -> None:
    pod = {"apiVersion": "v1", "kind": "Pod",
           "metadata": {"name": "web", "namespace": "default", "creationTimestamp": stamp(0)},
           "spec": {}, "status": {"phase": "Running"}}
    reader = Reader(pod, changes=[WatchChange(335.0, "DELETED", pod)])
    text = dispatch.run(WatchTerminal(reader), "get pods -w --request-timeout=5s")
    assert reader.now == 335.0 and text.splitlines()[-1].startswith("web ")
    reader = Reader(pod)
    text = dispatch.run(WatchTerminal(reader), "kubectl get pods --watch")
    assert reader.now == 330.0 + 600.0
    assert text.splitlines()[-1] == dispatch.WATCH_NOTE
    assert dispatch.run(WatchTerminal(Reader(pod)), "get pods --watch=false --request-timeout 3s"
                        ).startswith("NAME ")
    assert dispatch.run(WatchTerminal(READER), "-n kube-system events").endswith(
        "Started container etcd")
    with pytest.raises(BadRequestError, match='invalid argument "maybe" for "--watch"'):
        dispatch.run(WatchTerminal(Reader(pod)), "get pods --watch=maybe")
    with pytest.raises(BadRequestError, match='time: missing unit in duration "30"'):
        dispatch.run(WatchTerminal(Reader(pod)), "get pods -w --request-timeout=30")
