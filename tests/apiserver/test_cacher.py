"""Lists and watches from the watch cache at upstream's resourceVersion semantics: which state
each resourceVersion / resourceVersionMatch asks for, paging, 410s, 504s, bookmarks, and reads
that follow writes (api-concepts "Semantics for get and list", "Efficient detection of changes")."""

import pytest

from k8slab import Cluster
from k8slab.apiserver.cacher import INCONSISTENT_CONTINUE
from k8slab.apiserver.pagination import decode_continue
from k8slab.apiserver.server import COMPACTION_INTERVAL
from k8slab.apiserver.watch import BOOKMARK_SECONDS
from k8slab.client.rest import Client
from k8slab.errors import (
    BadRequestError,
    GoneError,
    InvalidError,
    ServerTimeoutError,
)
from tests.pki_fixtures import cluster_credentials


def names(items: list[dict]) -> list[str]:
    return [o["metadata"]["name"] for o in items]


def chunk(cp, **fields) -> dict:
    return cp.ok(cp.client().list_chunk("pods", **fields))


def create(cp, make_pod, *pods: str) -> int:
    """Create pods; the etcd revision after the last."""
    for name in pods:
        cp.ok(cp.client().create(make_pod(name)))
    return cp.etcd.store.revision


@pytest.fixture
def history(cp, make_pod):
    """Pods a, b at revision `old`; then c created and a deleted, ending at `now`."""
    old = create(cp, make_pod, "a", "b")
    create(cp, make_pod, "c")
    cp.ok(cp.client().delete("pods", "a", "default", grace_period_seconds=0))
    return cp, old, cp.etcd.store.revision


# -- LIST: which state each resourceVersion asks for ---------------------------------------------

LIST_CASES = [  # (resourceVersion, resourceVersionMatch, limit) -> the state served
    ("", "", 0, "now"),                  # most recent: a consistent read
    ("0", "", 0, "now"),                 # any: the cache as it is (caught up here)
    ("old", "", 0, "now"),               # not older than old
    ("old", "NotOlderThan", 0, "now"),
    ("old", "Exact", 0, "old"),          # exactly old, from the cache's history
    ("old", "", 10, "old"),              # legacy: a limit makes "<n>" exact
    ("old", "NotOlderThan", 10, "now"),
]


@pytest.mark.parametrize("rv,match,limit,state", LIST_CASES,
                         ids=[f"rv={c[0] or 'unset'},match={c[1] or 'unset'},limit={c[2]}"
                              for c in LIST_CASES])
def test_a_list_serves_the_state_its_resource_version_asks_for(history, rv, match, limit, state):
    cp, old, now = history
    answer = chunk(cp, resource_version=str(old) if rv == "old" else rv,
                   resource_version_match=match, limit=limit)
    expected = {"old": (["a", "b"], old), "now": (["b", "c"], now)}[state]
    assert (names(answer["items"]), int(answer["resourceVersion"])) == expected


def test_an_exact_list_shows_each_object_as_it_was(history, make_pod):
    cp, old, _ = history
    [b_then] = [o for o in chunk(cp, resource_version=str(old), resource_version_match="Exact")
                ["items"] if o["metadata"]["name"] == "b"]
    cp.ok(cp.client().bind("default", "b", "worker-1"))
    [b_again] = [o for o in chunk(cp, resource_version=str(old), resource_version_match="Exact")
                 ["items"] if o["metadata"]["name"] == "b"]
    assert b_again == b_then and "nodeName" not in b_again["spec"]


INVALID = 'ListOptions.meta.k8s.io "" is invalid: '
BAD_LISTS = [
    ({"resource_version_match": "NotOlderThan"}, InvalidError, INVALID + "resourceVersionMatch: "
     "Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided"),
    ({"resource_version": "0", "resource_version_match": "Exact"}, InvalidError,
     INVALID + 'resourceVersionMatch: Forbidden: resourceVersionMatch "exact" is forbidden for '
     'resourceVersion "0"'),
    ({"resource_version": "5", "resource_version_match": "Newest"}, InvalidError,
     INVALID + 'resourceVersionMatch: Unsupported value: "Newest": supported values: "Exact", '
     '"NotOlderThan", ""'),
    ({"resource_version": "5", "resource_version_match": "Exact", "continue_": "x"},
     InvalidError, INVALID + "resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden "
     "when continue is provided"),
    ({"resource_version": "abc"}, BadRequestError, 'invalid resource version "abc"'),
    ({"continue_": "bm90IGpzb24"}, BadRequestError,
     "invalid continue token: continue key is not valid: Expecting value: line 1 column 1 "
     "(char 0)"),
]


@pytest.mark.parametrize("fields,error,message", BAD_LISTS,
                         ids=["match-without-rv", "exact-zero", "unsupported-match",
                              "match-with-continue", "rv-not-a-number", "continue-not-a-token"])
def test_a_list_with_options_upstream_forbids_is_refused_in_its_words(cp, fields, error, message):
    raised = cp.call(cp.client().list_chunk("pods", **fields))
    assert isinstance(raised, error) and raised.message == message


def test_a_continue_with_a_resource_version_is_a_400(cp, make_pod):
    create(cp, make_pod, "a", "b")
    token = chunk(cp, limit=1)["continue"]
    raised = cp.call(cp.client().list_chunk("pods", resource_version="7", continue_=token))
    assert isinstance(raised, BadRequestError)
    assert raised.message == "specifying resource version is not allowed when using continue"


def test_a_list_at_a_resource_version_the_cache_has_not_reached_waits_then_504s(cp):
    ahead = cp.etcd.store.revision + 100
    start = cp.sim.now
    raised = cp.call(cp.client().list_chunk("pods", resource_version=str(ahead)))
    assert isinstance(raised, ServerTimeoutError) and raised.code == 504
    assert raised.message == (f"Timeout: Too large resource version: {ahead}, "
                              f"current: {cp.apiserver.cache.revision}")
    assert 3.0 <= cp.sim.now - start < 3.1  # watch_cache.go blockTimeout


def test_a_list_waits_for_the_cache_to_reach_its_resource_version(cp, make_pod):
    ahead = cp.etcd.store.revision + 1
    waiting = cp.network.host("worker-1").group("lister").spawn(
        cp.client().list_chunk("pods", resource_version=str(ahead)))
    cp.sim.run(0.5)
    assert waiting.is_alive
    create(cp, make_pod, "late")
    answer = cp.sim.run_process(waiting, 5.0)
    assert names(answer["items"]) == ["late"] and answer["resourceVersion"] == str(ahead)


def test_every_list_reads_its_own_writes(cp, make_pod):
    for i in range(10):
        create(cp, make_pod, f"p{i}")
        answer = chunk(cp)
        assert f"p{i}" in names(answer["items"])
        assert answer["resourceVersion"] == str(cp.etcd.store.revision)


def test_served_objects_are_copies_not_the_caches_own(cp, make_pod):
    create(cp, make_pod, "web")
    listed = chunk(cp)["items"][0]
    listed["metadata"]["labels"] = {"changed": "yes"}
    assert "labels" not in cp.apiserver.cache.objects["/registry/pods/default/web"]["metadata"]
    assert "labels" not in chunk(cp)["items"][0]["metadata"]


def test_without_the_watch_cache_lists_read_etcd_and_answer_the_same(history):
    cp, old, now = history
    cached = [chunk(cp, resource_version=str(old), resource_version_match="Exact"), chunk(cp)]
    cp.apiserver.cacher.enabled = False  # --watch-cache=false
    assert [chunk(cp, resource_version=str(old), resource_version_match="Exact"),
            chunk(cp)] == cached


# -- pagination ---------------------------------------------------------------------------------


def test_pages_keep_the_first_pages_revision_through_writes(cp, make_pod):
    create(cp, make_pod, "a", "b", "c", "d", "e")
    first = chunk(cp, limit=2)
    rv = first["resourceVersion"]
    assert names(first["items"]) == ["a", "b"] and first["remainingItemCount"] == 3
    create(cp, make_pod, "aa", "f")  # one sorts inside the pages to come, one after them
    cp.ok(cp.client().delete("pods", "d", "default", grace_period_seconds=0))
    second = chunk(cp, limit=2, continue_=first["continue"])
    third = chunk(cp, limit=2, continue_=second["continue"])
    assert [p["resourceVersion"] for p in (second, third)] == [rv, rv]
    assert names(second["items"]) == ["c", "d"] and second["remainingItemCount"] == 1
    assert names(third["items"]) == ["e"] and "continue" not in third
    assert "remainingItemCount" not in third


def test_the_continue_token_is_upstreams(cp, make_pod):
    create(cp, make_pod, "a", "b")
    first = chunk(cp, limit=1)
    token = decode_continue(first["continue"], "/registry/pods/")
    assert (token.start, str(token.rv)) == ("/registry/pods/default/a\x00",
                                            first["resourceVersion"])


def test_a_selector_leaves_the_remaining_count_unset(cp, make_pod):
    create(cp, make_pod, "a", "b", "c")
    page = chunk(cp, limit=1, label_selector="!canary")
    assert names(page["items"]) == ["a"] and "remainingItemCount" not in page
    assert names(chunk(cp, limit=1, label_selector="!canary",
                       continue_=page["continue"])["items"]) == ["b"]


def test_the_client_pages_a_whole_list_in_chunks(cp, make_pod):
    create(cp, make_pod, *"abcde")
    items, rv = cp.ok(cp.client().list("pods", limit=2))
    assert names(items) == list("abcde") and rv == str(cp.etcd.store.revision)


def test_an_expired_continue_token_is_a_410_with_a_token_for_the_rest(cp, make_pod):
    create(cp, make_pod, "a", "b", "c")
    first = chunk(cp, limit=1)
    create(cp, make_pod, "d")
    cp.sim.run(2 * COMPACTION_INTERVAL + 1)  # the second compaction passes the token's revision
    assert cp.apiserver.cache.compacted > int(first["resourceVersion"])
    raised = cp.call(cp.client().list_chunk("pods", limit=1, continue_=first["continue"]))
    assert isinstance(raised, GoneError) and raised.message == INCONSISTENT_CONTINUE
    status = raised.to_status()
    assert (status["code"], status["reason"]) == (410, "Expired")
    rest = chunk(cp, limit=5, continue_=status["metadata"]["continue"])
    assert names(rest["items"]) == ["b", "c", "d"]  # the latest state, from where it stopped


def test_an_exact_list_before_the_compaction_is_gone(cp, make_pod):
    old = create(cp, make_pod, "a")
    create(cp, make_pod, "b")
    cp.sim.run(2 * COMPACTION_INTERVAL + 1)
    raised = cp.call(cp.client().list_chunk("pods", resource_version=str(old),
                                            resource_version_match="Exact"))
    assert isinstance(raised, GoneError)
    assert raised.message == "The resourceVersion for the provided list is too old."


def test_an_exact_list_the_window_has_passed_is_read_from_etcd(cp, make_pod):
    old = create(cp, make_pod, "a")
    cp.apiserver.cache.window.last_dropped = old + 1  # as if the ring had forgotten old
    answer = chunk(cp, resource_version=str(old), resource_version_match="Exact")
    assert names(answer["items"]) == ["a"] and answer["resourceVersion"] == str(old)


# -- WATCH ---------------------------------------------------------------------------------------


def watch(cp, resource_version: str, **options):
    events: list[dict] = []
    closed: list[str] = []
    cp.client("watcher").watch("pods", resource_version, events.append, closed.append, **options)
    cp.sim.run(0.05)
    return events, closed


def seen(events: list[dict]) -> list[tuple[str, str]]:
    return [(e["type"], e["object"]["metadata"].get("name", "")) for e in events]


WATCH_CASES = [  # resourceVersion -> what comes first
    ("", [("ADDED", "b"), ("ADDED", "c"), ("MODIFIED", "b")]),    # the state, consistent
    ("0", [("ADDED", "b"), ("ADDED", "c"), ("MODIFIED", "b")]),   # the state, any
    ("old", [("ADDED", "c"), ("MODIFIED", "a"), ("DELETED", "a"),  # changes after old:
             ("MODIFIED", "b")]),                                  # a's deletionTimestamp
    ("now", [("MODIFIED", "b")]),
]


@pytest.mark.parametrize("rv,expected", WATCH_CASES, ids=["unset", "0", "old", "now"])
def test_a_watch_starts_where_its_resource_version_says(history, rv, expected):
    cp, old, now = history
    events, closed = watch(cp, {"old": str(old), "now": str(now)}.get(rv, rv))
    cp.ok(cp.client().bind("default", "b", "worker-1"))
    cp.sim.run(0.05)
    assert seen(events) == expected and closed == []


def test_a_watch_before_the_window_gets_410_naming_the_oldest_usable_version(cp, make_pod):
    cache = cp.apiserver.cache
    create(cp, make_pod, "a", "b", "c")
    window = cache.window
    while len(window.events) > 2:  # as if the ring had forgotten all but its last two events
        window.last_dropped = window.events.popleft().rv
    oldest = window.events[0].rv - 1
    events, closed = watch(cp, str(oldest - 1))
    [error] = events
    assert error["type"] == "ERROR" and error["object"]["code"] == 410
    assert error["object"]["message"] == f"too old resource version: {oldest - 1} ({oldest})"
    assert closed == [error["object"]["message"]]


def test_bookmarks_come_about_every_minute_carrying_only_the_revision(cp, make_pod):
    events, _ = watch(cp, str(cp.etcd.store.revision), allow_watch_bookmarks=True)
    plain, _ = watch(cp, str(cp.etcd.store.revision))
    create(cp, make_pod, "a")
    cp.sim.run(2 * BOOKMARK_SECONDS + 1)
    marks = [e for e in events if e["type"] == "BOOKMARK"]
    assert len(marks) == 2 and [e for e in plain if e["type"] == "BOOKMARK"] == []
    assert marks[0]["object"] == {"kind": "Pod", "apiVersion": "v1", "metadata": {
        "resourceVersion": str(cp.apiserver.cache.revision)}}


def test_initial_events_end_with_an_annotated_bookmark(cp, make_pod):
    create(cp, make_pod, "a", "b")
    events, _ = watch(cp, "", send_initial_events=True, allow_watch_bookmarks=True,
                      resource_version_match="NotOlderThan")
    assert seen(events) == [("ADDED", "a"), ("ADDED", "b"), ("BOOKMARK", "")]
    assert events[-1]["object"]["metadata"] == {
        "resourceVersion": str(cp.etcd.store.revision),
        "annotations": {"k8s.io/initial-events-end": "true"}}


def test_send_initial_events_without_its_match_is_refused(cp):
    events, closed = watch(cp, "", send_initial_events=True)
    [error] = events
    assert error["type"] == "ERROR" and error["object"]["code"] == 422
    assert error["object"]["message"] == (
        INVALID + "resourceVersionMatch: Forbidden: sendInitialEvents requires setting "
        "resourceVersionMatch to NotOlderThan")


def test_an_informer_takes_bookmarks_as_progress_only(cp, make_pod):
    from k8slab.client.informer import Informer

    informer = Informer(cp.client("informer"), "pods")
    informer.start()
    create(cp, make_pod, "a")
    cp.sim.run(1.0)
    create(cp, make_pod, "b")
    cp.ok(cp.client().create({"apiVersion": "v1", "kind": "Namespace",  # not a pod: only a
                              "metadata": {"name": "dev"}}))             # bookmark tells of it
    cp.sim.run(BOOKMARK_SECONDS + 2)
    assert sorted(informer.cache) == ["default/a", "default/b"]
    assert informer.resource_version == str(cp.apiserver.cache.revision)


# -- compaction and leader changes ---------------------------------------------------------------


def test_compaction_shows_in_the_caches_oldest_snapshot(cp, make_pod):
    create(cp, make_pod, "a")
    cp.sim.run(COMPACTION_INTERVAL + 1)
    seen_then = cp.apiserver.cache.revision
    create(cp, make_pod, "b")
    cp.sim.run(COMPACTION_INTERVAL)
    assert cp.apiserver.cache.compacted == seen_then == cp.etcd.store.compact_revision
    assert cp.apiserver.cache.oldest_snapshot >= seen_then


def test_the_cache_keeps_up_when_etcd_changes_leader():
    cluster = Cluster(workers=0, control_planes=3, skip_phases=["addon"])
    leader = cluster.etcd_leader()
    survivor = next(h for h in cluster.control_planes if h != leader)
    server = cluster.network.host(survivor).memory["kube-apiserver"]
    cluster.kill_node(leader)
    cluster.run(20)
    assert cluster.etcd_leader() not in (None, leader)
    client = Client(cluster.network.host(survivor).group("test"),
                    cluster_credentials(cluster, "kubernetes-admin", ("kubeadm:cluster-admins",)),
                    survivor)
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web", "namespace": "default"},
           "spec": {"containers": [{"name": "c", "image": "nginx"}]}}
    cluster.sim.run_process(cluster.network.host(survivor).group("test").spawn(
        client.create(pod)), 30)
    answer = cluster.sim.run_process(cluster.network.host(survivor).group("test").spawn(
        client.list_chunk("pods", "default")), 30)
    etcd = cluster.network.host(survivor).memory["etcd"]
    assert names(answer["items"]) == ["web"]
    assert int(answer["resourceVersion"]) == etcd.store.revision == server.cache.revision


def test_json_copy_copies_every_dict_and_list_and_shares_the_rest():
    from k8slab.apiserver.object_copy import json_copy

    original = {"a": [{"b": [1, [2, {"c": "x"}]]}], "d": None, "e": 1.5, "f": True}
    copied = json_copy(original)
    assert copied == original
    copied["a"][0]["b"][1][1]["c"] = "y"
    copied["a"].append(0)
    assert original == {"a": [{"b": [1, [2, {"c": "x"}]]}], "d": None, "e": 1.5, "f": True}


@pytest.mark.parametrize("fields,why", [
    ({"v": "meta.k8s.io/v2", "rv": 5, "start": "/a"},
     'server does not recognize this encoded version "meta.k8s.io/v2"'),
    ({"v": "meta.k8s.io/v1", "rv": 0, "start": "/a"},
     "incorrect encoded start resourceVersion (version meta.k8s.io/v1)"),
    ({"v": "meta.k8s.io/v1", "rv": 5, "start": ""},
     "encoded start key empty (version meta.k8s.io/v1)"),
    ({"v": "meta.k8s.io/v1", "rv": 5, "start": "/../secrets/kube-system/token"},
     "/../secrets/kube-system/token"),
], ids=["unknown-version", "no-revision", "no-start", "climbs-out-of-its-prefix"])
def test_a_continue_token_that_is_not_upstreams_is_a_400(fields, why):
    import base64
    import json

    token = base64.urlsafe_b64encode(json.dumps(fields).encode()).decode().rstrip("=")
    with pytest.raises(BadRequestError) as raised:
        decode_continue(token, "/registry/pods/")
    assert raised.value.message == f"invalid continue token: continue key is not valid: {why}"
