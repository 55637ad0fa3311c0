"""The status conditions the namespace controller writes on a Terminating namespace
(kk pkg/controller/namespace/deletion/status_condition_utils.go), in upstream's words.

Every pass writes all five: a condition is "True" when its trouble holds (content remains,
finalizers remain, a delete failed) and "False" with upstream's all-clear reason otherwise.
Simplified: the lab's API server serves a fixed set of kinds, so discovery and group-version
parsing never fail and those two conditions are always False.
"""

from __future__ import annotations

# type -> (reason and message when all is well)
OK = {
    "NamespaceDeletionDiscoveryFailure": ("ResourcesDiscovered",
                                          "All resources successfully discovered"),
    "NamespaceDeletionGroupVersionParsingFailure": ("ParsedGroupVersions",
                                                    "All legacy kube types successfully parsed"),
    "NamespaceDeletionContentFailure": ("ContentDeleted",
                                        "All content successfully deleted, may be waiting on "
                                        "finalization"),
    "NamespaceContentRemaining": ("ContentRemoved", "All content successfully removed"),
    "NamespaceFinalizersRemaining": ("ContentHasNoFinalizers",
                                     "All content-preserving finalizers finished"),
}


def deletion_conditions(remaining: dict[str, int], finalizers: dict[str, int],
                        failures: list[str]) -> dict[str, tuple[str, str, str]]:
    """type -> (status, reason, message) for one pass: objects left per group-resource
    (`pods`, `deployments.apps`), objects per finalizer still set, and delete errors."""
    conditions = {kind: ("False", *ok) for kind, ok in OK.items()}
    if failures:
        conditions["NamespaceDeletionContentFailure"] = (
            "True", "ContentDeletionFailed",
            f"Failed to delete all resource types, {len(failures)} remaining: "
            + ", ".join(failures))
    if remaining:
        conditions["NamespaceContentRemaining"] = (
            "True", "SomeResourcesRemain", "Some resources are remaining: " + ", ".join(
                f"{resource} has {count} resource instances"
                for resource, count in sorted(remaining.items())))
    if finalizers:
        conditions["NamespaceFinalizersRemaining"] = (
            "True", "SomeFinalizersRemain",
            "Some content in the namespace has finalizers remaining: " + ", ".join(
                f"{finalizer} in {count} resource instances"
                for finalizer, count in sorted(finalizers.items())))
    return conditions


def merged(old: list[dict], new: dict[str, tuple[str, str, str]], now: str) -> list[dict]:
    """The namespace's conditions with this pass's written in; a condition keeps its
    lastTransitionTime while its status stays the same."""
    before = {c.get("type"): c for c in old}
    out = []
    for kind, (status, reason, message) in new.items():
        previous = before.get(kind)
        since = previous.get("lastTransitionTime") if previous and previous.get(
            "status") == status else now
        out.append({"type": kind, "status": status, "lastTransitionTime": since,
                    "reason": reason, "message": message})
    return out
