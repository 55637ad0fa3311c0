import pytest

from k8slab.errors import K8sLabError
from k8slab.scheduler.framework.interface import Plugin
from k8slab.scheduler.framework.runtime import Framework
from k8slab.scheduler.plugins.registry import (
    DEFAULT_PLUGINS,
    REGISTRY,
    default_profile,
    new_framework,
    register_plugin,
)


def test_registry_lists_upstream_names_in_default_profile_order():
    names = [plugin.name for plugin, _ in DEFAULT_PLUGINS]
    assert list(REGISTRY)[: len(DEFAULT_PLUGINS)] == names
    assert all(cls.name == name for name, cls in REGISTRY.items())


def test_every_built_in_plugin_declares_its_extension_points():
    # As upstream's `var _ framework.FilterPlugin = &TaintToleration{}`, checked at registration.
    declared = {plugin.name: plugin.extends for plugin, _ in DEFAULT_PLUGINS}
    assert declared == {
        "PrioritySort": ("queue_sort",),
        "NodeUnschedulable": ("filter",),
        "NodeName": ("filter",),
        "TaintToleration": ("filter", "pre_score", "score", "normalize"),
        "NodeAffinity": ("pre_filter", "filter", "pre_score", "score", "normalize"),
        "NodePorts": ("pre_filter", "filter"),
        "NodeResourcesFit": ("pre_filter", "filter", "pre_score", "score"),
        "PodTopologySpread": ("pre_filter", "filter", "pre_score", "score", "normalize"),
        "InterPodAffinity": ("pre_filter", "filter", "pre_score", "score", "normalize"),
        "DefaultPreemption": ("post_filter",),
        "NodeResourcesBalancedAllocation": ("pre_score", "score"),
        "ImageLocality": ("score",),  # `var _ framework.ScorePlugin = &ImageLocality{}` only
        "DefaultBinder": ("bind",),
    }


class DeclaresTooMuch(Plugin):
    name = "DeclaresTooMuch"
    extends = ("filter", "score")

    def score(self, state, pod, node_info):
        return 0


class DeclaresTooLittle(Plugin):
    name = "DeclaresTooLittle"
    extends = ("score",)

    def score(self, state, pod, node_info):
        return 0

    def normalize(self, state, pod, scores):
        return scores

    def filter_array(self, state, pod, table, rows):
        return None


class DeclaresNonsense(Plugin):
    name = "DeclaresNonsense"
    extends = ("score", "wait_on_permit")

    def score(self, state, pod, node_info):
        return 0


@pytest.mark.parametrize(
    ("plugin", "message"),
    [
        (
            DeclaresTooMuch,
            "plugin DeclaresTooMuch declares extends = ('filter', 'score'), but it declares "
            "'filter' but defines no filter()",
        ),
        (
            DeclaresTooLittle,
            "plugin DeclaresTooLittle declares extends = ('score',), but it defines filter_array() "
            "but does not declare 'filter'; it defines normalize() but does not declare "
            "'normalize'",
        ),
        (
            DeclaresNonsense,
            "plugin DeclaresNonsense declares extends = ('score', 'wait_on_permit'), but "
            "'wait_on_permit' is not an extension point",
        ),
    ],
    ids=["declared, not defined", "defined, not declared", "not an extension point"],
)
def test_register_plugin_holds_the_declaration_against_the_methods(plugin, message):
    with pytest.raises(K8sLabError) as error:
        register_plugin(plugin)
    assert str(error.value) == message
    assert plugin.name not in REGISTRY
    with pytest.raises(K8sLabError, match="declares extends"):
        Framework([plugin()])


def test_a_plugin_without_a_declaration_implements_what_it_defines():
    assert PreferZeroPods.extends is None
    assert PreferZeroPods().extension_points() == ("score",)


def test_default_profile_has_upstreams_plugins_order_and_weights():
    # kk pkg/scheduler/apis/config/v1/default_plugins.go, without the volume plugins
    framework = default_profile()
    assert [p.name for p in framework.queue_sort_plugins] == ["PrioritySort"]
    assert [p.name for p in framework.filter_plugins] == [
        "NodeUnschedulable",
        "NodeName",
        "TaintToleration",
        "NodeAffinity",
        "NodePorts",
        "NodeResourcesFit",
        "PodTopologySpread",
        "InterPodAffinity",
    ]
    assert [p.name for p in framework.post_filter_plugins] == ["DefaultPreemption"]
    assert framework.weights == {
        "TaintToleration": 3,
        "NodeAffinity": 2,
        "NodeResourcesFit": 1,
        "PodTopologySpread": 2,
        "InterPodAffinity": 2,
        "NodeResourcesBalancedAllocation": 1,
        "ImageLocality": 1,
    }
    assert [p.name for p in framework.bind_plugins] == ["DefaultBinder"]
    fit = next(p for p in framework.score_plugins if p.name == "NodeResourcesFit")
    assert (fit.scoring_strategy, fit.resources) == ("LeastAllocated", {"cpu": 1, "memory": 1})


def test_default_profile_takes_plugin_arguments_and_can_drop_plugins():
    framework = default_profile(
        {"NodeResourcesFit": {"scoring_strategy": "MostAllocated"}}, disabled=["ImageLocality"]
    )
    fit = next(p for p in framework.score_plugins if p.name == "NodeResourcesFit")
    assert fit.scoring_strategy == "MostAllocated"
    assert "ImageLocality" not in framework.weights
    with pytest.raises(K8sLabError, match="cannot disable VolumeBinding"):
        default_profile(disabled=["VolumeBinding"])


def test_new_framework_builds_a_custom_profile():
    framework = new_framework(["NodeResourcesFit", "NodeName"], {"NodeResourcesFit": 5})
    assert [p.name for p in framework.plugins] == ["NodeResourcesFit", "NodeName"]
    assert framework.weights == {"NodeResourcesFit": 5}
    assert repr(framework) == "Framework([NodeResourcesFit(w=5), NodeName])"


@pytest.mark.parametrize(
    ("names", "weights", "args", "message"),
    [
        (["VolumeBinding"], None, None, "unknown scheduler plugin.*not modelled: .*VolumeBinding"),
        (["NodeName"], None, {"NodeResourcesFit": {}}, "not in the profile"),
        (["NodeName"], None, {"NodeName": {"x": 1}}, "bad arguments for plugin NodeName"),
        (
            ["NodeResourcesFit"],
            None,
            {"NodeResourcesFit": {"scoring_strategy": "Nope"}},
            'NodeResourcesFit: scoringStrategy.type: Unsupported value: "Nope"',
        ),
        (["NodeName"], {"NodeName": 2}, None, "not a score plugin"),
    ],
)
def test_bad_profiles_are_clear_errors(names, weights, args, message):
    with pytest.raises(K8sLabError, match=message):
        new_framework(names, weights, args)


class PreferZeroPods(Plugin):
    """A reader's plugin: the emptier the node, the higher the score."""

    name = "PreferZeroPods"

    def score(self, state, pod, node_info):
        return max(0, 100 - node_info.pod_count)


def test_a_registered_plugin_can_be_used_by_name():
    register_plugin(PreferZeroPods)
    try:
        framework = new_framework(["PreferZeroPods"], {"PreferZeroPods": 4})
        assert framework.weights == {"PreferZeroPods": 4}
        register_plugin(PreferZeroPods)  # the same class again is fine
    finally:
        del REGISTRY["PreferZeroPods"]


@pytest.mark.parametrize(
    ("candidate", "message"),
    [(dict, "needs a Plugin subclass"), (type("Nameless", (Plugin,), {}), "has no name")],
)
def test_register_plugin_refuses_what_is_not_a_named_plugin(candidate, message):
    with pytest.raises(K8sLabError, match=message):
        register_plugin(candidate)


def test_a_name_cannot_be_taken_twice():
    impostor = type("Impostor", (Plugin,), {"name": "NodeName"})
    with pytest.raises(K8sLabError, match="already registered as 'NodeName'"):
        register_plugin(impostor)
