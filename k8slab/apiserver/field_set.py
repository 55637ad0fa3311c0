"""Sets of field paths in the FieldsV1 encoding that metadata.managedFields stores, and their
algebra: union, difference, intersection, and the paths a set holds, in upstream's order.

A set is a tree of path elements (structured-merge-diff's fieldpath.Set): `f:<name>` a field,
`k:{"name":"web"}` an associative list's item by its key fields, `v:<json>` a set's item by its
value, `i:<n>` an item by position. A node is in the set when it is a leaf `{}`, or when it
also has children and carries `.: {}`. Here a set is kept as that encoding itself, a dict of
element -> node, so reading and writing managedFields costs nothing; `encode` only sorts.
"""

from __future__ import annotations

import json

FieldSet = dict  # element -> node; a node is a FieldSet that may hold "." (itself a member)

SELF = "."


def is_member(node: dict) -> bool:
    """Whether a node's own path is in the set (a leaf, or one marked with `.`)."""
    return not node or SELF in node


def children(node: dict) -> dict:
    """A node's children, without its own `.` mark."""
    return {key: child for key, child in node.items() if key != SELF} if SELF in node else node


def _node(member: bool, children: dict) -> dict | None:
    # The node for a path with these children; None when the path holds nothing at all.
    if not children:
        return {} if member else None
    return {SELF: {}, **children} if member else children


def union(a: FieldSet, b: FieldSet) -> FieldSet:
    """Every path in `a` or in `b`."""
    if not b:
        return a
    if not a:
        return b
    out = dict(a)
    for key, node_b in b.items():
        node_a = out.get(key)
        if node_a is None:
            out[key] = node_b
        elif node_a is not node_b:
            out[key] = _node(is_member(node_a) or is_member(node_b),
                             union(children(node_a), children(node_b)))
    return out


def difference(a: FieldSet, b: FieldSet) -> FieldSet:
    """The paths of `a` that are not in `b` (b's member `x` does not remove x's children).
    When nothing is taken away the answer is `a` itself (sets are never changed in place)."""
    if not b or not a:
        return a
    out = {}
    changed = False
    for key, node_a in a.items():
        node_b = b.get(key)
        if node_b is None:
            out[key] = node_a
            continue
        node = _node(is_member(node_a) and not is_member(node_b),
                     difference(children(node_a), children(node_b)))
        if node is not None:
            out[key] = node
        changed = changed or node != node_a
    return out if changed else a


def intersection(a: FieldSet, b: FieldSet) -> FieldSet:
    """The paths in both `a` and `b`."""
    out = {}
    for key, node_a in a.items():
        node_b = b.get(key)
        if node_b is None:
            continue
        node = _node(is_member(node_a) and is_member(node_b),
                     intersection(children(node_a), children(node_b)))
        if node is not None:
            out[key] = node
    return out


def without_subtrees(a: FieldSet, b: FieldSet) -> FieldSet:
    """`a` without every path under a member of `b`: fieldpath.Set.RecursiveDifference, how the
    fields a strategy resets (status on the main resource) are filtered out."""
    out = {}
    for key, node_a in a.items():
        node_b = b.get(key)
        if node_b is None:
            out[key] = node_a
        elif not is_member(node_b):
            node = _node(is_member(node_a), without_subtrees(children(node_a),
                                                             children(node_b)))
            if node is not None:
                out[key] = node
    return out


# -- path elements: encoding, order, and how a conflict message prints a path ---------------

def field(name: str) -> str:
    """The element for a struct field or map entry: `f:replicas`."""
    return "f:" + name


def key_element(item: dict, keys: tuple[tuple[str, object], ...]) -> str:
    """An associative list item by its key fields (name, default), sorted by name:
    `k:{"name":"web"}`; a key field the item lacks takes its default or is left out."""
    key = {}
    for name, default in sorted(keys):
        value = item.get(name, default)
        if value is not None:
            key[name] = value
    return "k:" + _compact(key)


def value_element(value: object) -> str:
    """A set item by its value: `v:"example.com/finalizer"`."""
    return "v:" + _compact(value)


def _compact(value: object) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


_TYPE_RANK = {"f": 0, "k": 1, "v": 2, "i": 3}


def _value_order(value: object) -> tuple:
    # value.Compare: numbers before strings before booleans before lists before maps.
    if value is None:
        return (0,)
    if isinstance(value, bool):
        return (3, value)
    if isinstance(value, int | float):
        return (1, value)
    if isinstance(value, str):
        return (2, value.encode())
    if isinstance(value, list):
        return (4, tuple(_value_order(item) for item in value))
    return (5, tuple((name.encode(), _value_order(item)) for name, item in sorted(value.items())))


def element_order(element: str) -> tuple:
    """fieldpath.PathElement's order: fields, then keys, values, indexes; each by its value."""
    kind, text = element[0], element[2:]
    if kind == "f":
        return (0, text.encode())
    if kind == "i":
        return (3, int(text))
    decoded = json.loads(text)
    if kind == "k":
        return (1, tuple((name.encode(), _value_order(value))
                         for name, value in sorted(decoded.items())))
    return (_TYPE_RANK[kind], _value_order(decoded))


def encode(fields: FieldSet) -> dict:
    """The FieldsV1 JSON of a set, elements in upstream's order and `.` first."""
    out = {SELF: {}} if SELF in fields else {}
    keys = [k for k in fields if k != SELF]
    if any(key[0] != "f" for key in keys):
        keys.sort(key=element_order)
    else:  # only field names: their byte order is the text's
        keys.sort()
    for key in keys:
        out[key] = encode(fields[key]) if fields[key] else {}
    return out


def element_text(element: str) -> str:
    """How fieldpath.PathElement prints: `.replicas`, `[name="web"]`, `[="a"]`, `[0]`."""
    kind, text = element[0], element[2:]
    if kind == "f":
        return "." + text
    if kind == "i":
        return f"[{text}]"
    decoded = json.loads(text)
    if kind == "k":
        return "[" + ",".join(f"{name}={_value_text(value)}"
                              for name, value in decoded.items()) + "]"
    return f"[={_value_text(decoded)}]"


def _value_text(value: object) -> str:
    # value.ToString: strings quoted as Go's %q, other scalars as %v.
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    return _compact(value)


def paths(fields: FieldSet, prefix: str = "") -> list[str]:
    """Every path in the set as upstream prints it (`.spec.replicas`), in fieldpath.Set's
    iteration order: at each level the members first, then the children's paths."""
    keys = sorted((k for k in fields if k != SELF), key=element_order)
    out = [prefix + element_text(key) for key in keys if is_member(fields[key])]
    for key in keys:
        below = children(fields[key])
        if below:
            out.extend(paths(below, prefix + element_text(key)))
    return out


def from_paths(*dotted: str) -> FieldSet:
    """A set of plain field paths written with dots ("metadata.name", "status"): the fixed sets
    upstream builds with fieldpath.MakePathOrDie."""
    out: FieldSet = {}
    for path in dotted:
        node: FieldSet = {}
        for name in reversed(path.split(".")):
            node = {field(name): node}
        out = union(out, node)
    return out
