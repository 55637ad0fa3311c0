"""Pod Security levels and versions: which checks a level:version runs, and the policy a
namespace's labels choose (k8s.io/pod-security-admission api/helpers.go and policy/registry.go).

A namespace picks a level (privileged, baseline, restricted) per mode with the labels
pod-security.kubernetes.io/{enforce,audit,warn}, and may pin each to a policy version with
`<mode>-version` (`v1.30`, default `latest`). Restricted runs every baseline check it does not
override with a stricter one; checks run baseline first, then restricted, each sorted by ID.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from k8slab.api.validation.field import FieldError, invalid
from k8slab.apiserver.admission import pod_security_baseline as b
from k8slab.apiserver.admission import pod_security_restricted as r
from k8slab.apiserver.admission.pod_security_baseline import CheckFn, Violation, windows

PRIVILEGED, BASELINE, RESTRICTED = "privileged", "baseline", "restricted"
LEVELS = (PRIVILEGED, BASELINE, RESTRICTED)
LATEST = "latest"
MAX_MINOR = 35  # the newest policy version these checks know: v1.35 (latest means this)
LABEL_PREFIX = "pod-security.kubernetes.io/"
MODES = ("enforce", "audit", "warn")
_VERSION = re.compile(r"^v1\.([0-9]|[1-9][0-9]*)$")


@dataclass(frozen=True)
class LevelVersion:
    """A level at a policy version: minor None is "latest"."""

    level: str
    minor: int | None = None

    def __str__(self) -> str:
        return f"{self.level}:{LATEST if self.minor is None else f'v1.{self.minor}'}"


@dataclass(frozen=True)
class Policy:
    """What a namespace enforces, audits and warns about."""

    enforce: LevelVersion = LevelVersion(PRIVILEGED)
    audit: LevelVersion = LevelVersion(PRIVILEGED)
    warn: LevelVersion = LevelVersion(PRIVILEGED)

    @property
    def fully_privileged(self) -> bool:
        """All three modes are privileged: nothing to check."""
        return all(lv.level == PRIVILEGED for lv in (self.enforce, self.audit, self.warn))


def _strictness(level: str) -> int:
    return LEVELS.index(level)


def policy_for(labels: dict, defaults: Policy = Policy()) -> tuple[Policy, list[FieldError]]:
    """The policy a namespace's labels choose (defaults where a label is missing), and the
    labels' errors. A bad enforce level means restricted, a bad audit or warn level privileged;
    a bad version means latest. Warn follows a stricter explicit enforce level."""
    modes = {"enforce": defaults.enforce, "audit": defaults.audit, "warn": defaults.warn}
    errors: list[FieldError] = []
    for mode in MODES:
        level, minor = modes[mode].level, modes[mode].minor
        key = f"{LABEL_PREFIX}{mode}"
        if key in labels:
            level = str(labels[key])
            if level not in LEVELS:
                errors.append(invalid(f"metadata.labels[{key}]", labels[key],
                                      f"must be one of {', '.join(LEVELS)}"))
                level = RESTRICTED if mode == "enforce" else PRIVILEGED
        version_key = f"{key}-version"
        if version_key in labels:
            match = _VERSION.match(str(labels[version_key]))
            if labels[version_key] == LATEST or match is None:
                minor = None
                if labels[version_key] != LATEST:
                    errors.append(invalid(f"metadata.labels[{version_key}]",
                                          labels[version_key], 'must be "latest" or "v1.x"'))
            else:
                minor = int(match.group(1))
        modes[mode] = LevelVersion(level, minor)
    enforce_key = f"{LABEL_PREFIX}enforce"
    explicit_enforce = enforce_key in labels and labels[enforce_key] in LEVELS
    warn = modes["warn"]
    if (explicit_enforce and f"{LABEL_PREFIX}warn" not in labels
            and _strictness(modes["enforce"].level) > _strictness(warn.level)):
        pinned = f"{LABEL_PREFIX}warn-version" in labels
        modes["warn"] = LevelVersion(modes["enforce"].level,
                                     warn.minor if pinned else modes["enforce"].minor)
    return Policy(**modes), errors


def _unless_windows(check: CheckFn) -> CheckFn:
    def checked(meta: dict, spec: dict) -> Violation:
        return None if windows(spec) else check(meta, spec)
    return checked


# ID -> (level, [(first minor, check, baseline IDs it overrides)]), as each check_*.go lists
# its versions.
CHECKS: dict[str, tuple[str, list[tuple[int, CheckFn, tuple[str, ...]]]]] = {
    "appArmorProfile": (BASELINE, [(0, b.app_armor_profile, ())]),
    "capabilities_baseline": (BASELINE, [(0, b.capabilities_baseline, ())]),
    "hostNamespaces": (BASELINE, [(0, b.host_namespaces, ())]),
    "hostPathVolumes": (BASELINE, [(0, b.host_path_volumes, ())]),
    "hostPorts": (BASELINE, [(0, b.host_ports, ())]),
    "hostProbesAndHostLifecycle": (BASELINE, [(34, b.host_probes_and_host_lifecycle, ())]),
    "privileged": (BASELINE, [(0, b.privileged, ())]),
    "procMount": (BASELINE, [(0, b.proc_mount, ()), (35, b.proc_mount_v1_35, ())]),
    "seLinuxOptions": (BASELINE, [(0, b.SE_LINUX_V1_0, ()), (31, b.SE_LINUX_V1_31, ())]),
    "seccompProfile_baseline": (BASELINE, [(0, b.seccomp_profile_baseline_v1_0, ()),
                                           (19, b.seccomp_profile_baseline, ())]),
    "sysctls": (BASELINE, [(minor, check, ()) for minor, check in b.SYSCTLS.items()]),
    "windowsHostProcess": (BASELINE, [(0, b.windows_host_process, ())]),
    "allowPrivilegeEscalation": (RESTRICTED, [
        (8, r.allow_privilege_escalation, ()),
        (25, _unless_windows(r.allow_privilege_escalation), ())]),
    "capabilities_restricted": (RESTRICTED, [
        (22, r.capabilities_restricted, ("capabilities_baseline",)),
        (25, _unless_windows(r.capabilities_restricted), ("capabilities_baseline",))]),
    "procMount_restricted": (RESTRICTED, [(35, b.proc_mount, ("procMount",))]),
    "restrictedVolumes": (RESTRICTED, [(0, r.restricted_volumes, ("hostPathVolumes",))]),
    "runAsNonRoot": (RESTRICTED, [(0, r.run_as_non_root, ()), (35, r.run_as_non_root_v1_35, ())]),
    "runAsUser": (RESTRICTED, [(23, r.run_as_user, ()), (35, r.run_as_user_v1_35, ())]),
    "seccompProfile_restricted": (RESTRICTED, [
        (19, r.seccomp_profile_restricted, ("seccompProfile_baseline",)),
        (25, _unless_windows(r.seccomp_profile_restricted), ("seccompProfile_baseline",))]),
}


def _at(versions: list, minor: int) -> tuple[CheckFn, tuple[str, ...]] | None:
    current = None
    for first, check, overrides in versions:
        if first <= minor:
            current = (check, overrides)
    return current


def checks_for(lv: LevelVersion) -> list[CheckFn]:
    """The checks `lv` runs, in upstream's order; none for privileged."""
    if lv.level == PRIVILEGED:
        return []
    minor = MAX_MINOR if lv.minor is None else min(lv.minor, MAX_MINOR)
    active = {check_id: found for check_id, (level, versions) in CHECKS.items()
              if (level == BASELINE or lv.level == RESTRICTED)
              and (found := _at(versions, minor)) is not None}
    overridden = {o for check_id, (_, overrides) in active.items() for o in overrides}
    ordered = sorted(i for i in active if CHECKS[i][0] == BASELINE) + sorted(
        i for i in active if CHECKS[i][0] == RESTRICTED)
    return [active[i][0] for i in ordered if i not in overridden]


def evaluate(lv: LevelVersion, meta: dict, spec: dict) -> list[tuple[str, str]]:
    """The (reason, detail) of every check `lv` runs that the pod fails; [] when allowed."""
    return [found for check in checks_for(lv) if (found := check(meta, spec)) is not None]


def forbidden_detail(violations: list[tuple[str, str]]) -> str:
    """`host namespaces (hostNetwork=true), privileged (container "c" must ...)`."""
    return ", ".join(f"{reason} ({detail})" if detail else reason
                     for reason, detail in violations)
