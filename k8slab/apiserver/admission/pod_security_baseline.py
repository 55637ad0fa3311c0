"""The Pod Security Standards' baseline checks, as k8s.io/pod-security-admission/policy writes
them (v0.35, Kubernetes v1.35): each reads a pod's metadata and spec and answers None (allowed)
or (reason, detail), upstream's ForbiddenReason and ForbiddenDetail, word for word.

A pod's containers are its init, regular and ephemeral containers, in that order (visitor.go).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

Violation = tuple[str, str] | None
CheckFn = Callable[[dict, dict], Violation]

# check_capabilities_baseline.go capabilities_allowed_1_0: Docker's default set.
CAPABILITIES_ALLOWED = {
    "AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD",
    "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT",
}
# check_sysctls.go: the "safe" sysctls, by the policy version that allowed them.
SYSCTLS_V1_0 = frozenset({
    "kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range", "net.ipv4.ip_unprivileged_port_start"})
SYSCTLS_V1_27 = SYSCTLS_V1_0 | {"net.ipv4.ip_local_reserved_ports"}
SYSCTLS_V1_29 = SYSCTLS_V1_27 | {
    "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes"}
SYSCTLS_V1_32 = SYSCTLS_V1_29 | {"net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem"}
# check_seLinuxOptions.go: the SELinux types a container may run as.
SELINUX_TYPES_V1_0 = frozenset({"", "container_t", "container_init_t", "container_kvm_t"})
SELINUX_TYPES_V1_31 = SELINUX_TYPES_V1_0 | {"container_engine_t"}
APPARMOR_ANNOTATION_PREFIX = "container.apparmor.security.beta.kubernetes.io/"
SECCOMP_POD_ANNOTATION = "seccomp.security.alpha.kubernetes.io/pod"
SECCOMP_CONTAINER_ANNOTATION_PREFIX = "container.seccomp.security.alpha.kubernetes.io/"
PROFILE_TYPES = ("RuntimeDefault", "Localhost")


# -- helpers.go and visitor.go -------------------------------------------------------------------

def join_quote(items: list[str]) -> str:
    """`"a", "b"`: each item in double quotes, comma-separated."""
    return ", ".join(f'"{item}"' for item in items)


def pluralize(singular: str, plural: str, count: int) -> str:
    """`singular` for one, else `plural`."""
    return singular if count == 1 else plural


def containers(spec: dict) -> Iterator[dict]:
    """The pod's init, regular and ephemeral containers, in that order."""
    for field in ("initContainers", "containers", "ephemeralContainers"):
        yield from (c for c in spec.get(field) or [] if isinstance(c, dict))


def security_context(obj: dict) -> dict:
    """A container's or pod's securityContext ({} when unset)."""
    return obj.get("securityContext") or {}


def user_namespaced(spec: dict) -> bool:
    """hostUsers: false, a pod in a user namespace (relaxPolicyForUserNamespacePod)."""
    return spec.get("hostUsers") is False


def windows(spec: dict) -> bool:
    """spec.os.name windows: the restricted Linux-only checks exempt it since v1.25."""
    return (spec.get("os") or {}).get("name") == "windows"


def named(bad: list[str]) -> str:
    """`container "a"` or `containers "a", "b"`."""
    return f'{pluralize("container", "containers", len(bad))} {join_quote(bad)}'


# -- the checks ----------------------------------------------------------------------------------

def app_armor_profile(meta: dict, spec: dict) -> Violation:
    """AppArmor profile types other than RuntimeDefault/Localhost, and annotation values other
    than runtime/default and localhost/*."""
    setters, values, bad = [], set(), []
    pod_profile = security_context(spec).get("appArmorProfile")
    if pod_profile is not None and pod_profile.get("type") not in PROFILE_TYPES:
        setters.append("pod")
        values.add(pod_profile.get("type") or "")
    for container in containers(spec):
        profile = security_context(container).get("appArmorProfile")
        if profile is not None and profile.get("type") not in PROFILE_TYPES:
            bad.append(container.get("name", ""))
            values.add(profile.get("type") or "")
    if bad:
        setters.append(named(bad))
    value_list = sorted(values)
    annotations = sorted(
        f'{key}="{value}"' for key, value in (meta.get("annotations") or {}).items()
        if key.startswith(APPARMOR_ANNOTATION_PREFIX)
        and not (value == "" or value == "runtime/default" or value.startswith("localhost/")))
    if annotations:
        value_list += annotations
        setters.append(pluralize("annotation", "annotations", len(annotations)))
    if not setters:
        return None
    return (pluralize("forbidden AppArmor profile", "forbidden AppArmor profiles",
                      len(value_list)),
            f"{' and '.join(setters)} must not set AppArmor profile type to "
            f"{join_quote(value_list)}")


def capabilities_baseline(meta: dict, spec: dict) -> Violation:
    """Capabilities added beyond the default set."""
    bad, extra = [], set()
    for container in containers(spec):
        added = (security_context(container).get("capabilities") or {}).get("add") or []
        wrong = [cap for cap in added if cap not in CAPABILITIES_ALLOWED]
        if wrong:
            bad.append(container.get("name", ""))
            extra.update(wrong)
    if not bad:
        return None
    return ("non-default capabilities",
            f"{named(bad)} must not include {join_quote(sorted(extra))} in "
            "securityContext.capabilities.add")


def host_namespaces(meta: dict, spec: dict) -> Violation:
    """hostNetwork, hostPID, hostIPC."""
    shared = [f"{field}=true" for field in ("hostNetwork", "hostPID", "hostIPC")
              if spec.get(field) is True]
    return ("host namespaces", ", ".join(shared)) if shared else None


def host_path_volumes(meta: dict, spec: dict) -> Violation:
    """hostPath volumes."""
    bad = [v.get("name", "") for v in spec.get("volumes") or []
           if isinstance(v, dict) and v.get("hostPath") is not None]
    if not bad:
        return None
    return "hostPath volumes", f'{pluralize("volume", "volumes", len(bad))} {join_quote(bad)}'


def host_ports(meta: dict, spec: dict) -> Violation:
    """Container ports with a hostPort."""
    bad, ports = [], set()
    for container in containers(spec):
        used = [p.get("hostPort") for p in container.get("ports") or []
                if isinstance(p, dict) and p.get("hostPort")]
        if used:
            bad.append(container.get("name", ""))
            ports.update(str(port) for port in used)
    if not bad:
        return None
    return ("hostPort",
            f"{named(bad)} {pluralize('uses', 'use', len(bad))} "
            f"{pluralize('hostPort', 'hostPorts', len(ports))} {', '.join(sorted(ports))}")


def _probe_hosts(handler: object) -> list[str]:
    if not isinstance(handler, dict):
        return []
    return [(handler.get(way) or {}).get("host") for way in ("httpGet", "tcpSocket")
            if (handler.get(way) or {}).get("host")]


def host_probes_and_host_lifecycle(meta: dict, spec: dict) -> Violation:
    """A host set in a probe's or lifecycle handler's httpGet/tcpSocket (policy v1.34+)."""
    bad, hosts = set(), set()
    for container in containers(spec):
        lifecycle = container.get("lifecycle") or {}
        handlers = [container.get(p) for p in ("livenessProbe", "readinessProbe",
                                                "startupProbe")]
        handlers += [lifecycle.get("postStart"), lifecycle.get("preStop")]
        found = [host for handler in handlers for host in _probe_hosts(handler)]
        if found:
            bad.add(container.get("name", ""))
            hosts.update(found)
    if not bad:
        return None
    return ("probe or lifecycle host",
            f"{named(sorted(bad))} {pluralize('uses', 'use', len(bad))} "
            f"{pluralize('probe or lifecycle host', 'probe or lifecycle hosts', len(hosts))} "
            f"{join_quote(sorted(hosts))}")


def privileged(meta: dict, spec: dict) -> Violation:
    """securityContext.privileged=true."""
    bad = [c.get("name", "") for c in containers(spec)
           if security_context(c).get("privileged") is True]
    if not bad:
        return None
    return "privileged", f"{named(bad)} must not set securityContext.privileged=true"


def proc_mount(meta: dict, spec: dict) -> Violation:
    """A procMount other than Default (policy v1.0; restricted keeps this form)."""
    bad, types = [], set()
    for container in containers(spec):
        mount = security_context(container).get("procMount")
        if mount is not None and mount != "Default":
            bad.append(container.get("name", ""))
            types.add(mount)
    if not bad:
        return None
    return ("procMount",
            f"{named(bad)} must not set securityContext.procMount to {join_quote(sorted(types))}")


def proc_mount_v1_35(meta: dict, spec: dict) -> Violation:
    """Since v1.35 baseline allows any procMount in a user namespace."""
    return None if user_namespaced(spec) else proc_mount(meta, spec)


def _se_linux(allowed: frozenset[str]) -> CheckFn:
    def se_linux_options(meta: dict, spec: dict) -> Violation:
        setters, types, flags = [], set(), {"user": False, "role": False}

        def valid(options: dict) -> bool:
            ok = True
            if (options.get("type") or "") not in allowed:
                ok = False
                types.add(options.get("type") or "")
            for field in ("user", "role"):
                if options.get(field):
                    ok, flags[field] = False, True
            return ok

        pod_options = security_context(spec).get("seLinuxOptions")
        if pod_options is not None and not valid(pod_options):
            setters.append("pod")
        bad = [c.get("name", "") for c in containers(spec)
               if security_context(c).get("seLinuxOptions") is not None
               and not valid(security_context(c)["seLinuxOptions"])]
        if bad:
            setters.append(named(bad))
        if not setters:
            return None
        data = ([f"{pluralize('type', 'types', len(types))} {join_quote(sorted(types))}"]
                if types else [])
        data += [f"{field} may not be set" for field in ("user", "role") if flags[field]]
        return ("seLinuxOptions", f"{' and '.join(setters)} set forbidden "
                f"securityContext.seLinuxOptions: {'; '.join(data)}")
    return se_linux_options


def seccomp_profile_baseline_v1_0(meta: dict, spec: dict) -> Violation:
    """Before v1.19 the seccomp annotations: runtime/default, docker/default or localhost/*."""
    annotations = meta.get("annotations") or {}
    keys = [SECCOMP_POD_ANNOTATION] + [SECCOMP_CONTAINER_ANNOTATION_PREFIX + c.get("name", "")
                                       for c in containers(spec)]
    bad = sorted({f'{key}="{annotations[key]}"' for key in keys if key in annotations
                  and not (annotations[key] in ("runtime/default", "docker/default")
                           or annotations[key].startswith("localhost/"))})
    if not bad:
        return None
    return ("seccompProfile",
            f"forbidden {pluralize('annotation', 'annotations', len(bad))} {', '.join(bad)}")


def seccomp_profile_baseline(meta: dict, spec: dict) -> Violation:
    """A seccompProfile.type other than RuntimeDefault or Localhost (Unconfined)."""
    setters, values = [], set()
    profile = security_context(spec).get("seccompProfile")
    if profile is not None and profile.get("type") not in PROFILE_TYPES:
        setters.append("pod")
        values.add(profile.get("type") or "")
    bad = []
    for container in containers(spec):
        profile = security_context(container).get("seccompProfile")
        if profile is not None and profile.get("type") not in PROFILE_TYPES:
            bad.append(container.get("name", ""))
            values.add(profile.get("type") or "")
    if bad:
        setters.append(named(bad))
    if not setters:
        return None
    return ("seccompProfile", f"{' and '.join(setters)} must not set "
            f"securityContext.seccompProfile.type to {join_quote(sorted(values))}")


def _sysctls(allowed: frozenset[str]) -> CheckFn:
    def sysctls(meta: dict, spec: dict) -> Violation:
        names = [s.get("name", "") for s in security_context(spec).get("sysctls") or []
                 if isinstance(s, dict)]
        bad = [name for name in names if name not in allowed]
        return ("forbidden sysctls", ", ".join(bad)) if bad else None
    return sysctls


def windows_host_process(meta: dict, spec: dict) -> Violation:
    """securityContext.windowsOptions.hostProcess=true."""
    def host_process(obj: dict) -> bool:
        return (security_context(obj).get("windowsOptions") or {}).get("hostProcess") is True

    setters = ["pod"] if host_process(spec) else []
    bad = [c.get("name", "") for c in containers(spec) if host_process(c)]
    if bad:
        setters.append(named(bad))
    if not setters:
        return None
    return ("hostProcess", f"{' and '.join(setters)} must not set "
            "securityContext.windowsOptions.hostProcess=true")


SE_LINUX_V1_0, SE_LINUX_V1_31 = _se_linux(SELINUX_TYPES_V1_0), _se_linux(SELINUX_TYPES_V1_31)
SYSCTLS = {0: _sysctls(SYSCTLS_V1_0), 27: _sysctls(SYSCTLS_V1_27),
           29: _sysctls(SYSCTLS_V1_29), 32: _sysctls(SYSCTLS_V1_32)}
