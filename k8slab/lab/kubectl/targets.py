"""The objects a writing verb acts on: `pod web-1 web-2` or `deployment/web`, read as kubectl's
resource builder reads them, and the names kubectl prints for them.

Kinds and their spellings come from k8slab.api.kinds (the API server's discovery, in a real
cluster): `deploy`, `deployments`, `deployment.apps`, `rs`, `po`...
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from k8slab.api.kinds import Kind, resource_info
from k8slab.errors import BadRequestError, K8sLabError

NO_RESOURCES = ("error: You must provide one or more resources by argument or filename.\n"
                "Example resource specifications include:\n   '<resource> <name>'\n"
                "   '<resource>/<name>'")


@dataclass(frozen=True)
class Target:
    """One object a verb acts on: its kind, name, and namespace (None when cluster-scoped)."""

    info: Kind
    name: str
    namespace: str | None

    @property
    def kind_string(self) -> str:
        """`pod`, `deployment.apps`: lowercase kind and group, as kubectl's printers write it."""
        group = self.info.group
        return f"{self.info.kind.lower()}.{group}" if group else self.info.kind.lower()

    @property
    def object_name(self) -> str:
        """`pod/web-1`, `deployment.apps/web`: what `-o name` and the verbs' lines print."""
        return f"{self.kind_string}/{self.name}"

    @property
    def resource_string(self) -> str:
        """`pods`, `deployments.apps`: the group-qualified resource, as in errors."""
        group = self.info.group
        return f"{self.info.resource}.{group}" if group else self.info.resource

    @property
    def not_found(self) -> str:
        """The API server's NotFound answer as kubectl shows it."""
        return f'Error from server (NotFound): {self.resource_string} "{self.name}" not found'


def kind_of(word: str, usage: str, custom: Sequence[Kind] = ()) -> Kind:
    """The Kind a word names (`po`, `deploy`, `deployment.apps`, or one of the cluster's
    `custom` kinds: `webapp`); kubectl's error otherwise."""
    try:
        return resource_info(word, custom)
    except K8sLabError:
        raise BadRequestError(
            f'error: the server doesn\'t have a resource type "{word}"\n{usage}') from None


def parse_targets(args: Sequence[str], namespace: str, usage: str,
                  custom: Sequence[Kind] = ()) -> list[Target]:
    """`pods a b` or `pod/a deployment/b` -> one Target each; kubectl's errors for other forms.

    Raises with NO_RESOURCES when `args` is empty.
    """
    if not args:
        raise BadRequestError(f"{NO_RESOURCES}\n{usage}")
    if "/" not in args[0]:
        if any("/" in arg for arg in args[1:]):
            raise BadRequestError(
                "error: there is no need to specify a resource type as a separate argument when "
                "passing arguments in resource/name form (e.g. "
                "'kubectl get resource/<resource_name>' instead of "
                "'kubectl get resource resource/<resource_name>'")
        info = kind_of(args[0], usage, custom)
        if len(args) == 1:
            raise BadRequestError(
                f"error: resource(s) were provided, but no name was specified\n{usage}")
        pairs = [(info, name) for name in args[1:]]
    else:
        split = [arg.partition("/") for arg in args]
        if any(not word or not slash or not name or "/" in name for word, slash, name in split):
            raise BadRequestError(
                "error: arguments in resource/name form must have a single resource and name")
        pairs = [(kind_of(word, usage, custom), name) for word, _, name in split]
    return [Target(info, name, namespace if info.namespaced else None) for info, name in pairs]
