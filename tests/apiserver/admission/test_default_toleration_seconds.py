"""DefaultTolerationSeconds: a pod tolerates not-ready and unreachable nodes for 300 s unless it
already tolerates them (kk plugin/pkg/admission/defaulttolerationseconds admission_test.go)."""

from k8slab.apiserver.admission.default_toleration_seconds import (
    DefaultTolerationSeconds,
    default_tolerations,
)

from .conftest import review, run


def pod(**spec):
    base = {"containers": [{"name": "web", "image": "nginx:1.27"}]}
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web"}, "spec": base | spec}


NOT_READY = {
    "key": "node.kubernetes.io/not-ready",
    "operator": "Exists",
    "effect": "NoExecute",
    "tolerationSeconds": 300,
}
UNREACHABLE = {
    "key": "node.kubernetes.io/unreachable",
    "operator": "Exists",
    "effect": "NoExecute",
    "tolerationSeconds": 300,
}


def test_default_tolerations_are_appended():
    gpu = {"key": "gpu", "operator": "Exists", "effect": "NoSchedule"}
    original = pod(tolerations=[gpu])
    assert default_tolerations(original) == [gpu, NOT_READY, UNREACHABLE]
    assert original["spec"]["tolerations"] == [gpu]


def test_own_tolerations_win():
    own = {
        "key": "node.kubernetes.io/unreachable",
        "operator": "Exists",
        "effect": "NoExecute",
        "tolerationSeconds": 6000,
    }
    assert default_tolerations(pod(tolerations=[own])) == [own, NOT_READY]


def test_a_match_everything_toleration_needs_nothing_more():
    everything = {"operator": "Exists"}
    assert default_tolerations(pod(tolerations=[everything])) == [everything]


def test_a_no_schedule_toleration_does_not_count():
    no_schedule = {
        "key": "node.kubernetes.io/not-ready",
        "operator": "Exists",
        "effect": "NoSchedule",
    }
    assert default_tolerations(pod(tolerations=[no_schedule])) == [
        no_schedule,
        NOT_READY,
        UNREACHABLE,
    ]


def test_the_plugin_adds_both_tolerations_on_create_and_says_it_changed_the_pod():
    request = review("CREATE", pod())
    run(DefaultTolerationSeconds().mutate(request))
    assert request.obj["spec"]["tolerations"] == [NOT_READY, UNREACHABLE]
    assert request.patches == ["DefaultTolerationSeconds"]


def test_a_pod_that_tolerates_both_is_not_changed():
    request = review("CREATE", pod(tolerations=[{"operator": "Exists"}]))
    run(DefaultTolerationSeconds().mutate(request))
    assert request.obj["spec"]["tolerations"] == [{"operator": "Exists"}]
    assert request.patches == []


def test_a_status_update_and_other_kinds_are_left_alone():
    status = review("UPDATE", pod(), pod(), verb="update_status")
    run(DefaultTolerationSeconds().mutate(status))
    assert "tolerations" not in status.obj["spec"]
    config = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}}
    request = review("CREATE", config)
    run(DefaultTolerationSeconds().mutate(request))
    assert request.patches == []
