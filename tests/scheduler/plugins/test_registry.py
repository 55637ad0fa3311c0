import pytest

from k8slab.errors import K8sLabError
from k8slab.scheduler.plugins import REGISTRY, default_profile, new_framework


def test_registry_lists_upstream_names_in_default_profile_order():
    assert list(REGISTRY) == [
        "NodeUnschedulable",
        "NodeName",
        "TaintToleration",
        "NodeResourcesFit",
    ]
    assert all(cls.name == name for name, cls in REGISTRY.items())


def test_default_profile_has_upstreams_order_and_weights():
    framework = default_profile()
    assert [p.name for p in framework.filter_plugins] == list(REGISTRY)
    assert [p.name for p in framework.score_plugins] == ["TaintToleration", "NodeResourcesFit"]
    assert framework.weights == {"TaintToleration": 3, "NodeResourcesFit": 1}
    assert framework.score_plugins[1].scoring_strategy == "LeastAllocated"
    assert framework.score_plugins[1].resources == {"cpu": 1, "memory": 1}


def test_default_profile_takes_plugin_arguments():
    framework = default_profile({"NodeResourcesFit": {"scoring_strategy": "MostAllocated"}})
    assert framework.score_plugins[1].scoring_strategy == "MostAllocated"


def test_new_framework_builds_a_custom_profile():
    framework = new_framework(["NodeResourcesFit", "NodeName"], {"NodeResourcesFit": 5})
    assert [p.name for p in framework.plugins] == ["NodeResourcesFit", "NodeName"]
    assert framework.weights == {"NodeResourcesFit": 5}
    assert repr(framework) == "Framework([NodeResourcesFit(w=5), NodeName])"


@pytest.mark.parametrize(
    ("names", "weights", "args", "message"),
    [
        (["NodeAffinity"], None, None, "unknown scheduler plugin"),
        (["NodeName"], None, {"NodeResourcesFit": {}}, "not in the profile"),
        (["NodeName"], None, {"NodeName": {"x": 1}}, "bad arguments for plugin NodeName"),
        (
            ["NodeResourcesFit"],
            None,
            {"NodeResourcesFit": {"scoring_strategy": "Nope"}},
            "unknown NodeResourcesFit",
        ),
        (["NodeName"], {"NodeName": 2}, None, "not a score plugin"),
    ],
)
def test_bad_profiles_are_clear_errors(names, weights, args, message):
    with pytest.raises(K8sLabError, match=message):
        new_framework(names, weights, args)
