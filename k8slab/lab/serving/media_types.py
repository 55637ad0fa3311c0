"""Reading an HTTP `Accept` header the way the API server negotiates what it answers with.

A client lists media types in its order of preference, each with parameters: kubectl asks for
aggregated discovery as `application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList`
and for tables as `application/json;as=Table;v=v1;g=meta.k8s.io`, each followed by plain JSON as
a fallback. The server answers with the first it can produce (highest `q` first, then the
client's order), or 406 NotAcceptable (apimachinery pkg/api/errors NewNotAcceptableError).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from k8slab.errors import APIError

JSON = "application/json"
# What `application/json` also matches as a client writes it in a range.
_JSON_RANGES = (JSON, "application/*", "*/*")


class NotAcceptableError(APIError):
    """406: nothing the client accepts is something this endpoint can produce."""

    code = 406
    reason = "NotAcceptable"


@dataclass(frozen=True)
class MediaRange:
    """One entry of an Accept header: `application/json` and its parameters (`as`, `g`, `v`)."""

    type: str
    params: dict[str, str] = field(default_factory=dict)
    q: float = 1.0

    @property
    def json(self) -> bool:
        """True when plain JSON satisfies this range's type (`application/json`, `*/*`)."""
        return self.type in _JSON_RANGES

    def names(self, kind: str, group: str, version: str) -> bool:
        """True when the range asks for JSON converted to `kind` of `group`/`version`."""
        return (self.json and self.params.get("as") == kind and self.params.get("g") == group
                and self.params.get("v") == version)

    @property
    def plain(self) -> bool:
        """True for a JSON range that asks for no conversion (no `as` parameter)."""
        return self.json and "as" not in self.params


def parse_accept(header: str) -> list[MediaRange]:
    """The ranges of an Accept header, most preferred first (by `q`, then the client's order).

    An empty header means anything (`*/*`), as HTTP says. A range whose `q` is not a number
    is kept with q=1, as Go's lenient parser does; `q=0` means "not acceptable" and is dropped.
    """
    if not isinstance(header, str):
        raise NotAcceptableError(f"an Accept header is text, got {header!r}")
    ranges = []
    for part in (header or "*/*").split(","):
        pieces = [piece.strip() for piece in part.split(";")]
        if not pieces[0]:
            continue
        params = {}
        for piece in pieces[1:]:
            name, _, value = piece.partition("=")
            if name:
                params[name.strip().lower()] = value.strip().strip('"')
        q = _quality(params.pop("q", "1"))
        if q > 0:
            ranges.append(MediaRange(pieces[0].lower(), params, q))
    return sorted(ranges, key=lambda r: -r.q)


def _quality(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return 1.0
