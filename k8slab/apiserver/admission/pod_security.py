"""The PodSecurity admission plugin: the Pod Security Standards, chosen per namespace by labels
(kk plugin/pkg/admission/security/podsecurity, delegating to k8s.io/pod-security-admission
admission/admission.go).

For a pod it evaluates the namespace's enforce level (refusing with 403 `pods "x" is forbidden:
violates PodSecurity "baseline:latest": ...`), its audit level (an audit annotation) and its
warn level (a warning the client prints). Workload objects with a pod template (Deployments,
ReplicaSets, StatefulSets, DaemonSets, Jobs, ReplicationControllers) are only audited and
warned about, never refused. Namespaces must carry valid labels, and tightening a namespace's
enforce level warns about the pods already there that would now be refused.

v1.35's default configuration: every mode privileged when a namespace has no labels, and no
exempt users, namespaces or runtime classes (kube-system is not exempt).
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass

from k8slab.api.kinds import (
    DAEMON_SET,
    DEPLOYMENT,
    JOB,
    NAMESPACE,
    POD,
    REPLICA_SET,
    REPLICATION_CONTROLLER,
    STATEFUL_SET,
)
from k8slab.api.validation.field import aggregate, invalid_error
from k8slab.apiserver.admission import CREATE, UPDATE, AdmissionPlugin, AdmissionRequest
from k8slab.apiserver.admission.forbidden import admission_forbidden
from k8slab.apiserver.admission.listers import Lister
from k8slab.apiserver.admission.pod_security_policy import (
    PRIVILEGED,
    LevelVersion,
    Policy,
    evaluate,
    forbidden_detail,
    policy_for,
)
from k8slab.errors import InternalError

POD_CONTROLLERS = (REPLICATION_CONTROLLER, REPLICA_SET, DEPLOYMENT, STATEFUL_SET, DAEMON_SET, JOB)
# Pod subresources PodSecurity ignores (admission.go ignoredPodSubresources).
IGNORED_SUBRESOURCES = ("exec", "attach", "binding", "eviction", "log", "portforward", "proxy",
                        "status")
# The audit annotations' keys (api/constants.go, prefixed by the in-tree plugin).
ANNOTATION_PREFIX = "pod-security.kubernetes.io/"
ENFORCE_POLICY = ANNOTATION_PREFIX + "enforce-policy"
AUDIT_VIOLATIONS = ANNOTATION_PREFIX + "audit-violations"
EXEMPT = ANNOTATION_PREFIX + "exempt"


@dataclass(frozen=True)
class PodSecurityConfiguration:
    """The plugin's configuration (PodSecurityConfiguration): defaults and exemptions."""

    defaults: Policy = Policy()
    exempt_usernames: tuple[str, ...] = ()
    exempt_namespaces: tuple[str, ...] = ()
    exempt_runtime_classes: tuple[str, ...] = ()


class PodSecurity(AdmissionPlugin):
    """Validates pods against their namespace's Pod Security level; warns about templates."""

    name = "PodSecurity"
    validating = True

    def __init__(self, lister: Lister,
                 config: PodSecurityConfiguration = PodSecurityConfiguration()) -> None:
        self.lister = lister
        self.config = config

    def validate(self, request: AdmissionRequest) -> Generator:
        """Check a pod, a workload's pod template or a namespace's labels (CREATE/UPDATE)."""
        if request.operation not in (CREATE, UPDATE) or request.obj is None:
            return
        if request.kind is NAMESPACE:
            yield from self._namespace(request)
        elif request.kind is POD:
            yield from self._pod(request)
        elif request.kind in POD_CONTROLLERS:
            yield from self._pod_controller(request)

    # -- pods and their templates ---------------------------------------------------------

    def _exempt(self, request: AdmissionRequest) -> bool:
        if request.namespace in self.config.exempt_namespaces:
            request.audit_annotations[EXEMPT] = "namespace"
            return True
        if request.attributes.user.name in self.config.exempt_usernames:
            request.audit_annotations[EXEMPT] = "user"
            return True
        return False

    def _policy(self, request: AdmissionRequest) -> Generator:
        namespace = yield from self.lister.get(NAMESPACE, None, request.namespace,
                                               live_on_miss=True)
        if namespace is None:
            return None
        labels = (namespace.get("metadata") or {}).get("labels") or {}
        return policy_for(labels, self.config.defaults)

    def _pod(self, request: AdmissionRequest) -> Generator:
        if request.attributes.subresource in IGNORED_SUBRESOURCES or self._exempt(request):
            return
        found = yield from self._policy(request)
        if found is None:
            raise InternalError(f'Internal error occurred: failed to lookup namespace '
                                f'"{request.namespace}"')
        policy, errors = found
        if not errors and policy.fully_privileged:
            request.audit_annotations[ENFORCE_POLICY] = str(LevelVersion(PRIVILEGED))
            return
        if request.operation == UPDATE and not _significant_update(request.obj, request.old):
            return
        self._evaluate(request, policy, errors, request.obj, enforce=True)

    def _pod_controller(self, request: AdmissionRequest) -> Generator:
        if request.attributes.subresource or self._exempt(request):
            return
        found = yield from self._policy(request)
        if found is None:
            request.audit_annotations["error"] = (
                f'failed to lookup namespace "{request.namespace}"')
            return
        policy, errors = found
        if not errors and PRIVILEGED == policy.warn.level == policy.audit.level:
            return
        template = ((request.obj.get("spec") or {}).get("template")) or {}
        self._evaluate(request, policy, errors, template, enforce=False)

    def _evaluate(self, request: AdmissionRequest, policy: Policy, errors: list,
                  pod: dict, *, enforce: bool) -> None:
        meta, spec = pod.get("metadata") or {}, pod.get("spec") or {}
        if (spec.get("runtimeClassName") or "") in self.config.exempt_runtime_classes:
            request.audit_annotations[EXEMPT] = "runtimeClass"
            return
        if errors:
            request.audit_annotations["error"] = f"Failed to parse policy: {aggregate(errors)}"
        results: dict[LevelVersion, list] = {}
        if enforce:
            request.audit_annotations[ENFORCE_POLICY] = str(policy.enforce)
            results[policy.enforce] = evaluate(policy.enforce, meta, spec)
        if policy.audit not in results:
            results[policy.audit] = evaluate(policy.audit, meta, spec)
        audit = results[policy.audit]
        if audit:
            request.audit_annotations[AUDIT_VIOLATIONS] = (
                f'would violate PodSecurity "{policy.audit}": {forbidden_detail(audit)}')
        if enforce and results[policy.enforce]:
            raise admission_forbidden(request, f'violates PodSecurity "{policy.enforce}": '
                                      f"{forbidden_detail(results[policy.enforce])}")
        warn = results.get(policy.warn)
        if warn is None:
            warn = evaluate(policy.warn, meta, spec)
        if warn:
            request.warnings.append(
                f'would violate PodSecurity "{policy.warn}": {forbidden_detail(warn)}')

    # -- namespaces -----------------------------------------------------------------------

    def _namespace(self, request: AdmissionRequest) -> Generator:
        if request.attributes.subresource:
            return
        name = (request.obj.get("metadata") or {}).get("name") or ""
        policy, errors = policy_for((request.obj.get("metadata") or {}).get("labels") or {},
                                    self.config.defaults)
        if request.operation == CREATE:
            if errors:
                raise invalid_error(NAMESPACE, name, errors)
            return
        old_policy, old_errors = policy_for(
            ((request.old or {}).get("metadata") or {}).get("labels") or {},
            self.config.defaults)
        if errors and (not old_errors or [str(e) for e in errors] != [str(e) for e in old_errors]):
            raise invalid_error(NAMESPACE, name, errors)
        new, old = policy.enforce, old_policy.enforce
        if new == old or new.level == PRIVILEGED or name in self.config.exempt_namespaces:
            return
        if new.minor == old.minor and _strictness(new.level) <= _strictness(old.level):
            return
        pods = yield from self.lister.list(POD, name)
        request.warnings.extend(_existing_pod_warnings(name, new, pods))


def _strictness(level: str) -> int:
    return ("privileged", "baseline", "restricted").index(level)


def _existing_pod_warnings(namespace: str, enforce: LevelVersion, pods: list[dict]) -> list[str]:
    """EvaluatePodsInNamespace: one warning per distinct violation, naming the first pod by
    name and how many others share it; pods of one controller are checked once first."""
    seen_controllers: set[str] = set()
    first, duplicates = [], []
    for pod in pods:
        owner = next((ref.get("uid") for ref in pod["metadata"].get("ownerReferences") or []
                      if ref.get("controller")), None)
        if owner is not None and owner in seen_controllers:
            duplicates.append(pod)
            continue
        if owner is not None:
            seen_controllers.add(owner)
        first.append(pod)
    counts: dict[str, list] = {}  # reason -> [first pod name, count]
    for pod in first + duplicates:
        violations = evaluate(enforce, pod["metadata"], pod.get("spec") or {})
        if not violations:
            continue
        reason = ", ".join(r for r, _ in violations)
        entry = counts.setdefault(reason, [pod["metadata"]["name"], 0])
        entry[0] = min(entry[0], pod["metadata"]["name"])
        entry[1] += 1
    if not counts:
        return []
    lines = []
    for reason, (pod_name, count) in counts.items():
        others = {1: "", 2: " (and 1 other pod)"}.get(count, f" (and {count - 1} other pods)")
        lines.append(f"{pod_name}{others}: {reason}")
    return [f'existing pods in namespace "{namespace}" violate the new PodSecurity enforce '
            f'level "{enforce}"', *sorted(lines)]


def _significant_update(new: dict, old: dict | None) -> bool:
    """An update worth re-checking: containers added or removed, or an image changed."""
    new_spec, old_spec = new.get("spec") or {}, (old or {}).get("spec") or {}
    for field in ("containers", "initContainers"):
        pairs = list(zip(new_spec.get(field) or [], old_spec.get(field) or [], strict=False))
        if len(new_spec.get(field) or []) != len(old_spec.get(field) or []):
            return True
        if any(a.get("image") != b.get("image") for a, b in pairs):
            return True
    old_ephemeral = {c.get("name"): c for c in old_spec.get("ephemeralContainers") or []}
    return any(c.get("name") not in old_ephemeral
               or c.get("image") != old_ephemeral[c.get("name")].get("image")
               for c in new_spec.get("ephemeralContainers") or [])
