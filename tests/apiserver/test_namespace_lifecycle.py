"""A namespace's lifecycle through the API server: Active with the `kubernetes` finalizer on
create, Terminating on DELETE, removed once finalized; NamespaceLifecycle admission refusing
new content in a Terminating namespace and the deletion of the system namespaces."""

import pytest

from k8slab.errors import BadRequestError, ForbiddenError, NotFoundError


def create_ns(cp, name: str = "team", **spec) -> dict:
    body = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}
    if spec:
        body["spec"] = spec
    return cp.ok(cp.client().create(body))


def get_ns(cp, name: str = "team"):
    return cp.call(cp.client().get("namespaces", name))


def config_map(name: str, namespace: str = "team", **meta) -> dict:
    return {"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": name, "namespace": namespace, **meta}, "data": {"k": "v"}}


def test_a_new_namespace_is_active_with_the_kubernetes_finalizer(cp):
    created = create_ns(cp)
    assert created["spec"]["finalizers"] == ["kubernetes"]
    assert created["status"] == {"phase": "Active"}


def test_a_client_finalizer_is_kept_and_the_kubernetes_one_added(cp):
    created = create_ns(cp, finalizers=["example.com/cleanup"])
    assert created["spec"]["finalizers"] == ["example.com/cleanup", "kubernetes"]


def test_the_phase_a_client_sends_on_create_is_dropped(cp):
    body = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team"},
            "status": {"phase": "Terminating"}}
    assert cp.ok(cp.client().create(body))["status"]["phase"] == "Active"


def test_delete_marks_the_namespace_terminating_and_keeps_it(cp):
    create_ns(cp)
    answer = cp.ok(cp.client().delete("namespaces", "team"))
    assert answer["status"]["phase"] == "Terminating"
    assert answer["metadata"]["deletionTimestamp"]
    stored = get_ns(cp)
    assert stored["status"]["phase"] == "Terminating"
    assert stored["metadata"]["deletionTimestamp"] == answer["metadata"]["deletionTimestamp"]


def test_a_second_delete_changes_nothing(cp):
    create_ns(cp)
    first = cp.ok(cp.client().delete("namespaces", "team"))
    cp.sim.run(cp.sim.now + 5)
    second = cp.ok(cp.client().delete("namespaces", "team"))
    assert second["metadata"]["deletionTimestamp"] == first["metadata"]["deletionTimestamp"]
    assert second["metadata"]["resourceVersion"] == first["metadata"]["resourceVersion"]


def test_finalize_with_no_finalizers_removes_a_terminating_namespace(cp):
    create_ns(cp)
    marked = cp.ok(cp.client().delete("namespaces", "team"))
    marked["spec"]["finalizers"] = []
    cp.ok(cp.client().finalize(marked))
    assert isinstance(get_ns(cp), NotFoundError)


def test_finalize_of_one_finalizer_of_two_keeps_the_namespace(cp):
    create_ns(cp, finalizers=["example.com/cleanup"])
    marked = cp.ok(cp.client().delete("namespaces", "team"))
    marked["spec"]["finalizers"] = ["example.com/cleanup"]
    cp.ok(cp.client().finalize(marked))
    assert get_ns(cp)["spec"]["finalizers"] == ["example.com/cleanup"]


def test_finalize_of_an_active_namespace_keeps_it_and_a_later_delete_removes_it(cp):
    created = create_ns(cp)
    created["spec"]["finalizers"] = []
    cp.ok(cp.client().finalize(created))
    assert get_ns(cp)["status"]["phase"] == "Active"
    cp.ok(cp.client().delete("namespaces", "team"))
    assert isinstance(get_ns(cp), NotFoundError)


def test_a_plain_update_cannot_change_finalizers_or_phase(cp):
    created = create_ns(cp)
    created["spec"]["finalizers"] = []
    created["status"] = {"phase": "Terminating"}
    created["metadata"]["labels"] = {"team": "a"}
    updated = cp.ok(cp.client().update(created))
    assert updated["spec"]["finalizers"] == ["kubernetes"]
    assert updated["status"]["phase"] == "Active"
    assert updated["metadata"]["labels"] == {"team": "a"}


def test_finalize_rejects_a_bad_finalizer_list_and_changes_nothing(cp):
    created = create_ns(cp)
    created["spec"]["finalizers"] = "kubernetes"
    error = cp.call(cp.client().finalize(created))
    assert isinstance(error, BadRequestError)
    assert "spec.finalizers" in error.message
    assert get_ns(cp)["metadata"]["resourceVersion"] == created["metadata"]["resourceVersion"]


def test_finalize_is_only_a_subresource_of_namespaces(cp):
    error = cp.call(cp.client().request("finalize", "pods", body={"metadata": {"name": "x"}}))
    assert isinstance(error, BadRequestError)


@pytest.mark.parametrize("name", ["default", "kube-system", "kube-public"])
def test_the_system_namespaces_may_not_be_deleted(cp, name):
    cp.sim.run(cp.sim.now + 2)  # the API server's bootstrap made them
    before = get_ns(cp, name)
    error = cp.call(cp.client().delete("namespaces", name))
    assert isinstance(error, ForbiddenError)
    assert error.code == 403
    assert error.message == (f'namespaces "{name}" is forbidden: this namespace may not be '
                             "deleted")
    assert get_ns(cp, name) == before


def test_no_new_content_in_a_terminating_namespace(cp):
    create_ns(cp)
    cp.ok(cp.client().create(config_map("before")))
    cp.ok(cp.client().delete("namespaces", "team"))
    error = cp.call(cp.client().create(config_map("after")))
    assert isinstance(error, ForbiddenError)
    assert error.code == 403 and error.reason == "Forbidden"
    assert error.message == ('configmaps "after" is forbidden: unable to create new content in '
                             "namespace team because it is being terminated")
    assert isinstance(cp.call(cp.client().get("configmaps", "after", "team")), NotFoundError)
    # what was there may still be read and updated (the namespace controller deletes it)
    existing = cp.ok(cp.client().get("configmaps", "before", "team"))
    existing["data"] = {"k": "w"}
    assert cp.ok(cp.client().update(existing))["data"] == {"k": "w"}


def test_a_generated_name_is_not_named_in_the_refusal(cp):
    create_ns(cp)
    cp.ok(cp.client().delete("namespaces", "team"))
    body = config_map("", generateName="cm-")
    del body["metadata"]["name"]
    error = cp.call(cp.client().create(body))
    assert isinstance(error, ForbiddenError)
    assert error.message.startswith("configmaps is forbidden: unable to create new content")
