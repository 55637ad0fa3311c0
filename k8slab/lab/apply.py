"""`kubectl apply -f` and `kubectl create -f` of several documents, done as kubectl does them.

kubectl reads, maps and validates every document before it sends anything, so a document it
cannot read (bad YAML, an unknown kind, a field of the wrong type) refuses the whole input and
nothing changes. Then it sends the documents one at a time, in order, and keeps going when the
server refuses one: each success prints a line (`pod/a created`, `pod/b unchanged`), each
refusal an error (`Error from server (AlreadyExists): error when creating "STDIN": pods "a"
already exists`), and the command fails at the end if any was refused — the others stay
applied (kubectl's apply.go and create.go: ContinueOnError, errors aggregated at the end).
"""

from __future__ import annotations

import pathlib
from collections.abc import Callable, Generator

from k8slab.api.kinds import Kind, kind_info
from k8slab.client.rest import Client
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


def send_each(docs: list[dict], send: Send, source: str, *, create_only: bool) -> list[str]:
    """Send every document in order through `send`; kubectl's lines, or ApplyError at the end."""
    results: list[str] = []
    failed: list[int] = []
    steps = _create_one if create_only else _apply_one
    for number, doc in enumerate(docs, 1):
        try:
            results.append(send(lambda client, d=doc: steps(client, d, source)))
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


def _create_one(client: Client, doc: dict, source: str) -> Generator:
    try:
        created = yield from client.create(doc)
    except K8sLabError as error:
        raise _in_context(error, "creating", source) from None
    info = kind_info(doc["kind"], doc["apiVersion"])
    return f"{_kind_string(info)}/{created['metadata']['name']} created"


def _apply_one(client: Client, doc: dict, source: str) -> Generator:
    info = kind_info(doc["kind"], doc["apiVersion"])
    meta = doc["metadata"]
    ref = f"{_kind_string(info)}/{meta['name']}"
    try:
        yield from client.create(doc)
        return f"{ref} created"
    except AlreadyExistsError:
        pass
    except K8sLabError as error:
        raise _in_context(error, "creating", source) from None
    try:
        current = yield from client.get(info.resource, meta["name"], meta.get("namespace"))
    except K8sLabError as error:
        raise _in_context(error, "retrieving current configuration of", source) from None
    if _same(current, doc):
        return f"{ref} unchanged"
    body = dict(doc, metadata=dict(meta, resourceVersion=current["metadata"]["resourceVersion"]))
    try:
        yield from client.update(body)
    except K8sLabError as error:
        # Simplified: kubectl sends a patch and prints it and the object in this error.
        raise _in_context(error, "applying patch to", source) from None
    return f"{ref} configured"


def _kind_string(info: Kind) -> str:
    """`pod`, `deployment.apps`: the lowercase kind and its group, as kubectl's name printer
    writes an object (`deployment.apps/web created`)."""
    return f"{info.singular}.{info.group}" if info.group else info.singular


def _same(current: dict, doc: dict) -> bool:
    for field in ("spec", "data"):
        if field in doc:
            wanted = dict(doc[field])
            have = {k: v for k, v in current.get(field, {}).items() if k in wanted}
            if have != wanted:
                return False
    meta, have = doc["metadata"], current["metadata"]
    return all(meta.get(k, {}) == have.get(k, {}) for k in ("labels", "annotations"))
