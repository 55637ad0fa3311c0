"""A LimitRange's defaults, filled in as kubernetes pkg/apis/core/v1/defaults.go
SetDefaults_LimitRangeItem fills them for a Container item.

A Container item without a default limit takes its max; without a default request it takes
the default limit, else its min. So `max: {cpu: 500m}` alone gives every container a 500m limit
and request.
"""

from __future__ import annotations


def default_limit_range(obj: dict) -> None:
    """Fill default and defaultRequest of each Container item of a decoded LimitRange."""
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        return
    for item in spec.get("limits") or []:
        if not isinstance(item, dict) or item.get("type") != "Container":
            continue
        default = dict(item.get("default") or {})
        request = dict(item.get("defaultRequest") or {})
        for source, target in ((item.get("max"), default), (default, request),
                               (item.get("min"), request)):
            for name, value in (source or {}).items():
                target.setdefault(name, value)
        for field, values in (("default", default), ("defaultRequest", request)):
            if values:
                item[field] = values
