"""Which container `kubectl logs` and `kubectl exec` talk to when -c is not given.

kubectl's podcmd.FindOrDefaultContainerByName and AllContainerNames (staging/src/k8s.io/
kubectl/pkg/cmd/util/podcmd/podcmd.go): the `kubectl.kubernetes.io/default-container`
annotation, else the first container, with a note on stderr when there were others.
"""

from __future__ import annotations

from k8slab.errors import BadRequestError

DEFAULT_CONTAINER_ANNOTATION = "kubectl.kubernetes.io/default-container"


def all_container_names(pod: dict) -> str:
    """`a, b, setup (init)`: containers, then init containers marked as such."""
    spec = pod.get("spec") or {}
    names = [c.get("name", "") for c in spec.get("containers") or []]
    names += [f"{c.get('name', '')} (init)" for c in spec.get("initContainers") or []]
    return ", ".join(names)


def default_container(pod: dict) -> tuple[str, list[str]]:
    """(the container kubectl picks, the lines it writes to stderr about it)."""
    spec, meta = pod.get("spec") or {}, pod.get("metadata") or {}
    containers = spec.get("containers") or []
    if not containers:
        raise BadRequestError(f"error: pod {meta.get('namespace')}/{meta.get('name')} does not "
                              "have any containers")
    every = [c.get("name") for key in ("initContainers", "containers")
             for c in spec.get(key) or []]
    wanted = (meta.get("annotations") or {}).get(DEFAULT_CONTAINER_ANNOTATION)
    if wanted and wanted in every:
        return wanted, []
    first = containers[0].get("name", "")
    if len(containers) > 1 or spec.get("initContainers"):
        return first, [f'Defaulted container "{first}" out of: {all_container_names(pod)}']
    return first, []
