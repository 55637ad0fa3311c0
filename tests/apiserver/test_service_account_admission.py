"""The ServiceAccount admission plugin through the API server: the default account, the token
volume every container mounts, a missing account refused in upstream's words, opting out."""

from k8slab.apiserver.admission.service_account import TOKEN_MOUNT_PATH, token_volume_source
from k8slab.errors import ForbiddenError


def create(cp, obj: dict):
    return cp.call(cp.client().create(obj))


def account(name: str, namespace: str = "default", **fields) -> dict:
    return {"apiVersion": "v1", "kind": "ServiceAccount",
            "metadata": {"name": name, "namespace": namespace}, **fields}


def test_a_pod_without_an_account_runs_as_default_with_the_token_volume(cp, make_pod):
    pod = make_pod("web", initContainers=[{"name": "init", "image": "busybox:1.36"}])
    created = create(cp, pod)
    spec = created["spec"]
    assert spec["serviceAccountName"] == "default"
    [volume] = spec["volumes"]
    assert volume["name"].startswith("kube-api-access-") and len(volume["name"]) == 21
    assert volume["projected"] == token_volume_source()
    assert volume["projected"]["sources"][0] == {
        "serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}}
    for container in spec["initContainers"] + spec["containers"]:
        assert container["volumeMounts"] == [
            {"mountPath": TOKEN_MOUNT_PATH, "name": volume["name"], "readOnly": True}]
    [record] = [r for r in cp.sim.trace.where(kind="admit") if r.obj == "pod/default/web"]
    assert "ServiceAccount" in record.details["mutated_by"]


def test_the_volume_suffix_comes_from_its_own_stream(control_plane_factory, make_pod):
    names = []
    for _ in range(2):
        cp = control_plane_factory(5)
        created = create(cp, make_pod("web"))
        names.append(created["spec"]["volumes"][0]["name"])
    assert names[0] == names[1]


def test_a_pod_of_a_missing_account_is_forbidden_and_not_stored(cp, make_pod):
    error = create(cp, make_pod("web", serviceAccountName="robot"))
    assert isinstance(error, ForbiddenError) and error.code == 403
    assert error.message == ('pods "web" is forbidden: error looking up service account '
                             'default/robot: serviceaccount "robot" not found')
    assert cp.etcd.store.get("/registry/pods/default/web") is None


def test_a_generated_name_is_named_by_its_prefix_in_the_refusal(cp, make_pod):
    pod = make_pod("")
    pod["metadata"] = {"generateName": "web-", "namespace": "default"}
    pod["spec"]["serviceAccountName"] = "robot"
    assert create(cp, pod).message.startswith('pods "web-" is forbidden: ')


def test_an_account_of_its_own_and_its_pull_secrets(cp, make_pod):
    create(cp, account("robot", imagePullSecrets=[{"name": "registry-key"}]))
    created = create(cp, make_pod("web", serviceAccountName="robot"))
    assert created["spec"]["serviceAccountName"] == "robot"
    assert created["spec"]["imagePullSecrets"] == [{"name": "registry-key"}]


def test_automount_false_on_the_pod_or_the_account_mounts_nothing(cp, make_pod):
    created = create(cp, make_pod("a", automountServiceAccountToken=False))
    assert "volumes" not in created["spec"]
    assert "volumeMounts" not in created["spec"]["containers"][0]
    create(cp, account("quiet", automountServiceAccountToken=False))
    created = create(cp, make_pod("b", serviceAccountName="quiet"))
    assert "volumes" not in created["spec"]
    # The pod's own choice wins over its account's.
    created = create(cp, make_pod("c", serviceAccountName="quiet",
                                  automountServiceAccountToken=True))
    assert created["spec"]["volumes"][0]["name"].startswith("kube-api-access-")


def test_a_container_with_its_own_mount_at_the_path_keeps_it(cp, make_pod):
    pod = make_pod("web", volumes=[{"name": "mine", "emptyDir": {}}])
    pod["spec"]["containers"][0]["volumeMounts"] = [{"name": "mine",
                                                     "mountPath": TOKEN_MOUNT_PATH}]
    created = create(cp, pod)
    assert [v["name"] for v in created["spec"]["volumes"]] == ["mine"]


def test_a_mirror_pod_is_left_alone_but_may_not_name_an_account(cp, make_pod):
    pod = make_pod("etcd-node", "kube-system", node="worker-1")
    pod["metadata"]["annotations"] = {"kubernetes.io/config.mirror": "abc"}
    created = create(cp, pod)
    assert "serviceAccountName" not in created["spec"] and "volumes" not in created["spec"]
    pod["metadata"]["name"] = "other"
    pod["spec"]["serviceAccountName"] = "default"
    assert create(cp, pod).message == ('pods "other" is forbidden: a mirror pod may not '
                                       "reference service accounts")


def test_a_new_namespace_gets_its_default_account_in_time_for_a_pod(cp, make_pod):
    # The plugin looks the default account up again (10 tries, 100-200 ms apart) while the
    # serviceaccount controller makes it.
    create(cp, {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team"}})
    created = create(cp, make_pod("web", "team"))
    assert created["spec"]["serviceAccountName"] == "default"
