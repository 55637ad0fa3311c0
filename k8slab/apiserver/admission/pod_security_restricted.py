"""The Pod Security Standards' restricted checks (k8s.io/pod-security-admission/policy v0.35),
in the same form as the baseline ones: None, or upstream's (reason, detail).
"""

from __future__ import annotations

from k8slab.apiserver.admission.pod_security_baseline import (
    PROFILE_TYPES,
    Violation,
    containers,
    join_quote,
    named,
    security_context,
    user_namespaced,
)

# check_restrictedVolumes.go: the inline volume sources restricted pods may use, and the
# others in the order upstream names them.
ALLOWED_VOLUMES = ("configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "image",
                   "persistentVolumeClaim", "projected", "secret")
RESTRICTED_VOLUMES = (
    "hostPath", "gcePersistentDisk", "awsElasticBlockStore", "gitRepo", "nfs", "iscsi",
    "glusterfs", "rbd", "flexVolume", "cinder", "cephfs", "flocker", "fc", "azureFile",
    "vsphereVolume", "quobyte", "azureDisk", "photonPersistentDisk", "portworxVolume",
    "scaleIO", "storageos",
)


def allow_privilege_escalation(meta: dict, spec: dict) -> Violation:
    """Every container sets allowPrivilegeEscalation=false."""
    bad = [c.get("name", "") for c in containers(spec)
           if security_context(c).get("allowPrivilegeEscalation") is not False]
    if not bad:
        return None
    return ("allowPrivilegeEscalation != false",
            f"{named(bad)} must set securityContext.allowPrivilegeEscalation=false")


def capabilities_restricted(meta: dict, spec: dict) -> Violation:
    """Every container drops ALL and adds nothing but NET_BIND_SERVICE."""
    missing_drop, adding, extra = [], [], set()
    for container in containers(spec):
        capabilities = security_context(container).get("capabilities")
        if capabilities is None:
            missing_drop.append(container.get("name", ""))
            continue
        if "ALL" not in (capabilities.get("drop") or []):
            missing_drop.append(container.get("name", ""))
        wrong = [c for c in capabilities.get("add") or [] if c != "NET_BIND_SERVICE"]
        if wrong:
            adding.append(container.get("name", ""))
            extra.update(wrong)
    details = []
    if missing_drop:
        details.append(f'{named(missing_drop)} must set securityContext.capabilities.drop=["ALL"]')
    if adding:
        details.append(f"{named(adding)} must not include {join_quote(sorted(extra))} in "
                       "securityContext.capabilities.add")
    return ("unrestricted capabilities", "; ".join(details)) if details else None


def restricted_volumes(meta: dict, spec: dict) -> Violation:
    """Only configMap, csi, downwardAPI, emptyDir, ephemeral, image, persistentVolumeClaim,
    projected and secret volumes."""
    bad, types = [], set()
    for volume in spec.get("volumes") or []:
        if not isinstance(volume, dict) or any(
                volume.get(source) is not None for source in ALLOWED_VOLUMES):
            continue
        bad.append(volume.get("name", ""))
        types.add(next((s for s in RESTRICTED_VOLUMES if volume.get(s) is not None), "unknown"))
    if not bad:
        return None
    many = len(bad) != 1
    return ("restricted volume types",
            f"{'volumes' if many else 'volume'} {join_quote(bad)} {'use' if many else 'uses'} "
            f"{'restricted volume types' if len(types) != 1 else 'restricted volume type'} "
            f"{join_quote(sorted(types))}")


def run_as_non_root(meta: dict, spec: dict) -> Violation:
    """runAsNonRoot=true on the pod or on every container; never false."""
    setters, pod_non_root = [], False
    pod_value = security_context(spec).get("runAsNonRoot")
    if pod_value is not None:
        if pod_value:
            pod_non_root = True
        else:
            setters.append("pod")
    explicit, implicit = [], []
    for container in containers(spec):
        value = security_context(container).get("runAsNonRoot")
        if value is not None:
            if not value:
                explicit.append(container.get("name", ""))
        elif not pod_non_root:
            implicit.append(container.get("name", ""))
    if explicit:
        setters.append(named(explicit))
    if setters:
        return ("runAsNonRoot != true",
                f"{' and '.join(setters)} must not set securityContext.runAsNonRoot=false")
    if implicit:
        return ("runAsNonRoot != true",
                f"pod or {named(implicit)} must set securityContext.runAsNonRoot=true")
    return None


def run_as_non_root_v1_35(meta: dict, spec: dict) -> Violation:
    """Since v1.35 a pod in a user namespace may run as root."""
    return None if user_namespaced(spec) else run_as_non_root(meta, spec)


def run_as_user(meta: dict, spec: dict) -> Violation:
    """runAsUser is never 0 (policy v1.23+)."""
    setters = ["pod"] if security_context(spec).get("runAsUser") == 0 else []
    bad = [c.get("name", "") for c in containers(spec)
           if security_context(c).get("runAsUser") == 0]
    if bad:
        setters.append(named(bad))
    if not setters:
        return None
    return "runAsUser=0", f"{' and '.join(setters)} must not set runAsUser=0"


def run_as_user_v1_35(meta: dict, spec: dict) -> Violation:
    """Since v1.35 a pod in a user namespace may set runAsUser 0."""
    return None if user_namespaced(spec) else run_as_user(meta, spec)


def seccomp_profile_restricted(meta: dict, spec: dict) -> Violation:
    """RuntimeDefault or Localhost on the pod or on every container."""
    setters, values, pod_set = [], set(), False
    profile = security_context(spec).get("seccompProfile")
    if profile is not None:
        if profile.get("type") in PROFILE_TYPES:
            pod_set = True
        else:
            setters.append("pod")
            values.add(profile.get("type") or "")
    explicit, implicit = [], []
    for container in containers(spec):
        profile = security_context(container).get("seccompProfile")
        if profile is not None:
            if profile.get("type") not in PROFILE_TYPES:
                explicit.append(container.get("name", ""))
                values.add(profile.get("type") or "")
        elif not pod_set:
            implicit.append(container.get("name", ""))
    if explicit:
        setters.append(named(explicit))
    if setters:
        return ("seccompProfile", f"{' and '.join(setters)} must not set "
                f"securityContext.seccompProfile.type to {join_quote(sorted(values))}")
    if implicit:
        return ("seccompProfile", f"pod or {named(implicit)} must set "
                'securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"')
    return None
