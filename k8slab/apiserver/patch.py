"""PATCH: read the stored object, apply the patch to it, and write the result the way an update
goes (admission UPDATE, validation, optimistic concurrency), as upstream's
apiserver/pkg/endpoints/handlers/patch.go does.

The request's Content-Type says how to read the patch:
  application/json-patch+json            RFC 6902 operations (k8slab.api.json_patch)
  application/merge-patch+json           RFC 7386 merge patch (k8slab.api.merge_patch)
  application/strategic-merge-patch+json built-in kinds only (k8slab.api.strategic_merge)
  application/apply-patch+yaml           server-side apply, once a field manager is installed
Anything else is a 415 naming the accepted types. The patch is applied to the object as it is
stored when the write is attempted: if another writer got in between (409 from etcd's
compare), the patch is applied again to the newer object, unless the patch itself pinned a
resourceVersion, which is then a precondition that failed. The status and scale subresources
patch the same way and write through their own update paths.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Generator
from typing import Any

import yaml

from k8slab.api.decoding import decode_fields
from k8slab.api.go_values import go_json_error, go_sprint, go_type_name
from k8slab.api.json_patch import JSONPatchError, apply_patch, decode_patch
from k8slab.api.kinds import Kind
from k8slab.api.merge_patch import MergePatchError, apply_merge_patch
from k8slab.api.schema import KIND_SCHEMAS
from k8slab.api.strategic_merge import StrategicMergeError, apply_strategic_merge_patch
from k8slab.api.timestamps import to_time
from k8slab.api.warnings import split_warnings, with_warnings
from k8slab.apiserver.crd_handler import CustomResourceHandler
from k8slab.apiserver.deletion import Deleter
from k8slab.apiserver.request_info import Attributes
from k8slab.apiserver.scale import (
    NO_SUCH_RESOURCE,
    check_scalable,
    scale_kind,
    scale_of,
    scaled,
)
from k8slab.apiserver.storage import Storage
from k8slab.apiserver.strategy import NO_STATUS_KINDS, served_form
from k8slab.apiserver.writes import Writer
from k8slab.errors import (
    BadRequestError,
    ConflictError,
    InvalidError,
    NotFoundError,
    RequestEntityTooLargeError,
    UnknownError,
    UnsupportedMediaTypeError,
)

JSON_PATCH = "application/json-patch+json"
MERGE_PATCH = "application/merge-patch+json"
STRATEGIC_MERGE_PATCH = "application/strategic-merge-patch+json"
APPLY_PATCH = "application/apply-patch+yaml"
# patch.go maxJSONPatchOperations.
MAX_JSON_PATCH_OPERATIONS = 10000
# GuaranteedUpdate retries a conflicting write until it wins; the lab gives up after this many
# attempts so that a patch can never spin (simplified).
MAX_ATTEMPTS = 16
# NewGenericServerResponse's text for a 422: what a JSON patch that does not apply answers.
FIELD_MANAGER_MAX_LENGTH = 128  # validation.FieldManagerMaxLength
# allowedFieldValidationValues, sorted; "" means Warn (handlers/rest.go fieldValidation).
FIELD_VALIDATIONS = ("", "Ignore", "Strict", "Warn")
REJECTED = "the server rejected our request due to an error in our request"

# server_side_apply(live, applied, manager, force, now, *, kind, subresource) -> the object to
# write, its managedFields already the field manager's.
ApplyFunction = Callable[..., dict]


def media_type(content_type: object) -> str:
    """The Content-Type without parameters: `application/merge-patch+json; charset=utf-8`
    is a merge patch."""
    return str(content_type or "").partition(";")[0].strip()


def accepted_types(custom: bool, apply: bool) -> tuple[str, ...]:
    """The patch types an endpoint accepts, in upstream's order (endpoints/installer.go): no
    strategic merge for custom resources, apply only with a field manager installed."""
    types = (JSON_PATCH, MERGE_PATCH) if custom else (JSON_PATCH, MERGE_PATCH,
                                                     STRATEGIC_MERGE_PATCH)
    return (*types, APPLY_PATCH) if apply else types


def _text(body: object) -> str:
    """The patch as the request carried it: raw text, or a decoded value sent as JSON."""
    if isinstance(body, bytes):
        return body.decode("utf-8", "replace")
    return body if isinstance(body, str) else json.dumps(body)


def _json_patched(current: dict, body: object) -> Any:
    try:
        operations = decode_patch(_text(body))
    except JSONPatchError as error:
        raise BadRequestError(error.message) from None
    if len(operations) > MAX_JSON_PATCH_OPERATIONS:
        raise RequestEntityTooLargeError(
            f"Request entity too large: The allowed maximum operations in a JSON patch is "
            f"{MAX_JSON_PATCH_OPERATIONS}, got {len(operations)}")
    try:
        return apply_patch(current, operations)
    except JSONPatchError as error:  # the detail stays in the server (NewGenericServerResponse)
        raise InvalidError(REJECTED) from error


def _strategic_patched(current: dict, body: object, schema: object) -> Any:
    text = _text(body)
    try:
        patch = json.loads(text)
    except ValueError as error:
        raise BadRequestError(go_json_error(text, error)) from None
    if patch is None:  # null decodes into an empty map: nothing to change
        return current
    if not isinstance(patch, dict):
        kind = go_type_name(patch).replace("[]interface {}", "array").replace(
            "map[string]interface {}", "object").replace("int64", "number").replace(
            "float64", "number")
        raise BadRequestError(f"json: cannot unmarshal {kind} into Go value of type "
                              "map[string]interface {}")
    try:
        return apply_strategic_merge_patch(current, patch, schema)
    except StrategicMergeError as error:
        if error.code == 400:
            raise BadRequestError(error.message) from None
        if error.code == 422:
            raise InvalidError(REJECTED) from error
        raise UnknownError(error.message) from None


def patched_document(patch_type: str, current: dict, body: object,
                     schema: object = None) -> Any:
    """The document after the patch (a copy), for the three patch types that need no field
    manager; `schema` is the kind's struct, which a strategic merge patch merges lists by.
    Errors are the API server's answers, in upstream's words."""
    if patch_type == JSON_PATCH:
        return _json_patched(current, body)
    if patch_type == MERGE_PATCH:
        try:
            return apply_merge_patch(current, body if isinstance(body, dict | list)
                                     else _text(body))
        except MergePatchError as error:
            raise BadRequestError(error.message) from None
    return _strategic_patched(current, body, schema)


def check_options(patch_type: str, field_manager: str, force: object,
                  field_validation: str = "") -> None:
    """PatchOptions as apimachinery's ValidatePatchOptions checks them: apply needs a field
    manager, only apply may force, a manager's name is at most 128 bytes, and fieldValidation
    is Ignore, Warn or Strict."""
    problems = []
    if patch_type == APPLY_PATCH and not field_manager:
        problems.append("fieldManager: Required value: is required for apply patch")
    if patch_type != APPLY_PATCH and force is not None:
        problems.append("force: Forbidden: may not be specified for non-apply patch")
    if len(field_manager.encode()) > FIELD_MANAGER_MAX_LENGTH:
        problems.append(f"fieldManager: Too long: may not be more than "
                        f"{FIELD_MANAGER_MAX_LENGTH} bytes")
    if field_validation not in FIELD_VALIDATIONS:
        supported = ", ".join(f'"{v}"' for v in FIELD_VALIDATIONS)
        problems.append(f'fieldValidation: Unsupported value: "{field_validation}": supported '
                        f"values: {supported}")
    if problems:
        joined = problems[0] if len(problems) == 1 else "[" + ", ".join(problems) + "]"
        raise InvalidError(f'PatchOptions.meta.k8s.io "" is invalid: {joined}')


def _invalid_patch(patched: Any, cause: str) -> InvalidError:
    # jsonPatcher.applyPatchToCurrentObject: a patched object that does not decode is a 422 on
    # the field "patch", quoting the patched JSON (errors.NewInvalid with an empty GroupKind).
    shown = json.dumps(json.dumps(patched, sort_keys=True, separators=(",", ":")))
    return InvalidError(f' "" is invalid: patch: Invalid value: {shown}: {cause}')


def check_patched(kind: Kind, patched: Any, name: str, namespace: str | None,
                  custom: bool, field_validation: str = "") -> tuple[dict, list[str]]:
    """What the patcher checks of a patched object before it is written: an object of the same
    kind that decodes, with the name of the URL and the namespace of the request. Returns the
    object as decoded and the warnings to send: unknown fields are dropped, and named in a
    warning (fieldValidation Warn, the default), refused (Strict) or dropped silently (Ignore)."""
    if not isinstance(patched, dict):
        return_type = "array" if isinstance(patched, list) else go_type_name(patched)
        raise _invalid_patch(patched, f"json: cannot unmarshal {return_type} into Go value of "
                                      f"type {kind.kind}")
    if patched.get("kind") != kind.kind or patched.get("apiVersion") != kind.api_version:
        raise _invalid_patch(patched, f"the patch may not change apiVersion or kind "
                                      f"({kind.api_version}, {kind.kind})")
    warnings: list[str] = []
    if not custom:
        decoded, unknown, error = decode_fields(patched)
        if not error and unknown and field_validation == "Strict":
            error = "strict decoding error: " + ", ".join(unknown)
        if error:
            raise _invalid_patch(patched, error)
        warnings = unknown if field_validation in ("", "Warn") else []
        patched = decoded
    meta = patched.get("metadata")
    if not isinstance(meta, dict):
        raise _invalid_patch(patched, f"metadata is an object, got {go_sprint(meta)}")
    if meta.get("name") != name:  # handlers/rest.go checkName
        raise BadRequestError(f"the name of the object ({meta.get('name', '')}) does not "
                              f"match the name on the URL ({name})")
    wanted = namespace if kind.namespaced else ""
    if meta.get("namespace") and wanted and meta["namespace"] != wanted:
        # registry/rest/meta.go EnsureObjectNamespaceMatchesRequestNamespace
        raise BadRequestError("the namespace of the provided object does not match the "
                              "namespace sent on the request")
    if wanted:
        meta["namespace"] = wanted
    else:
        meta.pop("namespace", None)
    return patched, warnings


class Patcher:
    """PATCH for one API server: its storage, its write path for built-in kinds, and the
    handler of custom ones. `apply` is server-side apply (None until a field manager is)."""

    def __init__(self, storage: Storage, writes: Writer, custom: CustomResourceHandler,
                 deleter: Deleter, now: Callable[[], float],
                 apply: ApplyFunction | None = None) -> None:
        self.storage = storage
        self.now = now
        self.writes = writes
        self.custom = custom
        self.deleter = deleter
        self.apply = apply

    def patch(self, kind: Kind, namespace: str | None, request: dict, attributes: Attributes,
              crd: dict | None = None) -> Generator:
        """Patch the object `request` names (its name, patch_type, body, subresource,
        field_manager, force, field_validation); server-side apply creates it if it does not
        exist."""
        patch_type = media_type(request.get("patch_type"))
        accepted = accepted_types(crd is not None, self.apply is not None)
        if patch_type not in accepted:
            # negotiation.NewUnsupportedMediaTypeError
            raise UnsupportedMediaTypeError(
                "the body of the request was in an unknown format - accepted media types "
                f"include: {', '.join(accepted)}")
        validation = request.get("field_validation") or ""
        check_options(patch_type, request.get("field_manager") or "", request.get("force"),
                      validation)
        name, subresource = request["name"], request.get("subresource") or ""
        if kind.namespaced and not namespace:  # no route names such an object
            raise NotFoundError(NO_SUCH_RESOURCE)
        read, write = self._target(kind, crd, namespace, name, subresource, attributes)
        schema = None if subresource == "scale" or crd else KIND_SCHEMAS.get(kind.qualified_kind)
        target = scale_kind(kind) if subresource == "scale" else kind
        for attempt in range(MAX_ATTEMPTS):
            try:
                current = yield from read()
            except NotFoundError:
                if patch_type != APPLY_PATCH or subresource:
                    raise
                current = None  # apply creates what is not there
            if patch_type == APPLY_PATCH:
                patched = self._applied(current, request, target, subresource)
            else:
                patched = patched_document(patch_type, current, request.get("body"), schema)
            patched, warnings = check_patched(target, patched, name, namespace,
                                              crd is not None or subresource == "scale",
                                              validation)
            try:
                if current is None:
                    written = yield from self._create(kind, crd, namespace, patched, attributes)
                else:
                    written = yield from write(patched, patch_type != APPLY_PATCH)
                body, later = split_warnings(written)
                return with_warnings(body, [*warnings, *later], created=current is None)
            except ConflictError:
                read_version = (current or {}).get("metadata", {}).get("resourceVersion")
                pinned = patched["metadata"].get("resourceVersion") != read_version
                if pinned or attempt == MAX_ATTEMPTS - 1:
                    raise
        raise AssertionError("unreachable: the last attempt raises")

    def _applied(self, current: dict | None, request: dict, kind: Kind,
                 subresource: str) -> Any:
        # applyPatcher: the YAML (or JSON) configuration, merged by the field manager.
        body = request.get("body")
        if isinstance(body, dict):
            applied = body
        else:
            try:
                applied = yaml.safe_load(_text(body))
            except yaml.YAMLError as error:
                raise BadRequestError(f"error decoding YAML: {error}") from None
        if not isinstance(applied, dict):
            raise BadRequestError(f"error decoding YAML: an apply configuration is an object, "
                                  f"got {go_sprint(applied)}")
        return self.apply(current, applied, request.get("field_manager") or "",
                          bool(request.get("force")), to_time(self.now()), kind=kind,
                          subresource=subresource)

    def _create(self, kind: Kind, crd: dict | None, namespace: str | None, obj: dict,
                attributes: Attributes) -> Generator:
        # An apply of an object that does not exist creates it (admission CREATE).
        if crd is not None:
            return (yield from self.custom.create(kind, crd, namespace, obj, attributes,
                                                  manage_fields=False))
        return (yield from self.writes.create(kind, namespace, obj, attributes,
                                              manage_fields=False))

    def _target(self, kind: Kind, crd: dict | None, namespace: str | None, name: str,
                subresource: str, attributes: Attributes) -> tuple[Callable, Callable]:
        """How to read what the patch applies to, and how to write the patched document."""
        if subresource not in ("", "status", "scale"):
            raise NotFoundError(NO_SUCH_RESOURCE)
        if crd is not None:
            return self._custom_target(kind, crd, namespace, name, subresource, attributes)
        if subresource == "status" and kind.qualified_kind in NO_STATUS_KINDS:
            raise NotFoundError(NO_SUCH_RESOURCE)
        if subresource == "scale":
            check_scalable(kind)

        def read_object() -> Generator:
            return served_form(kind, (yield from self.storage.get(kind, namespace, name)))

        def read_scale() -> Generator:
            return scale_of(kind, (yield from read_object()))

        def write_object(patched: dict, manage_fields: bool) -> Generator:
            verb = "update_status" if subresource == "status" else "update"
            return (yield from self.writes.update(kind, patched, verb, attributes,
                                                  manage_fields=manage_fields,
                                                  options="PatchOptions"))

        def write_scale(patched: dict, manage_fields: bool) -> Generator:
            obj = yield from read_object()
            updated = yield from self.writes.update(kind, scaled(kind, obj, patched), "update",
                                                    attributes, manage_fields=manage_fields,
                                                    options="PatchOptions")
            return scale_of(kind, updated)

        if subresource == "scale":
            return read_scale, write_scale
        return read_object, write_object

    def _custom_target(self, kind: Kind, crd: dict, namespace: str | None, name: str,
                       subresource: str, attributes: Attributes) -> tuple[Callable, Callable]:
        custom = self.custom

        def read() -> Generator:
            if subresource == "scale":
                return (yield from custom.get_scale(kind, crd, namespace, name))
            return (yield from custom.get(kind, crd, namespace, name))

        def write(patched: dict, manage_fields: bool) -> Generator:
            if subresource == "scale":
                return (yield from custom.update_scale(kind, crd, namespace, name, patched,
                                                       attributes))
            updated = yield from custom.update(kind, crd, patched, attributes,
                                               status_only=subresource == "status",
                                               manage_fields=manage_fields)
            return (yield from self.deleter.finish_after_update(kind, updated))

        return read, write
