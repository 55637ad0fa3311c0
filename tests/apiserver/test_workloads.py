"""The API server and the workload kinds: generation, the status subresource, upstream's 422s
with nothing stored, the Job's generated selector, Events' TTL and their two versions, and
label selectors on list and watch."""

import copy

import pytest

from k8slab.apiserver.strategy import EVENT_TTL_SECONDS
from k8slab.errors import BadRequestError, InvalidError

TEMPLATE = {"metadata": {"labels": {"app": "web"}},
            "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]}}


def deployment(name: str = "web", **spec) -> dict:
    base = {"replicas": 3, "selector": {"matchLabels": {"app": "web"}},
            "template": copy.deepcopy(TEMPLATE)}
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": name, "namespace": "default"}, "spec": {**base, **spec}}


def get_deployment(cp, name: str = "web") -> dict:
    return cp.ok(cp.client().get("deployments.apps", name, "default"))


def etcd_value(cp, key: str):
    return cp.etcd.store.get(key)


# -- generation and the status subresource ---------------------------------------------------


def test_create_sets_generation_1_and_drops_a_sent_status(cp):
    body = deployment()
    body["status"] = {"replicas": 99}
    created = cp.ok(cp.client().create(body))
    assert created["metadata"]["generation"] == 1
    assert created["status"] == {}
    assert created["spec"]["strategy"]["rollingUpdate"] == {"maxUnavailable": "25%",
                                                            "maxSurge": "25%"}


def test_a_spec_change_bumps_the_generation_and_a_label_change_does_not(cp):
    cp.ok(cp.client().create(deployment()))
    body = get_deployment(cp)
    body["metadata"]["labels"] = {"team": "a"}
    assert cp.ok(cp.client().update(body))["metadata"]["generation"] == 1
    body = get_deployment(cp)
    body["spec"]["replicas"] = 5
    assert cp.ok(cp.client().update(body))["metadata"]["generation"] == 2
    body = get_deployment(cp)
    body["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:1.28"
    assert cp.ok(cp.client().update(body))["metadata"]["generation"] == 3


def test_update_keeps_the_status_and_update_status_keeps_the_spec(cp):
    cp.ok(cp.client().create(deployment()))
    body = get_deployment(cp)
    body["status"] = {"replicas": 3, "readyReplicas": 2, "observedGeneration": 1}
    body["spec"]["replicas"] = 7  # ignored by the status subresource
    written = cp.ok(cp.client("deployment-controller").update_status(body))
    assert written["status"]["readyReplicas"] == 2
    assert written["spec"]["replicas"] == 3 and written["metadata"]["generation"] == 1
    body = get_deployment(cp)
    body["status"] = {"replicas": 0}
    body["spec"]["replicas"] = 4
    updated = cp.ok(cp.client().update(body))
    assert updated["status"] == written["status"]
    assert updated["spec"]["replicas"] == 4


def test_owner_references_and_finalizers_may_be_updated(cp, make_pod):
    cp.ok(cp.client().create(make_pod("web")))
    pod = cp.ok(cp.client().get("pods", "web", "default"))
    owner = {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-1", "uid": "u",
             "controller": True, "blockOwnerDeletion": True}
    pod["metadata"]["ownerReferences"] = [owner]
    updated = cp.ok(cp.client().update(pod))
    assert updated["metadata"]["ownerReferences"] == [owner]
    assert "finalizers" not in updated["metadata"]


# -- rejected with upstream's words, and nothing changes --------------------------------------


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"template": {**TEMPLATE, "metadata": {"labels": {"app": "x"}}}},
         'Deployment.apps "web" is invalid: spec.template.metadata.labels: Invalid value: '
         '{"app":"x"}: `selector` does not match template `labels`'),
        ({"replicas": -1},
         'Deployment.apps "web" is invalid: spec.replicas: Invalid value: -1: '
         "must be greater than or equal to 0"),
        ({"strategy": {"rollingUpdate": {"maxSurge": 0, "maxUnavailable": 0}}},
         'Deployment.apps "web" is invalid: spec.strategy.rollingUpdate.maxUnavailable: '
         "Invalid value: 0: may not be 0 when `maxSurge` is 0"),
    ],
    ids=["selector-mismatch", "negative-replicas", "both-zero"],
)
def test_an_invalid_deployment_is_refused_and_nothing_is_stored(cp, spec, message):
    error = cp.call(cp.client().create(deployment(**spec)))
    assert isinstance(error, InvalidError) and error.message == message
    assert etcd_value(cp, "/registry/deployments/default/web") is None


def test_a_changed_selector_is_refused_and_the_stored_one_stays(cp):
    cp.ok(cp.client().create(deployment()))
    before = get_deployment(cp)
    body = copy.deepcopy(before)
    body["spec"]["selector"] = {"matchLabels": {"app": "web", "tier": "x"}}
    body["spec"]["template"]["metadata"]["labels"]["tier"] = "x"
    error = cp.call(cp.client().update(body))
    assert isinstance(error, InvalidError)
    assert error.message == ('Deployment.apps "web" is invalid: spec.selector: Invalid value: '
                             '{"matchLabels":{"app":"web","tier":"x"}}: field is immutable')
    assert get_deployment(cp) == before


# -- the Job's selector, the ReplicationController's defaults ---------------------------------


def test_a_job_gets_a_selector_on_its_uid(cp):
    job = {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "pi"},
           "spec": {"template": {"spec": {"restartPolicy": "Never",
                                          "containers": [{"name": "pi", "image": "perl"}]}}}}
    created = cp.ok(cp.client().create(job))
    uid = created["metadata"]["uid"]
    assert created["spec"]["selector"] == {
        "matchLabels": {"batch.kubernetes.io/controller-uid": uid}}
    labels = created["spec"]["template"]["metadata"]["labels"]
    assert labels["batch.kubernetes.io/job-name"] == "pi" and labels["controller-uid"] == uid
    assert created["metadata"]["generation"] == 1


def test_a_replication_controller_selects_its_template_labels(cp):
    rc = {"apiVersion": "v1", "kind": "ReplicationController", "metadata": {"name": "web"},
          "spec": {"replicas": 2, "template": copy.deepcopy(TEMPLATE)}}
    created = cp.ok(cp.client().create(rc))
    assert created["spec"]["selector"] == {"app": "web"}
    assert created["metadata"]["labels"] == {"app": "web"}
    assert etcd_value(cp, "/registry/controllers/default/web") is not None


# -- Events: a TTL through an etcd lease, two versions of one object --------------------------


def core_event(name: str = "web.1") -> dict:
    return {"apiVersion": "v1", "kind": "Event",
            "metadata": {"name": name, "namespace": "default"},
            "involvedObject": {"kind": "Pod", "name": "web", "namespace": "default"},
            "reason": "Scheduled", "message": "Successfully assigned default/web to worker-1",
            "type": "Normal", "count": 1, "source": {"component": "default-scheduler"}}


def test_an_event_is_gone_from_etcd_after_its_ttl(cp):
    cp.ok(cp.client().create(core_event()))
    key = "/registry/events/default/web.1"
    kv = etcd_value(cp, key)
    assert kv is not None and kv.lease != 0
    cp.sim.run(EVENT_TTL_SECONDS - 10)
    assert etcd_value(cp, key) is not None
    cp.sim.run(EVENT_TTL_SECONDS * 0.05 + 20)  # the lease is granted 5% longer, for reuse
    assert etcd_value(cp, key) is None


def test_events_created_close_together_share_one_lease_and_an_update_keeps_it(cp):
    first = cp.ok(cp.client().create(core_event("a")))
    cp.ok(cp.client().create(core_event("b")))
    leases = {etcd_value(cp, f"/registry/events/default/{n}").lease for n in "ab"}
    assert len(leases) == 1
    first["count"] = 2
    cp.ok(cp.client().update(first))
    assert etcd_value(cp, "/registry/events/default/a").lease in leases


def test_an_events_k8s_io_event_round_trips_through_the_core_one(cp):
    new = {"apiVersion": "events.k8s.io/v1", "kind": "Event",
           "metadata": {"name": "web.2", "namespace": "default"},
           "eventTime": "2026-01-01T00:00:00.000000Z", "reportingController": "kubelet",
           "reportingInstance": "worker-1", "action": "Killing", "reason": "Killing",
           "regarding": {"kind": "Pod", "name": "web", "namespace": "default"},
           "note": "Stopping container web", "type": "Normal"}
    created = cp.ok(cp.client().create(new))
    assert created["apiVersion"] == "events.k8s.io/v1" and created["note"] == new["note"]
    core = cp.ok(cp.client().get("events", "web.2", "default"))
    assert core["apiVersion"] == "v1" and core["message"] == "Stopping container web"
    assert core["involvedObject"] == new["regarding"]
    assert core["reportingComponent"] == "kubelet"
    again = cp.ok(cp.client().get("events.events.k8s.io", "web.2", "default"))
    assert {k: again[k] for k in new if k != "metadata"} == {
        k: new[k] for k in new if k != "metadata"}
    items, _ = cp.ok(cp.client().list("events.events.k8s.io", "default"))
    assert [item["note"] for item in items] == ["Stopping container web"]


def test_an_events_k8s_io_event_is_validated_strictly(cp):
    new = {"apiVersion": "events.k8s.io/v1", "kind": "Event",
           "metadata": {"name": "x", "namespace": "default"},
           "regarding": {"kind": "Pod", "name": "web", "namespace": "default"},
           "reason": "Killing", "type": "Normal"}
    error = cp.call(cp.client().create(new))
    assert isinstance(error, InvalidError)
    assert error.message == 'Event.events.k8s.io "x" is invalid: eventTime: Required value'


# -- label selectors ---------------------------------------------------------------------------


def labelled_pods(cp, make_pod):
    for name, labels in (("a", {"app": "web", "tier": "front"}), ("b", {"app": "web"}),
                         ("c", {"app": "db", "tier": "back"})):
        pod = make_pod(name)
        pod["metadata"]["labels"] = labels
        cp.ok(cp.client().create(pod))


@pytest.mark.parametrize(
    ("selector", "names"),
    [("", ["a", "b", "c"]), ("app=web", ["a", "b"]), ("app=web,!tier", ["b"]),
     ("tier in (front,back)", ["a", "c"]), ("tier notin (front)", ["b", "c"]),
     ("app!=web", ["c"]), ("tier", ["a", "c"])],
)
def test_list_by_label_selector(cp, make_pod, selector, names):
    labelled_pods(cp, make_pod)
    items, _ = cp.ok(cp.client().list("pods", "default", label_selector=selector))
    assert [item["metadata"]["name"] for item in items] == names


def test_a_bad_label_selector_is_a_400_in_the_parsers_words(cp):
    error = cp.call(cp.client().list("pods", label_selector="app in web"))
    assert isinstance(error, BadRequestError)
    assert error.message == "unable to parse requirement: found 'web' expected: '('"


def test_a_watch_by_label_selector_sees_pods_enter_and_leave_it(cp, make_pod):
    _, rv = cp.ok(cp.client().list("pods", "default"))
    events: list[dict] = []
    cp.client("watcher").watch("pods", rv, events.append, lambda reason: None,
                               label_selector="app=web")
    labelled_pods(cp, make_pod)
    cp.sim.run(0.01)
    assert [(e["type"], e["object"]["metadata"]["name"]) for e in events] == [
        ("ADDED", "a"), ("ADDED", "b")]
    pod = cp.ok(cp.client().get("pods", "b", "default"))
    pod["metadata"]["labels"] = {"app": "other"}
    cp.ok(cp.client().update(pod))
    cp.sim.run(0.01)
    assert (events[-1]["type"], events[-1]["object"]["metadata"]["name"]) == ("DELETED", "b")


def test_an_impossible_status_is_refused_and_the_stored_one_stays(cp):
    cp.ok(cp.client().create(deployment()))
    before = get_deployment(cp)
    body = copy.deepcopy(before)
    body["status"] = {"replicas": 1, "readyReplicas": 2}
    error = cp.call(cp.client().update_status(body))
    assert isinstance(error, InvalidError)
    assert error.message == ('Deployment.apps "web" is invalid: status.readyReplicas: Invalid '
                             "value: 2: cannot be greater than status.replicas")
    assert get_deployment(cp) == before


WORKLOADS = {
    "ReplicaSet": ("apps/v1", "replicasets", {"replicas": 2}),
    "DaemonSet": ("apps/v1", "daemonsets", {}),
    "StatefulSet": ("apps/v1", "statefulsets", {"replicas": 2, "serviceName": "web"}),
}


@pytest.mark.parametrize("kind", list(WORKLOADS))
def test_every_apps_kind_counts_its_generation(cp, kind):
    version, resource, extra = WORKLOADS[kind]
    body = {"apiVersion": version, "kind": kind, "metadata": {"name": "web"},
            "spec": {"selector": {"matchLabels": {"app": "web"}},
                     "template": copy.deepcopy(TEMPLATE), **extra}}
    assert cp.ok(cp.client().create(body))["metadata"]["generation"] == 1
    stored = cp.ok(cp.client().get(resource, "web", "default"))
    stored["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:1.28"
    assert cp.ok(cp.client().update(stored))["metadata"]["generation"] == 2
