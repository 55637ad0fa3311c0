"""One trace of everything that happened: a list of records that plots, explanations and tests read.

Every record carries the simulated time, the host and component that acted, what kind of event it
was, the object it concerned (`pod/default/web-1`, `/registry/pods/default/web-1`...) and details.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Record:
    """One event: at `time`, `component` on `host` did `kind` to `obj`.

    `details` are short values, shown in tables; `data` is the event as a Python object when a
    reader needs more than that (the scheduler's Decision), never shown in tables.
    """

    seq: int
    time: float
    host: str
    component: str
    kind: str
    obj: str
    details: dict = field(default_factory=dict)
    data: Any = field(default=None, compare=False, repr=False)

    def row(self) -> dict:
        """The record as a flat dict, ready for a table."""
        return {
            "time": round(self.time, 6),
            "host": self.host,
            "component": self.component,
            "kind": self.kind,
            "object": self.obj,
            **self.details,
        }


class Trace:
    """An append-only list of records, indexed by object and by component."""

    def __init__(self) -> None:
        self._records: list[Record] = []
        self._by_obj: dict[str, list[Record]] = {}
        self._by_component: dict[str, list[Record]] = {}

    def record(
        self,
        time: float,
        host: str,
        component: str,
        kind: str,
        obj: str = "",
        *,
        data: Any = None,
        **details,
    ) -> Record:
        """Append one record and return it."""
        rec = Record(len(self._records), time, host, component, kind, obj, details, data)
        self._records.append(rec)
        self._by_obj.setdefault(obj, []).append(rec)
        self._by_component.setdefault(component, []).append(rec)
        return rec

    def __len__(self) -> int:
        return len(self._records)

    def __iter__(self) -> Iterator[Record]:
        return iter(self._records)

    def __getitem__(self, index: int) -> Record:
        return self._records[index]

    def about(self, *objs: str) -> list[Record]:
        """Records concerning any of `objs`, in the order they happened."""
        if len(objs) == 1:
            return list(self._by_obj.get(objs[0], []))
        merged = [rec for obj in objs for rec in self._by_obj.get(obj, [])]
        return sorted(merged, key=lambda rec: rec.seq)

    def by_component(self, component: str) -> list[Record]:
        """Records made by one component (`apiserver`, `etcd`, `kubelet`...), in order."""
        return list(self._by_component.get(component, []))

    def where(self, **fields) -> list[Record]:
        """Records whose attributes equal every given value, e.g. `where(host="worker-1")`."""
        return [
            rec for rec in self._records if all(getattr(rec, k) == v for k, v in fields.items())
        ]

    def since(self, seq: int) -> list[Record]:
        """Records appended after sequence number `seq` (exclusive)."""
        return self._records[seq + 1 :]

    def components(self) -> list[str]:
        """Names of the components that have recorded something, in order of first appearance."""
        return list(self._by_component)
