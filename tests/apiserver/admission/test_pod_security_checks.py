"""The Pod Security Standards' checks, case by case from upstream's tables
(k8s.io/pod-security-admission/policy/check_*_test.go, v0.35): each failing pod with the exact
reason and detail upstream expects, and a passing pod for each check."""

from __future__ import annotations

import pytest

from k8slab.apiserver.admission.pod_security_policy import (
    BASELINE,
    CHECKS,
    RESTRICTED,
    LevelVersion,
    _at,
    checks_for,
    evaluate,
    forbidden_detail,
)


def check(check_id: str, spec: dict, meta: dict | None = None, minor: int = 35):
    """Run one check at a policy version: None, or (reason, detail)."""
    found = _at(CHECKS[check_id][1], minor)
    assert found is not None, f"{check_id} does not exist at v1.{minor}"
    return found[0](meta or {}, spec)


def c(name: str, **security) -> dict:
    """A container named `name`, with a securityContext when fields are given."""
    return {"name": name, "image": "nginx", **({"securityContext": security} if security else {})}


FAILING = [
    ("privileged", {"containers": [c("a"), {"name": "b", "securityContext": {}},
                                   c("c", privileged=False), c("d", privileged=True),
                                   c("e", privileged=True)]},
     None, ("privileged", 'containers "d", "e" must not set securityContext.privileged=true')),
    ("hostNamespaces", {"hostNetwork": True, "hostPID": True, "hostIPC": True, "containers": []},
     None, ("host namespaces", "hostNetwork=true, hostPID=true, hostIPC=true")),
    ("hostPathVolumes", {"volumes": [{"name": "a", "hostPath": {}}, {"name": "b", "hostPath": {}},
                                     {"name": "c", "emptyDir": {}}]},
     None, ("hostPath volumes", 'volumes "a", "b"')),
    ("hostPorts", {"containers": [{"name": "a", "ports": [{"containerPort": 1}]},
                                  {"name": "b", "ports": [{"containerPort": 2, "hostPort": 20}]}]},
     None, ("hostPort", 'container "b" uses hostPort 20')),
    ("hostPorts", {"containers": [{"name": "a"},
                                  {"name": "b", "ports": [{"hostPort": 10}, {"hostPort": 20}]},
                                  {"name": "c", "ports": [{"hostPort": 30}]}]},
     None, ("hostPort", 'containers "b", "c" use hostPorts 10, 20, 30')),
    ("capabilities_baseline", {"containers": [
        c("a", capabilities={"add": ["FOO", "BAR"]}),
        c("b", capabilities={"add": ["BAR", "BAZ"]})]},
     None, ("non-default capabilities",
            'containers "a", "b" must not include "BAR", "BAZ", "FOO" in '
            "securityContext.capabilities.add")),
    ("appArmorProfile", {"securityContext": {"appArmorProfile": {"type": "Unconfined"}}}, None,
     ("forbidden AppArmor profile", 'pod must not set AppArmor profile type to "Unconfined"')),
    ("appArmorProfile", {"securityContext": {"appArmorProfile": {"type": "RuntimeDefault"}},
                         "containers": [{"name": "foo"}], "initContainers": [
                             c("bar", appArmorProfile={"type": "Unconfined"})]}, None,
     ("forbidden AppArmor profile",
      'container "bar" must not set AppArmor profile type to "Unconfined"')),
    ("appArmorProfile", {"containers": []}, {"annotations": {
        "container.apparmor.security.beta.kubernetes.io/": "bogus",
        "container.apparmor.security.beta.kubernetes.io/a": "",
        "container.apparmor.security.beta.kubernetes.io/b": "runtime/default",
        "container.apparmor.security.beta.kubernetes.io/c": "localhost/",
        "container.apparmor.security.beta.kubernetes.io/d": "localhost/foo",
        "container.apparmor.security.beta.kubernetes.io/e": "unconfined",
        "container.apparmor.security.beta.kubernetes.io/f": "unknown"}},
     ("forbidden AppArmor profiles", "annotations must not set AppArmor profile type to "
      '"container.apparmor.security.beta.kubernetes.io/="bogus"", '
      '"container.apparmor.security.beta.kubernetes.io/e="unconfined"", '
      '"container.apparmor.security.beta.kubernetes.io/f="unknown""')),
    ("seLinuxOptions", {"securityContext": {"seLinuxOptions": {"type": "foo", "user": "bar",
                                                               "role": "baz"}},
                        "containers": [c("a", seLinuxOptions={"type": "container_t"}),
                                       c("d", seLinuxOptions={"type": "container_engine_t"}),
                                       c("e", seLinuxOptions={"type": "bar"}),
                                       c("f", seLinuxOptions={"user": "bar"}),
                                       c("g", seLinuxOptions={"role": "baz"})]}, None,
     ("seLinuxOptions", 'pod and containers "e", "f", "g" set forbidden '
      'securityContext.seLinuxOptions: types "bar", "foo"; user may not be set; '
      "role may not be set")),
    ("seLinuxOptions", {"securityContext": {"seLinuxOptions": {"type": "bad"}}}, None,
     ("seLinuxOptions", 'pod set forbidden securityContext.seLinuxOptions: type "bad"')),
    ("procMount", {"containers": [c("a"), c("b", procMount="Default"),
                                  c("d", procMount="Unmasked"), c("e", procMount="other")]}, None,
     ("procMount", 'containers "d", "e" must not set securityContext.procMount to '
      '"Unmasked", "other"')),
    ("seccompProfile_baseline", {"securityContext": {"seccompProfile": {"type": "Unconfined"}},
                                 "containers": [c("c", seccompProfile={"type": "Unconfined"}),
                                                c("d", seccompProfile={"type": "Unconfined"})]},
     None, ("seccompProfile", 'pod and containers "c", "d" must not set '
            'securityContext.seccompProfile.type to "Unconfined"')),
    ("sysctls", {"securityContext": {"sysctls": [{"name": "a"}, {"name": "b"}]}}, None,
     ("forbidden sysctls", "a, b")),
    ("windowsHostProcess", {"securityContext": {"windowsOptions": {"hostProcess": True}},
                            "containers": [c("a", windowsOptions={"hostProcess": True})]}, None,
     ("hostProcess", 'pod and container "a" must not set '
      "securityContext.windowsOptions.hostProcess=true")),
    ("hostProbesAndHostLifecycle", {"containers": [
        {"name": "a", "livenessProbe": {"httpGet": {"host": "localhost", "port": 80}},
         "readinessProbe": {"tcpSocket": {"host": "127.0.0.1", "port": 80}},
         "startupProbe": {"httpGet": {"host": "::1", "port": 80}}}]}, None,
     ("probe or lifecycle host",
      'container "a" uses probe or lifecycle hosts "127.0.0.1", "::1", "localhost"')),
    ("allowPrivilegeEscalation", {"containers": [
        c("a"), c("b", allowPrivilegeEscalation=True), c("c", allowPrivilegeEscalation=None),
        c("d", allowPrivilegeEscalation=False)]}, None,
     ("allowPrivilegeEscalation != false",
      'containers "a", "b", "c" must set securityContext.allowPrivilegeEscalation=false')),
    ("capabilities_restricted", {"containers": [
        c("a", capabilities={"add": ["FOO", "BAR"]}), c("b", capabilities={"add": ["BAR", "BAZ"]}),
        c("c", capabilities={"add": ["NET_BIND_SERVICE", "CHOWN"], "drop": ["ALL", "FOO"]})]},
     None, ("unrestricted capabilities",
            'containers "a", "b" must set securityContext.capabilities.drop=["ALL"]; '
            'containers "a", "b", "c" must not include "BAR", "BAZ", "CHOWN", "FOO" in '
            "securityContext.capabilities.add")),
    ("runAsNonRoot", {"containers": [c("a")]}, None,
     ("runAsNonRoot != true", 'pod or container "a" must set securityContext.runAsNonRoot=true')),
    ("runAsNonRoot", {"securityContext": {"runAsNonRoot": False}, "containers": [c("a")]}, None,
     ("runAsNonRoot != true", "pod must not set securityContext.runAsNonRoot=false")),
    ("runAsNonRoot", {"securityContext": {"runAsNonRoot": True}, "containers": [
        c("a"), c("b", runAsNonRoot=True), c("c", runAsNonRoot=False),
        c("d", runAsNonRoot=False)]}, None,
     ("runAsNonRoot != true",
      'containers "c", "d" must not set securityContext.runAsNonRoot=false')),
    ("runAsUser", {"securityContext": {"runAsUser": 0}, "containers": [c("a")]}, None,
     ("runAsUser=0", "pod must not set runAsUser=0")),
    ("runAsUser", {"containers": [c("a"), c("b", runAsUser=1), c("c", runAsUser=0),
                                  c("d", runAsUser=0)]}, None,
     ("runAsUser=0", 'containers "c", "d" must not set runAsUser=0')),
    ("seccompProfile_restricted", {"containers": [c("a")]}, None,
     ("seccompProfile", 'pod or container "a" must set securityContext.seccompProfile.type to '
      '"RuntimeDefault" or "Localhost"')),
    ("seccompProfile_restricted", {"securityContext": {"seccompProfile": {"type": "Unconfined"}},
                                   "containers": [c("a")]}, None,
     ("seccompProfile", 'pod must not set securityContext.seccompProfile.type to "Unconfined"')),
    ("procMount_restricted", {"hostUsers": False, "containers": [c("d", procMount="Unmasked")]},
     None, ("procMount", 'container "d" must not set securityContext.procMount to "Unmasked"')),
]

PASSING = [
    ("privileged", {"containers": [c("a", privileged=False)]}),
    ("hostNamespaces", {"hostNetwork": False, "containers": []}),
    ("hostPathVolumes", {"volumes": [{"name": "a", "emptyDir": {}}]}),
    ("hostPorts", {"containers": [{"name": "a", "ports": [{"containerPort": 80, "hostPort": 0}]}]}),
    ("capabilities_baseline", {"containers": [c("a", capabilities={"add": ["CHOWN", "KILL"]})]}),
    ("appArmorProfile", {"securityContext": {"appArmorProfile": {"type": "Localhost"}}}),
    ("seLinuxOptions", {"containers": [c("a", seLinuxOptions={"type": "container_engine_t"})]}),
    ("procMount", {"hostUsers": False, "containers": [c("a", procMount="Unmasked")]}),
    ("seccompProfile_baseline", {"containers": [c("a", seccompProfile={"type": "Localhost"})]}),
    ("sysctls", {"securityContext": {"sysctls": [{"name": "net.ipv4.tcp_rmem"}]}}),
    ("windowsHostProcess", {"containers": [c("a", windowsOptions={"hostProcess": False})]}),
    ("hostProbesAndHostLifecycle", {"containers": [
        {"name": "a", "livenessProbe": {"httpGet": {"port": 80}}}]}),
    ("allowPrivilegeEscalation", {"containers": [c("a", allowPrivilegeEscalation=False)]}),
    ("allowPrivilegeEscalation", {"os": {"name": "windows"}, "containers": [c("a")]}),
    ("capabilities_restricted", {"containers": [
        c("a", capabilities={"drop": ["ALL"], "add": ["NET_BIND_SERVICE"]})]}),
    ("restrictedVolumes", {"volumes": [{"name": n, n: {}} for n in (
        "configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "image",
        "persistentVolumeClaim", "projected", "secret")]}),
    ("runAsNonRoot", {"securityContext": {"runAsNonRoot": True}, "containers": [c("a")]}),
    ("runAsNonRoot", {"hostUsers": False, "containers": [c("a")]}),
    ("runAsUser", {"hostUsers": False, "securityContext": {"runAsUser": 0}}),
    ("seccompProfile_restricted", {
        "securityContext": {"seccompProfile": {"type": "RuntimeDefault"}},
        "containers": [c("a")]}),
]


@pytest.mark.parametrize(("check_id", "spec", "meta", "expected"), FAILING,
                         ids=[f"{case[0]}-{n}" for n, case in enumerate(FAILING)])
def test_a_failing_pod_gets_upstreams_reason_and_detail(check_id, spec, meta, expected):
    assert check(check_id, spec, meta) == expected


@pytest.mark.parametrize(("check_id", "spec"), PASSING,
                         ids=[f"{case[0]}-{n}" for n, case in enumerate(PASSING)])
def test_a_passing_pod_is_allowed(check_id, spec):
    assert check(check_id, spec) is None


def test_restricted_volume_types_are_named_as_upstream_names_them():
    sources = ["hostPath", "gcePersistentDisk", "awsElasticBlockStore", "gitRepo", "nfs", "iscsi",
               "glusterfs", "rbd", "flexVolume", "cinder", "cephfs", "flocker", "fc", "azureFile",
               "vsphereVolume", "quobyte", "azureDisk", "photonPersistentDisk", "portworxVolume",
               "scaleIO", "storageos"]
    volumes = [{"name": f"a{i}", "emptyDir": {}} for i in range(2)]
    volumes += [{"name": f"b{i}", source: {}} for i, source in enumerate(sources, 1)]
    volumes.append({"name": "c1"})
    reason, detail = check("restrictedVolumes", {"volumes": volumes})
    names = ", ".join(f'"b{i}"' for i in range(1, 22))
    assert (reason, detail) == ("restricted volume types", f'volumes {names}, "c1" use '
                                "restricted volume types " + ", ".join(
                                    f'"{t}"' for t in sorted([*sources, "unknown"])))


def test_sysctls_follow_the_policy_version():
    spec = {"securityContext": {"sysctls": [{"name": "net.ipv4.ip_local_reserved_ports"}]}}
    assert check("sysctls", spec, minor=26) == (
        "forbidden sysctls", "net.ipv4.ip_local_reserved_ports")
    assert check("sysctls", spec, minor=27) is None


def test_seccomp_before_v1_19_reads_the_annotations():
    meta = {"annotations": {"seccomp.security.alpha.kubernetes.io/pod": "unconfined"}}
    assert check("seccompProfile_baseline", {"containers": []}, meta, minor=18) == (
        "seccompProfile",
        'forbidden annotation seccomp.security.alpha.kubernetes.io/pod="unconfined"')


def test_restricted_runs_baseline_then_restricted_checks_without_the_overridden_ones():
    latest = [f.__name__ for f in checks_for(LevelVersion(RESTRICTED))]
    assert "capabilities_baseline" not in latest and "host_path_volumes" not in latest
    assert latest[:2] == ["app_armor_profile", "host_namespaces"]
    assert len(checks_for(LevelVersion(BASELINE))) == 12
    assert len(checks_for(LevelVersion(BASELINE, 33))) == 11  # no probe-host check before v1.34
    assert checks_for(LevelVersion("privileged")) == []


def test_a_privileged_pod_fails_baseline_with_every_reason_in_upstreams_order():
    spec = {"hostNetwork": True, "containers": [c("c", privileged=True)]}
    violations = evaluate(LevelVersion(BASELINE), {}, spec)
    assert forbidden_detail(violations) == (
        'host namespaces (hostNetwork=true), privileged (container "c" must not set '
        "securityContext.privileged=true)")
