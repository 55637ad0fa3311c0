"""The field sets of objects, read along their kind's schema: the fields an object sets (what an
applier claims) and what changed between two versions of it (what an updater takes).

structured-merge-diff's typed.TypedValue.ToFieldSet and Compare on the typed descriptions of
k8slab.api.schema, with the list types of k8slab.api.field_semantics. Where the lab has no
schema (custom resources, structs it does not model) a JSON object is read as a struct and a
list as atomic, as upstream reads a schema that declares nothing more.
"""

from __future__ import annotations

from typing import NamedTuple

from k8slab.api.field_semantics import (
    ALWAYS_PRESENT_FIELDS,
    ALWAYS_PRESENT_TOP_LEVEL,
    ATOMIC_STRUCTS,
    list_type,
)
from k8slab.api.schema.types import ListOf, MapOf, SchemaType, Struct
from k8slab.apiserver.field_set import FieldSet, field, key_element, value_element

_MISSING = object()  # a side of a comparison where the field is absent


class Comparison(NamedTuple):
    """What changed between two versions of an object, as three field sets."""

    added: FieldSet
    modified: FieldSet
    removed: FieldSet


class FieldInfo(NamedTuple):
    """How one field, map entry or list item is read: its type (for a list, its items'), list
    type and keys, whether it is a map entry (a member of a set itself) rather than a struct's
    declared field, and what it is when unset if Go always serializes it."""

    schema: SchemaType | None
    list_type: str
    keys: tuple[tuple[str, object], ...]  # (name, default)
    entry: bool
    empty: object  # what an always-present field is when unset ({} or []), else None


UNTYPED = FieldInfo(None, "atomic", (), False, None)


def field_info(schema: SchemaType | None, name: str, top: bool = False) -> FieldInfo:
    """How the field or entry `name` of a value of type `schema` is read (`top`: a kind's)."""
    if isinstance(schema, Struct):
        child = schema.fields.get(name)
        if child is None:
            return UNTYPED
        ltype, keys = list_type(schema.go, name)
        present = (name in ALWAYS_PRESENT_TOP_LEVEL if top
                   else (schema.go, name) in ALWAYS_PRESENT_FIELDS)
        if isinstance(child, ListOf):
            return FieldInfo(child.item, ltype, keys, False, [] if present else None)
        return FieldInfo(child, ltype, keys, False, {} if present else None)
    if isinstance(schema, MapOf):
        return FieldInfo(schema.value, "atomic", (), True, None)
    return UNTYPED


def is_atomic(schema: SchemaType | None) -> bool:
    """Whether values of this type are replaced and owned whole (+structType=atomic)."""
    return isinstance(schema, Struct) and schema.go in ATOMIC_STRUCTS


def item_element(item: object, info: FieldInfo) -> str:
    """The path element of a list's item: its key fields, or its value."""
    if info.list_type == "map" and isinstance(item, dict):
        return key_element(item, info.keys)
    return value_element(item)


# -- the fields an object sets (ToFieldSet) ---------------------------------------------------

def fields_of(obj: dict, schema: Struct | None) -> FieldSet:
    """Every field `obj` sets: its leaves, its map entries, list items, and atomic values."""
    return _map_fields(obj, schema, top=True)


def _map_fields(value: dict, schema: SchemaType | None, top: bool = False) -> FieldSet:
    out: FieldSet = {}
    for name, child in value.items():
        info = field_info(schema, name, top)
        node = _value_fields(child, info)
        if node is not None:
            out[field(name)] = node
    return out


def _value_fields(value: object, info: FieldInfo) -> FieldSet | None:
    if isinstance(value, dict):
        if not value or is_atomic(info.schema):
            return {}
        children = _map_fields(value, info.schema)
        if info.entry:
            return {".": {}, **children} if children else {}
        return children or None
    if isinstance(value, list):
        if info.list_type == "atomic":
            return {}
        items: FieldSet = {}
        for item in value:
            node = (_value_fields(item, FieldInfo(info.schema, "atomic", (), False, None))
                    if isinstance(item, dict) else None)
            items[item_element(item, info)] = {".": {}, **node} if node else {}
        return items or None
    return {}


# -- what changed (Compare) -------------------------------------------------------------------

def compare(old: dict | None, new: dict, schema: Struct | None) -> Comparison:
    """The fields added, modified and removed from `old` to `new` (None: a create, compared
    with the empty object of the kind, whose metadata, spec and status are present)."""
    added: FieldSet = {}
    modified: FieldSet = {}
    removed: FieldSet = {}
    _compare_maps({} if old is None else old, new, schema, True, added, modified, removed)
    return Comparison(added, modified, removed)


def _compare_maps(lhs: dict | None, rhs: dict | None, schema: SchemaType | None, top: bool,
                  added: FieldSet, modified: FieldSet, removed: FieldSet) -> None:
    # None: this whole map is absent on that side (everything under it is added or removed).
    for name in _keys(lhs or {}, rhs or {}):
        info = field_info(schema, name, top)
        left = _MISSING if lhs is None else lhs.get(name, _MISSING)
        right = _MISSING if rhs is None else rhs.get(name, _MISSING)
        if info.empty is not None:  # always there, if only empty
            if lhs is not None and (left is _MISSING or left is None):
                left = info.empty
            if rhs is not None and (right is _MISSING or right is None):
                right = info.empty
        _compare_value(field(name), left, right, info, added, modified, removed)


def _keys(lhs: dict, rhs: dict) -> list:
    return list(lhs) + [name for name in rhs if name not in lhs]


def _compare_value(element: str, left: object, right: object, info: FieldInfo,
                   added: FieldSet, modified: FieldSet, removed: FieldSet) -> None:
    if left is right or (left is not _MISSING and right is not _MISSING and left == right):
        return  # unchanged: nothing under it was added, modified or removed
    if _is_leaf(left, right, info):
        if left is _MISSING:
            added[element] = {}
        elif right is _MISSING:
            removed[element] = {}
        elif left != right:
            modified[element] = {}
        return
    sub_added: FieldSet = {}
    sub_modified: FieldSet = {}
    sub_removed: FieldSet = {}
    lhs = None if left is _MISSING else left
    rhs = None if right is _MISSING else right
    if isinstance(left if left is not _MISSING else right, dict):
        _compare_maps(lhs, rhs, info.schema, False, sub_added, sub_modified, sub_removed)
    else:
        _compare_lists(lhs or [], rhs or [], info, sub_added, sub_modified, sub_removed)
    _attach(added, element, sub_added, left is _MISSING)
    _attach(modified, element, sub_modified, False)
    _attach(removed, element, sub_removed, right is _MISSING)


def _attach(out: FieldSet, element: str, children: FieldSet, member: bool) -> None:
    if children:
        out[element] = {".": {}, **children} if member else children
    elif member:
        out[element] = {}


def _is_leaf(left: object, right: object, info: FieldInfo) -> bool:
    sides = [side for side in (left, right) if side is not _MISSING]
    if all(isinstance(side, dict) for side in sides):
        # Both empty (or absent): compared as a leaf, which keeps {} apart from absent.
        return is_atomic(info.schema) or all(not side for side in sides)
    if all(isinstance(side, list) for side in sides):
        return info.list_type == "atomic"
    return True


def _compare_lists(lhs: list, rhs: list, info: FieldInfo, added: FieldSet, modified: FieldSet,
                   removed: FieldSet) -> None:
    item_info = FieldInfo(info.schema, "atomic", (), False, None)
    left = {item_element(item, info): item for item in lhs}
    right = {item_element(item, info): item for item in rhs}
    for element in _keys(left, right):
        _compare_value(element, left.get(element, _MISSING), right.get(element, _MISSING),
                       item_info, added, modified, removed)
