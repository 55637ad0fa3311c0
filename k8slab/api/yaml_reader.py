"""Reading YAML as kubectl does (sigs.k8s.io/yaml over go-yaml v2), with go-yaml's limits.

kubectl turns YAML into JSON before anything else sees it, so tags end up as JSON: a timestamp
as RFC 3339 text, !!binary as the text its bytes spell, a !!set as a mapping of nulls; a key
written twice in one mapping is an error. go-yaml refuses a document that is mostly alias
expansion ("billion laughs", CVE-2019-11253: `yaml: document contains excessive aliasing`);
k8slab applies the same rule and also refuses nesting deeper than json_values.MAX_DEPTH.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import yaml

from k8slab.api.json_values import MAX_DEPTH, go_time_text

_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
# go-yaml v2 decode.go allowedAliasRatio: up to 400,000 decoded values 99% may come from
# alias expansion, from 4,000,000 only 10%, scaled linearly in between; checked once more
# than 100 aliases and 1,000 values have been decoded.
_ALIAS_RATIO_LOW, _ALIAS_RATIO_HIGH = 400_000, 4_000_000


class ReadLimitError(yaml.MarkedYAMLError):
    """A document refused for its shape (too deep, too much aliasing), not for its syntax."""


def allowed_alias_ratio(decode_count: int) -> float:
    """The share of decoded values go-yaml lets alias expansion supply in a document this big."""
    if decode_count <= _ALIAS_RATIO_LOW:
        return 0.99
    if decode_count >= _ALIAS_RATIO_HIGH:
        return 0.10
    scale = (decode_count - _ALIAS_RATIO_LOW) / (_ALIAS_RATIO_HIGH - _ALIAS_RATIO_LOW)
    return 0.99 - 0.89 * scale


class _AliasCounter:
    """go-yaml's decodeCount and aliasCount over one document's node graph.

    PyYAML composes an alias as a second reference to the anchored node; walking in document
    order, a node met for the second time is an alias, and everything under it is expansion.
    """

    def __init__(self) -> None:
        self.decoded = 0
        self.expanded = 0
        self.seen: set[int] = set()
        self.open: set[int] = set()

    def walk(self, node: yaml.Node, in_alias: bool, depth: int) -> None:
        self.count(node, in_alias)
        if id(node) in self.seen:
            if id(node) in self.open:
                raise ReadLimitError(None, None, "anchor value contains itself", node.start_mark)
            self.count(node, True)  # go-yaml decodes the alias node, then its target
            in_alias = True
        self.seen.add(id(node))
        if isinstance(node, yaml.ScalarNode):
            return
        if depth >= MAX_DEPTH:
            raise ReadLimitError(None, None, _too_deep(), node.start_mark)
        self.open.add(id(node))
        children = (
            node.value
            if isinstance(node, yaml.SequenceNode)
            else [part for pair in node.value for part in pair]
        )
        for child in children:
            self.walk(child, in_alias, depth + 1)
        self.open.discard(id(node))

    def count(self, node: yaml.Node, in_alias: bool) -> None:
        self.decoded += 1
        self.expanded += in_alias
        allowed = allowed_alias_ratio(self.decoded)
        if self.expanded > 100 and self.decoded > 1000 and self.expanded > allowed * self.decoded:
            raise ReadLimitError(
                None,
                None,
                "document contains excessive aliasing: aliases expand to more than "
                f"{allowed:.0%} of its values (go-yaml's limit)",
                node.start_mark,
            )


def _too_deep() -> str:
    return f"nested deeper than {MAX_DEPTH} levels, the most k8slab reads"


def _cannot_decode(node: yaml.ScalarNode, tag: str) -> yaml.constructor.ConstructorError:
    # go-yaml v2 resolve.go: "cannot decode !!str `x` as a !!float".
    return yaml.constructor.ConstructorError(
        None, None, f"cannot decode !!str `{node.value}` as a !!{tag}", node.start_mark
    )


class ManifestLoader(yaml.SafeLoader):
    """yaml.SafeLoader that reads as kubectl's YAML-to-JSON step does, within go-yaml's limits."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.depth = 0

    def compose_node(self, parent: Any, index: Any) -> yaml.Node:
        nested = self.check_event(yaml.SequenceStartEvent, yaml.MappingStartEvent)
        if nested:
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise ReadLimitError(None, None, _too_deep(), self.peek_event().start_mark)
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= nested

    def construct_document(self, node: yaml.Node) -> Any:
        _AliasCounter().walk(node, in_alias=False, depth=0)
        return super().construct_document(node)

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        if not isinstance(node, yaml.MappingNode):  # e.g. !!set on a scalar
            return super().construct_mapping(node, deep=deep)  # raises, naming the node
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, (str, int, float, bool)):
                continue  # an unhashable key: SafeLoader rejects it itself
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f'key "{key}" already set in map', key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)

    def construct_checked(self, node: yaml.ScalarNode, tag: str) -> Any:
        """A scalar with an explicit !!int, !!float, !!bool or !!timestamp tag, or its error."""
        base = {
            "int": yaml.SafeLoader.construct_yaml_int,
            "float": yaml.SafeLoader.construct_yaml_float,
            "bool": yaml.SafeLoader.construct_yaml_bool,
            "timestamp": yaml.SafeLoader.construct_yaml_timestamp,
        }[tag]
        try:
            value = base(self, node)
        except (ValueError, KeyError, IndexError, AttributeError, OverflowError):
            raise _cannot_decode(node, tag) from None
        return go_time_text(value) if tag == "timestamp" else value

    def construct_binary_text(self, node: yaml.ScalarNode) -> str:
        """!!binary as the text its bytes spell (Go's JSON writes invalid UTF-8 as U+FFFD)."""
        return self.construct_yaml_binary(node).decode("utf-8", "replace")


for _tag in ("int", "float", "bool", "timestamp"):
    ManifestLoader.add_constructor(
        f"tag:yaml.org,2002:{_tag}",
        lambda loader, node, tag=_tag: loader.construct_checked(node, tag),
    )
ManifestLoader.add_constructor("tag:yaml.org,2002:binary", ManifestLoader.construct_binary_text)
# A !!set is a mapping whose values are null: kept as that mapping, in the order written.
ManifestLoader.add_constructor("tag:yaml.org,2002:set", yaml.SafeLoader.construct_yaml_map)
# Timestamps without a tag stay text (creationTimestamp is text in the API).
ManifestLoader.yaml_implicit_resolvers = {
    first: [(tag, regex) for tag, regex in resolvers if tag != _TIMESTAMP_TAG]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_all(text: str) -> Iterator[Any]:
    """Every document in text, read by ManifestLoader; raises yaml.YAMLError for bad ones."""
    loader = ManifestLoader(text)
    try:
        while loader.check_data():
            yield loader.get_data()
    finally:
        loader.dispose()
