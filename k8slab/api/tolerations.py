"""Whether a toleration tolerates a taint: one rule shared by the scheduler, the DaemonSet
controller and taint eviction (kk staging/src/k8s.io/api/core/v1/toleration.go ToleratesTaint).
"""

from __future__ import annotations


def toleration_tolerates_taint(toleration: dict, taint: dict) -> bool:
    """True if one toleration tolerates one taint.

    An empty effect matches every effect; an empty key matches every key (the API only allows that
    with operator Exists); operator Exists matches any value; Equal (or empty) needs equal values.
    Any other operator matches nothing here: rejecting it is the API server's validation's job.
    (v1.35 adds alpha numeric operators Lt/Gt behind a feature gate; not modelled.)
    """
    effect = toleration.get("effect") or ""
    if effect and effect != taint.get("effect"):
        return False
    key = toleration.get("key") or ""
    if key and key != taint.get("key"):
        return False
    operator = toleration.get("operator") or "Equal"
    if operator == "Exists":
        return True
    if operator == "Equal":
        return (toleration.get("value") or "") == (taint.get("value") or "")
    return False


def tolerations_tolerate_taint(tolerations: list[dict], taint: dict) -> bool:
    """True if any of the tolerations tolerates the taint."""
    return any(toleration_tolerates_taint(toleration, taint) for toleration in tolerations)
