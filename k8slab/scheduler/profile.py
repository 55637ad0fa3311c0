"""Scheduler profiles from a KubeSchedulerConfiguration (kubescheduler.config.k8s.io/v1).

`load_profiles(yaml_text_or_dict)` returns one Framework per schedulerName. As upstream, the
default plugins sit under `multiPoint` and a profile's own `plugins` are merged into them
(mergePlugins in kk pkg/scheduler/apis/config/v1/default_plugins.go): `disabled` removes a default
plugin (or all, with "*"), `enabled` adds one or re-configures a default in place; a plugin
enabled via multiPoint runs at every extension point it implements, unless disabled there; a
plugin named at a specific point takes precedence there (expandMultiPointPlugins in kk
pkg/scheduler/framework/runtime/framework.go). Validation messages are upstream's where it has
one (pkg/scheduler/apis/config/validation/validation.go, validation_pluginargs.go, the errors of
runtime.NewFramework wrapped as in pkg/scheduler/profile/profile.go), a k8slab one otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import yaml

from k8slab.api.validation.field import FieldError, aggregate, duplicate, invalid, required
from k8slab.errors import K8sLabError, ManifestError
from k8slab.scheduler.framework.interface import Plugin
from k8slab.scheduler.framework.runtime import Framework
from k8slab.scheduler.plugins.registry import (
    DEFAULT_PLUGINS,
    NOT_MODELLED,
    REGISTRY,
    unknown_plugin_hint,
)

API_VERSION = "kubescheduler.config.k8s.io/v1"
KIND = "KubeSchedulerConfiguration"
DEFAULT_SCHEDULER_NAME = "default-scheduler"
# kk pkg/scheduler/apis/config/v1/defaults.go.
DEFAULT_POD_INITIAL_BACKOFF_SECONDS = 1
DEFAULT_POD_MAX_BACKOFF_SECONDS = 10
# validation.go invalidPluginsByVersion: removed in-tree volume-limit plugins.
INVALID_PLUGINS = ("AzureDiskLimits", "CinderLimits", "EBSLimits", "GCEPDLimits")

# (YAML field, k8slab extension point, upstream interface name) in the order runtime/framework.go's
# getExtensionPoints lists them; None marks points k8slab does not model.
EXTENSION_POINTS = (
    ("preFilter", "pre_filter", "PreFilterPlugin"),
    ("filter", "filter", "FilterPlugin"),
    ("postFilter", "post_filter", "PostFilterPlugin"),
    ("reserve", "reserve", "ReservePlugin"),
    ("preScore", "pre_score", "PreScorePlugin"),
    ("score", "score", "ScorePlugin"),
    ("preBind", "pre_bind", "PreBindPlugin"),
    ("bind", "bind", "BindPlugin"),
    ("postBind", None, "PostBindPlugin"),
    ("permit", "permit", "PermitPlugin"),
    ("preEnqueue", None, "PreEnqueuePlugin"),
    ("queueSort", "queue_sort", "QueueSortPlugin"),
)
TOP_LEVEL_FIELDS = (
    "apiVersion",
    "kind",
    "parallelism",
    "leaderElection",
    "clientConnection",
    "healthzBindAddress",
    "metricsBindAddress",
    "enableProfiling",
    "enableContentionProfiling",
    "percentageOfNodesToScore",
    "podInitialBackoffSeconds",
    "podMaxBackoffSeconds",
    "profiles",
    "extenders",
    "delayCacheUntilActive",
)
PROFILE_FIELDS = ("schedulerName", "percentageOfNodesToScore", "plugins", "pluginConfig")
PLUGINS_FIELDS = ("multiPoint", *(field for field, _, _ in EXTENSION_POINTS))


@dataclass(frozen=True)
class SchedulerConfiguration:
    """A loaded KubeSchedulerConfiguration: the profiles and the scheduler-wide settings."""

    profiles: dict[str, Framework]
    percentage_of_nodes_to_score: int | None
    pod_initial_backoff_seconds: int
    pod_max_backoff_seconds: int


def load_profiles(config: Mapping[str, Any] | str) -> dict[str, Framework]:
    """One Framework per profile, keyed by schedulerName (see the module docstring)."""
    return load_config(config).profiles


def load_config(config: Mapping[str, Any] | str) -> SchedulerConfiguration:
    """Read, default, validate and build a KubeSchedulerConfiguration (YAML text or a dict)."""
    document = _parse(config)
    _strict(document, TOP_LEVEL_FIELDS, "")
    if document.get("extenders"):
        raise K8sLabError("extenders are not modelled by k8slab; remove `extenders`")
    profiles = [dict(p) for p in document.get("profiles") or [{}]]
    if len(profiles) == 1 and profiles[0].get("schedulerName") is None:
        profiles[0]["schedulerName"] = DEFAULT_SCHEDULER_NAME
    initial = document.get("podInitialBackoffSeconds", DEFAULT_POD_INITIAL_BACKOFF_SECONDS)
    maximum = document.get("podMaxBackoffSeconds", DEFAULT_POD_MAX_BACKOFF_SECONDS)
    percentage = document.get("percentageOfNodesToScore")
    errors = _validate(profiles, percentage, initial, maximum)
    if errors:
        raise K8sLabError(f"invalid KubeSchedulerConfiguration: {aggregate(errors)}")
    frameworks = {}
    for profile in profiles:
        name = profile["schedulerName"]
        try:
            frameworks[name] = build_framework(profile, percentage)
        except K8sLabError as error:
            raise K8sLabError(f"creating profile for scheduler name {name}: {error}") from error
    return SchedulerConfiguration(frameworks, percentage, initial, maximum)


def _parse(config: Mapping[str, Any] | str) -> dict:
    if isinstance(config, str):
        try:
            config = yaml.safe_load(config)
        except yaml.YAMLError as error:
            raise ManifestError(f"KubeSchedulerConfiguration is not valid YAML: {error}") from error
    if not isinstance(config, Mapping):
        raise ManifestError(f"a KubeSchedulerConfiguration must be a mapping, got {config!r}")
    if config.get("kind") != KIND:
        raise ManifestError(f"kind must be {KIND!r}, got {config.get('kind')!r}")
    if config.get("apiVersion") != API_VERSION:
        raise ManifestError(
            f'no kind "{KIND}" is registered for version "{config.get("apiVersion")}"; '
            f"k8slab reads {API_VERSION}"
        )
    return dict(config)


def _strict(document: Any, known: Sequence[str], path: str) -> None:
    """kube-scheduler decodes its config strictly: an unknown field is an error."""
    if not isinstance(document, Mapping):
        raise K8sLabError(f"{path or 'the configuration'} must be a mapping, got {document!r}")
    for field in document:
        if field not in known:
            where = f"{path}.{field}" if path else field
            raise K8sLabError(f'strict decoding error: unknown field "{where}"')


def _validate(
    profiles: list[dict], percentage: Any, initial: Any, maximum: Any
) -> list[FieldError]:
    """ValidateKubeSchedulerConfiguration, for the fields k8slab reads."""
    errors: list[FieldError] = []
    seen: dict[str, int] = {}
    for index, profile in enumerate(profiles):
        path = f"profiles[{index}]"
        _strict(profile, PROFILE_FIELDS, path)
        name = profile.get("schedulerName")
        if not name:
            errors.append(required(f"{path}.schedulerName"))
        elif name in seen:
            errors.append(duplicate(f"{path}.schedulerName", name))
        else:
            seen[name] = index
        errors += _percentage_errors(profile.get("percentageOfNodesToScore"), path)
        errors += _plugin_set_errors(profile.get("plugins") or {}, f"{path}.plugins")
        configured: set[str] = set()
        for entry_index, entry in enumerate(profile.get("pluginConfig") or []):
            entry_path = f"{path}.pluginConfig[{entry_index}]"
            _strict(entry, ("name", "args"), entry_path)
            plugin_name = entry.get("name")
            if plugin_name in configured:
                errors.append(duplicate(entry_path, plugin_name))
            configured.add(plugin_name)
            if plugin_name in INVALID_PLUGINS:
                errors.append(_invalid_plugin(entry_path, plugin_name))
    sorts = [((p.get("plugins") or {}).get("queueSort") or {}) for p in profiles]
    for index, queue_sort in enumerate(sorts[1:], start=1):
        if queue_sort != sorts[0]:
            path = f"profiles[{index}].plugins.queueSort"
            errors.append(invalid(path, queue_sort, "must be the same for all profiles"))
    errors += _percentage_errors(percentage, "")
    if not isinstance(initial, int) or initial <= 0:
        errors.append(invalid("podInitialBackoffSeconds", initial, "must be greater than 0"))
    elif not isinstance(maximum, int) or maximum < initial:
        detail = "must be greater than or equal to PodInitialBackoffSeconds"
        errors.append(invalid("podMaxBackoffSeconds", maximum, detail))
    return errors


def _percentage_errors(value: Any, path: str) -> list[FieldError]:
    if value is None:
        return []
    where = f"{path}.percentageOfNodesToScore" if path else "percentageOfNodesToScore"
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 100:
        return [invalid(where, value, "not in valid range [0-100]")]
    return []


def _invalid_plugin(path: str, name: str) -> FieldError:
    detail = (
        f'was invalid in version "{API_VERSION}" '
        f'(KubeSchedulerConfiguration is version "{API_VERSION}")'
    )
    return invalid(path, name, detail)


def _plugin_set_errors(plugins: Mapping, path: str) -> list[FieldError]:
    _strict(plugins, PLUGINS_FIELDS, path)
    errors = []
    for point, plugin_set in plugins.items():
        _strict(plugin_set or {}, ("enabled", "disabled"), f"{path}.{point}")
        for kind in ("enabled", "disabled"):
            for index, entry in enumerate((plugin_set or {}).get(kind) or []):
                entry_path = f"{path}.{point}.{kind}[{index}]"
                _strict(entry, ("name", "weight"), entry_path)
                if kind == "enabled" and entry.get("name") in INVALID_PLUGINS:
                    errors.append(_invalid_plugin(entry_path, entry.get("name")))
    return errors


def merge_plugin_set(default: Sequence[dict], custom: Mapping) -> tuple[list[dict], list[str]]:
    """mergePluginSet: (enabled entries, disabled names) for one extension point."""
    disabled = [entry.get("name") for entry in custom.get("disabled") or []]
    custom_enabled = list(custom.get("enabled") or [])
    by_name = {entry.get("name"): index for index, entry in enumerate(custom_enabled)}
    replaced: set[int] = set()
    enabled = []
    if "*" not in disabled:
        for entry in default:
            if entry["name"] in disabled:
                continue
            if entry["name"] in by_name:
                replaced.add(by_name[entry["name"]])
                entry = custom_enabled[by_name[entry["name"]]]
            enabled.append(entry)
    enabled += [entry for index, entry in enumerate(custom_enabled) if index not in replaced]
    return enabled, disabled


def _default_multi_point() -> list[dict]:
    return [{"name": plugin.name, "weight": weight} for plugin, weight in DEFAULT_PLUGINS]


def build_framework(profile: Mapping, global_percentage: int | None = None) -> Framework:
    """One profile as a Framework (runtime.NewFramework): plugins, points, weights, args."""
    plugins_config = profile.get("plugins") or {}
    multi_enabled, multi_disabled = merge_plugin_set(
        _default_multi_point(), plugins_config.get("multiPoint") or {}
    )
    point_sets = {
        field: merge_plugin_set([], plugins_config.get(field) or {})
        for field, _, _ in EXTENSION_POINTS
    }
    args = {
        entry.get("name"): entry.get("args") or {} for entry in profile.get("pluginConfig") or []
    }
    instances = _instantiate(multi_enabled, point_sets, args)
    points: dict[str, list[str]] = {}
    for field, point, interface in EXTENSION_POINTS:
        enabled, disabled = point_sets[field]
        if point is None:
            if enabled:
                raise K8sLabError(f"{field} plugins are not modelled by k8slab")
            continue
        listed = _point_list(enabled, instances, point, interface)
        points[point] = _expand_multi_point(
            listed, disabled, multi_enabled, instances, point, interface
        )
    queue_sorts = len(points["queue_sort"])
    name = profile["schedulerName"]
    if queue_sorts != 1:
        raise K8sLabError(
            f'only one queue sort plugin required for profile with scheduler name "{name}", '
            f"but got {queue_sorts}"
        )
    if not points["bind"]:
        raise K8sLabError(
            f'at least one bind plugin is needed for profile with scheduler name "{name}"'
        )
    weights = _score_weights(point_sets["score"][0] + multi_enabled, points["score"])
    percentage = profile.get("percentageOfNodesToScore", global_percentage)
    return Framework(
        list(instances.values()),
        weights,
        name=name,
        percentage_of_nodes_to_score=percentage,
        points=points,
    )


def _instantiate(
    multi_enabled: Sequence[dict],
    point_sets: Mapping[str, tuple[list[dict], list[str]]],
    args: Mapping[str, Mapping],
) -> dict[str, Plugin]:
    """One instance per plugin named anywhere, built from its pluginConfig args."""
    names = [entry.get("name") for entry in multi_enabled]
    for field, _, _ in EXTENSION_POINTS:
        for entry in point_sets[field][0]:
            names.append(entry.get("name"))
    instances: dict[str, Plugin] = {}
    for name in names:
        if name in instances or name not in REGISTRY:
            continue
        plugin_args = dict(args.get(name) or {})
        kind = plugin_args.pop("kind", f"{name}Args")
        plugin_args.pop("apiVersion", None)
        if kind != f"{name}Args":
            raise K8sLabError(f'initializing plugin "{name}": args of kind {kind!r} do not match')
        try:
            instances[name] = REGISTRY[name].from_args(plugin_args)
        except K8sLabError as error:
            raise K8sLabError(f'initializing plugin "{name}": {error}') from error
    return instances


def _missing(interface: str, name: str) -> K8sLabError:
    hint = "" if name not in NOT_MODELLED else " (not modelled by k8slab)"
    return K8sLabError(f'{interface} "{name}" does not exist{hint}; {unknown_plugin_hint()}')


def _point_list(
    enabled: Sequence[dict], instances: Mapping[str, Plugin], point: str, interface: str
) -> list[str]:
    """updatePluginList: the plugins named at this point, checked."""
    names: list[str] = []
    for entry in enabled:
        name = entry.get("name")
        plugin = instances.get(name)
        if plugin is None:
            raise _missing(interface, name)
        if not plugin.implements(point):
            raise K8sLabError(f'plugin "{name}" does not extend {interface} plugin')
        if name in names:
            raise K8sLabError(f'plugin "{name}" already registered as "{interface}"')
        names.append(name)
    return names


def _expand_multi_point(
    listed: list[str],
    disabled: Sequence[str],
    multi_enabled: Sequence[dict],
    instances: Mapping[str, Plugin],
    point: str,
    interface: str,
) -> list[str]:
    """expandMultiPointPlugins for one point: overrides first, then multiPoint, then the rest."""
    if "*" in disabled:
        return listed
    overrides: list[str] = []
    multi: list[str] = []
    for entry in multi_enabled:
        name = entry.get("name")
        plugin = instances.get(name)
        if plugin is None:
            raise _missing(interface, name)
        if not plugin.implements(point) or name in disabled:
            continue
        if name in listed:
            overrides.append(name)
            continue
        if name in multi:
            raise K8sLabError(f'plugin "{name}" already registered as "{interface}"')
        multi.append(name)
    first = [name for name in listed if name in overrides]
    return first + multi + [name for name in listed if name not in overrides]


def _score_weights(entries: Sequence[dict], score_plugins: Sequence[str]) -> dict[str, int]:
    """getScoreWeights: the first weight given (score.enabled before multiPoint); 0 means 1.

    Upstream checks only that the total cannot overflow; k8slab also refuses negative weights.
    """
    weights: dict[str, int] = {}
    for entry in entries:
        name = entry.get("name")
        if name not in score_plugins or name in weights:
            continue
        weight = entry.get("weight") or 0
        if not isinstance(weight, int) or isinstance(weight, bool) or weight < 0:
            raise K8sLabError(
                f"weight of score plugin {name} must be a non-negative integer (0 means 1), "
                f"got {weight!r}"
            )
        weights[name] = weight or 1
    return weights
