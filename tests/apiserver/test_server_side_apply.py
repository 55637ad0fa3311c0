"""Server-side apply between managers: shared and exclusive ownership, the conflict (409) in
upstream's words, force, fields an applier stops applying, and apply creating an object
(structured-merge-diff merge.Updater.Apply; apimachinery internal/conflict.go)."""

import pytest

from k8slab.api.defaults import apply_defaults
from k8slab.api.kinds import DEPLOYMENT
from k8slab.apiserver import field_set as fs
from k8slab.apiserver.managed_fields import record_update
from k8slab.apiserver.managed_fields_apply import ApplyConflictError, server_side_apply
from k8slab.errors import BadRequestError, InvalidError

T0, T1, T2 = "2026-01-01T00:00:00Z", "2026-01-01T00:01:00Z", "2026-01-01T00:02:00Z"


def config(replicas: int | None = None, image: str | None = None, **labels: str) -> dict:
    spec: dict = {}
    if replicas is not None:
        spec["replicas"] = replicas
    if image is not None:
        spec["template"] = {"spec": {"containers": [{"name": "nginx", "image": image}]}}
    meta = {"name": "web", "namespace": "default"}
    if labels:
        meta["labels"] = labels
    applied = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": meta}
    return dict(applied, spec=spec) if spec else applied  # `spec: {}` would claim .spec


def client_side_applied() -> dict:
    """The Deployment `kubectl apply` (client-side) created: manager kubectl-client-side-apply."""
    live = apply_defaults({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "default", "labels": {"app": "web"}},
        "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "web"}},
                 "template": {"metadata": {"labels": {"app": "web"}},
                              "spec": {"containers": [{"name": "nginx", "image": "nginx"}]}}}})
    record_update(DEPLOYMENT, None, live, "kubectl-client-side-apply", T0)
    return live


def owners(obj: dict) -> dict[str, list[str]]:
    return {f'{e.get("manager", "")}/{e["operation"]}': fs.paths(e["fieldsV1"])
            for e in obj["metadata"].get("managedFields", [])}


def test_apply_creates_a_missing_object_owned_by_the_applier():
    made = server_side_apply(None, config(replicas=2, app="web"), "kubectl", False, T0)
    assert made["spec"] == {"replicas": 2}
    [entry] = made["metadata"]["managedFields"]
    assert {k: entry[k] for k in ("manager", "operation", "apiVersion", "time")} == \
        {"manager": "kubectl", "operation": "Apply", "apiVersion": "apps/v1", "time": T0}
    assert fs.paths(entry["fieldsV1"]) == [".metadata.labels.app", ".spec.replicas"]


def test_changing_a_field_another_manager_owns_is_a_conflict_in_upstreams_words():
    live = client_side_applied()
    with pytest.raises(ApplyConflictError) as raised:
        server_side_apply(live, config(replicas=3), "kubectl", False, T1)
    error = raised.value
    assert error.message == ('Apply failed with 1 conflict: conflict with '
                             '"kubectl-client-side-apply" using apps/v1: .spec.replicas')
    status = error.to_status()
    assert (status["code"], status["reason"]) == (409, "Conflict")
    assert status["details"] == {"causes": [{
        "type": "FieldManagerConflict",
        "message": 'conflict with "kubectl-client-side-apply" using apps/v1',
        "field": ".spec.replicas"}]}


def test_several_conflicts_are_listed_per_manager():
    live = client_side_applied()
    with pytest.raises(ApplyConflictError) as raised:
        server_side_apply(live, config(replicas=3, image="nginx:2"), "kubectl", False, T1)
    assert raised.value.message == (
        'Apply failed with 2 conflicts: conflicts with "kubectl-client-side-apply" using '
        'apps/v1:\n- .spec.replicas\n'
        '- .spec.template.spec.containers[name="nginx"].image')
    assert len(raised.value.causes) == 2


def test_applying_the_same_value_shares_ownership_without_conflict():
    live = client_side_applied()
    out = server_side_apply(live, config(replicas=1), "kubectl", False, T1)
    got = owners(out)
    assert got["kubectl/Apply"] == [".spec.replicas"]
    assert ".spec.replicas" in got["kubectl-client-side-apply/Update"]


def test_force_takes_ownership():
    live = client_side_applied()
    out = server_side_apply(live, config(replicas=3), "kubectl", True, T1)
    assert out["spec"]["replicas"] == 3
    got = owners(out)
    assert got["kubectl/Apply"] == [".spec.replicas"]
    assert ".spec.replicas" not in got["kubectl-client-side-apply/Update"]
    # Apply entries come before Update entries (sortEncodedManagedFields).
    assert [e["operation"] for e in out["metadata"]["managedFields"]] == ["Apply", "Update"]


def test_two_appliers_own_their_own_fields_and_conflict_with_each_other():
    first = server_side_apply(None, config(replicas=2), "alice", False, T0)
    both = server_side_apply(first, config(tier="web"), "bob", False, T1)
    assert owners(both) == {"alice/Apply": [".spec.replicas"],
                            "bob/Apply": [".metadata.labels.tier"]}
    with pytest.raises(ApplyConflictError) as raised:
        server_side_apply(both, config(replicas=5), "bob", False, T2)
    # An applier is printed without "using <version>".
    assert raised.value.message == ('Apply failed with 1 conflict: conflict with "alice": '
                                    ".spec.replicas")


def test_a_field_no_longer_applied_is_removed_unless_someone_else_owns_it():
    live = client_side_applied()
    applied = server_side_apply(live, config(replicas=3, image="nginx:2", tier="web"),
                                "kubectl", True, T1)
    assert applied["metadata"]["labels"] == {"app": "web", "tier": "web"}
    later = server_side_apply(applied, config(replicas=3), "kubectl", False, T2)
    # tier and the image were kubectl's alone: they go. The container item stays, since
    # kubectl-client-side-apply owns it (and its name).
    assert later["metadata"]["labels"] == {"app": "web"}
    [container] = later["spec"]["template"]["spec"]["containers"]
    assert "image" not in container and container["name"] == "nginx"
    assert owners(later)["kubectl/Apply"] == [".spec.replicas"]
    assert later["metadata"]["managedFields"][0]["time"] == T2  # it changed the object
    assert applied["metadata"]["labels"] == {"app": "web", "tier": "web"}  # inputs unchanged


def test_an_emptied_map_is_dropped_when_pruned():
    first = server_side_apply(None, config(tier="web"), "kubectl", False, T0)
    second = server_side_apply(first, config(), "kubectl", False, T1)
    assert "labels" not in second["metadata"]
    assert "managedFields" not in second["metadata"]  # nothing owned: no entry


def test_an_unchanged_apply_keeps_its_time():
    first = server_side_apply(None, config(replicas=2), "kubectl", False, T0)
    again = server_side_apply(first, config(replicas=2), "kubectl", False, T1)
    assert again["metadata"]["managedFields"][0]["time"] == T0


def test_merging_an_associative_list_keeps_live_items_and_the_configurations_order():
    live = client_side_applied()
    containers = [{"name": "sidecar", "image": "busybox"}, {"name": "nginx", "image": "nginx"}]
    applied = dict(config(), spec={"template": {"spec": {"containers": containers}}})
    out = server_side_apply(live, applied, "kubectl", False, T1)
    got = out["spec"]["template"]["spec"]["containers"]
    assert [c["name"] for c in got] == ["sidecar", "nginx"]
    assert got[1]["imagePullPolicy"] == "Always"  # the live item's other fields stay


@pytest.mark.parametrize(("applied", "manager", "message"), [
    (dict(config(), apiVersion="apps/v1beta1"), "kubectl",
     "Incorrect version specified in apply patch. Specified patch version: apps/v1beta1, "
     "expected: apps/v1"),
    ({**config(), "metadata": {"name": "web", "managedFields": []}}, "kubectl",
     "metadata.managedFields must be nil"),
])
def test_apply_refuses_a_bad_request(applied, manager, message):
    live = client_side_applied()
    with pytest.raises(BadRequestError) as raised:
        server_side_apply(live, applied, manager, False, T1, kind=DEPLOYMENT)
    assert raised.value.message == message
    assert live == client_side_applied()  # nothing changed


def test_apply_needs_a_field_manager():
    with pytest.raises(InvalidError) as raised:
        server_side_apply(None, config(), "", False, T1)
    assert (raised.value.code, raised.value.message) == (
        422, 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is '
             "required for apply patch")


def test_set_items_are_owned_one_by_one_and_atomic_lists_whole():
    pod = {"apiVersion": "v1", "kind": "Pod",
           "metadata": {"name": "p", "namespace": "default", "finalizers": ["a.io/x"]},
           "spec": {"containers": [{"name": "c", "image": "busybox", "args": ["sleep", "1"]}]}}
    first = server_side_apply(None, pod, "alice", False, T0)
    mine = {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "p", "namespace": "default", "finalizers": ["b.io/y"]}}
    both = server_side_apply(first, mine, "bob", False, T1)
    assert both["metadata"]["finalizers"] == ["a.io/x", "b.io/y"]
    assert owners(both)["bob/Apply"] == ['.metadata.finalizers[="b.io/y"]']
    # args is atomic: alice owns it whole, so bob changing one word conflicts on .args itself.
    args = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "default"},
            "spec": {"containers": [{"name": "c", "args": ["sleep", "2"]}]}}
    with pytest.raises(ApplyConflictError) as raised:
        server_side_apply(both, args, "bob", False, T2)
    assert raised.value.message == ('Apply failed with 1 conflict: conflict with "alice": '
                                    '.spec.containers[name="c"].args')
    # bob stops applying its finalizer: it goes; alice's stays.
    gone = server_side_apply(both, {**mine, "metadata": {"name": "p", "namespace": "default"}},
                             "bob", False, T2)
    assert gone["metadata"]["finalizers"] == ["a.io/x"]
