"""k8s.io/api/core/v1 security contexts: a container's SecurityContext and a pod's
PodSecurityContext, every v1.35 field, typed to the leaf (the PodSecurity admission plugin
reads privileged, capabilities, runAsNonRoot, seccompProfile, sysctls...).
"""

from __future__ import annotations

from k8slab.api.schema.types import BOOL, INT64, STRING, ListOf, Struct, enum

SE_LINUX_OPTIONS = Struct(
    "v1.SELinuxOptions", {"user": STRING, "role": STRING, "type": STRING, "level": STRING})
WINDOWS_OPTIONS = Struct(
    "v1.WindowsSecurityContextOptions",
    {"gmsaCredentialSpecName": STRING, "gmsaCredentialSpec": STRING, "runAsUserName": STRING,
     "hostProcess": BOOL},
)
SECCOMP_PROFILE = Struct(
    "v1.SeccompProfile",
    {"type": enum("v1.SeccompProfileType"), "localhostProfile": STRING})
APP_ARMOR_PROFILE = Struct(
    "v1.AppArmorProfile",
    {"type": enum("v1.AppArmorProfileType"), "localhostProfile": STRING})
CAPABILITIES = Struct(
    "v1.Capabilities",
    {"add": ListOf(enum("v1.Capability")), "drop": ListOf(enum("v1.Capability"))})

SECURITY_CONTEXT = Struct(
    "v1.SecurityContext",
    {
        "capabilities": CAPABILITIES,
        "privileged": BOOL,
        "seLinuxOptions": SE_LINUX_OPTIONS,
        "windowsOptions": WINDOWS_OPTIONS,
        "runAsUser": INT64,
        "runAsGroup": INT64,
        "runAsNonRoot": BOOL,
        "readOnlyRootFilesystem": BOOL,
        "allowPrivilegeEscalation": BOOL,
        "procMount": enum("v1.ProcMountType"),
        "seccompProfile": SECCOMP_PROFILE,
        "appArmorProfile": APP_ARMOR_PROFILE,
    },
)

POD_SECURITY_CONTEXT = Struct(
    "v1.PodSecurityContext",
    {
        "seLinuxOptions": SE_LINUX_OPTIONS,
        "windowsOptions": WINDOWS_OPTIONS,
        "runAsUser": INT64,
        "runAsGroup": INT64,
        "runAsNonRoot": BOOL,
        "supplementalGroups": ListOf(INT64),
        "supplementalGroupsPolicy": enum("v1.SupplementalGroupsPolicy"),
        "fsGroup": INT64,
        "sysctls": ListOf(Struct("v1.Sysctl", {"name": STRING, "value": STRING})),
        "fsGroupChangePolicy": enum("v1.PodFSGroupChangePolicy"),
        "seccompProfile": SECCOMP_PROFILE,
        "appArmorProfile": APP_ARMOR_PROFILE,
        "seLinuxChangePolicy": enum("v1.PodSELinuxChangePolicy"),
    },
)
