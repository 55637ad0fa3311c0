"""Pod updates may change images, tolerations and activeDeadlineSeconds, and nothing else."""

import copy

import pytest

from k8slab.apiserver.pod_update import check_node_name, check_pod_update
from k8slab.errors import InvalidError

CURRENT = {
    "metadata": {"name": "web", "namespace": "default"},
    "spec": {
        "containers": [{"name": "app", "image": "nginx:1.26", "command": ["nginx"]}],
        "initContainers": [{"name": "init", "image": "busybox:1.36"}],
        "tolerations": [{"key": "a", "operator": "Exists"}],
        "nodeName": "worker-1",
        "restartPolicy": "Always",
    },
}


def changed(**edits) -> dict:
    pod = copy.deepcopy(CURRENT)
    for path, value in edits.items():
        target = pod["spec"]
        *parents, last = path.split("__")
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        target[int(last) if last.isdigit() else last] = value
    return pod


@pytest.mark.parametrize("edits", [
    {},
    {"containers__0__image": "nginx:1.27"},
    {"initContainers__0__image": "busybox:1.37"},
    {"tolerations": [{"key": "a", "operator": "Exists"}, {"key": "b", "operator": "Exists"}]},
    {"activeDeadlineSeconds": 60},
])
def test_allowed_changes(edits):
    check_pod_update(CURRENT, changed(**edits))


def test_leaving_node_name_out_of_the_update_is_allowed():
    pod = changed()
    del pod["spec"]["nodeName"]
    check_pod_update(CURRENT, pod)


@pytest.mark.parametrize("edits", [
    {"containers__0__command": ["sh"]},
    {"containers__0__name": "renamed"},
    {"restartPolicy": "Never"},
    {"containers": [{"name": "app", "image": "nginx:1.26", "command": ["nginx"]},
                    {"name": "sidecar", "image": "envoy"}]},
])
def test_other_spec_changes_are_forbidden(edits):
    with pytest.raises(InvalidError) as caught:
        check_pod_update(CURRENT, changed(**edits))
    assert caught.value.message.startswith(
        'Pod "web" is invalid: spec: Forbidden: pod updates may not change fields other than ')
    assert caught.value.code == 422


def test_node_name_is_set_only_through_binding():
    current = changed()
    del current["spec"]["nodeName"]
    with pytest.raises(InvalidError, match=r"spec.nodeName: Forbidden"):
        check_node_name(current, changed(nodeName="worker-2"))


def test_the_forbidden_message_lists_the_fields_in_upstreams_words():
    with pytest.raises(InvalidError) as caught:
        check_pod_update(CURRENT, changed(restartPolicy="Never"))
    assert caught.value.message.startswith(
        'Pod "web" is invalid: spec: Forbidden: pod updates may not change fields other than '
        "`spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,"
        "`spec.tolerations` (only additions to existing tolerations),"
        "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously "
        "negative)")
