"""The controllers inside kube-apiserver that bring a new CRD into service (and, through
crd_finalizer, take a deleted one out).

apiextensions-apiserver pkg/controller/status/naming_controller.go: checks the requested names
against the names the group's other CRDs have accepted and writes status.acceptedNames with the
NamesAccepted condition (NoConflicts, or PluralConflict... with `"<name>" is already in use`),
Established False (Installing) once the names are accepted; pkg/controller/establish then sets
Established True (InitialNamesAccepted), after which the API server serves the resource.
Simplified: upstream waits 5 s before establishing when several API servers run; here every API
server runs both controllers and establishes at once (a Conflict between them just retries).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Generator

from k8slab.api.timestamps import to_time
from k8slab.apiserver.crd_finalizer import clean_up, cleaning
from k8slab.apiserver.crd_registry import CustomResourceRegistry, condition_true
from k8slab.errors import APIError, ConflictError, NotFoundError

RETRY_SECONDS = 1.0
ACCEPTED = "the initial names have been accepted"
# naming_controller.go: which requested name is checked, and the reason when it is taken.
_NAME_CHECKS = (("plural", "PluralConflict"), ("singular", "SingularConflict"),
                ("shortNames", "ShortNamesConflict"), ("kind", "KindConflict"),
                ("listKind", "ListKindConflict"))


def _used_names(crd: dict, definitions: dict[str, dict]) -> dict[str, set[str]]:
    """The names the other CRDs of the same group have accepted, by field."""
    used: dict[str, set[str]] = {"plural": set(), "singular": set(), "shortNames": set(),
                                 "kind": set(), "listKind": set()}
    for name, other in sorted(definitions.items()):
        if name == crd["metadata"]["name"] or other["spec"]["group"] != crd["spec"]["group"]:
            continue
        accepted = (other.get("status") or {}).get("acceptedNames") or {}
        for field in ("plural", "singular", "kind", "listKind"):
            if accepted.get(field):
                used[field].add(accepted[field])
        used["shortNames"].update(accepted.get("shortNames") or [])
    return used


def desired_status(crd: dict, definitions: dict[str, dict]) -> tuple[dict, dict, dict]:
    """(acceptedNames, NamesAccepted, Established) as the naming and establishing controllers
    would write them now; the conditions without lastTransitionTime."""
    requested = crd["spec"]["names"]
    status = crd.get("status") or {}
    used = _used_names(crd, definitions)
    accepted = requested
    names_accepted = {"type": "NamesAccepted", "status": "True", "reason": "NoConflicts",
                      "message": "no conflicts found"}
    for field, reason in _NAME_CHECKS:
        wanted = requested.get(field) or ([] if field == "shortNames" else "")
        for value in (wanted if isinstance(wanted, list) else [wanted]):
            if value and value in used[field]:
                accepted = status.get("acceptedNames") or {}
                names_accepted = {"type": "NamesAccepted", "status": "False", "reason": reason,
                                  "message": f'"{value}" is already in use'}
                break
        if names_accepted["status"] == "False":
            break
    established = {"type": "Established", "status": "False", "reason": "NotAccepted",
                   "message": "not all names are accepted"}
    if condition_true(crd, "Established"):
        established = {"type": "Established", "status": "True",
                       "reason": "InitialNamesAccepted", "message": ACCEPTED}
    elif condition_true(crd, "NamesAccepted") and names_accepted["status"] == "True":
        established = {"type": "Established", "status": "True",
                       "reason": "InitialNamesAccepted", "message": ACCEPTED}
    elif names_accepted["status"] == "True":
        established = {"type": "Established", "status": "False", "reason": "Installing",
                       "message": ACCEPTED}
    return copy.deepcopy(accepted), names_accepted, established


class CRDStatusControllers:
    """The naming and establishing controllers of one API server, woken by its registry."""

    def __init__(self, registry: CustomResourceRegistry, serve: Callable[[dict], Generator],
                 env, now: Callable[[], float]) -> None:
        self.registry = registry
        self.serve = serve
        self.env = env
        self.now = now
        self._pending: list[str] = []
        self._wake = env.event()
        registry.on_change.append(self._queue)

    def _queue(self, name: str) -> None:
        if name not in self._pending:
            self._pending.append(name)
        if not self._wake.triggered:
            self._wake.succeed()

    def run(self) -> Generator:
        """Sync each CRD that changed; a failed write is tried again a second later."""
        while True:
            if not self._pending:
                yield self._wake
                self._wake = self.env.event()
                continue
            name = self._pending.pop(0)
            try:
                yield from self._sync(name)
            except ConflictError:
                self._queue(name)
            except NotFoundError:
                pass
            except APIError:
                yield self.env.timeout(RETRY_SECONDS)
                self._queue(name)

    def _sync(self, name: str) -> Generator:
        crd = self.registry.definitions.get(name)
        if crd is not None and cleaning(crd):  # the CRD finalizer's turn
            if not (yield from clean_up(crd, self.serve, self.now())):
                self.env.timeout(RETRY_SECONDS).callbacks.append(lambda _e: self._queue(name))
            return
        if crd is None or (crd.get("metadata") or {}).get("deletionTimestamp"):
            return
        accepted, names_accepted, established = desired_status(crd, self.registry.definitions)
        status = copy.deepcopy(crd.get("status") or {})
        conditions = status.get("conditions") or []
        changed = status.get("acceptedNames") != accepted
        for wanted in (names_accepted, established):
            old = next((c for c in conditions if c.get("type") == wanted["type"]), None)
            if old is not None and all(old.get(k) == v for k, v in wanted.items()):
                continue
            changed = True
            conditions = [c for c in conditions if c.get("type") != wanted["type"]]
            conditions.append(dict(wanted, lastTransitionTime=to_time(self.now())))
        if not changed:
            return
        status.update(acceptedNames=accepted, conditions=conditions)
        body = dict(copy.deepcopy(crd), status=status)
        yield from self.serve({"verb": "update_status", "resource": "customresourcedefinitions",
                               "body": body})
