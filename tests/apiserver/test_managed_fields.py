"""metadata.managedFields kept on every write: the creator owns what it set, an updater takes
what it changed, a status writer is recorded with subresource "status", entries merge per
(manager, operation, apiVersion, subresource), and the manager is the fieldManager or the
User-Agent's product name (apimachinery pkg/util/managedfields/internal)."""

import pytest

from k8slab.api.defaults import apply_defaults
from k8slab.api.kinds import DEPLOYMENT
from k8slab.apiserver import field_set as fs
from k8slab.apiserver.managed_fields import (
    ANCIENT_CHANGES,
    MAX_UPDATE_MANAGERS,
    UPDATE,
    Entry,
    cap_update_managers,
    decode,
    record_update,
)
from k8slab.apiserver.request_info import manager_name

T0, T1, T2 = "2026-01-01T00:00:00Z", "2026-01-01T00:01:00Z", "2026-01-01T00:02:00Z"


def deployment(replicas: int = 1, **labels: str) -> dict:
    return apply_defaults({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "default", "labels": {"app": "web", **labels}},
        "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": "web"}},
                 "template": {"metadata": {"labels": {"app": "web"}},
                              "spec": {"containers": [{"name": "nginx", "image": "nginx"}]}}}})


def owners(obj: dict) -> dict[str, list[str]]:
    """Each entry (manager/operation/subresource) and the paths it owns."""
    return {"/".join(filter(None, (e["manager"], e["operation"], e.get("subresource")))):
            fs.paths(e["fieldsV1"]) for e in obj["metadata"].get("managedFields", [])}


def created(manager: str = "kubectl-create") -> dict:
    obj = deployment()
    record_update(DEPLOYMENT, None, obj, manager, T0)
    return obj


@pytest.mark.parametrize(("field_manager", "user_agent", "expected"), [
    ("kubectl-edit", "kubectl/v1.35.0 (linux/amd64) kubernetes/abc", "kubectl-edit"),
    ("", "kubectl/v1.35.0 (linux/amd64) kubernetes/abc", "kubectl"),
    ("", "kube-controller-manager/v1.35.0 (linux/amd64) kubernetes/abc/deployment-controller",
     "kube-controller-manager"),
    ("", "OpenAPI-Generator/33.1.0/python", "OpenAPI-Generator"),
    ("", "", ""),
    ("", "a\x00b" + "x" * 200, "ab" + "x" * 126),
], ids=["fieldManager", "kubectl", "controller-manager", "python-client", "no-user-agent",
        "unprintable-and-long"])
def test_manager_is_the_field_manager_or_the_user_agent_product(field_manager, user_agent,
                                                                expected):
    assert manager_name(field_manager, user_agent) == expected


def test_create_gives_the_creator_every_field_it_set_but_the_servers():
    obj = created()
    [entry] = obj["metadata"]["managedFields"]
    assert {k: entry[k] for k in ("manager", "operation", "apiVersion", "time", "fieldsType")} \
        == {"manager": "kubectl-create", "operation": "Update", "apiVersion": "apps/v1",
            "time": T0, "fieldsType": "FieldsV1"}
    paths = owners(obj)["kubectl-create/Update"]
    assert ".spec.replicas" in paths and ".metadata.labels.app" in paths
    assert '.spec.template.spec.containers[name="nginx"].image' in paths
    # apiVersion, kind, name, namespace... belong to nobody (internal/stripmeta.go).
    assert not [p for p in paths if p in (".apiVersion", ".kind", ".metadata.name",
                                          ".metadata.namespace")]


def test_an_update_takes_what_it_changed_from_the_creator():
    live = created()
    new = deployment(replicas=3, tier="front")
    new["metadata"]["managedFields"] = live["metadata"]["managedFields"]
    record_update(DEPLOYMENT, live, new, "kubectl-scale", T1)
    got = owners(new)
    assert got["kubectl-scale/Update"] == [".metadata.labels.tier", ".spec.replicas"]
    assert ".spec.replicas" not in got["kubectl-create/Update"]
    assert [e["manager"] for e in new["metadata"]["managedFields"]] == \
        ["kubectl-create", "kubectl-scale"]  # sorted by time


def test_a_removed_field_leaves_every_set():
    live = created()
    new = deployment()
    del new["metadata"]["labels"]
    record_update(DEPLOYMENT, live, new, "kubectl-edit", T1)
    got = owners(new)
    assert not [p for p in got["kubectl-create/Update"] if p.startswith(".metadata.labels")]
    assert "kubectl-edit/Update" not in got  # it set nothing: no entry


def test_entries_merge_per_manager_and_time_moves_only_when_fields_are_taken():
    live = created()
    again = deployment(replicas=2)
    record_update(DEPLOYMENT, live, again, "kubectl-create", T1)
    [entry] = again["metadata"]["managedFields"]
    assert entry["time"] == T1 and ".metadata.labels.app" in fs.paths(entry["fieldsV1"])
    unchanged = deployment(replicas=2)
    record_update(DEPLOYMENT, again, unchanged, "kubectl-create", T2)
    assert unchanged["metadata"]["managedFields"][0]["time"] == T1


def test_a_status_write_is_recorded_with_its_subresource_and_owns_only_status():
    live = created()
    new = dict(live, status={"replicas": 1, "availableReplicas": 1})
    record_update(DEPLOYMENT, live, new, "kube-controller-manager", T1, "status")
    got = owners(new)
    assert got["kube-controller-manager/Update/status"] == [".status.availableReplicas",
                                                            ".status.replicas"]
    # The main resource never owns status; a status write never owns spec.
    spec_write = dict(new, status={"replicas": 7}, spec=dict(new["spec"], replicas=5))
    record_update(DEPLOYMENT, new, spec_write, "someone", T2)
    assert owners(spec_write)["someone/Update"] == [".spec.replicas"]


def test_managed_fields_sent_with_an_update_replace_the_stored_ones_and_empty_resets():
    live = created()
    new = deployment()
    new["metadata"]["managedFields"] = []
    record_update(DEPLOYMENT, live, new, "x", T1)
    assert "managedFields" not in new["metadata"]
    broken = deployment()
    broken["metadata"]["managedFields"] = [{"manager": "m", "operation": "Delete"}]
    record_update(DEPLOYMENT, live, broken, "x", T1)  # does not decode: the stored ones stay
    assert owners(broken) == owners(live)


def test_a_subresource_write_ignores_managed_fields_it_sends():
    live = created()
    new = dict(live, status={"replicas": 1},
               metadata=dict(live["metadata"], managedFields=[]))
    record_update(DEPLOYMENT, live, new, "kcm", T1, "status")
    assert "kubectl-create/Update" in owners(new)


def test_past_ten_update_managers_the_oldest_merge_into_ancient_changes():
    entries = [Entry(f"m{i:02}", UPDATE, "v1", f"2026-01-01T00:00:{i:02}Z",
                     {f"f:a{i}": {}}) for i in range(MAX_UPDATE_MANAGERS + 2)]
    capped = cap_update_managers(entries)
    assert len(capped) == MAX_UPDATE_MANAGERS
    bucket = next(e for e in capped if e.manager == ANCIENT_CHANGES)
    # m00 opened the bucket, m01 and m02 were merged into it; it keeps m02's time.
    assert (bucket.fields, bucket.time) == ({"f:a0": {}, "f:a1": {}, "f:a2": {}},
                                            "2026-01-01T00:00:02Z")
    assert [e.manager for e in capped if e.manager != ANCIENT_CHANGES] == \
        [f"m{i:02}" for i in range(3, 12)]


def test_decode_refuses_an_entry_it_cannot_read():
    assert decode([{"manager": "a", "operation": "Update", "apiVersion": "v1",
                    "fieldsType": "FieldsV1", "fieldsV1": {}}]) is not None
    assert decode([{"operation": "Update", "apiVersion": "v1", "fieldsType": "FieldsV2"}]) \
        is None
    assert decode("nope") is None


# -- through the API server -------------------------------------------------------------------

def test_the_api_server_keeps_managed_fields_on_create_update_and_status(cp, make_pod):
    client = cp.client()
    pod = make_pod("web")
    made = cp.ok(client.request("create", "pods", namespace="default", body=pod,
                                user_agent="kubectl/v1.35.0 (linux/amd64) kubernetes/abc"))
    [entry] = made["metadata"]["managedFields"]
    assert (entry["manager"], entry["operation"], entry["apiVersion"]) == \
        ("kubectl", "Update", "v1")
    made["metadata"]["labels"] = {"tier": "web"}
    updated = cp.ok(client.request("update", "pods", namespace="default", name="web",
                                   body=made, field_manager="labeler"))
    assert owners(updated)["labeler/Update"] == [".metadata.labels", ".metadata.labels.tier"]
    updated["status"]["phase"] = "Running"
    status = cp.ok(client.request("update_status", "pods", namespace="default", name="web",
                                  body=updated, user_agent="kubelet/v1.35.0"))
    assert owners(status)["kubelet/Update/status"] == [".status.phase"]
    assert sorted(owners(status)) == ["kubectl/Update", "kubelet/Update/status",
                                      "labeler/Update"]
    stored = cp.ok(client.get("pods", "web", "default"))
    assert stored["metadata"]["managedFields"] == status["metadata"]["managedFields"]


def test_a_request_without_user_agent_or_field_manager_has_an_unnamed_entry(cp, make_pod):
    made = cp.ok(cp.client().request("create", "pods", namespace="default",
                                     body=make_pod("web"), user_agent=""))
    [entry] = made["metadata"]["managedFields"]
    assert "manager" not in entry and entry["operation"] == "Update"


def test_a_client_is_named_by_its_programs_user_agent(cp, make_pod):
    client = cp.client()
    made = cp.ok(client.create(make_pod("web")))
    [entry] = made["metadata"]["managedFields"]
    assert entry["manager"] == client.group.name.split("/")[0]  # the UA up to its "/"


def test_custom_resources_keep_managed_fields_on_each_half(cp):
    from tests.apiserver.test_crd import install, webapp

    install(cp)
    client = cp.client()
    made = cp.ok(client.request("create", "webapps", namespace="default", body=webapp(),
                                field_manager="deployer"))
    # A custom object starts from an empty unstructured object: its spec is added whole.
    assert owners(made) == {"deployer/Update": [".spec", ".spec.image", ".spec.replicas",
                                                ".spec.tier"]}
    made["status"] = {"readyReplicas": 1}
    status = cp.ok(client.request("update_status", "webapps", namespace="default",
                                  name="web", body=made, field_manager="operator"))
    assert owners(status)["operator/Update/status"] == [".status", ".status.readyReplicas"]
    status["spec"]["replicas"] = 3
    scaled = cp.ok(client.request("update", "webapps", namespace="default", name="web",
                                  body=status, field_manager="scaler"))
    got = owners(scaled)
    assert got["scaler/Update"] == [".spec.replicas"]
    assert got["deployer/Update"] == [".spec", ".spec.image", ".spec.tier"]
    assert "operator/Update/status" in got


@pytest.mark.parametrize(("field_manager", "message"), [
    ("x" * 129, "fieldManager: Too long: may not be more than 128 bytes"),
    ("bad\x00name", 'fieldManager: Invalid value: "bad\\x00name": invalid character U+0000 '
                    "(at position 3)"),
], ids=["too-long", "unprintable"])
def test_a_bad_field_manager_is_refused_and_nothing_is_written(cp, make_pod, field_manager,
                                                               message):
    error = cp.call(cp.client().request("create", "pods", namespace="default",
                                        body=make_pod("web"), field_manager=field_manager))
    assert (error.code, error.message) == (
        422, f'CreateOptions.meta.k8s.io "" is invalid: {message}')
    assert cp.etcd.store.range("/registry/pods/", "/registry/pods0") == ([], 0)
