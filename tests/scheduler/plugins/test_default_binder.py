import pytest

from k8slab.errors import K8sLabError
from k8slab.scheduler.framework.cycle_state import CycleState
from k8slab.scheduler.plugins.default_binder import DefaultBinder


def test_bind_calls_the_callback_with_the_pod_and_node():
    calls = []
    binder = DefaultBinder(
        lambda pod, node: calls.append((pod["metadata"]["name"], node)) or "done"
    )
    assert binder.bind(CycleState(), {"metadata": {"name": "web"}}, "node1") == "done"
    assert calls == [("web", "node1")]
    assert binder.extension_points() == ("bind",)


def test_without_a_callback_bind_says_what_is_missing():
    with pytest.raises(K8sLabError, match="no bind callback"):
        DefaultBinder().bind(CycleState(), {"metadata": {"name": "web"}}, "node1")
