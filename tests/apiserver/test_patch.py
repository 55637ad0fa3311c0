"""PATCH through the API server: each patch type on a Deployment and a Pod, the status and scale
subresources, admission and validation on the patched object with nothing stored on error, the
retry when another writer got in first, and upstream's errors (apiserver endpoints/handlers
/patch.go)."""

import copy
import json

import pytest

from k8slab.apiserver.patch import JSON_PATCH, MERGE_PATCH, STRATEGIC_MERGE_PATCH
from k8slab.apiserver.request_info import UserInfo, request_attributes
from k8slab.errors import (
    BadRequestError,
    ConflictError,
    InvalidError,
    NotFoundError,
    RequestEntityTooLargeError,
    UnknownError,
    UnsupportedMediaTypeError,
)
from tests.apiserver.test_audit import audit, events
from tests.apiserver.test_crd import install, webapp
from tests.apiserver.test_workloads import deployment

DEPLOYMENT_KEY = "/registry/deployments/default/web"
POD_KEY = "/registry/pods/default/web"


def patch(cp, patch_type, body, resource="deployments", name="web", **options):
    return cp.call(cp.client().patch(resource, name, "default", patch_type, body, **options))


def stored(cp, key=DEPLOYMENT_KEY):
    return json.loads(cp.etcd.store.get(key).value)


@pytest.fixture
def web(cp):
    """A Deployment `web` (nginx, 3 replicas) in default."""
    return cp.ok(cp.client().create(deployment()))


@pytest.fixture
def pod(cp, make_pod):
    return cp.ok(cp.client().create(make_pod("web", containers=[
        {"name": "app", "image": "nginx:1.27", "env": [{"name": "A", "value": "1"}]}])))


# -- the three patch types -------------------------------------------------------------------


@pytest.mark.parametrize(("patch_type", "body"), [
    (MERGE_PATCH, {"metadata": {"labels": {"team": "blue"}}, "spec": {"replicas": 5}}),
    (MERGE_PATCH, '{"metadata": {"labels": {"team": "blue"}}, "spec": {"replicas": 5}}'),
    (STRATEGIC_MERGE_PATCH, {"metadata": {"labels": {"team": "blue"}}, "spec": {"replicas": 5}}),
    (JSON_PATCH, [{"op": "add", "path": "/metadata/labels", "value": {"team": "blue"}},
                  {"op": "replace", "path": "/spec/replicas", "value": 5}]),
    (JSON_PATCH, b'[{"op": "add", "path": "/metadata/labels", "value": {"team": "blue"}},'
                 b' {"op": "replace", "path": "/spec/replicas", "value": 5}]'),
], ids=["merge", "merge as text", "strategic", "json", "json as bytes"])
def test_each_patch_type_changes_a_deployment_like_an_update(cp, web, patch_type, body):
    patched = patch(cp, patch_type, body)
    assert patched["metadata"]["labels"] == {"team": "blue"}
    assert patched["spec"]["replicas"] == 5
    assert patched["metadata"]["generation"] == 2  # the spec changed, as an update counts it
    assert int(patched["metadata"]["resourceVersion"]) > int(web["metadata"]["resourceVersion"])
    assert stored(cp)["spec"]["replicas"] == 5
    assert stored(cp)["spec"]["template"] == web["spec"]["template"]


def test_a_merge_patch_replaces_lists_and_a_strategic_one_merges_them_by_name(cp, web):
    containers = {"spec": {"template": {"spec": {"containers": [
        {"name": "side", "image": "busybox"}]}}}}
    merged = patch(cp, STRATEGIC_MERGE_PATCH, containers)
    # New items come first, as strategicpatch's mergeSortedSlice orders them without a
    # $setElementOrder list.
    assert [c["name"] for c in merged["spec"]["template"]["spec"]["containers"]] == [
        "side", "web"]
    replaced = patch(cp, MERGE_PATCH, containers)
    assert [c["name"] for c in replaced["spec"]["template"]["spec"]["containers"]] == ["side"]


def test_a_strategic_patch_updates_one_container_of_a_pod(cp, pod):
    patched = patch(cp, STRATEGIC_MERGE_PATCH, {"spec": {"containers": [
        {"name": "app", "image": "nginx:1.28"}]}}, resource="pods")
    container = patched["spec"]["containers"][0]
    assert container["image"] == "nginx:1.28"  # a pod's image may change
    assert container["env"] == [{"name": "A", "value": "1"}]
    assert stored(cp, POD_KEY)["spec"]["containers"][0]["image"] == "nginx:1.28"


def test_a_strategic_patch_merges_env_by_name_and_deletes_with_a_directive(cp, web):
    def env(*variables):
        return {"spec": {"template": {"spec": {"containers": [
            {"name": "web", "env": list(variables)}]}}}}
    patch(cp, STRATEGIC_MERGE_PATCH, env({"name": "A", "value": "1"}, {"name": "B", "value": "2"}))
    patched = patch(cp, STRATEGIC_MERGE_PATCH, env({"name": "A", "$patch": "delete"},
                                                   {"name": "C", "value": "3"}))
    container = patched["spec"]["template"]["spec"]["containers"][0]
    assert container["env"] == [{"name": "C", "value": "3"}, {"name": "B", "value": "2"}]
    assert container["image"] == "nginx:1.27"


def test_a_pod_patch_that_changes_what_a_pod_may_not_change_is_refused(cp, pod):
    before = stored(cp, POD_KEY)
    error = patch(cp, MERGE_PATCH, {"spec": {"restartPolicy": "Never"}}, resource="pods")
    assert isinstance(error, InvalidError)
    assert error.message.startswith('Pod "web" is invalid: spec: Forbidden: pod updates may not '
                                    "change fields other than")
    assert stored(cp, POD_KEY) == before


def test_the_status_subresource_writes_only_the_status(cp, web):
    patched = patch(cp, MERGE_PATCH, {"spec": {"replicas": 9}, "status": {"replicas": 2}},
                    subresource="status")
    assert patched["status"]["replicas"] == 2
    assert patched["spec"]["replicas"] == 3
    assert stored(cp)["status"]["replicas"] == 2 and stored(cp)["spec"]["replicas"] == 3


def test_a_status_patch_merges_conditions_by_type(cp, web):
    condition = {"type": "Available", "status": "True", "reason": "MinimumReplicasAvailable"}
    patch(cp, MERGE_PATCH, {"status": {"conditions": [condition]}}, subresource="status")
    progressing = {"type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable"}
    patched = patch(cp, STRATEGIC_MERGE_PATCH, {"status": {"conditions": [progressing]}},
                    subresource="status")
    assert [c["type"] for c in patched["status"]["conditions"]] == ["Progressing", "Available"]


def test_the_scale_subresource_patches_a_scale_and_writes_spec_replicas(cp, web):
    scale = patch(cp, MERGE_PATCH, {"spec": {"replicas": 7}}, subresource="scale")
    assert (scale["kind"], scale["apiVersion"]) == ("Scale", "autoscaling/v1")
    assert scale["spec"] == {"replicas": 7}
    assert scale["status"] == {"replicas": 0, "selector": "app=web"}
    assert stored(cp)["spec"]["replicas"] == 7
    assert cp.ok(cp.client().get_scale("deployments", "web", "default"))["spec"] == {
        "replicas": 7}
    scale = patch(cp, JSON_PATCH, [{"op": "replace", "path": "/spec/replicas", "value": 1}],
                  subresource="scale")
    assert scale["spec"]["replicas"] == 1 and stored(cp)["spec"]["replicas"] == 1


def test_a_negative_scale_is_invalid_and_a_configmap_has_no_scale(cp, web):
    error = patch(cp, MERGE_PATCH, {"spec": {"replicas": -1}}, subresource="scale")
    assert isinstance(error, InvalidError)
    assert error.message == ('Scale.autoscaling "web" is invalid: spec.replicas: Invalid value: '
                             "-1: must be greater than or equal to 0")
    cp.ok(cp.client().create({"apiVersion": "v1", "kind": "ConfigMap",
                              "metadata": {"name": "web", "namespace": "default"}}))
    error = patch(cp, MERGE_PATCH, {"spec": {"replicas": 1}}, resource="configmaps",
                  subresource="scale")
    assert isinstance(error, NotFoundError)
    assert error.message == "the server could not find the requested resource"


def test_patch_is_authorized_as_the_patch_verb_on_its_subresource():
    request = {"verb": "patch", "resource": "deployments", "namespace": "default",
               "name": "web", "subresource": "scale", "body": [{"op": "test"}]}
    attributes = request_attributes(request, UserInfo("alice"))
    assert (attributes.verb, attributes.resource, attributes.subresource, attributes.name,
            attributes.api_group) == ("patch", "deployments", "scale", "web", "apps")


# -- admission and concurrency ---------------------------------------------------------------


def test_admission_runs_on_the_patched_object_and_a_refusal_stores_nothing(cp):
    cp.ok(cp.client().create({"apiVersion": "v1", "kind": "Namespace",
                              "metadata": {"name": "team"}}))
    before = stored(cp, "/registry/namespaces/team")
    error = cp.call(cp.client().patch(
        "namespaces", "team", None, MERGE_PATCH,
        {"metadata": {"labels": {"pod-security.kubernetes.io/enforce": "bogus"}}}))
    assert isinstance(error, InvalidError)  # the PodSecurity plugin checks a namespace's labels
    assert 'pod-security.kubernetes.io/enforce]: Invalid value: "bogus"' in error.message
    assert stored(cp, "/registry/namespaces/team") == before


def _two_patches_at_once(cp) -> list:
    """Two clients patch different labels at the same simulated instant; each outcome is the
    patched object or the error."""
    outcomes: list = []

    def send(user, labels):
        try:
            outcomes.append((yield from cp.client(user).patch(
                "deployments", "web", "default", MERGE_PATCH, {"metadata": {"labels": labels}})))
        except ConflictError as error:
            outcomes.append(error)

    group = cp.worker.group("writers")
    group.spawn(send("alice", {"a": "1"}))
    group.spawn(send("bob", {"b": "2"}))
    cp.sim.run(5.0)
    return outcomes


def test_two_patches_at_once_both_land_the_loser_is_applied_again(cp, web):
    outcomes = _two_patches_at_once(cp)
    assert len(outcomes) == 2 and all(isinstance(o, dict) for o in outcomes)
    assert stored(cp)["metadata"]["labels"] == {"a": "1", "b": "2"}


def test_without_the_retry_the_second_of_two_patches_at_once_would_conflict(
        cp, web, monkeypatch):
    monkeypatch.setattr("k8slab.apiserver.patch.MAX_ATTEMPTS", 1)
    outcomes = _two_patches_at_once(cp)
    assert [type(o).__name__ for o in outcomes] == ["dict", "ConflictError"]
    assert len(stored(cp)["metadata"]["labels"]) == 1


def test_a_patch_that_pins_a_stale_resource_version_is_a_conflict(cp, web):
    patch(cp, MERGE_PATCH, {"spec": {"replicas": 4}})
    error = patch(cp, MERGE_PATCH, {"metadata": {"resourceVersion": web["metadata"][
        "resourceVersion"]}, "spec": {"replicas": 5}})
    assert isinstance(error, ConflictError)
    assert error.message == ('Operation cannot be fulfilled on deployments.apps "web": the '
                             "object has been modified; please apply your changes to the latest "
                             "version and try again")
    assert stored(cp)["spec"]["replicas"] == 4


def test_a_patch_is_in_the_trace_as_a_write(cp, web):
    patch(cp, MERGE_PATCH, {"spec": {"replicas": 2}})
    records = cp.sim.trace.where(component="apiserver", kind="patch")
    assert records and records[-1].obj == "deployment/default/web"


# -- errors, in upstream's words, with nothing stored ----------------------------------------


def test_an_unsupported_content_type_is_a_415_naming_the_accepted_ones(cp, web):
    error = patch(cp, "application/json", {"spec": {"replicas": 2}})
    assert isinstance(error, UnsupportedMediaTypeError) and error.code == 415
    assert error.message == (
        "the body of the request was in an unknown format - accepted media types include: "
        "application/json-patch+json, application/merge-patch+json, "
        "application/strategic-merge-patch+json, application/apply-patch+yaml")
    assert patch(cp, MERGE_PATCH + "; charset=utf-8", {"spec": {"replicas": 2}})[
        "spec"]["replicas"] == 2


def test_a_custom_resource_refuses_a_strategic_merge_patch_and_takes_a_merge_patch(cp):
    install(cp)
    cp.ok(cp.client().create(webapp()))
    error = patch(cp, STRATEGIC_MERGE_PATCH, {"spec": {"replicas": 2}}, resource="webapps")
    assert isinstance(error, UnsupportedMediaTypeError)
    assert error.message.endswith(
        "include: application/json-patch+json, application/merge-patch+json, "
        "application/apply-patch+yaml")
    patched = patch(cp, MERGE_PATCH, {"spec": {"replicas": 2}}, resource="webapps")
    assert patched["spec"] == {"image": "nginx", "replicas": 2, "tier": "web"}
    scale = patch(cp, MERGE_PATCH, {"spec": {"replicas": 4}}, resource="webapps",
                  subresource="scale")
    assert scale["spec"] == {"replicas": 4}


def test_server_side_apply_goes_through_the_field_manager(cp, web):
    applied = ("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n"
               "  namespace: default\nspec:\n  replicas: 2\n")
    written = patch(cp, "application/apply-patch+yaml", applied, field_manager="deployer",
                    force=True)
    assert written["spec"]["replicas"] == 2
    entries = {(e.get("manager"), e["operation"]) for e in written["metadata"]["managedFields"]}
    assert ("deployer", "Apply") in entries


def test_a_missing_object_is_a_404(cp):
    error = patch(cp, MERGE_PATCH, {"spec": {"replicas": 2}}, name="nope")
    assert isinstance(error, NotFoundError)
    assert error.message == 'deployments.apps "nope" not found'


@pytest.mark.parametrize(("patch_type", "body", "error_type", "message"), [
    (JSON_PATCH, "xml", BadRequestError,
     "invalid character 'x' looking for beginning of value"),
    (JSON_PATCH, '{"op": "add"}', BadRequestError,
     "json: cannot unmarshal object into Go value of type jsonpatch.Patch"),
    (JSON_PATCH, [{"op": "test", "path": "/spec/replicas", "value": 4}], InvalidError,
     "the server rejected our request due to an error in our request"),
    (JSON_PATCH, [{"op": "remove", "path": "/spec/nothing"}], InvalidError,
     "the server rejected our request due to an error in our request"),
    (MERGE_PATCH, "[", BadRequestError, "Invalid JSON Patch"),
    (MERGE_PATCH, "null", BadRequestError, "Invalid JSON Patch"),
    (STRATEGIC_MERGE_PATCH, "{", BadRequestError, "unexpected end of JSON input"),
    (STRATEGIC_MERGE_PATCH, "[1]", BadRequestError,
     "json: cannot unmarshal array into Go value of type map[string]interface {}"),
    (STRATEGIC_MERGE_PATCH,
     {"spec": {"template": {"spec": {"containers": [{"image": "busybox"}]}}}}, UnknownError,
     "map: map[image:busybox] does not contain declared merge key: name"),
    (STRATEGIC_MERGE_PATCH, {"metadata": {"$deleteFromPrimitiveList": ["x"]}}, BadRequestError,
     "invalid patch format of primitive list"),
    (MERGE_PATCH, {"spec": {"replicas": "three"}}, InvalidError,
     "json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type "
     "int32"),
    (MERGE_PATCH, {"metadata": {"name": "other"}}, BadRequestError,
     "the name of the object (other) does not match the name on the URL (web)"),
    (MERGE_PATCH, {"metadata": {"namespace": "kube-system"}}, BadRequestError,
     "the namespace of the provided object does not match the namespace sent on the request"),
], ids=["json not json", "json not a list", "json test fails", "json remove missing",
        "merge not json", "merge null", "strategic not json", "strategic not an object",
        "strategic no merge key", "strategic bad directive", "does not decode",
        "renamed", "moved"])
def test_a_bad_patch_is_refused_in_upstreams_words_and_nothing_changes(
        cp, web, patch_type, body, error_type, message):
    before = stored(cp)
    error = patch(cp, patch_type, body)
    assert type(error) is error_type
    assert error.message.endswith(message)
    assert stored(cp) == before


def test_a_patched_object_that_does_not_decode_quotes_the_patched_json(cp, web):
    error = patch(cp, MERGE_PATCH, {"spec": {"replicas": "three"}})
    assert error.message.startswith(' "" is invalid: patch: Invalid value: "{\\"apiVersion\\":'
                                    '\\"apps/v1\\",\\"kind\\":\\"Deployment\\"')


def test_too_many_json_patch_operations_is_a_413(cp, web):
    operations = [{"op": "test", "path": "/kind", "value": "Deployment"}] * 10001
    error = patch(cp, JSON_PATCH, operations)
    assert isinstance(error, RequestEntityTooLargeError) and error.code == 413
    assert error.message == ("Request entity too large: The allowed maximum operations in a JSON "
                             "patch is 10000, got 10001")


def test_force_is_only_for_apply(cp, web):
    error = patch(cp, MERGE_PATCH, {"spec": {"replicas": 2}}, force=True)
    assert isinstance(error, InvalidError)
    assert error.message == ('PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not '
                             "be specified for non-apply patch")


def test_an_unknown_subresource_is_a_404(cp, web):
    error = patch(cp, MERGE_PATCH, {}, subresource="log")
    assert isinstance(error, NotFoundError)


def test_the_patch_sent_is_not_changed(cp, web):
    body = {"metadata": {"labels": {"x": "1", "gone": None}}}
    sent = copy.deepcopy(body)
    patch(cp, STRATEGIC_MERGE_PATCH, body)
    assert body == sent


# -- server-side apply's path, with a stand-in for the field manager ------------------------


def _merge_apply(live, applied, manager, force, now, **_kind_and_subresource):
    """A stand-in for server_side_apply: the applied fields over the live object, the manager
    and time noted, to check what the patcher passes and does with the answer."""
    merged = dict(live or {}, **{k: v for k, v in applied.items() if k != "metadata"})
    merged["metadata"] = dict((live or {}).get("metadata") or {}, **applied["metadata"],
                              annotations={"manager": manager, "force": str(force), "at": now})
    return merged


APPLY = "application/apply-patch+yaml"
APPLIED = ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: default\n"
           "data:\n  colour: blue\n")


@pytest.fixture
def applying(cp):
    cp.apiserver.paths.patches.apply = _merge_apply
    return cp


def test_apply_creates_a_missing_object_then_updates_it(applying):
    cp = applying
    created = patch(cp, APPLY, APPLIED, resource="configmaps", name="settings",
                    field_manager="kubectl")
    assert created["data"] == {"colour": "blue"} and created["metadata"]["uid"]
    assert created["metadata"]["annotations"]["manager"] == "kubectl"
    updated = patch(cp, APPLY, APPLIED.replace("blue", "red"), resource="configmaps",
                    name="settings", field_manager="kubectl", force=True)
    assert updated["data"] == {"colour": "red"}
    assert updated["metadata"]["uid"] == created["metadata"]["uid"]
    assert updated["metadata"]["annotations"]["force"] == "True"


def test_an_apply_that_creates_answers_201_and_one_that_updates_200(cp):
    audit(cp, {"rules": [{"level": "Metadata"}]})
    client = cp.client()
    made = []
    for _ in range(2):
        cp.ok(client.patch("configmaps", "settings", "default", APPLY, APPLIED,
                           field_manager="kubectl"))
        made.append(client.created)
    assert made == [True, False]
    codes = [e["responseStatus"]["code"] for e in events(cp, name="settings")
             if e["stage"] == "ResponseComplete"]
    assert codes == [201, 200]  # patch.go: 201 Created when the patch created the object


def test_apply_needs_a_field_manager_and_yaml(applying):
    cp = applying
    error = patch(cp, APPLY, APPLIED, resource="configmaps", name="settings")
    assert isinstance(error, InvalidError)
    assert error.message == ('PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required '
                             "value: is required for apply patch")
    error = patch(cp, APPLY, "data: [", resource="configmaps", name="settings",
                  field_manager="kubectl")
    assert isinstance(error, BadRequestError) and error.message.startswith(
        "error decoding YAML: ")


def test_with_apply_installed_the_415_lists_it(applying):
    error = patch(applying, "text/yaml", "{}")
    assert error.message.endswith("application/strategic-merge-patch+json, "
                                  "application/apply-patch+yaml")


def test_a_patch_that_changes_nothing_writes_nothing(cp, web):
    same = patch(cp, MERGE_PATCH, {"spec": {"replicas": 3}})
    assert same["metadata"]["resourceVersion"] == web["metadata"]["resourceVersion"]
    assert cp.etcd.store.get(DEPLOYMENT_KEY).mod_revision == int(
        web["metadata"]["resourceVersion"])


def test_the_audit_log_keeps_the_patch_as_sent(cp, web):
    audit(cp, {"rules": [{"level": "Request"}]})
    patch(cp, MERGE_PATCH, '{"spec": {"replicas": 2}}')
    complete = [e for e in events(cp, name="web") if e["stage"] == "ResponseComplete"][-1]
    assert complete["verb"] == "patch"
    assert complete["requestURI"] == "/apis/apps/v1/namespaces/default/deployments/web"
    assert complete["requestObject"] == {"spec": {"replicas": 2}}


def test_a_namespaced_object_patched_without_its_namespace_is_not_found(cp, web):
    error = cp.call(cp.client().patch("deployments", "web", None, MERGE_PATCH, {}))
    assert isinstance(error, NotFoundError)
    assert error.message == "the server could not find the requested resource"


def test_patching_away_the_last_finalizer_of_a_deleted_object_removes_it(cp):
    cp.ok(cp.client().create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {
        "name": "stuck", "namespace": "default", "finalizers": ["example.com/wait"]}}))
    cp.ok(cp.client().delete("configmaps", "stuck", "default"))
    assert cp.etcd.store.get("/registry/configmaps/default/stuck") is not None
    patch(cp, STRATEGIC_MERGE_PATCH,
          {"metadata": {"$deleteFromPrimitiveList/finalizers": ["example.com/wait"]}},
          resource="configmaps", name="stuck")
    assert cp.etcd.store.get("/registry/configmaps/default/stuck") is None


def test_an_unknown_field_is_dropped_with_a_warning_unless_strict(cp, web):
    client = cp.client()
    patched = cp.ok(client.patch("deployments", "web", "default", MERGE_PATCH,
                                 {"spec": {"replicas": 2, "replicaz": 3}}))
    assert patched["spec"]["replicas"] == 2 and "replicaz" not in patched["spec"]
    assert client.warnings == ['unknown field "spec.replicaz"']
    assert "replicaz" not in stored(cp)["spec"]
    error = patch(cp, MERGE_PATCH, {"spec": {"replicas": 4, "replicaz": 3}},
                  field_validation="Strict")
    assert isinstance(error, InvalidError)
    assert error.message.endswith('strict decoding error: unknown field "spec.replicaz"')
    assert stored(cp)["spec"]["replicas"] == 2
    quiet = cp.client()
    cp.ok(quiet.patch("deployments", "web", "default", MERGE_PATCH, {"spec": {"x": 1}},
                      field_validation="Ignore"))
    assert quiet.warnings == []
    error = patch(cp, MERGE_PATCH, {}, field_validation="Loud")
    assert error.message == ('PatchOptions.meta.k8s.io "" is invalid: fieldValidation: '
                             'Unsupported value: "Loud": supported values: "", "Ignore", '
                             '"Strict", "Warn"')
