"""metadata.managedFields: which manager set which field, kept by the API server on every write.

Upstream's field manager (apimachinery pkg/util/managedfields/internal): an entry per manager,
operation (Update or Apply), apiVersion and subresource, each with the set of fields it owns
(FieldsV1) and the time it last changed one. A create gives its manager every field it set; an
update gives its manager the fields it changed and takes them from everyone else; a field that
is removed leaves every set. The manager is the request's fieldManager or, without one, the
User-Agent up to its first "/" (request_info.manager_name).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace

from k8slab.api.go_values import go_quote
from k8slab.api.kinds import Kind
from k8slab.api.schema import KIND_SCHEMAS
from k8slab.api.schema.types import Struct
from k8slab.apiserver import field_set as fs
from k8slab.apiserver.field_set_of import compare
from k8slab.apiserver.request_info import FIELD_MANAGER_MAX_LENGTH
from k8slab.apiserver.strategy import NO_STATUS_KINDS
from k8slab.errors import InvalidError

UPDATE = "Update"
APPLY = "Apply"
FIELDS_V1 = "FieldsV1"
# internal/fieldmanager.go DefaultMaxUpdateManagers; capmanagers.go's bucket for the oldest.
MAX_UPDATE_MANAGERS = 10
ANCIENT_CHANGES = "ancient-changes"

# internal/stripmeta.go: fields no manager ever owns (removed exactly, not their children).
STRIPPED = fs.from_paths(
    "apiVersion", "kind", "metadata", "metadata.name", "metadata.namespace",
    "metadata.creationTimestamp", "metadata.selfLink", "metadata.uid", "metadata.clusterName",
    "metadata.generation", "metadata.managedFields", "metadata.resourceVersion")
# The fields a write through one endpoint never takes, as the strategies' GetResetFields say:
# the main resource resets status, the status subresource resets spec.
_RESET_ON_MAIN = fs.from_paths("status")
_RESET_ON_STATUS = fs.from_paths("spec")


@dataclass(frozen=True)
class Entry:
    """One managedFields entry, decoded: who, how, at which version, since when, and what."""

    manager: str
    operation: str
    api_version: str
    time: str
    fields: fs.FieldSet
    subresource: str = ""
    # The stored entry it was decoded from: written back as it was while nothing changed.
    stored: dict | None = field(default=None, compare=False, repr=False)

    @property
    def key(self) -> tuple[str, str, str, str]:
        """What entries merge by: manager, operation, apiVersion (for an updater only, as
        BuildManagerIdentifier leaves it out for appliers), subresource."""
        return (self.manager, self.operation,
                self.api_version if self.operation == UPDATE else "", self.subresource)

    @property
    def identifier(self) -> str:
        """BuildManagerIdentifier: the entry's JSON without time and fields (and, for an
        applier, without apiVersion), so that entries merge per (manager, operation,
        apiVersion, subresource)."""
        data: dict = {}
        if self.manager:
            data["manager"] = self.manager
        data["operation"] = self.operation
        if self.operation == UPDATE and self.api_version:
            data["apiVersion"] = self.api_version
        if self.subresource:
            data["subresource"] = self.subresource
        return json.dumps(data, separators=(",", ":"))

    def encoded(self) -> dict:
        """The entry as metadata.managedFields stores it (Go's field order, empty omitted)."""
        if (self.stored is not None and self.stored.get("fieldsV1") is self.fields
                and self.stored.get("time", "") == self.time):
            return self.stored
        out: dict = {"manager": self.manager} if self.manager else {}
        out.update(operation=self.operation, apiVersion=self.api_version)
        if self.time:
            out["time"] = self.time
        out.update(fieldsType=FIELDS_V1, fieldsV1=fs.encode(self.fields))
        if self.subresource:
            out["subresource"] = self.subresource
        return out


def check_field_manager(field_manager: str, options: str, *, apply: bool = False) -> None:
    """ValidateFieldManager (apimachinery meta/v1/validation) on a request's fieldManager, in
    the 422 upstream answers: `<options>.meta.k8s.io "" is invalid: fieldManager: ...`
    (`options`: CreateOptions, UpdateOptions, PatchOptions). An apply must name one."""
    errors = []
    if apply and not field_manager:
        errors.append("fieldManager: Required value: is required for apply patch")
    if len(field_manager.encode()) > FIELD_MANAGER_MAX_LENGTH:
        errors.append(f"fieldManager: Too long: may not be more than "
                      f"{FIELD_MANAGER_MAX_LENGTH} bytes")
    position = 0
    for char in field_manager:
        if not char.isprintable():
            errors.append(f"fieldManager: Invalid value: {go_quote(field_manager)}: invalid "
                          f"character U+{ord(char):04X} (at position {position})")
        position += len(char.encode())
    if errors:
        joined = errors[0] if len(errors) == 1 else "[" + ", ".join(errors) + "]"
        raise InvalidError(f'{options}.meta.k8s.io "" is invalid: {joined}')


def decode(entries: object) -> list[Entry] | None:
    """DecodeManagedFields: the entries, or None when one is not a valid entry."""
    if not isinstance(entries, list):
        return None
    out = []
    for entry in entries:
        if (not isinstance(entry, dict) or entry.get("operation") not in (APPLY, UPDATE)
                or not entry.get("apiVersion") or entry.get("fieldsType") != FIELDS_V1
                or not isinstance(entry.get("fieldsV1", {}), dict)):
            return None
        out.append(Entry(str(entry.get("manager") or ""), entry["operation"],
                         str(entry["apiVersion"]), str(entry.get("time") or ""),
                         entry.get("fieldsV1") or {}, str(entry.get("subresource") or ""),
                         entry))
    return out


def encode(entries: list[Entry]) -> list[dict]:
    """The entries in sortEncodedManagedFields' order: Apply before Update, then by time,
    manager, apiVersion and subresource."""
    ordered = sorted(entries, key=lambda e: (e.operation, e.time, e.manager, e.api_version,
                                             e.subresource))
    return [entry.encoded() for entry in ordered]


def schema_of(kind: Kind) -> Struct | None:
    """The kind's typed description, None for a kind the lab does not describe (custom)."""
    return KIND_SCHEMAS.get(kind.qualified_kind)


def reset_fields(kind: Kind, subresource: str, status_subresource: bool | None = None
                 ) -> fs.FieldSet:
    """The fields a write through this endpoint never owns (its strategy resets them);
    `status_subresource` says whether the kind has one (default: a built-in kind's rule)."""
    if subresource == "status":
        return _RESET_ON_STATUS
    if status_subresource is None:
        status_subresource = kind.qualified_kind not in NO_STATUS_KINDS
    return _RESET_ON_MAIN if status_subresource else {}


def live_or_requested(live: dict | None, new: dict, subresource: str) -> list[Entry]:
    """decodeLiveOrNew: a main-resource write may set managedFields itself (an empty list
    resets them); otherwise, or when they do not decode, the stored object's are kept."""
    requested = new.get("metadata", {}).get("managedFields")
    if not subresource and requested is not None:
        if requested == [] or requested == [{}]:
            return []
        entries = decode(requested)
        if entries:  # a client's entries are written back re-encoded, as upstream does
            return [replace(entry, stored=None) for entry in entries]
    stored = (live or {}).get("metadata", {}).get("managedFields") or []
    return decode(stored) or []


def record_update(kind: Kind, live: dict | None, new: dict, manager: str, now: str,
                  subresource: str = "", *, status_subresource: bool | None = None) -> None:
    """Set `new`'s managedFields for a create (`live` None) or an update by `manager` at `now`
    (RFC 3339): it takes the fields it added or changed; removed fields leave every set.
    `new`'s metadata is replaced by a copy, so a metadata dict it shares stays as it was."""
    entries = live_or_requested(live, new, subresource)
    new["metadata"] = {k: v for k, v in new["metadata"].items() if k != "managedFields"}
    reset = reset_fields(kind, subresource, status_subresource)
    # What the endpoint resets is neither compared nor owned: leave those parts out at once.
    skipped = [name[2:] for name, node in reset.items() if fs.is_member(node)]
    after = {k: v for k, v in new.items() if k not in skipped}
    before = None
    if live is not None:
        before = {k: v for k, v in live.items() if k not in skipped}
        before["metadata"] = {k: v for k, v in live["metadata"].items()
                              if k != "managedFields"}
    changes = compare(before, after, schema_of(kind))
    taken = fs.union(changes.modified, changes.added)
    entries = [replace(e, fields=fs.difference(fs.difference(e.fields, taken),
                                               changes.removed)) for e in entries]
    taken = fs.difference(taken, STRIPPED)
    ours = Entry(manager, UPDATE, kind.api_version, now, taken, subresource)
    merged = []
    for entry in entries:
        if entry.key == ours.key:
            # The manager's earlier fields stay its own; its time moves only if it took some.
            ours = replace(entry, fields=fs.union(taken, entry.fields),
                           time=now if taken else entry.time)
        elif entry.fields:
            merged.append(entry)
    if ours.fields:
        merged.append(ours)
    if merged:
        new["metadata"]["managedFields"] = encode(cap_update_managers(merged))


def cap_update_managers(entries: list[Entry]) -> list[Entry]:
    """capManagersManager: past ten Update entries, the oldest are merged, per apiVersion, into
    an `ancient-changes` entry that keeps the newest merged time."""
    if sum(e.operation == UPDATE for e in entries) <= MAX_UPDATE_MANAGERS:
        return entries
    updaters = sorted((e for e in entries if e.operation == UPDATE),
                      key=lambda e: (e.time, e.identifier))
    kept = [e for e in entries if e.operation != UPDATE]
    count = len(updaters)
    first: dict[str, Entry] = {}
    buckets: dict[str, Entry] = {}
    survivors = []
    for entry in updaters:
        if count <= MAX_UPDATE_MANAGERS:
            survivors.append(entry)
            continue
        version = entry.api_version
        if version not in first:
            first[version] = entry
            continue
        bucket = buckets.get(version) or replace(first[version], manager=ANCIENT_CHANGES,
                                                  subresource="", stored=None)
        buckets[version] = replace(bucket, fields=fs.union(entry.fields, bucket.fields),
                                   time=entry.time)
        count -= 1
    for version, entry in first.items():
        survivors.append(buckets.get(version, entry))
    # A bucket from an earlier cap and a new one are one entry (one manager identifier).
    by_key: dict[tuple, Entry] = {}
    for entry in survivors:
        same = by_key.get(entry.key)
        by_key[entry.key] = entry if same is None else replace(
            same, fields=fs.union(same.fields, entry.fields), time=max(same.time, entry.time),
            stored=None)
    return kept + list(by_key.values())
