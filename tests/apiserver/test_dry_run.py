"""dryRun=All through the API server: every kind of write (create, update, PATCH, server-side
apply, scale, delete, eviction, a namespace, a custom resource) passes the same defaulting,
admission and validation as the real one, answers what would have been stored, and leaves
etcd's revision where it was (apiserver registry/generic/registry/dryrun.go)."""

import pytest

from k8slab.apiserver.patch import MERGE_PATCH
from k8slab.errors import (
    AlreadyExistsError,
    BadRequestError,
    ConflictError,
    ForbiddenError,
    InvalidError,
    NotFoundError,
)
from tests.apiserver.test_crd import install, webapp
from tests.apiserver.test_resource_quota_admission import counted, quota, used_of
from tests.apiserver.test_workloads import deployment

DRY = {"dry_run": ["All"]}


def dry(cp, verb: str, resource: str, **fields):
    """One dry-run request; its answer or error, and whether etcd's revision stayed put."""
    before = cp.etcd.store.revision
    answer = cp.call(cp.client().request(verb, resource, **fields, **DRY))
    assert cp.etcd.store.revision == before, "a dry run wrote to etcd"
    return answer


def test_a_dry_run_create_answers_the_defaulted_admitted_pod_and_stores_nothing(cp, make_pod):
    since = len(cp.sim.trace)
    pod = dry(cp, "create", "pods", namespace="default", body=make_pod("web"))
    meta = pod["metadata"]
    assert meta["name"] == "web" and meta["uid"] and meta["creationTimestamp"]
    assert "resourceVersion" not in meta  # etcd never saw it
    assert pod["status"] == {"phase": "Pending", "qosClass": "BestEffort"}
    assert pod["spec"]["terminationGracePeriodSeconds"] == 30  # defaulted
    assert pod["spec"]["serviceAccountName"] == "default"  # mutating admission ran
    assert isinstance(cp.call(cp.client().get("pods", "web", "default")), NotFoundError)
    created = [r for r in list(cp.sim.trace)[since:] if r.kind == "create"]
    assert [r.details.get("dry_run") for r in created] == [True]


def test_a_dry_run_create_fails_as_the_real_one_would(cp, make_pod):
    cp.ok(cp.client().create(make_pod("web")))
    taken = dry(cp, "create", "pods", namespace="default", body=make_pod("web"))
    assert isinstance(taken, AlreadyExistsError)
    assert taken.message == 'pods "web" already exists'
    bad = make_pod("Web")
    invalid = dry(cp, "create", "pods", namespace="default", body=bad)
    assert isinstance(invalid, InvalidError)
    assert invalid.message == cp.call(cp.client().create(bad)).message


def test_a_dry_run_create_with_generate_name_shows_a_name(cp, make_pod):
    body = make_pod("")
    body["metadata"] = {"generateName": "web-", "namespace": "default"}
    pod = dry(cp, "create", "pods", namespace="default", body=body)
    assert pod["metadata"]["name"].startswith("web-") and len(pod["metadata"]["name"]) == 9


def test_a_dry_run_update_answers_the_new_object_and_keeps_the_old(cp):
    stored = cp.ok(cp.client().create(deployment()))
    changed = dict(stored, spec=dict(stored["spec"], replicas=5))
    answer = dry(cp, "update", "deployments.apps", body=changed)
    assert answer["spec"]["replicas"] == 5 and answer["metadata"]["generation"] == 2
    kept = cp.ok(cp.client().get("deployments.apps", "web", "default"))
    assert kept["spec"]["replicas"] == 3 and kept["metadata"]["generation"] == 1
    stale = dict(changed, metadata=dict(changed["metadata"], resourceVersion="1"))
    assert isinstance(dry(cp, "update", "deployments.apps", body=stale), ConflictError)


def test_dry_run_patch_apply_and_scale_store_nothing(cp):
    cp.ok(cp.client().create(deployment()))
    patched = dry(cp, "patch", "deployments.apps", namespace="default", name="web",
                  patch_type=MERGE_PATCH, body={"metadata": {"labels": {"team": "blue"}}})
    assert patched["metadata"]["labels"] == {"team": "blue"}
    applied = dry(cp, "patch", "deployments.apps", namespace="default", name="web",
                  patch_type="application/apply-patch+yaml", field_manager="me", force=True,
                  body="apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n"
                       "spec:\n  replicas: 7\n")
    assert applied["spec"]["replicas"] == 7
    assert "me" in [entry["manager"] for entry in applied["metadata"]["managedFields"]]
    scaled = dry(cp, "update_scale", "deployments.apps", namespace="default", name="web",
                 body={"apiVersion": "autoscaling/v1", "kind": "Scale",
                       "metadata": {"name": "web", "namespace": "default"},
                       "spec": {"replicas": 9}})
    assert scaled["spec"]["replicas"] == 9
    kept = cp.ok(cp.client().get("deployments.apps", "web", "default"))
    assert kept["spec"]["replicas"] == 3 and "labels" not in kept["metadata"]


def test_a_dry_run_delete_of_a_bound_pod_shows_it_terminating_and_leaves_it(cp, make_pod):
    cp.ok(cp.client().create(make_pod("web", node="worker-1")))
    answer = dry(cp, "delete", "pods", namespace="default", name="web")
    assert answer["metadata"]["deletionTimestamp"]
    assert answer["metadata"]["deletionGracePeriodSeconds"] == 30
    kept = cp.ok(cp.client().get("pods", "web", "default"))
    assert "deletionTimestamp" not in kept["metadata"]
    assert isinstance(dry(cp, "delete", "pods", namespace="default", name="nope"),
                      NotFoundError)


def test_a_dry_run_delete_checks_the_preconditions(cp, make_pod):
    cp.ok(cp.client().create(make_pod("web")))
    wrong = dry(cp, "delete", "pods", namespace="default", name="web",
                options={"preconditions": {"uid": "not-its-uid"}})
    assert isinstance(wrong, ConflictError)
    gone = dry(cp, "delete", "pods", namespace="default", name="web")  # unbound: at once
    assert gone["metadata"]["name"] == "web"
    assert cp.ok(cp.client().get("pods", "web", "default"))


def test_dry_run_eviction_namespace_and_custom_resource(cp, make_pod):
    cp.ok(cp.client().create(make_pod("web", node="worker-1")))
    eviction = {"apiVersion": "policy/v1", "kind": "Eviction",
                "metadata": {"name": "web", "namespace": "default"}}
    assert dry(cp, "evict", "pods", namespace="default", name="web",
               body=eviction)["status"] == "Success"
    namespace = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team"}}
    cp.ok(cp.client().create(namespace))
    assert dry(cp, "delete", "namespaces", name="team")["status"]["phase"] == "Terminating"
    assert cp.ok(cp.client().get("namespaces", "team"))["status"]["phase"] == "Active"
    install(cp)
    created = dry(cp, "create", "webapps.example.com", namespace="default", body=webapp())
    assert created["spec"]["image"] == "nginx"
    assert isinstance(cp.call(cp.client().get("webapps.example.com", "web", "default")),
                      NotFoundError)
    assert "deletionTimestamp" not in cp.ok(
        cp.client().get("pods", "web", "default"))["metadata"]


def test_a_dry_run_is_checked_against_a_quota_but_not_charged(cp, make_pod):
    cp.ok(cp.client().create(quota(hard={"pods": "1"})))
    counted(cp)
    dry(cp, "create", "pods", namespace="default", body=make_pod("a"))
    assert used_of(cp) == {"pods": "0"}
    cp.ok(cp.client().create(make_pod("a")))
    cp.sim.run(cp.sim.now + 1)
    refused = dry(cp, "create", "pods", namespace="default", body=make_pod("b"))
    assert isinstance(refused, ForbiddenError)
    assert "exceeded quota: q" in refused.message


@pytest.mark.parametrize(("verb", "fields", "options"), [
    ("create", {"namespace": "default"}, "CreateOptions"),
    ("delete", {"namespace": "default", "name": "web"}, "DeleteOptions"),
    ("patch", {"namespace": "default", "name": "web", "patch_type": MERGE_PATCH},
     "PatchOptions"),
])
def test_a_dry_run_value_other_than_all_is_upstreams_422(cp, make_pod, verb, fields, options):
    before = cp.etcd.store.revision
    refused = cp.call(cp.client().request(verb, "pods", body=make_pod("web"), **fields,
                                          dry_run=["All", "Some"]))
    assert isinstance(refused, InvalidError)
    assert refused.message == (f'{options}.meta.k8s.io "" is invalid: dryRun: Unsupported '
                               'value: ["All","Some"]: supported values: "All"')
    assert cp.etcd.store.revision == before


def test_a_read_has_no_dry_run(cp):
    refused = cp.call(cp.client().request("list", "pods", namespace="default", **DRY))
    assert isinstance(refused, BadRequestError)
    assert refused.message == "dryRun is an option of writes, not of list"
