"""The kinds a CustomResourceDefinition adds, and how its objects are checked.

A CRD names a group, a kind, a plural and several versions; each served version is one Kind
(k8slab.api.kinds.Kind) stored under `/registry/<group>/<plural>/`. These kinds belong to the
cluster whose API server serves the CRD, never to the process: two clusters in one notebook
keep their own. Versions sort as upstream's discovery sorts them (version.CompareKubeAwareVersion
Strings): GA before beta before alpha, higher numbers first; the first served one is preferred.
"""

from __future__ import annotations

import copy
import re

from k8slab.api.kinds import Kind
from k8slab.api.openapi_defaults import apply_defaults, prune
from k8slab.api.validation.field import FieldError, invalid_error
from k8slab.api.validation.objectmeta import object_meta_errors
from k8slab.api.validation.openapi_values import object_errors

_KUBE_VERSION = re.compile(r"v(\d+)(?:(alpha|beta)(\d+))?")
_LEVELS = {None: 0, "beta": 1, "alpha": 2}


def version_priority(name: str) -> tuple:
    """A sort key: v2 < v1 < v1beta2 < v1beta1 < v1alpha1 < anything else (alphabetical)."""
    match = _KUBE_VERSION.fullmatch(name)
    if match is None:
        return (3, 0, 0, name)
    major, level, minor = match.groups()
    return (_LEVELS[level], -int(major), -int(minor or 0), "")


def default_crd(crd: dict) -> None:
    """SetDefaults for a CRD (apiextensions/v1 defaults.go): singular is the lowercased kind,
    listKind the kind + "List", conversion strategy None. Changes `crd`."""
    spec = crd.get("spec")
    if not isinstance(spec, dict):
        return
    names = spec.get("names")
    if isinstance(names, dict) and isinstance(names.get("kind"), str):
        names.setdefault("singular", names["kind"].lower())
        names.setdefault("listKind", names["kind"] + "List")
    conversion = spec.setdefault("conversion", {})
    if isinstance(conversion, dict):
        conversion.setdefault("strategy", "None")


def established(crd: dict) -> bool:
    """True once the API server serves the CRD's resource (condition Established True)."""
    return any(c.get("type") == "Established" and c.get("status") == "True"
               for c in (crd.get("status") or {}).get("conditions") or [])


def served_versions(crd: dict) -> list[dict]:
    """The CRD's served versions, the preferred one first."""
    versions = [v for v in crd["spec"].get("versions") or [] if v.get("served")]
    return sorted(versions, key=lambda v: version_priority(v["name"]))


def storage_version(crd: dict) -> str:
    """The name of the one version objects are stored in."""
    return next(v["name"] for v in crd["spec"]["versions"] if v.get("storage"))


def version_named(crd: dict, name: str) -> dict:
    """The CRD's version `name` (its schema, subresources and printer columns)."""
    return next(v for v in crd["spec"]["versions"] if v["name"] == name)


def crd_kinds(crd: dict) -> tuple[Kind, ...]:
    """One Kind per served version of the CRD, the preferred version first."""
    spec, names = crd["spec"], (crd.get("status") or {}).get("acceptedNames") or {}
    names = names or spec["names"]
    group = spec["group"]
    # Kind.singular is the lowercased kind; a CRD's own singular is one more spelling.
    singular = names.get("singular") or names["kind"].lower()
    spellings = tuple(names.get("shortNames") or ()) + (
        (singular,) if singular != names["kind"].lower() else ())
    return tuple(
        Kind(names["kind"], f"{group}/{version['name']}", names["plural"],
             spec["scope"] == "Namespaced", f"{group}/{names['plural']}", spellings)
        for version in served_versions(crd))


def version_of(kind: Kind) -> str:
    """The version part of a kind's apiVersion: "v1" of "example.com/v1"."""
    return kind.api_version.rpartition("/")[2]


def schema_of(crd: dict, version: str) -> dict:
    """The openAPIV3Schema of one version."""
    return (version_named(crd, version).get("schema") or {}).get("openAPIV3Schema") or {}


def prepare(obj: dict, crd: dict, version: str) -> dict:
    """A copy of a custom object, pruned of the fields the version's schema does not specify,
    with the schema's defaults filled in (what the API server does to a request's body)."""
    result = copy.deepcopy(obj)
    schema = schema_of(crd, version)
    prune(result, schema)
    apply_defaults(result, schema)
    return result


def custom_object_errors(obj: dict, kind: Kind, crd: dict) -> list[FieldError]:
    """Every problem with a custom object: its metadata, then its fields against the schema."""
    errors = object_meta_errors(obj.get("metadata") or {}, kind)
    return errors + object_errors(obj, schema_of(crd, version_of(kind)))


def validate_custom_object(obj: dict, kind: Kind, crd: dict) -> None:
    """Raise the 422 InvalidError, `WebApp.example.com "web" is invalid: ...`, unless valid."""
    errors = custom_object_errors(obj, kind, crd)
    if errors:
        name = (obj.get("metadata") or {}).get("name") or ""
        raise invalid_error(kind, str(name), errors)
