"""The DefaultTolerationSeconds admission plugin: every pod tolerates a not-ready or unreachable
node for 5 minutes before the taint manager evicts it (kk plugin/pkg/admission/
defaulttolerationseconds/admission.go, a mutating plugin on pods' CREATE and UPDATE).
"""

from __future__ import annotations

import copy
from collections.abc import Generator

from k8slab.api.defaults_pod import dicts_in
from k8slab.api.kinds import POD
from k8slab.apiserver.admission import CREATE, UPDATE, AdmissionPlugin, AdmissionRequest

# --default-not-ready-toleration-seconds and --default-unreachable-toleration-seconds: 300.
DEFAULT_TOLERATION_SECONDS = 300
NOT_READY_TAINT = "node.kubernetes.io/not-ready"
UNREACHABLE_TAINT = "node.kubernetes.io/unreachable"


def default_tolerations(pod: dict) -> list:
    """The pod's tolerations plus the plugin's two, for the taints it does not tolerate yet.

    Adds not-ready and unreachable, operator Exists, effect NoExecute, tolerationSeconds 300;
    a toleration with that key (or no key) and effect NoExecute (or none) already counts.
    Returns a new list; the pod is not changed.
    """
    tolerations = copy.deepcopy(dicts_in((pod.get("spec") or {}).get("tolerations")))
    added = [
        {
            "key": key,
            "operator": "Exists",
            "effect": "NoExecute",
            "tolerationSeconds": DEFAULT_TOLERATION_SECONDS,
        }
        for key in (NOT_READY_TAINT, UNREACHABLE_TAINT)
        if not _tolerates(tolerations, key)
    ]
    return tolerations + added


def _tolerates(tolerations: list, taint_key: str) -> bool:
    # An empty key matches every key, an empty effect every effect.
    return any(
        t.get("key") in (None, "", taint_key) and t.get("effect") in (None, "", "NoExecute")
        for t in tolerations
    )


class DefaultTolerationSeconds(AdmissionPlugin):
    """Appends the not-ready and unreachable NoExecute tolerations (300 s) a pod lacks."""

    name = "DefaultTolerationSeconds"
    mutating = True

    def mutate(self, request: AdmissionRequest) -> Generator:
        """Add the missing tolerations to a pod being created or updated (not to subresources)."""
        if (request.kind is not POD or request.operation not in (CREATE, UPDATE)
                or request.attributes.subresource or not isinstance(request.obj, dict)):
            return
        spec = request.obj.get("spec")
        if not isinstance(spec, dict):
            return
        tolerations = default_tolerations(request.obj)
        if tolerations != spec.get("tolerations", []):
            spec["tolerations"] = tolerations
            request.patches.append(self.name)
        return
        yield
