"""Reading a `kubectl get` command line the way kubectl's flag parser (pflag) reads it.

`parse_command` turns the words into a `GetRequest`: which kind, which names, which namespace,
which output format; anything else is refused with kubectl's words.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from k8slab.errors import BadRequestError
from k8slab.lab.kubectl.flags import NAMESPACE, Flag, parse_flags, split_command
from k8slab.lab.kubectl.resources import BY_ALIAS, RESOURCE_TYPES, ResourceType

DEFAULT_NAMESPACE = "default"
USAGE = (
    f"this lab's kubectl supports: kubectl get <{'|'.join(r.plural for r in RESOURCE_TYPES)}> "
    "[NAME...] [-n NAMESPACE | -A] [-o wide|yaml|json|name] [--show-labels] "
    "[--show-managed-fields]"
)
OUTPUT_FORMATS = ("json", "name", "wide", "yaml")


@dataclass(frozen=True)
class GetRequest:
    """A parsed `kubectl get`: what to fetch and how to print it."""

    rtype: ResourceType
    names: tuple[str, ...]
    namespace: str
    all_namespaces: bool
    output: str
    show_labels: bool
    show_managed_fields: bool = False  # keep metadata.managedFields in -o yaml/json


_FLAGS = (
    NAMESPACE,
    Flag("output", short="o"),
    Flag("all-namespaces", "bool", short="A"),
    Flag("show-labels", "bool"),
    Flag("show-managed-fields", "bool"),
)


def parse_command(command: str, custom: Sequence[ResourceType] = ()) -> GetRequest:
    """Read a `kubectl get` command line the way kubectl's flag parser (pflag) reads it.
    `custom` are the custom kinds the cluster serves (kubectl's discovery)."""
    words = split_command(command)
    flags, args = parse_flags(words, _FLAGS, USAGE)
    if not args:
        raise BadRequestError(f"error: no command given\n{USAGE}")
    if args[0] != "get":
        raise BadRequestError(f'error: unknown command "{args[0]}" for "kubectl"\n{USAGE}')
    rtype, names = _resource_and_names(args[1:], custom)
    output = flags.get("output", "")
    if output not in ("", *OUTPUT_FORMATS):
        raise BadRequestError(
            f'error: unable to match a printer suitable for the output format "{output}", '
            f"allowed formats are: {','.join(OUTPUT_FORMATS)}"
        )
    all_namespaces = flags.get("all-namespaces", False)
    if names and all_namespaces and rtype.namespaced:
        raise BadRequestError("error: a resource cannot be retrieved by name across all namespaces")
    return GetRequest(
        rtype=rtype,
        names=names,
        namespace=flags.get("namespace") or DEFAULT_NAMESPACE,
        all_namespaces=all_namespaces,
        output=output,
        show_labels=flags.get("show-labels", False),
        show_managed_fields=flags.get("show-managed-fields", False),
    )


def _resource_and_names(args: list[str], custom: Sequence[ResourceType] = (),
                        ) -> tuple[ResourceType, tuple[str, ...]]:
    """`pods web-1 web-2` or `pod/web-1 pod/web-2` -> (the pods type, the names)."""
    if not args:
        raise BadRequestError(
            'You must specify the type of resource to get. Use "kubectl api-resources" for a '
            "complete list of supported resources.\n\n"
            f"error: Required resource not specified.\n{USAGE}"
        )
    if "/" not in args[0]:
        if any("/" in arg for arg in args[1:]):
            raise BadRequestError(
                "error: there is no need to specify a resource type as a separate argument when "
                "passing arguments in resource/name form (e.g. "
                "'kubectl get resource/<resource_name>' instead of "
                "'kubectl get resource resource/<resource_name>'"
            )
        return resource_type(args[0], custom), tuple(args[1:])
    pairs = [arg.partition("/") for arg in args]
    if any(not word or not slash or not name or "/" in name for word, slash, name in pairs):
        raise BadRequestError(
            "error: arguments in resource/name form must have a single resource and name"
        )
    rtypes = [resource_type(word, custom) for word, _, _ in pairs]
    if len({rtype.plural for rtype in rtypes}) > 1:
        raise BadRequestError(
            f"error: this lab's kubectl gets one resource type at a time\n{USAGE}"
        )
    return rtypes[0], tuple(name for _, _, name in pairs)


def resource_type(word: str, custom: Sequence[ResourceType] = ()) -> ResourceType:
    """The kind a word names (`po`, `pods`, `Pod`...); an unknown word is kubectl's error."""
    rtype = BY_ALIAS.get(word.lower()) or next(
        (r for r in custom if word.lower() in r.aliases), None)
    if rtype is None:
        raise BadRequestError(f'error: the server doesn\'t have a resource type "{word}"\n{USAGE}')
    return rtype
