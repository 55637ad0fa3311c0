"""Custom resources served by the API server: a CRD is named, established and served; its objects
are pruned, defaulted and validated by the schema; several versions share one storage version;
the status and scale subresources keep their halves apart; each cluster has its own CRDs."""

import copy

import pytest

from k8slab.errors import BadRequestError, InvalidError, K8sLabError, NotFoundError


def crd(group: str = "example.com", plural: str = "webapps", kind: str = "WebApp",
        versions: list | None = None) -> dict:
    schema = {"type": "object", "properties": {
        "spec": {"type": "object", "required": ["image"], "properties": {
            "image": {"type": "string", "minLength": 1},
            "replicas": {"type": "integer", "minimum": 0, "default": 1},
            "tier": {"type": "string", "enum": ["web", "batch"], "default": "web"}}},
        "status": {"type": "object", "properties": {"readyReplicas": {"type": "integer"}}}}}
    return {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": {"name": f"{plural}.{group}"},
            "spec": {"group": group, "scope": "Namespaced",
                     "names": {"plural": plural, "kind": kind, "shortNames": ["wa"]},
                     "versions": versions or [{
                         "name": "v1", "served": True, "storage": True,
                         "schema": {"openAPIV3Schema": schema},
                         "subresources": {"status": {}, "scale": {
                             "specReplicasPath": ".spec.replicas",
                             "statusReplicasPath": ".status.readyReplicas"}}}]}}


def webapp(name: str = "web", version: str = "v1", **spec) -> dict:
    return {"apiVersion": f"example.com/{version}", "kind": "WebApp",
            "metadata": {"name": name, "namespace": "default"},
            "spec": {"image": "nginx", **spec}}


def install(cp, definition: dict | None = None) -> dict:
    cp.ok(cp.client().create(definition or crd()))
    cp.sim.run(1.0)
    return cp.ok(cp.client().get("customresourcedefinitions",
                                 (definition or crd())["metadata"]["name"]))


def test_a_crd_is_named_then_established_then_served(cp):
    error = cp.call(cp.client().create(webapp()))
    assert isinstance(error, K8sLabError) and "webapp.v1.example.com" in error.message
    stored = install(cp)
    conditions = {c["type"]: c for c in stored["status"]["conditions"]}
    assert (conditions["NamesAccepted"]["reason"], conditions["NamesAccepted"]["message"]) == (
        "NoConflicts", "no conflicts found")
    assert (conditions["Established"]["status"], conditions["Established"]["reason"]) == (
        "True", "InitialNamesAccepted")
    assert stored["status"]["acceptedNames"]["listKind"] == "WebAppList"
    assert stored["status"]["storedVersions"] == ["v1"]
    assert stored["metadata"]["generation"] == 1
    created = cp.ok(cp.client().create(webapp()))
    assert created["metadata"]["generation"] == 1 and created["metadata"]["uid"]
    assert cp.etcd.store.get("/registry/example.com/webapps/default/web") is not None
    for spelling in ("webapps", "wa", "webapp.example.com", "webapps.v1.example.com"):
        assert cp.ok(cp.client().get(spelling, "web", "default"))["metadata"]["name"] == "web"


def test_a_taken_name_is_not_accepted(cp):
    install(cp)
    # Another plural, but the same kind (so the same default singular) in the same group.
    stored = install(cp, crd(plural="sites", kind="WebApp"))
    conditions = {c["type"]: c for c in stored["status"]["conditions"]}
    assert (conditions["NamesAccepted"]["status"], conditions["NamesAccepted"]["reason"],
            conditions["NamesAccepted"]["message"]) == (
        "False", "SingularConflict", '"webapp" is already in use')
    assert stored["status"]["acceptedNames"] == {}
    assert (conditions["Established"]["status"], conditions["Established"]["reason"]) == (
        "False", "NotAccepted")


def test_a_body_is_pruned_defaulted_and_validated(cp):
    install(cp)
    created = cp.ok(cp.client().create(dict(webapp(), extra={"x": 1},
                                            spec={"image": "nginx", "colour": "red"})))
    assert created["spec"] == {"image": "nginx", "replicas": 1, "tier": "web"}
    assert "extra" not in created
    error = cp.call(cp.client().create(webapp("bad", replicas="three", tier="gpu")))
    assert isinstance(error, InvalidError) and error.code == 422
    assert error.message == (
        'WebApp.example.com "bad" is invalid: [spec.replicas: Invalid value: "string": '
        'spec.replicas in body must be of type integer: "string", spec.tier: Unsupported '
        'value: "gpu": supported values: "web", "batch"]')
    error = cp.call(cp.client().create(dict(webapp("bad"), spec={})))
    assert error.message == 'WebApp.example.com "bad" is invalid: spec.image: Required value'
    assert cp.etcd.store.get("/registry/example.com/webapps/default/bad") is None


def test_status_and_spec_are_written_apart(cp):
    install(cp)
    created = cp.ok(cp.client().create(dict(webapp(), status={"readyReplicas": 9})))
    assert "status" not in created  # the status subresource: create drops it
    with_status = cp.ok(cp.client().update_status(dict(created, status={"readyReplicas": 2})))
    assert with_status["status"] == {"readyReplicas": 2}
    assert with_status["metadata"]["generation"] == 1  # a status write is no spec change
    changed = copy.deepcopy(with_status)
    changed["spec"]["replicas"] = 3
    changed["status"] = {"readyReplicas": 0}
    updated = cp.ok(cp.client().update(changed))
    assert updated["status"] == {"readyReplicas": 2}  # kept: only /status writes it
    assert updated["metadata"]["generation"] == 2
    relabelled = dict(updated, metadata=dict(updated["metadata"], labels={"a": "b"}))
    assert cp.ok(cp.client().update(relabelled))["metadata"]["generation"] == 2


def test_the_scale_subresource_reads_and_writes_the_crds_paths(cp):
    install(cp)
    created = cp.ok(cp.client().create(webapp(replicas=2)))
    cp.ok(cp.client().update_status(dict(created, status={"readyReplicas": 1})))
    scale = cp.ok(cp.client().get_scale("webapps", "web", "default"))
    assert (scale["kind"], scale["spec"], scale["status"]) == (
        "Scale", {"replicas": 2}, {"replicas": 1})
    cp.ok(cp.client().update_scale("webapps", "web", "default", 5))
    assert cp.ok(cp.client().get("webapps", "web", "default"))["spec"]["replicas"] == 5
    error = cp.call(cp.client().update_scale("webapps", "web", "default", -1))
    assert isinstance(error, BadRequestError)


def test_served_versions_share_the_storage_version(cp):
    schema = crd()["spec"]["versions"][0]["schema"]
    install(cp, crd(versions=[
        {"name": "v1beta1", "served": True, "storage": False, "schema": schema},
        {"name": "v1", "served": True, "storage": True, "schema": schema}]))
    created = cp.ok(cp.client().create(webapp(version="v1beta1")))
    assert created["apiVersion"] == "example.com/v1beta1"
    raw = cp.etcd.store.get("/registry/example.com/webapps/default/web").value
    assert '"apiVersion":"example.com/v1"' in raw  # stored in the storage version
    assert cp.ok(cp.client().get("webapps", "web", "default"))["apiVersion"] == "example.com/v1"
    old = cp.ok(cp.client().get("webapps.v1beta1.example.com", "web", "default"))
    assert old["apiVersion"] == "example.com/v1beta1"


def test_a_status_write_without_the_subresource_is_not_found(cp):
    definition = crd()
    del definition["spec"]["versions"][0]["subresources"]
    install(cp, definition)
    created = cp.ok(cp.client().create(dict(webapp(), status={"readyReplicas": 3})))
    assert created["status"] == {"readyReplicas": 3}  # part of the object, then
    error = cp.call(cp.client().update_status(created))
    assert isinstance(error, NotFoundError)
    changed = dict(created, status={"readyReplicas": 4})
    assert cp.ok(cp.client().update(changed))["metadata"]["generation"] == 2


def test_a_deleted_object_is_gone_and_a_watch_sees_it(cp):
    install(cp)
    events = []
    cp.client().watch("webapps", "0", events.append, lambda _reason: None, namespace="default")
    cp.ok(cp.client().create(webapp()))
    cp.ok(cp.client().delete("webapps", "web", "default"))
    cp.sim.run(1.0)
    assert [(e["type"], e["object"]["spec"]["replicas"]) for e in events] == [
        ("ADDED", 1), ("DELETED", 1)]
    assert isinstance(cp.call(cp.client().get("webapps", "web", "default")), NotFoundError)


def test_two_clusters_keep_their_own_crds(control_plane_factory):
    first, second = control_plane_factory(1), control_plane_factory(2)
    install(first)
    assert first.ok(first.client().create(webapp()))
    error = second.call(second.client().create(webapp()))
    assert isinstance(error, K8sLabError) and not isinstance(error, NotFoundError)
    assert second.apiserver.crds.kinds == ()


@pytest.mark.parametrize("verb", ["scale", "update_status"])
def test_subresources_need_a_served_kind(cp, verb):
    error = cp.call(cp.client().request(verb, "webapps", namespace="default", name="web",
                                        body=webapp()))
    assert "webapps" in error.message


def test_a_new_storage_version_joins_stored_versions(cp):
    stored = install(cp)
    schema = stored["spec"]["versions"][0]["schema"]
    stored["spec"]["versions"] = [
        dict(stored["spec"]["versions"][0], storage=False),
        {"name": "v2", "served": True, "storage": True, "schema": schema}]
    updated = cp.ok(cp.client().update(stored))
    assert updated["status"]["storedVersions"] == ["v1", "v2"]
    assert updated["metadata"]["generation"] == 2
    cp.sim.run(1.0)
    created = cp.ok(cp.client().create(webapp(version="v1")))
    assert created["apiVersion"] == "example.com/v1"
    raw = cp.etcd.store.get("/registry/example.com/webapps/default/web").value
    assert '"apiVersion":"example.com/v2"' in raw


def test_deleting_a_crd_deletes_its_objects_first(cp):
    install(cp)
    cp.ok(cp.client().create(webapp("a")))
    kept = dict(webapp("b"), metadata=dict(webapp("b")["metadata"], finalizers=["example/x"]))
    cp.ok(cp.client().create(kept))
    deleting = cp.ok(cp.client().delete("customresourcedefinitions", "webapps.example.com"))
    assert "customresourcecleanup.apiextensions.k8s.io" in deleting["metadata"]["finalizers"]
    error = cp.call(cp.client().create(webapp("c")))
    assert (error.code, error.message) == (403, 'webapps.example.com "c" is forbidden: create '
                                                "not allowed while custom resource definition "
                                                "is terminating")
    cp.sim.run(2.0)
    crd_left = cp.ok(cp.client().get("customresourcedefinitions", "webapps.example.com"))
    terminating = {c["type"]: c for c in crd_left["status"]["conditions"]}["Terminating"]
    assert terminating["reason"] == "InstanceDeletionInProgress"  # b waits on its finalizer
    b = cp.ok(cp.client().get("webapps", "b", "default"))
    cp.ok(cp.client().update(dict(b, metadata=dict(b["metadata"], finalizers=[]))))
    cp.sim.run(3.0)
    error = cp.call(cp.client().get("customresourcedefinitions", "webapps.example.com"))
    assert isinstance(error, NotFoundError)
    assert cp.etcd.store.range("/registry/example.com/", "/registry/example.com0") == ([], 0)
    assert cp.apiserver.crds.kinds == ()
