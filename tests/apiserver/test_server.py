"""The API server, driven through the client as kubectl and the components drive it: requests in,
objects and Kubernetes errors out, and watches that follow etcd."""

import re
import uuid

from k8slab.apiserver.server import SYSTEM_NAMESPACES
from k8slab.apiserver.watch import EVENT_FRESH_SECONDS, LOWER_BOUND_CAPACITY
from k8slab.apiserver.writes import GENERATE_NAME_ALPHABET
from k8slab.errors import (
    AlreadyExistsError,
    BadRequestError,
    ConflictError,
    InvalidError,
    NotFoundError,
)
from k8slab.etcd.member import EtcdMember

CONFLICT = ('Operation cannot be fulfilled on pods "web": the object has been modified; '
            "please apply your changes to the latest version and try again")


def names(items: list[dict]) -> list[str]:
    return [o["metadata"]["name"] for o in items]


def create(cp, pod: dict) -> dict:
    return cp.ok(cp.client().create(pod))


def get(cp, name: str = "web", namespace: str = "default") -> dict:
    return cp.ok(cp.client().get("pods", name, namespace))


# -- start-up ---------------------------------------------------------------------------------


def test_the_system_namespaces_exist_after_start(cp):
    items, rv = cp.ok(cp.client().list("namespaces"))
    assert sorted(names(items)) == sorted(SYSTEM_NAMESPACES)
    assert names(items) == sorted(names(items))  # etcd key order
    assert {o["status"]["phase"] for o in items} == {"Active"}
    assert rv == str(cp.etcd.store.revision)
    assert cp.apiserver.cache_ready


# -- create -----------------------------------------------------------------------------------


def test_a_pod_in_a_missing_namespace_is_not_found(cp, make_pod):
    error = cp.call(cp.client().create(make_pod("web", "x")))
    assert isinstance(error, NotFoundError)
    assert (error.message, error.code) == ('namespaces "x" not found', 404)
    assert cp.etcd.store.range("/registry/pods/", "/registry/pods0") == ([], 0)


def test_create_fills_in_what_the_api_server_owns(cp, make_pod):
    created = create(cp, make_pod("web"))
    meta = created["metadata"]
    assert meta["resourceVersion"] == str(
        cp.etcd.store.get("/registry/pods/default/web").mod_revision)
    assert uuid.UUID(meta["uid"]).version == 4
    assert meta["creationTimestamp"] == "2026-01-01T00:00:02Z"
    assert created["status"] == {"phase": "Pending", "qosClass": "BestEffort"}
    assert created["spec"]["restartPolicy"] == "Always"
    assert [(t["key"], t["effect"], t["tolerationSeconds"]) for t in created["spec"]["tolerations"]
            ] == [("node.kubernetes.io/not-ready", "NoExecute", 300),
                  ("node.kubernetes.io/unreachable", "NoExecute", 300)]
    assert get(cp) == created


def test_create_ignores_a_status_sent_by_the_client(cp, make_pod):
    body = make_pod("web")
    body["status"] = {"phase": "Running", "podIP": "10.0.0.9"}
    assert create(cp, body)["status"].get("phase") == "Pending"
    assert "podIP" not in get(cp)["status"]


def test_create_of_a_taken_name_is_already_exists(cp, make_pod):
    create(cp, make_pod("web"))
    error = cp.call(cp.client().create(make_pod("web")))
    assert isinstance(error, AlreadyExistsError)
    assert (error.message, error.code) == ('pods "web" already exists', 409)


def test_generate_name_adds_five_characters_from_upstreams_alphabet(cp, make_pod):
    body = make_pod("")
    body["metadata"] = {"generateName": "web-", "namespace": "default"}
    first = create(cp, body)["metadata"]["name"]
    second = create(cp, body)["metadata"]["name"]
    pattern = f"web-[{GENERATE_NAME_ALPHABET}]{{5}}"
    assert re.fullmatch(pattern, first) and re.fullmatch(pattern, second)
    assert first != second


def test_the_same_seed_gives_the_same_uids_and_names(control_plane_factory, make_pod):
    def run(seed):
        cp = control_plane_factory(seed)
        body = make_pod("")
        body["metadata"] = {"generateName": "web-", "namespace": "default"}
        meta = create(cp, body)["metadata"]
        return meta["name"], meta["uid"]

    assert run(5) == run(5)
    assert run(5) != run(6)


def test_an_invalid_pod_is_refused_and_nothing_is_stored(cp, make_pod):
    error = cp.call(cp.client().create(make_pod("Web_1")))
    assert isinstance(error, InvalidError) and error.code == 422
    assert "Web_1" in error.message
    assert cp.etcd.store.range("/registry/pods/", "/registry/pods0") == ([], 0)


# -- bind -------------------------------------------------------------------------------------


def test_bind_sets_the_node_and_the_pod_scheduled_condition(cp, make_pod):
    create(cp, make_pod("web"))
    bound = cp.ok(cp.client("scheduler").bind("default", "web", "worker-1"))
    assert bound["spec"]["nodeName"] == "worker-1"
    [condition] = bound["status"]["conditions"]
    assert (condition["type"], condition["status"]) == ("PodScheduled", "True")
    assert bound["status"]["phase"] == "Pending"
    assert get(cp) == bound


def test_binding_twice_is_a_conflict_and_the_first_binding_stays(cp, make_pod):
    create(cp, make_pod("web"))
    cp.ok(cp.client().bind("default", "web", "worker-1"))
    error = cp.call(cp.client().bind("default", "web", "worker-2"))
    assert isinstance(error, ConflictError) and error.code == 409
    assert 'pod web is already assigned to node "worker-1"' in error.message
    assert get(cp)["spec"]["nodeName"] == "worker-1"


def test_binding_twice_says_what_upstream_says(cp, make_pod):
    create(cp, make_pod("web"))
    cp.ok(cp.client().bind("default", "web", "worker-1"))
    error = cp.call(cp.client().bind("default", "web", "worker-2"))
    assert error.message == ('Operation cannot be fulfilled on pods/binding "web": '
                             'pod web is already assigned to node "worker-1"')


def test_binding_a_missing_pod_is_not_found(cp):
    error = cp.call(cp.client().bind("default", "ghost", "worker-1"))
    assert isinstance(error, NotFoundError) and error.message == 'pods "ghost" not found'


def test_only_pods_can_be_bound(cp):
    error = cp.call(cp.client().request("bind", "namespaces", name="default", node="worker-1"))
    assert isinstance(error, BadRequestError)
    assert error.message == "binding is a subresource of pods, not namespaces"


# -- update and update_status ----------------------------------------------------------------


def test_update_status_changes_the_status_and_keeps_the_spec(cp, make_pod):
    create(cp, make_pod("web"))
    bound = cp.ok(cp.client().bind("default", "web", "worker-1"))
    body = get(cp)
    body["status"] = {"phase": "Running", "podIP": "10.244.1.5"}
    body["spec"]["containers"][0]["image"] = "ignored:by-status"
    updated = cp.ok(cp.client("kubelet").update_status(body))
    assert updated["status"] == {"phase": "Running", "podIP": "10.244.1.5"}
    assert updated["spec"] == bound["spec"]
    assert int(updated["metadata"]["resourceVersion"]) > int(bound["metadata"]["resourceVersion"])
    assert get(cp) == updated


def test_update_status_decodes_the_status_as_a_create_would(cp, make_pod):
    create(cp, make_pod("web"))
    before = get(cp)
    body = get(cp)
    body["status"] = {"phase": "Running", "conditions": "ready"}
    error = cp.call(cp.client("kubelet").update_status(body))
    assert isinstance(error, BadRequestError)
    assert "cannot unmarshal string into Go struct field PodStatus.status.conditions" in (
        error.message)
    assert get(cp) == before


def test_update_status_with_a_stale_resource_version_is_a_conflict(cp, make_pod):
    created = create(cp, make_pod("web"))
    cp.ok(cp.client().bind("default", "web", "worker-1"))
    created["status"] = {"phase": "Running"}
    error = cp.call(cp.client().update_status(created))
    assert isinstance(error, ConflictError) and error.message == CONFLICT


def test_update_may_change_labels_and_images_but_keeps_node_and_status(cp, make_pod):
    create(cp, make_pod("web"))
    cp.ok(cp.client().bind("default", "web", "worker-1"))
    running = get(cp)
    running["status"] = {"phase": "Running"}
    cp.ok(cp.client().update_status(running))
    body = get(cp)
    body["metadata"]["labels"] = {"app": "web"}
    body["spec"]["containers"][0]["image"] = "nginx:1.28"
    body["status"] = {"phase": "Failed"}  # status is not changed through the main resource
    updated = cp.ok(cp.client().update(body))
    assert updated["metadata"]["labels"] == {"app": "web"}
    assert updated["spec"]["containers"][0]["image"] == "nginx:1.28"
    assert updated["spec"]["nodeName"] == "worker-1"
    assert updated["status"] == {"phase": "Running"}
    assert updated["metadata"]["uid"] == body["metadata"]["uid"]


def test_an_update_that_leaves_labels_and_annotations_empty_stores_neither(cp, make_pod):
    create(cp, make_pod("web"))  # no labels
    body = get(cp)
    body["metadata"]["annotations"] = {}
    body["spec"]["containers"][0]["image"] = "nginx:1.28"
    updated = cp.ok(cp.client().update(body))
    assert "labels" not in updated["metadata"]  # omitempty: no `labels: {}` appears
    assert "annotations" not in updated["metadata"]


def test_a_pod_spec_change_is_forbidden(cp, make_pod):
    create(cp, make_pod("web"))
    body = get(cp)
    body["spec"]["containers"][0]["command"] = ["sleep", "1d"]
    error = cp.call(cp.client().update(body))
    assert isinstance(error, InvalidError) and error.code == 422
    assert error.message.startswith('Pod "web" is invalid: spec: Forbidden: pod updates may not '
                                    "change fields other than")
    assert "command" not in get(cp)["spec"]["containers"][0]


def test_update_with_a_stale_resource_version_is_a_conflict(cp, make_pod):
    created = create(cp, make_pod("web"))
    fresh = get(cp)
    fresh["metadata"]["labels"] = {"v": "1"}
    cp.ok(cp.client().update(fresh))
    created["metadata"]["labels"] = {"v": "2"}
    error = cp.call(cp.client().update(created))
    assert isinstance(error, ConflictError)
    assert (error.message, error.code) == (CONFLICT, 409)
    assert get(cp)["metadata"]["labels"] == {"v": "1"}


# -- delete, list, errors ------------------------------------------------------------------------


def test_delete_then_get_is_not_found(cp, make_pod):
    create(cp, make_pod("web"))
    deleted = cp.ok(cp.client().delete("pods", "web", "default"))
    assert deleted["metadata"]["name"] == "web"
    error = cp.call(cp.client().get("pods", "web", "default"))
    assert isinstance(error, NotFoundError) and error.message == 'pods "web" not found'


def test_list_by_namespace_and_by_field_selector(cp, make_pod):
    for name, namespace in (("a", "default"), ("b", "default"), ("c", "kube-system")):
        create(cp, make_pod(name, namespace))
    cp.ok(cp.client().bind("default", "b", "worker-1"))
    client = cp.client()
    assert names(cp.ok(client.list("pods"))[0]) == ["a", "b", "c"]
    assert names(cp.ok(client.list("pods", "kube-system"))[0]) == ["c"]
    assert names(cp.ok(client.list("pods", None, "spec.nodeName=worker-1"))[0]) == ["b"]
    assert names(cp.ok(client.list("pods", None, "spec.nodeName="))[0]) == ["a", "c"]
    assert names(cp.ok(client.list("pods", None, "status.phase!=Running"))[0]) == [
        "a", "b", "c"]  # none runs: no kubelet in this control plane
    error = cp.call(client.list("pods", None, "spec.hostname=a"))
    assert isinstance(error, BadRequestError) and error.code == 400


def test_an_unknown_verb_is_a_bad_request(cp):
    error = cp.call(cp.client().request("frobnicate", "pods", name="web"))
    assert isinstance(error, BadRequestError) and error.message == "unknown verb 'frobnicate'"


def test_the_api_server_unreachable_is_unavailable(cp):
    cp.network.crash("control-plane")
    error = cp.call(cp.client().list("pods"))
    assert error.code == 503 and "timed out" in error.message


# -- watch ------------------------------------------------------------------------------------


def open_watch(cp, resource_version: str, **kwargs):
    events: list[dict] = []
    closed: list[str] = []
    stream = cp.client("watcher").watch("pods", resource_version, events.append, closed.append,
                                        **kwargs)
    cp.sim.run(0.01)
    return stream, events, closed


def summary(events: list[dict]) -> list[tuple]:
    return [(e["type"], e["object"]["metadata"]["name"], e["object"]["spec"].get("nodeName"))
            for e in events]


def test_a_node_watch_gets_added_when_a_pod_is_bound_to_its_node(cp, make_pod):
    _, rv = cp.ok(cp.client().list("pods", None, "spec.nodeName=worker-1"))
    _, events, closed = open_watch(cp, rv, field_selector="spec.nodeName=worker-1")
    create(cp, make_pod("web"))
    create(cp, make_pod("db"))
    cp.sim.run(0.01)
    assert events == []
    cp.ok(cp.client().bind("default", "web", "worker-1"))
    cp.ok(cp.client().bind("default", "db", "worker-2"))
    cp.sim.run(0.01)
    assert summary(events) == [("ADDED", "web", "worker-1")]
    # Grace 0 (the kubelet's final delete): the deletionTimestamp is written, then removed.
    cp.ok(cp.client().delete("pods", "web", "default", grace_period_seconds=0))
    cp.sim.run(0.01)
    assert summary(events[1:]) == [("MODIFIED", "web", "worker-1"), ("DELETED", "web", "worker-1")]
    assert closed == []


def test_a_watch_replays_what_happened_after_its_resource_version(cp, make_pod):
    _, rv = cp.ok(cp.client().list("pods"))
    create(cp, make_pod("web"))
    cp.ok(cp.client().bind("default", "web", "worker-1"))
    _, events, _ = open_watch(cp, rv)
    assert summary(events) == [("ADDED", "web", None), ("MODIFIED", "web", "worker-1")]
    assert [e["object"]["metadata"]["resourceVersion"] for e in events] == [
        str(int(rv) + 1), str(int(rv) + 2)]


def test_a_watch_from_a_too_old_resource_version_gets_410_and_closes(cp, make_pod):
    _, first_rv = cp.ok(cp.client().list("pods"))

    def fill(first: str):
        for i in range(LOWER_BOUND_CAPACITY + 1):
            yield from cp.client().create(make_pod(f"{first}{i}"))

    cp.ok(fill("p"))  # the window grows while its oldest event is fresh
    cp.sim.run(EVENT_FRESH_SECONDS + 1)
    cp.ok(fill("q"))  # once it is stale, a full window forgets its oldest events
    stream, events, closed = open_watch(cp, first_rv)
    [event] = events
    assert event["type"] == "ERROR"
    status = event["object"]
    assert (status["kind"], status["status"], status["code"], status["reason"]) == (
        "Status", "Failure", 410, "Expired")
    assert status["message"].startswith(f"too old resource version: {first_rv} (")
    assert closed == [status["message"]]
    assert not stream.open


def test_a_watch_from_resource_version_zero_starts_with_the_current_objects(cp, make_pod):
    create(cp, make_pod("web"))
    _, events, closed = open_watch(cp, "0")
    assert summary(events) == [("ADDED", "web", None)]
    assert closed == []


def test_a_watch_with_an_unsupported_selector_gets_a_400_error_event(cp):
    _, rv = cp.ok(cp.client().list("pods"))
    _, events, closed = open_watch(cp, rv, field_selector="spec.hostname=web")
    [event] = events
    assert event["type"] == "ERROR" and event["object"]["code"] == 400
    assert closed == [event["object"]["message"]]


def test_when_etcd_restarts_the_cache_reloads_and_client_watches_start_over(cp, make_pod):
    _, rv = cp.ok(cp.client().list("pods"))
    _, events, closed = open_watch(cp, rv)
    cp.etcd.group.stop()  # the etcd container is killed: the API server's watch on it closes
    cp.sim.run(0.01)
    assert not cp.apiserver.cache_ready
    assert closed == []
    etcd = EtcdMember(cp.control_plane.group("etcd-2"), "control-plane")  # same disk
    etcd.start()
    cp.sim.run(3.0)
    assert cp.apiserver.cache_ready
    assert closed == ["watch cache re-initialized"]
    create(cp, make_pod("web"))
    _, rv = cp.ok(cp.client().list("pods"))
    assert rv == str(etcd.store.revision)
    cp.ok(cp.client().bind("default", "web", "worker-1"))
    _, events, _ = open_watch(cp, rv)
    assert summary(events) == [("MODIFIED", "web", "worker-1")]


def test_create_sets_the_qos_class_and_drops_the_clients_status(cp, make_pod):
    limits = {"cpu": "500m", "memory": "128Mi"}
    guaranteed = make_pod("g", containers=[{"name": "app", "image": "nginx",
                                            "resources": {"limits": limits}}])
    guaranteed["status"] = {"phase": "Running", "qosClass": "BestEffort"}
    burstable = make_pod("b", containers=[{"name": "app", "image": "nginx",
                                           "resources": {"requests": {"cpu": "100m"}}}])
    client = cp.client()
    assert cp.ok(client.create(guaranteed))["status"] == {"phase": "Pending",
                                                          "qosClass": "Guaranteed"}
    assert cp.ok(client.create(burstable))["status"]["qosClass"] == "Burstable"
