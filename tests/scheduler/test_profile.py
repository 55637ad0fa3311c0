"""KubeSchedulerConfiguration profiles: defaults merged as upstream, upstream's errors."""

import random

import pytest

from k8slab.errors import K8sLabError, ManifestError
from k8slab.scheduler.framework.interface import Plugin
from k8slab.scheduler.node_info import NodeInfo
from k8slab.scheduler.plugins.registry import REGISTRY, default_profile, register_plugin
from k8slab.scheduler.profile import load_config, load_profiles
from k8slab.scheduler.scheduler import scheduling_cycle
from k8slab.scheduler.snapshot import Snapshot

HEADER = "apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\n"


def config(**fields):
    return {
        "apiVersion": "kubescheduler.config.k8s.io/v1",
        "kind": "KubeSchedulerConfiguration",
        **fields,
    }


def names(plugins):
    return [p.name for p in plugins]


def test_an_empty_configuration_is_the_default_profile():
    profiles = load_profiles(HEADER)
    assert list(profiles) == ["default-scheduler"]
    framework, default = profiles["default-scheduler"], default_profile()
    for point in ("filter_plugins", "score_plugins", "post_filter_plugins", "bind_plugins"):
        assert names(getattr(framework, point)) == names(getattr(default, point))
    assert framework.weights == default.weights


def test_settings_and_defaults():
    loaded = load_config(config(percentageOfNodesToScore=30, podMaxBackoffSeconds=20))
    assert (loaded.percentage_of_nodes_to_score, loaded.pod_initial_backoff_seconds) == (30, 1)
    assert loaded.pod_max_backoff_seconds == 20
    assert loaded.profiles["default-scheduler"].percentage_of_nodes_to_score == 30


YAML = (
    HEADER
    + """
profiles:
- schedulerName: default-scheduler
- schedulerName: bin-packing
  percentageOfNodesToScore: 100
  plugins:
    score:
      enabled:
      - name: NodeResourcesFit
        weight: 5
      disabled:
      - name: ImageLocality
      - name: NodeResourcesBalancedAllocation
  pluginConfig:
  - name: NodeResourcesFit
    args:
      scoringStrategy:
        type: MostAllocated
        resources:
        - name: cpu
          weight: 1
"""
)


def test_a_second_profile_reconfigures_the_defaults():
    profiles = load_profiles(YAML)
    packing = profiles["bin-packing"]
    # a plugin named at `score` comes first there (expandMultiPointPlugins "part 1")
    assert names(packing.score_plugins) == [
        "NodeResourcesFit",
        "TaintToleration",
        "NodeAffinity",
        "PodTopologySpread",
        "InterPodAffinity",
    ]
    assert packing.weights["NodeResourcesFit"] == 5
    fit = packing.score_plugins[0]
    assert (fit.scoring_strategy, fit.resources) == ("MostAllocated", {"cpu": 1})
    assert packing.percentage_of_nodes_to_score == 100
    # disabled at score only: a plugin's PreScore still runs (ImageLocality has none, upstream)
    assert "NodeResourcesBalancedAllocation" in names(packing.pre_score_plugins)
    assert "ImageLocality" not in names(packing.pre_score_plugins + packing.score_plugins)
    nodes = [
        NodeInfo(
            {
                "metadata": {"name": n},
                "status": {"allocatable": {"cpu": "4", "memory": "8Gi", "pods": "9"}},
            }
        )
        for n in "ab"
    ]
    nodes[1].add_pod(
        {
            "metadata": {"name": "x"},
            "spec": {"containers": [{"name": "c", "resources": {"requests": {"cpu": "2"}}}]},
        }
    )
    pod = {
        "metadata": {"name": "p"},
        "spec": {"containers": [{"name": "c", "resources": {"requests": {"cpu": "1"}}}]},
    }
    assert scheduling_cycle(packing, Snapshot(nodes), pod, random.Random(0)).node == "b"
    assert (
        scheduling_cycle(profiles["default-scheduler"], Snapshot(nodes), pod, random.Random(0)).node
        == "a"
    )


def test_multi_point_can_disable_a_default_everywhere_or_all_of_them():
    framework = load_profiles(
        config(
            profiles=[{"plugins": {"multiPoint": {"disabled": [{"name": "DefaultPreemption"}]}}}]
        )
    )
    assert framework["default-scheduler"].post_filter_plugins == ()
    custom = {
        "multiPoint": {
            "disabled": [{"name": "*"}],
            "enabled": [{"name": "PrioritySort"}, {"name": "NodeName"}, {"name": "DefaultBinder"}],
        }
    }
    only = load_profiles(config(profiles=[{"plugins": custom}]))["default-scheduler"]
    assert names(only.plugins) == ["PrioritySort", "NodeName", "DefaultBinder"]
    assert only.score_plugins == ()


def test_a_weight_of_zero_means_one():
    plugins = {"multiPoint": {"enabled": [{"name": "ImageLocality", "weight": 0}]}}
    framework = load_profiles(config(profiles=[{"plugins": plugins}]))["default-scheduler"]
    assert framework.weights["ImageLocality"] == 1


class PreferEvenNames(Plugin):
    name = "PreferEvenNames"

    def score(self, state, pod, node_info):
        return 100 if int(node_info.name[-1]) % 2 == 0 else 0


def test_a_registered_plugin_is_usable_in_a_profile():
    register_plugin(PreferEvenNames)
    try:
        plugins = {"multiPoint": {"enabled": [{"name": "PreferEvenNames", "weight": 50}]}}
        framework = load_profiles(config(profiles=[{"plugins": plugins}]))["default-scheduler"]
        assert framework.weights["PreferEvenNames"] == 50
        nodes = [
            NodeInfo(
                {
                    "metadata": {"name": f"n{i}"},
                    "status": {"allocatable": {"cpu": "4", "memory": "8Gi", "pods": "9"}},
                }
            )
            for i in (1, 2, 3)
        ]
        pod = {"metadata": {"name": "p"}, "spec": {"containers": [{"name": "c"}]}}
        assert scheduling_cycle(framework, Snapshot(nodes), pod, random.Random(0)).node == "n2"
    finally:
        del REGISTRY["PreferEvenNames"]


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (
            config(profiles=[{"plugins": {"multiPoint": {"enabled": [{"name": "Foo"}]}}}]),
            'creating profile for scheduler name default-scheduler: PreFilterPlugin "Foo" does '
            "not exist",
        ),
        (
            config(profiles=[{"plugins": {"score": {"enabled": [{"name": "VolumeBinding"}]}}}]),
            'ScorePlugin "VolumeBinding" does not exist (not modelled by k8slab)',
        ),
        (
            config(profiles=[{"plugins": {"score": {"enabled": [{"name": "NodeName"}]}}}]),
            'plugin "NodeName" does not extend ScorePlugin plugin',
        ),
        (
            config(
                profiles=[
                    {
                        "plugins": {
                            "filter": {"enabled": [{"name": "NodeName"}, {"name": "NodeName"}]}
                        }
                    }
                ]
            ),
            'plugin "NodeName" already registered as "FilterPlugin"',
        ),
        (
            config(profiles=[{"plugins": {"queueSort": {"disabled": [{"name": "*"}]}}}]),
            "only one queue sort plugin required for profile with scheduler name "
            '"default-scheduler", but got 0',
        ),
        (
            config(profiles=[{"plugins": {"bind": {"disabled": [{"name": "DefaultBinder"}]}}}]),
            "at least one bind plugin is needed for profile with scheduler name "
            '"default-scheduler"',
        ),
        (
            config(
                profiles=[
                    {
                        "pluginConfig": [
                            {
                                "name": "NodeResourcesFit",
                                "args": {"scoringStrategy": {"type": "Spread"}},
                            }
                        ]
                    }
                ]
            ),
            'initializing plugin "NodeResourcesFit": NodeResourcesFit: scoringStrategy.type: '
            'Unsupported value: "Spread"',
        ),
        (
            config(
                profiles=[
                    {"plugins": {"score": {"enabled": [{"name": "ImageLocality", "weight": -1}]}}}
                ]
            ),
            "weight of score plugin ImageLocality must be a non-negative integer",
        ),
        (
            config(percentageOfNodesToScore=120),
            "percentageOfNodesToScore: Invalid value: 120: not in valid range [0-100]",
        ),
        (
            config(podInitialBackoffSeconds=0),
            "podInitialBackoffSeconds: Invalid value: 0: must be greater than 0",
        ),
        (
            config(podInitialBackoffSeconds=5, podMaxBackoffSeconds=2),
            "podMaxBackoffSeconds: Invalid value: 2: must be greater than or equal to "
            "PodInitialBackoffSeconds",
        ),
        (
            config(profiles=[{"schedulerName": "a"}, {"schedulerName": "a"}]),
            'profiles[1].schedulerName: Duplicate value: "a"',
        ),
        (
            config(profiles=[{}, {"schedulerName": "b"}]),
            "profiles[0].schedulerName: Required value",
        ),
        (
            config(
                profiles=[
                    {"schedulerName": "a"},
                    {"schedulerName": "b", "plugins": {"queueSort": {"enabled": [{"name": "X"}]}}},
                ]
            ),
            "profiles[1].plugins.queueSort: Invalid value",
        ),
        (
            config(
                profiles=[{"pluginConfig": [{"name": "NodeAffinity"}, {"name": "NodeAffinity"}]}]
            ),
            'profiles[0].pluginConfig[1]: Duplicate value: "NodeAffinity"',
        ),
        (
            config(profiles=[{"plugins": {"filter": {"enabled": [{"name": "EBSLimits"}]}}}]),
            'profiles[0].plugins.filter.enabled[0]: Invalid value: "EBSLimits": was invalid in '
            "version",
        ),
        (config(profile=[]), 'strict decoding error: unknown field "profile"'),
        (
            config(profiles=[{"plugins": {"score": {"enabled": [{"name": "X", "wieght": 2}]}}}]),
            'unknown field "profiles[0].plugins.score.enabled[0].wieght"',
        ),
        (config(extenders=[{"urlPrefix": "http://x"}]), "extenders are not modelled"),
    ],
)
def test_bad_configurations_are_clear_errors(document, message):
    with pytest.raises(K8sLabError) as caught:
        load_profiles(document)
    assert message in str(caught.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "apiVersion: kubescheduler.config.k8s.io/v1beta3\nkind: KubeSchedulerConfiguration\n",
            'registered for version "kubescheduler.config.k8s.io/v1beta3"',
        ),
        ("kind: Pod\n", "kind must be 'KubeSchedulerConfiguration'"),
        ("[1, 2", "not valid YAML"),
        ("- a\n", "must be a mapping"),
    ],
)
def test_documents_that_are_no_configuration(text, message):
    with pytest.raises(ManifestError, match=message.replace("[", r"\[").replace(".", r"\.")):
        load_profiles(text)
