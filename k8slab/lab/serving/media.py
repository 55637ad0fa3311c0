"""Accept negotiation: which of the answers a client lists the server gives.

kubectl get asks `application/json;as=Table;v=v1;g=meta.k8s.io, application/json;as=Table;
v=v1beta1;g=meta.k8s.io, application/json`: the first one the server can produce wins
(apimachinery runtime/serializer negotiation, endpoints/handlers/negotiation). k8slab serves
JSON, YAML, and Tables (meta.k8s.io v1 and v1beta1) where it has the table builder; protobuf
and CBOR are not modelled, so a client that also accepts JSON gets JSON.
"""

from __future__ import annotations

from dataclasses import dataclass

import yaml

from k8slab.lab.serving.http_types import HttpResponse
from k8slab.lab.serving.media_types import parse_accept
from k8slab.lab.serving.status import encode

JSON_TYPE, YAML_TYPE = "application/json", "application/yaml"
_TABLE_VERSIONS = ("v1", "v1beta1")


@dataclass(frozen=True)
class Negotiated:
    """The chosen answer: a Table (of meta.k8s.io `table_version`) or the object itself, as
    JSON or YAML."""

    media_type: str = JSON_TYPE
    table_version: str = ""

    @property
    def table(self) -> bool:
        """True when the client gets a Table."""
        return bool(self.table_version)

    @property
    def content_type(self) -> str:
        """The Content-Type header of the answer."""
        if self.table:
            return f"{self.media_type};as=Table;v={self.table_version};g=meta.k8s.io"
        return self.media_type

    def response(self, code: int, body: object) -> HttpResponse:
        """An answer carrying `body` in the chosen media type (a Table's apiVersion set to
        the version asked for)."""
        if self.table and isinstance(body, dict):
            body = {**body, "apiVersion": f"meta.k8s.io/{self.table_version}"}
        if self.media_type == YAML_TYPE:
            text = yaml.safe_dump(body, sort_keys=False, default_flow_style=False)
            return HttpResponse(code, self.content_type, text.encode())
        return HttpResponse(code, self.content_type, encode(body))


def negotiate(accept: str, *, table: bool) -> Negotiated | None:
    """The first range of `accept` the server can answer (`table`: Tables can be built), or
    None when it can answer none (a 406). No Accept header means JSON."""
    if not accept.strip():
        return Negotiated()
    for found in parse_accept(accept):
        media_type, params = found.type, found.params
        as_kind = params.get("as", "")
        if media_type in ("*/*", "application/*"):
            media_type = JSON_TYPE
        if media_type not in (JSON_TYPE, YAML_TYPE):
            continue
        if not as_kind:
            return Negotiated(media_type)
        if (table and as_kind == "Table" and params.get("g") == "meta.k8s.io"
                and params.get("v") in _TABLE_VERSIONS):
            return Negotiated(media_type, params["v"])
    return None
