"""`kubectl label` and `kubectl annotate (TYPE NAME | TYPE/NAME)... KEY=VAL... KEY-...`, in
kubectl v1.36's words (staging/src/k8s.io/kubectl/pkg/cmd/label/label.go,
cmd/annotate/annotate.go, cmd/util/helpers.go ParsePairs).

kubectl reads each object, changes its labels (annotations) locally, and sends the difference
as a JSON merge patch (jsonpatch.CreateMergePatch): `{"metadata":{"labels":{"tier":"web",
"old":null}}}`. A key that already has another value needs --overwrite. `label` sends nothing
when nothing changes (`pod/web not labeled`); `annotate` always sends its patch.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass

from k8slab.api.validation.names import label_value_errors
from k8slab.errors import APIError, BadRequestError, NotFoundError
from k8slab.lab.kubectl.api import Api
from k8slab.lab.kubectl.flags import NAMESPACE, Flag
from k8slab.lab.kubectl.output import KubectlError, KubectlNotFoundError, api_error_line
from k8slab.lab.kubectl.set_image import resources_and_pairs
from k8slab.lab.kubectl.targets import Target, parse_targets

MERGE_PATCH = "application/merge-patch+json"
FLAGS = (NAMESPACE, Flag("overwrite", "bool"), Flag("resource-version"))
USAGE = {
    "label": ("usage: kubectl label (TYPE NAME | TYPE/NAME)... KEY_1=VAL_1 ... KEY_N=VAL_N "
              "[--overwrite] [--resource-version=version] [-n NAMESPACE]"),
    "annotate": ("usage: kubectl annotate (TYPE NAME | TYPE/NAME)... KEY_1=VAL_1 ... "
                 "KEY_N=VAL_N [--overwrite] [--resource-version=version] [-n NAMESPACE]"),
}


@dataclass(frozen=True)
class LabelRequest:
    """A parsed `kubectl label` or `kubectl annotate`: which field, objects, and changes."""

    verb: str
    targets: tuple[Target, ...]
    new: tuple[tuple[str, str], ...]
    remove: tuple[str, ...]
    overwrite: bool
    resource_version: str

    @property
    def field(self) -> str:
        """The metadata map the verb writes."""
        return "labels" if self.verb == "label" else "annotations"


def _label_pairs(pairs: list[str]) -> tuple[dict, list[str]]:
    # label.go parseLabels.
    new: dict[str, str] = {}
    remove: list[str] = []
    for spec in pairs:
        if "=" in spec:
            parts = spec.split("=")
            if len(parts) != 2:
                raise BadRequestError(f"error: invalid label spec: {spec}")
            errors = label_value_errors(parts[1])
            if errors:
                raise BadRequestError(f'error: invalid label value: "{spec}": '
                                      f"{';'.join(errors)}")
            new[parts[0]] = parts[1]
        elif spec.endswith("-"):
            remove.append(spec[:-1])
        else:
            raise BadRequestError(f"error: unknown label spec: {spec}")
    if any(key in new for key in remove):
        raise BadRequestError("error: can not both modify and remove a label in the same command")
    return new, remove


def _annotation_pairs(pairs: list[str]) -> tuple[dict, list[str]]:
    # cmdutil.ParsePairs(args, "annotation", true) and annotate.go validateAnnotations.
    new: dict[str, str] = {}
    remove: list[str] = []
    invalid: list[str] = []
    for pair in pairs:
        if "=" in pair and not pair.startswith("="):
            key, _, value = pair.partition("=")
            new[key] = value
        elif pair.endswith("-") and pair != "-":
            remove.append(pair[:-1])
        else:
            invalid.append(pair)
    if invalid:
        raise BadRequestError(f"error: invalid annotation format: {', '.join(invalid)}")
    both = [key for key in remove if key in new]
    if both:
        raise BadRequestError("error: can not both modify and remove the following "
                              f"annotation(s) in the same command: {', '.join(both)}")
    return new, remove


def parse(verb: str, flags: dict, args: list[str], namespace: str) -> LabelRequest:
    """Check a `kubectl label|annotate` as kubectl's Complete and Validate do."""
    resources, pairs = resources_and_pairs(args, "label" if verb == "label" else "annotation")
    new, remove = (_label_pairs if verb == "label" else _annotation_pairs)(pairs)
    if not resources:
        raise BadRequestError("error: one or more resources must be specified as <resource> "
                              f"<name> or <resource>/<name>\n{USAGE[verb]}")
    if not new and not remove:
        what = "label" if verb == "label" else "annotation"
        raise BadRequestError(f"error: at least one {what} update is required\n{USAGE[verb]}")
    targets = parse_targets(resources, namespace, USAGE[verb])
    version = flags.get("resource-version") or ""
    if version and len(targets) > 1:
        raise BadRequestError("error: --resource-version may only be used with a single resource")
    return LabelRequest(verb, tuple(targets), tuple(new.items()), tuple(remove),
                        bool(flags.get("overwrite")), version)


def _overwrite_error(request: LabelRequest, current: dict) -> str:
    # Go ranges over a map here; k8slab lists the keys in the order the command gave them.
    taken = [(key, current[key]) for key, value in request.new
             if key in current and current[key] != value]
    if request.verb == "annotate":
        taken = [(k, v) for k, v in taken if k != "kubernetes.io/change-cause"]
        if taken:
            found = "; ".join(f"'{k}' already has a value ({v})" for k, v in taken)
            return f"--overwrite is false but found the following declared annotation(s): {found}"
        return ""
    lines = [f"'{k}' already has a value ({v}), and --overwrite is false" for k, v in taken]
    return lines[0] if len(lines) == 1 else ("[" + ", ".join(lines) + "]" if lines else "")


def _change(api: Api, request: LabelRequest, target: Target, lines: list[str]) -> Generator:
    """Patch one object; the word kubectl prints after its name."""
    obj = yield from api.get(target.info.resource, target.name, target.namespace)
    current = dict((obj.get("metadata") or {}).get(request.field) or {})
    if request.verb == "label":
        lines += [f'label "{key}" not found.' for key in request.remove if key not in current]
    problem = "" if request.overwrite else _overwrite_error(request, current)
    if problem:
        raise KubectlError(lines, f"error: {problem}")
    wanted = dict(current)
    added = [k for k, v in request.new if current.get(k) != v]
    wanted.update(request.new)
    removed = [k for k in request.remove if k in wanted]
    for key in removed:
        del wanted[key]
    changes: dict = {k: wanted[k] for k in added}
    changes.update({k: None for k in removed})
    metadata: dict = {}
    if changes:  # an emptied map is left out of the new object (omitempty): null
        metadata[request.field] = changes if wanted else None
    if request.resource_version:  # kubectl sends it as a precondition
        metadata["resourceVersion"] = request.resource_version
    if request.verb == "annotate" or added or removed:
        yield from api.patch(target.info.resource, target.name, target.namespace, MERGE_PATCH,
                             {"metadata": metadata} if metadata else {},
                             field_manager=f"kubectl-{request.verb}")
    if request.verb == "annotate":
        return "annotated"
    if added and removed:
        return "modified"
    return "labeled" if added else "unlabeled" if removed else "not labeled"


def steps(api: Api, request: LabelRequest) -> Generator:
    """Label (annotate) each object; print `pod/web labeled` for each."""
    lines: list[str] = []
    for target in request.targets:
        try:
            word = yield from _change(api, request, target, lines)
        except NotFoundError:
            raise KubectlNotFoundError(lines, target.not_found) from None
        except KubectlError:
            raise
        except APIError as error:
            raise KubectlError(lines, api_error_line(error)) from None
        lines.append(f"{target.object_name} {word}")
    return "\n".join(lines)
