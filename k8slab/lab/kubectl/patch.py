"""`kubectl patch (TYPE NAME | TYPE/NAME) -p PATCH [--type strategic|merge|json]
[--subresource status|scale]`, in kubectl v1.36's words (staging/src/k8s.io/kubectl/pkg/cmd/
patch/patch.go).

kubectl reads the patch as YAML or JSON (yaml.ToJSON), reads the object, sends the patch (a
strategic merge patch unless --type says otherwise) and prints `deployment.apps/web patched`,
or `patched (no change)` when the object came back as it was. A strategic merge patch of a
custom resource is refused by the API server (415), which kubectl words as below.
"""

from __future__ import annotations

import json
from collections.abc import Generator, Sequence
from dataclasses import dataclass

import yaml

from k8slab.api.kinds import Kind
from k8slab.errors import APIError, BadRequestError, NotFoundError, UnsupportedMediaTypeError
from k8slab.lab.kubectl.api import Api
from k8slab.lab.kubectl.flags import NAMESPACE, Flag
from k8slab.lab.kubectl.output import KubectlError, KubectlNotFoundError, api_error_line
from k8slab.lab.kubectl.targets import Target, parse_targets

USAGE = ("usage: kubectl patch (TYPE NAME | TYPE/NAME) -p PATCH [--type strategic|merge|json] "
         "[--subresource=status|scale] [-n NAMESPACE]")
FLAGS = (NAMESPACE, Flag("patch", short="p"), Flag("type"), Flag("subresource"))
# patch.go patchTypes, listed as sets.List lists them (sorted).
PATCH_TYPES = {"json": "application/json-patch+json", "merge": "application/merge-patch+json",
               "strategic": "application/strategic-merge-patch+json"}
NO_SUCH_RESOURCE = "the server could not find the requested resource"


@dataclass(frozen=True)
class PatchRequest:
    """A parsed `kubectl patch`: the objects, the patch (as JSON), its type, the subresource."""

    targets: tuple[Target, ...]
    patch: object
    patch_type: str
    subresource: str


def parse(flags: dict, args: list[str], namespace: str,
          custom: Sequence[Kind] = ()) -> PatchRequest:
    """Check a `kubectl patch` as kubectl's Validate does, and read the patch (YAML or JSON)."""
    text = flags.get("patch") or ""
    if not text:
        raise BadRequestError("error: must specify --patch or --patch-file containing the "
                              "contents of the patch")
    kind = str(flags.get("type") or "strategic")
    if kind.lower() not in PATCH_TYPES:
        raise BadRequestError(f"error: --type must be one of [{' '.join(sorted(PATCH_TYPES))}], "
                              f'not "{kind}"')
    try:
        patch = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise BadRequestError(f'error: unable to parse "{text}": {error}') from None
    targets = parse_targets(args, namespace, USAGE, custom)
    return PatchRequest(tuple(targets), json.loads(json.dumps(patch)),
                        PATCH_TYPES[kind.lower()], flags.get("subresource") or "")


def _gvk(info: Kind) -> str:
    # schema.GroupVersionKind.String(): "apps/v1, Kind=Deployment", "/v1, Kind=Pod".
    version = info.api_version if "/" in info.api_version else f"/{info.api_version}"
    return f"{version}, Kind={info.kind}"


def _read(api: Api, target: Target, subresource: str) -> Generator:
    # The resource builder reads the object (or its subresource) first.
    if subresource == "scale":
        return (yield from api.get_scale(target.info.resource, target.name, target.namespace))
    if subresource not in ("", "status"):
        raise NotFoundError(NO_SUCH_RESOURCE)
    return (yield from api.get(target.info.resource, target.name, target.namespace))


def steps(api: Api, request: PatchRequest) -> Generator:
    """Patch each object; print `deployment.apps/web patched` (or `patched (no change)`)."""
    lines: list[str] = []
    for target in request.targets:
        try:
            before = yield from _read(api, target, request.subresource)
            after = yield from api.patch(target.info.resource, target.name, target.namespace,
                                         request.patch_type, request.patch,
                                         field_manager="kubectl-patch",
                                         subresource=request.subresource)
        except UnsupportedMediaTypeError as error:
            raise KubectlError(lines, f"error: {request.patch_type} is not supported by "
                                      f"{_gvk(target.info)}: {error.message}") from None
        except NotFoundError as error:
            if error.message == NO_SUCH_RESOURCE:
                raise KubectlNotFoundError(lines, api_error_line(error)) from None
            raise KubectlNotFoundError(lines, target.not_found) from None
        except APIError as error:
            raise KubectlError(lines, api_error_line(error)) from None
        name = (f"scale.autoscaling/{target.name}" if request.subresource == "scale"
                else target.object_name)
        lines.append(f"{name} {'patched' if after != before else 'patched (no change)'}")
    return "\n".join(lines)
