"""`kubectl apply -f` and `kubectl create -f` of several documents, done as kubectl does them.

kubectl reads, maps and validates every document before it sends anything, so a document it
cannot read (bad YAML, an unknown kind, a field of the wrong type) refuses the whole input and
nothing changes. Then it sends the documents one at a time, in order, and keeps going when the
server refuses one: each success prints a line (`pod/a created`, `pod/b unchanged`, after any
`Warning: ...` lines the server sent with it, such as PodSecurity's), each
refusal an error (`Error from server (AlreadyExists): error when creating "STDIN": pods "a"
already exists`), and the command fails at the end if any was refused — the others stay
applied (kubectl's apply.go and create.go: ContinueOnError, errors aggregated at the end).
"""

from __future__ import annotations

import pathlib
from collections.abc import Callable, Generator, Sequence

from k8slab.api.kinds import Kind, kind_info
from k8slab.client.rest import Client, resource_of
from k8slab.errors import AlreadyExistsError, APIError, K8sLabError, UnauthorizedError

Send = Callable[[Callable[[Client], Generator]], str]


class ApplyError(K8sLabError):
    """The server refused some documents; the ones before and after them were still applied.

    `results` holds kubectl's line for every document in order, success or error, and
    `failed` the 1-based numbers of the refused documents.
    """

    def __init__(self, message: str, results: list[str], failed: list[int]) -> None:
        super().__init__(message)
        self.results = results
        self.failed = failed


def source_name(manifest: object) -> str:
    """How kubectl names the input in its errors: the file's path, or STDIN for text."""
    if isinstance(manifest, pathlib.Path):
        return str(manifest)
    if isinstance(manifest, str) and "\n" not in manifest and manifest.endswith(
            (".yaml", ".yml", ".json")):
        return manifest
    return "STDIN"


def send_each(docs: list[dict], send: Send, source: str, *, create_only: bool,
              custom: Sequence[Kind] = ()) -> list[str]:
    """Send every document in order through `send`; kubectl's lines, or ApplyError at the end.
    `custom` are the cluster's custom kinds, which some documents may be."""
    results: list[str] = []
    failed: list[int] = []
    steps = _create_one if create_only else _apply_one
    for number, doc in enumerate(docs, 1):
        try:
            results.append(send(lambda client, d=doc: steps(client, d, source, custom)))
        except K8sLabError as error:
            results.append(error_line(error))
            failed.append(number)
    if failed:
        errors = [results[n - 1] for n in failed]
        counted = f"{len(failed)} of {len(docs)} documents failed" if len(docs) > 1 else ""
        raise ApplyError("\n".join([*errors, *([counted] if counted else [])]), results, failed)
    return results


def error_line(error: K8sLabError) -> str:
    """What kubectl prints for a refused document: `Error from server (Reason): ...`."""
    if isinstance(error, UnauthorizedError):
        return unauthorized_line(error)
    if isinstance(error, APIError):
        reason = f" ({error.reason})" if error.reason else ""
        return f"Error from server{reason}: {error.message}"
    return f"error: {error.message}"


def unauthorized_line(error: UnauthorizedError) -> str:
    """What kubectl prints for a 401 (kubectl cmdutil.StandardErrorMessage)."""
    return f"error: You must be logged in to the server ({error.message})"


class _Refused(APIError):
    """A server error, reworded with what kubectl was doing to which input."""


def _in_context(error: K8sLabError, doing: str, source: str) -> K8sLabError:
    # cmdutil.AddSourceToErr: `error when creating "STDIN": <the server's message>`.
    if not isinstance(error, APIError):
        return error
    refused = _Refused(f'error when {doing} "{source}": {error.message}')
    refused.code, refused.reason = error.code, error.reason
    return refused


def _warned(client: Client, line: str) -> str:
    """kubectl's line after the warnings the server sent with its last answer, one
    `Warning: <text>` each (kubectl's warning handler writes them to stderr as they arrive)."""
    return "\n".join([*(f"Warning: {text}" for text in client.warnings), line])


# The field managers kubectl names its writes with (its --field-manager defaults), so the
# objects' managedFields say which command set a field.
CREATE_MANAGER = "kubectl-create"
CLIENT_SIDE_APPLY_MANAGER = "kubectl-client-side-apply"


def _send(client: Client, verb: str, doc: dict, manager: str) -> Generator:
    """POST or PUT `doc` (as Client.create and Client.update do) with kubectl's fieldManager."""
    where = {"namespace": doc["metadata"].get("namespace")} if verb == "create" else {}
    return (yield from client.request(verb, resource_of(doc), body=doc, field_manager=manager,
                                      **where))


def _create_one(client: Client, doc: dict, source: str, custom: Sequence[Kind]) -> Generator:
    try:
        created = yield from _send(client, "create", doc, CREATE_MANAGER)
    except K8sLabError as error:
        raise _in_context(error, "creating", source) from None
    info = kind_info(doc["kind"], doc["apiVersion"], custom)
    return _warned(client, f"{_kind_string(info)}/{created['metadata']['name']} created")


def _apply_one(client: Client, doc: dict, source: str, custom: Sequence[Kind]) -> Generator:
    info = kind_info(doc["kind"], doc["apiVersion"], custom)
    meta = doc["metadata"]
    ref = f"{_kind_string(info)}/{meta['name']}"
    try:
        yield from _send(client, "create", doc, CLIENT_SIDE_APPLY_MANAGER)
        return _warned(client, f"{ref} created")
    except AlreadyExistsError:
        pass
    except K8sLabError as error:
        raise _in_context(error, "creating", source) from None
    try:
        resource = info.resource if info not in custom else (
            f"{info.resource}.{info.api_version.rpartition('/')[2]}.{info.group}")
        current = yield from client.get(resource, meta["name"], meta.get("namespace"))
    except K8sLabError as error:
        raise _in_context(error, "retrieving current configuration of", source) from None
    if _same(current, doc):
        return f"{ref} unchanged"
    body = dict(doc, metadata=dict(meta, resourceVersion=current["metadata"]["resourceVersion"]))
    if info.kind == "Pod" and "spec" in doc:  # keep what admission added to the pod
        body["spec"] = _merged(current.get("spec", {}), doc["spec"])
    try:
        yield from _send(client, "update", body, CLIENT_SIDE_APPLY_MANAGER)
    except K8sLabError as error:
        # Simplified: kubectl sends a patch and prints it and the object in this error.
        raise _in_context(error, "applying patch to", source) from None
    return _warned(client, f"{ref} configured")


def _kind_string(info: Kind) -> str:
    """`pod`, `deployment.apps`: the lowercase kind and its group, as kubectl's name printer
    writes an object (`deployment.apps/web created`)."""
    return f"{info.singular}.{info.group}" if info.group else info.singular


def _covers(have: object, wanted: object) -> bool:
    """Whether `have` already holds everything `wanted` says: dicts key by key, lists item by
    item, so fields the server added (a pod's token volume and mounts) make no difference."""
    if isinstance(wanted, dict) and isinstance(have, dict):
        return all(key in have and _covers(have[key], value) for key, value in wanted.items())
    if isinstance(wanted, list) and isinstance(have, list):
        return len(have) == len(wanted) and all(map(_covers, have, wanted))
    return have == wanted


def _merged(current: object, doc: object) -> object:
    """A pod spec to PUT: the manifest's fields over the stored ones, keeping what admission
    added (its ServiceAccount, token volume and mounts). Simplified: kubectl sends a three-way
    strategic merge patch (last-applied, manifest, live); here lists of the same length merge
    item by item and other lists are replaced."""
    if isinstance(current, dict) and isinstance(doc, dict):
        return {**current, **{key: _merged(current.get(key), value)
                              for key, value in doc.items()}}
    if isinstance(current, list) and isinstance(doc, list) and len(current) == len(doc):
        return [_merged(have, wanted) for have, wanted in zip(current, doc, strict=True)]
    return doc


def _same(current: dict, doc: dict) -> bool:
    """True when applying `doc` would change nothing: every top-level field it sets (`spec`,
    `data`, but also a webhook configuration's `webhooks` or a Role's `rules`) is covered by
    the stored object's, and its labels and annotations are as stored."""
    for field in [f for f in doc if f not in ("apiVersion", "kind", "metadata", "status")]:
        if not _covers(current.get(field, {}), doc[field]):
            return False
    meta, have = doc["metadata"], current["metadata"]
    return all(meta.get(k, {}) == have.get(k, {}) for k in ("labels", "annotations"))
