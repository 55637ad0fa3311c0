"""Strategic merge patch: a merge patch that knows how each list of a built-in kind merges.

A JSON merge patch replaces lists whole. A strategic merge patch (the default of `kubectl
patch`, `application/strategic-merge-patch+json`) merges a list whose Go field is tagged
`patchStrategy:"merge"`: items with the same merge key (a container's `name`, a port's
`containerPort`) are merged, new ones appended; a list of strings so tagged (finalizers)
merges as a set. Directives in the patch say more:
  `{"$patch": "delete"}` on a map empties it; on a list item (with its merge key) removes it;
  `{"$patch": "replace"}` on a map replaces it; as a list item, the rest of the list replaces;
  `$deleteFromPrimitiveList/<field>: [...]` removes those strings from a merged string list;
  `$setElementOrder/<field>: [...]` orders the merged list;
  `$retainKeys: [...]` drops every key of the stored map not named (a union's old member).
Upstream: k8s.io/apimachinery pkg/util/strategicpatch/patch.go, StrategicMergeMapPatch with
MergeParallelList and IgnoreUnmatchedNulls, whose error texts these are. The merge metadata is
k8slab.api.schema.patch_meta; inside a struct k8slab keeps opaque, lists are replaced
(simplified: upstream knows every struct).
"""

from __future__ import annotations

import copy
from typing import Any

from k8slab.api.go_values import go_sprint, go_type_name
from k8slab.api.schema.patch_meta import MERGE, REPLACE, patch_meta
from k8slab.api.schema.types import ListOf, MapOf, Opaque, SchemaType, Struct
from k8slab.errors import K8sLabError

DIRECTIVE = "$patch"
DELETE_FROM_PRIMITIVE_LIST = "$deleteFromPrimitiveList"
SET_ELEMENT_ORDER = "$setElementOrder"
RETAIN_KEYS = "$retainKeys"

# apimachinery pkg/util/mergepatch/errors.go: the errors the API server answers 400, and 422.
BAD_PRIMITIVE_LIST = "invalid patch format of primitive list"
BAD_RETAIN_KEYS = "invalid patch format of retainKeys"
BAD_SET_ELEMENT_ORDER = "invalid patch format of setElementOrder list"
NO_LIST_OF_LISTS = "lists of lists are not supported"
NOT_SUPPORTED = "strategic merge patch format is not supported"


class StrategicMergeError(K8sLabError):
    """A patch the strategic merge cannot apply. `code` is how the API server answers it
    (patch.go interpretStrategicMergePatchError): 400 for a malformed directive, 422 for a list
    of lists, 500 (reason Unknown) for the rest, such as an item without its merge key."""

    def __init__(self, message: str, code: int = 500) -> None:
        super().__init__(message)
        self.code = code


def _no_merge_key(item: dict, key: str) -> StrategicMergeError:
    return StrategicMergeError(f"map: {go_sprint(item)} does not contain declared merge key: "
                               f"{key}")


def _bad_arg_type(actual: Any, expected: str = "[]interface {}") -> StrategicMergeError:
    return StrategicMergeError(f"expected a {expected}, but received a {go_type_name(actual)}")


class _Node:
    """Where the merge is in the kind's schema: the struct (or opaque struct) whose fields the
    current map holds, a map type, or nothing known."""

    def __init__(self, schema: SchemaType | None) -> None:
        self.schema = schema

    def field(self, key: str) -> tuple[_Node, str, str]:
        """The node of a field's value, and the field's (strategy, merge key)."""
        schema = self.schema
        if isinstance(schema, MapOf):
            return _Node(schema.value), "", ""
        if isinstance(schema, Struct | Opaque):
            strategy, merge_key = patch_meta(schema.go, key)
            child = schema.fields.get(key) if isinstance(schema, Struct) else None
            if isinstance(child, ListOf):
                child = child.item
            return _Node(child), strategy, merge_key
        return _Node(None), "", ""


def _same(left: Any, right: Any) -> bool:
    # Go's == on interface values: equal types and equal values (1 and 1.0 differ).
    return type(left) is type(right) and left == right


def _remove_directives(value: Any) -> tuple[Any, bool]:
    # removeDirectives: a map carrying $patch is dropped, from lists and maps, at any depth.
    if isinstance(value, dict):
        if DIRECTIVE in value:
            return None, False
        kept = {}
        for key, item in value.items():
            item, keep = _remove_directives(item)
            if keep:
                kept[key] = item
        return kept, True
    if isinstance(value, list):
        return [v for v, keep in map(_remove_directives, value) if keep], True
    return value, True


def _discard_nulls(value: Any) -> Any:
    # discardNullValuesFromPatch: a value the stored object lacks keeps no null members.
    if isinstance(value, dict):
        return {k: _discard_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_discard_nulls(v) for v in value]
    return value


def _extract_key(key: str, prefix: str) -> str:
    head, slash, rest = key.partition("/")
    if not slash or head != prefix:
        message = BAD_PRIMITIVE_LIST if prefix == DELETE_FROM_PRIMITIVE_LIST \
            else BAD_SET_ELEMENT_ORDER
        raise StrategicMergeError(message, 400)
    return rest


def _element_type(*lists: list) -> type:
    # sliceElementType: every item of every list has one type, and it is not a list.
    found: type | None = None
    for items in lists:
        for item in items:
            if found is None:
                found = type(item)
                if found is list:
                    raise StrategicMergeError(NO_LIST_OF_LISTS, 422)
            elif type(item) is not found:
                raise StrategicMergeError(f"list element types are not identical: "
                                          f"{go_sprint(list(lists))}")
    if found is None:
        raise StrategicMergeError("no elements in any of the given slices")
    return found


def _key_of(item: Any, merge_key: str, maps: bool) -> Any:
    return item.get(merge_key) if maps and isinstance(item, dict) else item


def _index(items: list, value: Any, merge_key: str, maps: bool) -> int:
    wanted = _key_of(value, merge_key, maps)
    for position, item in enumerate(items):
        if _same(_key_of(item, merge_key, maps), wanted):
            return position
    return -1


def _find(items: list, merge_key: str, value: Any) -> int:
    for position, item in enumerate(items):
        if not isinstance(item, dict):
            raise StrategicMergeError(f"value for key {position} is not a map")
        if merge_key in item and _same(item[merge_key], value):
            return position
    return -1


def _sorted_by(items: list, order: list, merge_key: str, maps: bool) -> list:
    # normalizeSliceOrder: by position in `order`; items to delete go last.
    doomed = []
    if maps:
        for item in [*items, *order]:
            if not isinstance(item, dict):
                raise _bad_arg_type(item, "map[string]interface {}")
            if merge_key not in item:
                raise _no_merge_key(item, merge_key)
        doomed = [i for i in items if i.get(DIRECTIVE) == "delete"]
        items = [i for i in items if i.get(DIRECTIVE) != "delete"]
    return sorted(items, key=lambda i: _index(order, i, merge_key, maps)) + doomed


def _in_order(patch_items: list, server_only: list, patch_order: list, server_order: list,
              merge_key: str, maps: bool) -> list:
    # normalizeElementOrder + mergeSortedSlice: the patch's items in the patch's order, each
    # stored-only item placed before the first patch item it preceded in the stored list.
    right = _sorted_by(patch_items, patch_order, merge_key, maps)
    left = _sorted_by(server_only, server_order, merge_key, maps)
    merged, i, j = [], 0, 0
    while i < len(left) or j < len(right):
        if j >= len(right):
            merged.append(left[i])
            i += 1
        elif i >= len(left):
            merged.append(right[j])
            j += 1
        else:
            li = _index(server_order, left[i], merge_key, maps)
            ri = _index(server_order, right[j], merge_key, maps)
            if li >= 0 and ri >= 0 and li < ri:
                merged.append(left[i])
                i += 1
            else:
                merged.append(right[j])
                j += 1
    return merged


def _partition(merged: list, by: list, merge_key: str) -> tuple[list, list]:
    # partitionMapsByPresentInList / partitionPrimitivesByPresentInList.
    inside, outside = [], []
    for item in merged:
        if merge_key:
            if not isinstance(item, dict):
                raise _bad_arg_type(item, "map[string]interface {}")
            if merge_key not in item:
                raise _no_merge_key(item, merge_key)
            found = _find(by, merge_key, item[merge_key]) >= 0
        else:
            found = any(_same(item, other) for other in by)
        (inside if found else outside).append(item)
    return inside, outside


def _special_items(original: list, patch: list, merge_key: str) -> tuple[list, list]:
    # mergeSliceWithSpecialElements: $patch items delete stored items or replace the list.
    plain, replace = [], False
    for item in patch:
        if DIRECTIVE not in item:
            plain.append(item)
            continue
        directive = item[DIRECTIVE]
        if directive == "delete":
            if merge_key not in item:
                raise _no_merge_key(item, merge_key)
            original = [o for o in original
                        if not (merge_key in o and _same(o[merge_key], item[merge_key]))]
        elif directive == "replace":
            replace = True
        elif directive == "merge":
            raise StrategicMergeError("merging lists cannot yet be specified in the patch")
        else:
            raise StrategicMergeError(f"unknown patch type: {go_sprint(directive)} in map: "
                                      f"{go_sprint(item)}")
    return (plain, []) if replace else (original, plain)


def _merge_list(original: list, patch: list, node: _Node, merge_key: str,
                delete_list: bool) -> list:
    if not original and not patch:
        return original
    maps = _element_type(original, patch) is dict
    if not maps:
        if delete_list:  # $deleteFromPrimitiveList
            return [o for o in original if not any(_same(o, p) for p in patch)]
        merged: list = []
        for item in [*original, *patch]:
            if not any(_same(item, m) for m in merged):
                merged.append(item)
    else:
        if not merge_key:
            raise StrategicMergeError("cannot merge lists without merge key for struct")
        original, patch = _special_items(original, patch, merge_key)
        merged = list(original)
        for item in patch:
            if merge_key not in item:
                raise _no_merge_key(item, merge_key)
            at = _find(merged, merge_key, item[merge_key])
            if at >= 0:
                merged[at] = _merge_map(merged[at], item, node)
            else:
                merged.append(item)
    inside, outside = _partition(merged, patch, merge_key if maps else "")
    return _in_order(inside, outside, patch, original, merge_key, maps)


def _merge_field_list(original: list, patch: list, node: _Node, strategy: str,
                      merge_key: str, delete_list: bool) -> list:
    # mergeSliceHandler: only a merge list (or a deletion list) merges; others are replaced.
    if strategy == MERGE or delete_list:
        return _merge_list(original, patch, node, merge_key, delete_list)
    return patch


def _retain_keys(original: dict, patch: dict) -> None:
    # applyRetainKeysDirective: every key of the patch must be retained; others are cleared.
    if RETAIN_KEYS not in patch:
        return
    retained = patch.pop(RETAIN_KEYS)
    if not isinstance(retained, list):
        raise StrategicMergeError(BAD_RETAIN_KEYS, 400)
    for key, value in patch.items():
        if value is None or key.startswith((DELETE_FROM_PRIMITIVE_LIST, SET_ELEMENT_ORDER)):
            continue
        if key not in retained:
            raise StrategicMergeError(BAD_RETAIN_KEYS, 400)
    for key in [k for k in original if k not in retained]:
        del original[key]


def _set_element_order(original: dict, patch: dict, node: _Node) -> None:
    # mergePatchIntoOriginal: merge each list that has a $setElementOrder, then order it.
    for key in [k for k in patch if k.startswith(SET_ELEMENT_ORDER)]:
        order = patch.pop(key)
        if not isinstance(order, list):
            raise _bad_arg_type(order)
        field = _extract_key(key, SET_ELEMENT_ORDER)
        stored, patched = original.get(field), patch.get(field)
        for value in (stored, patched):
            if value is not None and not isinstance(value, list):
                raise _bad_arg_type(value)
        child, strategy, merge_key = node.field(field)
        _check_order(patched or [], order, merge_key)
        if stored is not None and patched is None:
            merged = stored
        elif stored is None and patched is not None:
            merged = _remove_directives(patched)[0]
        elif stored is not None:
            merged = _merge_field_list(stored, patched, child, strategy, merge_key, False)
        else:
            continue
        inside, outside = _partition(merged, order, merge_key)
        maps = _element_type(stored or [], patched or []) is dict
        original[field] = _in_order(inside, outside, order, stored or [], merge_key, maps)
        patch.pop(field, None)


def _check_order(patched: list, order: list, merge_key: str) -> None:
    # validatePatchWithSetOrderList: the patch's items appear in the order list's order.
    if not order or not patched:
        return
    items = [i for i in patched if not (merge_key and isinstance(i, dict)
                                          and i.get(DIRECTIVE) == "delete")]
    at, seen = 0, 0
    while at < len(items) and seen < len(order):
        item = items[at]
        if isinstance(item, dict) and DIRECTIVE in item:
            at += 1
            continue
        if merge_key:
            for value in (item, order[seen]):
                if not isinstance(value, dict):
                    raise _bad_arg_type(value, "map[string]interface {}")
                if merge_key not in value:
                    raise _no_merge_key(value, merge_key)
            equal = _same(item[merge_key], order[seen][merge_key])
        else:
            equal = _same(item, order[seen])
        if equal:
            at += 1
        seen += 1
    if at < len(items):
        raise StrategicMergeError(f"The order in patch list:\n{go_sprint(patched)}\n doesn't "
                                  f"match {SET_ELEMENT_ORDER} list:\n{go_sprint(order)}\n")


def _merge_map(original: dict | None, patch: dict, node: _Node) -> dict:
    if DIRECTIVE in patch:  # handleDirectiveInMergeMap
        directive = patch[DIRECTIVE]
        if directive == "replace":
            return {k: v for k, v in patch.items() if k != DIRECTIVE}
        if directive == "delete":
            return {}
        raise StrategicMergeError(f"unknown patch type: {go_sprint(directive)} in map: "
                                  f"{go_sprint(patch)}")
    original = {} if original is None else original
    _retain_keys(original, patch)
    _set_element_order(original, patch, node)
    for key, value in list(patch.items()):
        delete_list = key.startswith(DELETE_FROM_PRIMITIVE_LIST)
        if delete_list:
            key = _extract_key(key, DELETE_FROM_PRIMITIVE_LIST)
        if value is None:
            original.pop(key, None)
            continue
        if key not in original or type(original[key]) is not type(value):
            if not delete_list:  # a value the stored object lacks (or of another type)
                kept, keep = _remove_directives(_discard_nulls(value))
                if keep:
                    original[key] = kept
                else:
                    original.pop(key, None)
            continue
        child, strategy, merge_key = node.field(key)
        if isinstance(value, dict):
            original[key] = value if strategy == REPLACE else \
                _merge_map(original[key], value, child)
        elif isinstance(value, list):
            original[key] = _merge_field_list(original[key], value, child, strategy, merge_key,
                                              delete_list)
        else:
            original[key] = value
    return original


def apply_strategic_merge_patch(document: dict, patch: dict,
                                schema: SchemaType | None) -> dict:
    """`document` with the strategic merge patch applied, merging lists as `schema` (the
    kind's struct from k8slab.api.schema) declares; a copy, neither input is changed.

    Raises StrategicMergeError with upstream's words; nothing is applied then.
    """
    if not isinstance(patch, dict):
        raise _bad_arg_type(patch, "map[string]interface {}")
    return _merge_map(copy.deepcopy(document), copy.deepcopy(patch), _Node(schema))
