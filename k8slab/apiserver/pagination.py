"""Paging a list: `limit` items at a time, and the continue token that resumes after the last.

The token is upstream's (apiserver pkg/storage/continue.go): base64url, unpadded, of the JSON
{"v": "meta.k8s.io/v1", "rv": <the list's revision>, "start": <the key to resume from, relative
to the list's key prefix>}. Every page is read at the token's revision, so a paged list is one
consistent list; a token whose revision has been compacted away is 410 Gone.
"""

from __future__ import annotations

import base64
import binascii
import json
import posixpath
from dataclasses import dataclass

from k8slab.errors import BadRequestError, GoneError

TOKEN_VERSION = "meta.k8s.io/v1"
# A token made for an inconsistent continuation (after a 410) reads the latest revision.
LATEST = -1


@dataclass(frozen=True)
class Continuation:
    """Where a continue token resumes: at key `start` (absolute), reading revision `rv`."""

    start: str
    rv: int


def encode_continue(key: str, key_prefix: str, rv: int) -> str:
    """The token that resumes a list under `key_prefix` at `key`, read at revision `rv`."""
    token = {"v": TOKEN_VERSION, "rv": rv, "start": "/" + key.removeprefix(key_prefix)}
    data = json.dumps(token, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def decode_continue(token: str, key_prefix: str) -> Continuation:
    """Where `token` resumes a list under `key_prefix`, or a 400 naming what is wrong with it
    (storage.DecodeContinue's words, wrapped as etcd3's store wraps them)."""
    try:
        data = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        fields = json.loads(data)
    except (binascii.Error, ValueError) as error:
        raise _invalid(str(error)) from None
    if not isinstance(fields, dict) or fields.get("v") != TOKEN_VERSION:
        version = fields.get("v", "") if isinstance(fields, dict) else ""
        raise _invalid(f'server does not recognize this encoded version "{version}"')
    rv, start = fields.get("rv"), fields.get("start")
    if not isinstance(rv, int) or rv == 0:
        raise _invalid(f"incorrect encoded start resourceVersion (version {TOKEN_VERSION})")
    if not isinstance(start, str) or not start:
        raise _invalid(f"encoded start key empty (version {TOKEN_VERSION})")
    # path.Clean keeps a client's key from climbing out of the list's prefix ("/../secrets").
    if posixpath.normpath(start) != start or not start.startswith("/"):
        raise _invalid(start)
    return Continuation(key_prefix + start[1:], rv)


class ExpiredContinueError(GoneError):
    """410: the token's revision is compacted. The answer carries a fresh token that goes on
    at the latest revision, for a client that accepts an inconsistent list."""

    def __init__(self, message: str, continue_token: str) -> None:
        super().__init__(message)
        self.continue_token = continue_token

    def to_status(self) -> dict:
        """The Status, with the fresh token in its list metadata."""
        return dict(super().to_status(), metadata={"continue": self.continue_token})


def _invalid(why: str) -> BadRequestError:
    return BadRequestError(f"invalid continue token: continue key is not valid: {why}")


@dataclass(frozen=True)
class Page:
    """One page of a list: its (key, object) pairs, the token for the next (or ""), and how
    many items are left after it (None when selectors make that unknown, as upstream leaves it
    unset)."""

    items: list[tuple[str, dict]]
    continue_token: str
    remaining: int | None


def page(selected: list[tuple[str, dict]], key_prefix: str, rv: int, limit: int,
         counted: bool) -> Page:
    """The first `limit` of `selected` (key, object) pairs, sorted by key (0: all); the next
    page starts just after the last key ("\\x00" appended, as upstream's store does)."""
    if not limit or len(selected) <= limit:
        return Page(selected, "", None)
    shown = selected[:limit]
    token = encode_continue(shown[-1][0] + "\x00", key_prefix, rv)
    return Page(shown, token, len(selected) - limit if counted else None)
