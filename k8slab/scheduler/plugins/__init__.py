"""The plugin registry: every plugin by its upstream name, and the default scheduling profile.

Names, order and weights follow upstream's default profile (kk pkg/scheduler/apis/config/v1/
default_plugins.go), keeping the plugins k8slab models: NodeUnschedulable, NodeName,
TaintToleration (weight 3), NodeResourcesFit (weight 1).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from k8slab.errors import K8sLabError
from k8slab.scheduler.framework import Framework, Plugin
from k8slab.scheduler.plugins.node_name import NodeName
from k8slab.scheduler.plugins.node_resources_fit import NodeResourcesFit
from k8slab.scheduler.plugins.node_unschedulable import NodeUnschedulable
from k8slab.scheduler.plugins.taint_toleration import TaintToleration

REGISTRY: dict[str, type[Plugin]] = {
    plugin.name: plugin
    for plugin in (NodeUnschedulable, NodeName, TaintToleration, NodeResourcesFit)
}

DEFAULT_PLUGINS = ("NodeUnschedulable", "NodeName", "TaintToleration", "NodeResourcesFit")
DEFAULT_WEIGHTS = {"TaintToleration": 3, "NodeResourcesFit": 1}


def new_framework(
    names: Sequence[str],
    weights: Mapping[str, int] | None = None,
    args: Mapping[str, Mapping[str, object]] | None = None,
) -> Framework:
    """Build a profile from plugin names (run in that order), score weights and plugin arguments.

    Example: new_framework(["NodeName", "NodeResourcesFit"], {"NodeResourcesFit": 2},
    args={"NodeResourcesFit": {"scoring_strategy": "MostAllocated"}}).
    """
    args = dict(args or {})
    unknown = [name for name in [*names, *args] if name not in REGISTRY]
    if unknown:
        raise K8sLabError(
            f"unknown scheduler plugin(s) {', '.join(unknown)}; known: {', '.join(REGISTRY)}"
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
    return Framework(plugins, weights)


def default_profile(args: Mapping[str, Mapping[str, object]] | None = None) -> Framework:
    """The default-scheduler profile: upstream's plugins, order and weights; plugin args optional.

    Example: default_profile({"NodeResourcesFit": {"scoring_strategy": "MostAllocated"}}) bin-packs.
    """
    return new_framework(DEFAULT_PLUGINS, DEFAULT_WEIGHTS, args)
