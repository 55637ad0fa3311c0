"""`kubectl set image (TYPE NAME | TYPE/NAME)... CONTAINER=IMAGE...`, in kubectl v1.35's words
(staging/src/k8s.io/kubectl/pkg/cmd/set/set_image.go, pkg/cmd/util/helpers.go ParsePairs).

A changed pod template is what starts a Deployment's rolling update; `*` names every container.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass

from k8slab.api.kinds import (
    DAEMON_SET,
    DEPLOYMENT,
    JOB,
    POD,
    REPLICA_SET,
    REPLICATION_CONTROLLER,
    STATEFUL_SET,
)
from k8slab.errors import APIError, BadRequestError, ConflictError, NotFoundError
from k8slab.lab.kubectl.api import Api
from k8slab.lab.kubectl.flags import NAMESPACE
from k8slab.lab.kubectl.output import KubectlError, KubectlNotFoundError
from k8slab.lab.kubectl.targets import Target, parse_targets

USAGE = ("usage: kubectl set image (TYPE NAME | TYPE/NAME)... CONTAINER_NAME_1=CONTAINER_IMAGE_1"
         " ... [-n NAMESPACE]; TYPE one of pods, deployments, replicasets, "
         "replicationcontrollers, daemonsets, statefulsets, jobs")
FLAGS = (NAMESPACE,)
# The kinds whose pod spec kubectl knows how to find (polymorphichelpers/updatepodspec.go).
WITH_POD_SPEC = (POD, DEPLOYMENT, REPLICA_SET, REPLICATION_CONTROLLER, DAEMON_SET,
                 STATEFUL_SET, JOB)


@dataclass(frozen=True)
class SetImageRequest:
    """A parsed `kubectl set image`: the objects, and each container's new image in order."""

    targets: tuple[Target, ...]
    images: tuple[tuple[str, str], ...]


def parse(flags: dict, args: list[str], namespace: str) -> SetImageRequest:
    """Split resources from CONTAINER=IMAGE pairs and check them as kubectl's Validate does."""
    resources, pairs = resources_and_pairs(args)
    if not resources:
        raise BadRequestError("error: one or more resources must be specified as <resource> "
                              f"<name> or <resource>/<name>\n{USAGE}")
    if not pairs:
        raise BadRequestError(f"error: at least one image update is required\n{USAGE}")
    invalid = [pair for pair in pairs if "=" not in pair or pair.startswith("=")]
    if invalid:
        raise BadRequestError(f"error: invalid image format: {', '.join(invalid)}")
    images = dict(pair.split("=", 1) for pair in pairs)
    if "*" in images and len(images) > 1:
        raise BadRequestError("error: all containers are already specified by *, but saw more "
                              "than one container_name=container_image pairs")
    targets = parse_targets(resources, namespace, USAGE)
    for target in targets:
        if target.info not in WITH_POD_SPEC:
            raise BadRequestError(f"error: {target.resource_string} have no pod template\n{USAGE}")
    return SetImageRequest(tuple(targets), tuple(images.items()))


def resources_and_pairs(args: list[str], pair_type: str = "image") -> tuple[list[str], list[str]]:
    """cmdutil.GetResourcesAndPairs: resources first, then every KEY=VALUE (or KEY-) word."""
    resources: list[str] = []
    pairs: list[str] = []
    for word in args:
        is_pair = ("=" in word and not word.startswith("=")) or (word.endswith("-") and word != "-")
        if is_pair:
            pairs.append(word)
        elif pairs:
            raise BadRequestError(
                f"error: all resources must be specified before {pair_type} changes: {word}")
        else:
            resources.append(word)
    return resources, pairs


def steps(api: Api, request: SetImageRequest) -> Generator:
    """Set the images on each object; print `deployment.apps/web image updated` for a change."""
    lines: list[str] = []
    errors: list[str] = []
    for target in request.targets:
        try:
            changed = yield from _set_images(api, target, request.images, errors)
        except ConflictError:
            changed = yield from _set_images(api, target, request.images, [])
        except NotFoundError:
            raise KubectlNotFoundError(lines, target.not_found) from None
        except APIError as error:
            raise KubectlError(lines, "error: failed to patch image update to pod template: "
                                      f"{error}") from None
        if changed:
            lines.append(f"{target.object_name} image updated")
    if errors:
        raise KubectlError(lines, "\n".join(errors))
    return "\n".join(lines)


def _set_images(api: Api, target: Target, images: tuple[tuple[str, str], ...],
                errors: list[str]) -> Generator:
    obj = yield from api.get(target.info.resource, target.name, target.namespace)
    spec = obj.get("spec") or {}
    pod_spec = spec if target.info is POD else ((spec.get("template") or {}).get("spec") or {})
    changed = False
    for name, image in images:
        found = False
        for container in (pod_spec.get("initContainers") or []) + (pod_spec.get("containers")
                                                                    or []):
            if name in ("*", container.get("name")):
                found = True
                changed = changed or container.get("image") != image
                container["image"] = image
        if not found:
            errors.append(f'error: unable to find container named "{name}"')
    if changed:
        yield from api.update(obj)
    return changed
