"""Server-side apply: merge a manager's applied configuration into the live object, drop what it
applied before and applies no more, and refuse to change a field another manager owns.

Upstream: structured-merge-diff's merge.Updater.Apply behind apimachinery's field manager
(PATCH with Content-Type application/apply-patch+yaml). The applier's entry (operation Apply)
owns exactly the fields of its latest configuration. Changing the value of a field that another
manager owns is a 409 conflict listing each one, unless `force` takes them over; applying the
same value another manager set makes both owners. Simplified: the lab has no conversion between
API versions, and it does not migrate kubectl's last-applied-configuration annotation.
"""

from __future__ import annotations

import copy
import json
from dataclasses import replace

from k8slab.api.kinds import Kind, kind_info
from k8slab.api.schema.types import ListOf, MapOf, SchemaType
from k8slab.apiserver import field_set as fs
from k8slab.apiserver.field_set_of import (
    FieldInfo,
    compare,
    field_info,
    fields_of,
    is_atomic,
    item_element,
)
from k8slab.apiserver.managed_fields import (
    APPLY,
    STRIPPED,
    UPDATE,
    Entry,
    cap_update_managers,
    check_field_manager,
    decode,
    encode,
    reset_fields,
    schema_of,
)
from k8slab.errors import BadRequestError, ConflictError, K8sLabError

# metav1.CauseTypeFieldManagerConflict: the type of each cause of an apply conflict.
FIELD_MANAGER_CONFLICT = "FieldManagerConflict"


class ApplyConflictError(ConflictError):
    """409 from errors.NewApplyConflict: the message lists the conflicts, and the Status's
    details.causes has one FieldManagerConflict per field."""

    def __init__(self, message: str, causes: list[dict]) -> None:
        super().__init__(message)
        self.causes = causes

    def to_status(self) -> dict:
        """The Status with details.causes (no name or kind: upstream leaves them out)."""
        return {**super().to_status(), "details": {"causes": self.causes}}


def server_side_apply(live: dict | None, applied: dict, manager: str, force: bool, now: str,
                      *, kind: Kind | None = None, subresource: str = "") -> dict:
    """The object after `manager` applies `applied` to `live` (None: apply creates it) at `now`
    (RFC 3339), with its managedFields. Raises ApplyConflictError on a conflict (unless
    `force`), BadRequestError on a configuration apply refuses. Neither argument changes."""
    kind = kind or _kind_of(applied)
    _check(applied, manager, kind)
    schema = schema_of(kind)
    before = None  # the live object without its managedFields (never changed here)
    entries: list[Entry] = []
    if live is not None:
        meta = live.get("metadata") or {}
        before = dict(live, metadata={k: v for k, v in meta.items() if k != "managedFields"})
        entries = decode(meta.get("managedFields") or []) or []
    reset = reset_fields(kind, subresource)
    applied_set = fs.without_subtrees(fields_of(applied, schema), reset)
    ours = Entry(manager, APPLY, applied["apiVersion"], now, applied_set, subresource)
    last = next((e for e in entries if e.key == ours.key), None)
    others = [e for e in entries if e.key != ours.key]
    merged = _merge(copy.deepcopy(before) if before is not None else {}, applied, schema,
                    top=True)
    if last is not None:  # prune: what it applied before, no longer applies, nobody owns
        owned = applied_set
        for entry in others:
            owned = fs.union(owned, entry.fields)
        _remove(merged, fs.difference(last.fields, owned), owned, schema, top=True)
    changes = compare(before, merged, schema)
    changed = fs.without_subtrees(fs.union(changes.modified, changes.added), reset)
    conflicts = [(entry, fs.intersection(entry.fields, changed)) for entry in others]
    conflicts = [(entry, fields) for entry, fields in conflicts if fields]
    if conflicts and not force:
        raise _conflict_error(conflicts)
    others = [replace(e, fields=fs.difference(fs.difference(e.fields, changed),
                                              changes.removed)) for e in others]
    ours = replace(ours, fields=fs.difference(applied_set, STRIPPED))
    if last is not None and merged == before:  # nothing changed: its time stays
        ours = replace(ours, time=last.time)
    kept = [e for e in others if e.fields] + ([ours] if ours.fields else [])
    entries = cap_update_managers(kept)
    merged.setdefault("metadata", {})
    if entries:
        merged["metadata"]["managedFields"] = encode(entries)
    return merged


def _kind_of(applied: dict) -> Kind:
    if not isinstance(applied, dict) or not applied.get("apiVersion") or not applied.get("kind"):
        raise BadRequestError("apply configuration must have apiVersion and kind")
    try:
        return kind_info(applied["kind"], applied["apiVersion"])
    except K8sLabError as error:
        raise BadRequestError(error.message) from None


def _check(applied: dict, manager: str, kind: Kind) -> None:
    # handlers/patch.go and internal/structuredmerge.go: what an apply request must be.
    check_field_manager(manager, "PatchOptions", apply=True)
    if not isinstance(applied, dict) or not isinstance(applied.get("metadata", {}), dict):
        raise BadRequestError(f"an apply configuration is a JSON object with metadata, got "
                              f"{applied!r:.80}")
    version = applied.get("apiVersion")
    if version != kind.api_version:
        raise BadRequestError("Incorrect version specified in apply patch. Specified patch "
                              f"version: {version}, expected: {kind.api_version}")
    if (applied.get("metadata") or {}).get("managedFields") is not None:
        raise BadRequestError("metadata.managedFields must be nil")


def _conflict_error(conflicts: list[tuple[Entry, fs.FieldSet]]) -> ApplyConflictError:
    """internal/conflict.go NewConflictError: one conflict on one line; several grouped by
    manager (sorted by identifier), each path on its own line."""
    conflicts = sorted(conflicts, key=lambda pair: pair[0].identifier)
    causes = [{"type": FIELD_MANAGER_CONFLICT, "message": f"conflict with {_printed(entry)}",
               "field": path} for entry, fields in conflicts for path in fs.paths(fields)]
    if len(causes) == 1:
        return ApplyConflictError(f"Apply failed with 1 conflict: {causes[0]['message']}: "
                                  f"{causes[0]['field']}", causes)
    lines = []
    for entry, fields in conflicts:
        lines.append(f"conflicts with {_printed(entry)}:")
        lines.extend(f"- {path}" for path in fs.paths(fields))
    return ApplyConflictError(f"Apply failed with {len(causes)} conflicts: " + "\n".join(lines),
                              causes)


def _printed(entry: Entry) -> str:
    """printManager: `"kubelet" with subresource "status" using v1`. It reads the manager's
    identifier, which never holds a time, so its ` at <time>` branch never prints."""
    text = json.dumps(entry.manager)
    if entry.subresource:
        text += f" with subresource {json.dumps(entry.subresource)}"
    if entry.operation == UPDATE:
        text += f" using {entry.api_version}"
    return text


# -- merging the configuration into the live object -----------------------------------------

def _merge(lhs: object, rhs: object, schema: SchemaType | None, top: bool = False,
           info: FieldInfo | None = None) -> object:
    """The typed merge: maps and structs key by key, associative lists item by item, anything
    else (scalars, atomic lists and structs) replaced by the configuration's value."""
    if isinstance(lhs, dict) and isinstance(rhs, dict) and not (info and is_atomic(info.schema)):
        out = dict(lhs)
        for name, value in rhs.items():
            child = field_info(schema, name, top)
            out[name] = (_merge(lhs[name], value, child.schema, info=child) if name in lhs
                         else copy.deepcopy(value))
        return out
    if (isinstance(lhs, list) and isinstance(rhs, list) and info is not None
            and info.list_type != "atomic"):
        return _merge_lists(lhs, rhs, info)
    return copy.deepcopy(rhs)


def _merge_lists(lhs: list, rhs: list, info: FieldInfo) -> list:
    # The merged list keeps the live items the configuration does not name where they were,
    # and the configuration's items in its order (typed/merge.go visitListItems).
    item = FieldInfo(info.schema, "atomic", (), False, None)
    left_keys = [item_element(x, info) for x in lhs]
    right_keys = [item_element(x, info) for x in rhs]
    left = dict(zip(left_keys, lhs, strict=True))
    right = dict(zip(right_keys, rhs, strict=True))
    shared = [key for key in right_keys if key in left]
    next_shared = 0
    done: set[str] = set()
    out = []
    i = j = 0
    while i < len(lhs) or j < len(rhs):
        if i < len(lhs) and j < len(rhs):
            key = left_keys[i]
            if key == right_keys[j]:
                out.append(_merge(left[key], right[key], info.schema, info=item))
                done.add(key)
                i, j, next_shared = i + 1, j + 1, next_shared + 1
                continue
            if (key in right and next_shared < len(shared)
                    and shared[next_shared] != key):
                i += 1
                continue
        if i < len(lhs):
            key = left_keys[i]
            if key not in right:
                out.append(copy.deepcopy(left[key]))
                i += 1
                continue
            if key in done:
                i += 1
                continue
        if j < len(rhs):
            key = right_keys[j]
            done.add(key)
            out.append(_merge(left[key], right[key], info.schema, info=item) if key in left
                       else copy.deepcopy(right[key]))
            j += 1
            if next_shared < len(shared) and shared[next_shared] == key:
                next_shared += 1
    return out


# -- pruning what the applier no longer applies ----------------------------------------------

def _remove(value: dict | list, gone: fs.FieldSet, owned: fs.FieldSet,
            schema: SchemaType | None, top: bool = False, info: FieldInfo | None = None) -> None:
    """Remove from `value` the paths of `gone` (keeping any whose subtree someone owns); a
    map or list emptied by it goes too, as Go's omitempty drops it."""
    for element, node in gone.items():
        if element == fs.SELF:
            continue
        if isinstance(value, dict) and element.startswith("f:"):
            name = element[2:]
            if name not in value:
                continue
            child_info = field_info(schema, name, top)
            _remove_child(value, name, value[name], node, owned.get(element), child_info)
        elif isinstance(value, list) and info is not None:
            for index, item in enumerate(value):
                if item_element(item, info) == element:
                    item_info = FieldInfo(info.schema, "atomic", (), False, None)
                    _remove_child(value, index, item, node, owned.get(element), item_info)
                    break


def _remove_child(parent: dict | list, at: str | int, child: object, node: dict,
                  owned: dict | None, info: FieldInfo) -> None:
    if fs.is_member(node) and owned is None:
        del parent[at]
        return
    if isinstance(child, dict | list):
        before = len(child)
        _remove(child, fs.children(node), fs.children(owned or {}),
                info.schema, info=info)
        if before and not child and _drops_when_empty(info, child):
            del parent[at]


def _drops_when_empty(info: FieldInfo, child: object) -> bool:
    return isinstance(child, list) or isinstance(info.schema, MapOf | ListOf) or info.entry
