"""The plugin registry: every plugin by its upstream name, and the default scheduling profile.

Names, order and weights follow upstream's default profile (kk pkg/scheduler/apis/config/v1/
default_plugins.go): PrioritySort, NodeUnschedulable, NodeName, TaintToleration (weight 3),
NodeAffinity (2), NodePorts, NodeResourcesFit (1), PodTopologySpread (2), InterPodAffinity (2),
DefaultPreemption, NodeResourcesBalancedAllocation (1), ImageLocality (1), DefaultBinder. Left out:
SchedulingGates (PreEnqueue is not modelled), the volume plugins (VolumeRestrictions,
NodeVolumeLimits, VolumeBinding, VolumeZone: k8slab has no volumes) and DynamicResources.
`register_plugin` adds a plugin of your own, usable by name in new_framework and in profiles.
Upstream: kk pkg/scheduler/framework/plugins/registry.go.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from k8slab.errors import K8sLabError
from k8slab.scheduler.framework.interface import Plugin, check_extends
from k8slab.scheduler.framework.runtime import Framework
from k8slab.scheduler.plugins.default_binder import DefaultBinder
from k8slab.scheduler.plugins.default_preemption import DefaultPreemption
from k8slab.scheduler.plugins.image_locality import ImageLocality
from k8slab.scheduler.plugins.inter_pod_affinity import InterPodAffinity
from k8slab.scheduler.plugins.node_affinity import NodeAffinity
from k8slab.scheduler.plugins.node_name import NodeName
from k8slab.scheduler.plugins.node_ports import NodePorts
from k8slab.scheduler.plugins.node_resources_balanced_allocation import (
    NodeResourcesBalancedAllocation,
)
from k8slab.scheduler.plugins.node_resources_fit import NodeResourcesFit
from k8slab.scheduler.plugins.node_unschedulable import NodeUnschedulable
from k8slab.scheduler.plugins.pod_topology_spread import PodTopologySpread
from k8slab.scheduler.plugins.priority_sort import PrioritySort
from k8slab.scheduler.plugins.taint_toleration import TaintToleration

# Upstream's default profile, in its order, with each score plugin's default weight (0: not a
# score plugin). kk pkg/scheduler/apis/config/v1/default_plugins.go.
DEFAULT_PLUGINS: tuple[tuple[type[Plugin], int], ...] = (
    (PrioritySort, 0),
    (NodeUnschedulable, 0),
    (NodeName, 0),
    (TaintToleration, 3),
    (NodeAffinity, 2),
    (NodePorts, 0),
    (NodeResourcesFit, 1),
    (PodTopologySpread, 2),
    (InterPodAffinity, 2),
    (DefaultPreemption, 0),
    (NodeResourcesBalancedAllocation, 1),
    (ImageLocality, 1),
    (DefaultBinder, 0),
)
DEFAULT_PLUGIN_NAMES = tuple(plugin.name for plugin, _ in DEFAULT_PLUGINS)
DEFAULT_WEIGHTS = {plugin.name: weight for plugin, weight in DEFAULT_PLUGINS if weight}
# Upstream plugins k8slab does not model, named in errors so a reader knows why.
NOT_MODELLED = (
    "SchedulingGates",
    "VolumeRestrictions",
    "NodeVolumeLimits",
    "VolumeBinding",
    "VolumeZone",
    "DynamicResources",
)

REGISTRY: dict[str, type[Plugin]] = {}


def register_plugin(cls: type[Plugin]) -> type[Plugin]:
    """Make a Plugin subclass available by its `name` (usable as a class decorator).

    Example: @register_plugin class PreferGpu(Plugin): name = "PreferGpu"; extends = ("score",);
    def score(...): ... A declared `extends` must match the methods the class defines.
    """
    if not (isinstance(cls, type) and issubclass(cls, Plugin)):
        raise K8sLabError(f"register_plugin needs a Plugin subclass, got {cls!r}")
    if not cls.name:
        raise K8sLabError(f"plugin class {cls.__name__} has no name; set the class attribute")
    check_extends(cls)
    known = REGISTRY.get(cls.name)
    if known is not None and known is not cls:
        raise K8sLabError(f"a different plugin is already registered as {cls.name!r}")
    REGISTRY[cls.name] = cls
    return cls


for plugin_class, _ in DEFAULT_PLUGINS:
    register_plugin(plugin_class)


def unknown_plugin_hint() -> str:
    """The plugins k8slab knows, and the upstream ones it leaves out."""
    return f"k8slab knows: {', '.join(REGISTRY)}; not modelled: {', '.join(NOT_MODELLED)}"


def new_framework(
    names: Sequence[str],
    weights: Mapping[str, int] | None = None,
    args: Mapping[str, Mapping[str, object]] | None = None,
    **options: object,
) -> Framework:
    """Build a profile from plugin names (run in that order), score weights and Python arguments.

    Example: new_framework(["NodeName", "NodeResourcesFit"], {"NodeResourcesFit": 2},
    args={"NodeResourcesFit": {"scoring_strategy": "MostAllocated"}}). `options` go to Framework.
    """
    args = dict(args or {})
    unknown = [name for name in [*names, *args] if name not in REGISTRY]
    if unknown:
        raise K8sLabError(
            f"unknown scheduler plugin(s) {', '.join(unknown)}; {unknown_plugin_hint()}"
        )
    stray = [name for name in args if name not in names]
    if stray:
        raise K8sLabError(f"arguments given for plugin(s) not in the profile: {', '.join(stray)}")
    plugins = []
    for name in names:
        try:
            plugins.append(REGISTRY[name](**args.get(name, {})))
        except TypeError as error:
            raise K8sLabError(f"bad arguments for plugin {name}: {error}") from error
    return Framework(plugins, weights, **options)


def default_profile(
    args: Mapping[str, Mapping[str, object]] | None = None, disabled: Sequence[str] = ()
) -> Framework:
    """The default-scheduler profile: upstream's plugins, order and weights; plugin args optional.

    Example: default_profile({"NodeResourcesFit": {"scoring_strategy": "MostAllocated"}}) bin-packs;
    default_profile(disabled=["DefaultPreemption"]) never preempts.
    """
    unknown = [name for name in disabled if name not in DEFAULT_PLUGIN_NAMES]
    if unknown:
        raise K8sLabError(
            f"cannot disable {', '.join(unknown)}: not in the default profile "
            f"({', '.join(DEFAULT_PLUGIN_NAMES)})"
        )
    names = [name for name in DEFAULT_PLUGIN_NAMES if name not in disabled]
    weights = {name: w for name, w in DEFAULT_WEIGHTS.items() if name in names}
    return new_framework(names, weights, args)
