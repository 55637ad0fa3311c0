"""`kube-controller-manager`: the controllers, run by whichever replica holds the Lease
kube-system/kube-controller-manager, talking to the API server its `--kubeconfig` names.

Flags are parsed as upstream's pflag does (names with `_` read as `-`, Go durations, an unknown
flag refused in pflag's words). Losing the Lease ends the process with status 1, as upstream's
OnStoppedLeading does ("leaderelection lost"); the kubelet then restarts the container.
The TLS and CIDR flags kubeadm passes are accepted and not modelled (the kubelets are given their
pod CIDRs); with --use-service-account-credentials each controller writes as its ServiceAccount,
with a certificate the --cluster-signing-* CA signs (controllers/accounts.py), while the leader
election and the shared informers use --kubeconfig's identity.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import fields

from k8slab.api.certificates import Certificate, CertificateAuthority, key_from_pem
from k8slab.api.kubeconfig import Credentials
from k8slab.cmd.cli import flags, go_duration, kubeconfig_client
from k8slab.controllers.accounts import certificate_signer
from k8slab.controllers.context import ControllerOptions
from k8slab.controllers.manager import ControllerManager
from k8slab.errors import K8sLabError
from k8slab.node.process import Process
from k8slab.sim.host import ProcessGroup

BINARY = "kube-controller-manager"
# Flags kubeadm sets that configure what the lab does not model (serving, TLS, credentials,
# node IPAM); kk cmd/kubeadm/app/phases/controlplane/manifests.go.
UNMODELLED_FLAGS = (
    "allocate-node-cidrs", "authentication-kubeconfig", "authorization-kubeconfig",
    "bind-address", "client-ca-file", "cluster-cidr", "cluster-name",
    "cluster-signing-cert-file", "cluster-signing-key-file", "node-cidr-mask-size",
    "requestheader-client-ca-file", "root-ca-file", "secure-port",
    "service-account-private-key-file", "service-cluster-ip-range",
    "use-service-account-credentials",
)


def _int(text: str) -> int:
    if not text.lstrip("+-").isdigit():
        raise K8sLabError(f'strconv.ParseInt: parsing "{text}": invalid syntax')
    return int(text)


def _float(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise K8sLabError(f'strconv.ParseFloat: parsing "{text}": invalid syntax') from None


def _bool(text: str) -> bool:
    # strconv.ParseBool's spellings.
    if text in ("1", "t", "T", "TRUE", "true", "True"):
        return True
    if text in ("0", "f", "F", "FALSE", "false", "False"):
        return False
    raise K8sLabError(f'strconv.ParseBool: parsing "{text}": invalid syntax')


def _parsers() -> dict[str, Callable[[str], object]]:
    """Each ControllerOptions field is the flag of the same name: periods are durations."""
    kinds = {int: _int, float: _float, bool: _bool}
    parsers = {}
    for spec in fields(ControllerOptions):
        flag = spec.name.replace("_", "-")
        parse = go_duration if flag.endswith(("-period", "-grace-period")) else kinds[
            type(getattr(ControllerOptions(), spec.name))]
        parsers[flag] = parse
    return parsers


def parse_flags(arguments: list[str]) -> tuple[ControllerOptions, list[str], bool, str]:
    """(options, --controllers entries, --leader-elect, --kubeconfig) from a command line."""
    parsers = _parsers()
    values: dict[str, object] = {}
    controllers, leader_elect, kubeconfig = ["*"], True, ""
    for argument in arguments:
        if not argument.startswith("--"):
            continue  # a positional argument: kube-controller-manager takes none we model
        name, has_value, value = argument[2:].partition("=")
        name = name.replace("_", "-")  # cliflag.WordSepNormalizeFunc
        if name == "leader-elect":
            leader_elect = _bool(value) if has_value else True
            continue
        if name not in parsers and name not in ("controllers", "kubeconfig", *UNMODELLED_FLAGS):
            raise K8sLabError(f"unknown flag: --{name}")
        if not has_value and name != "use-service-account-credentials" \
                and name != "allocate-node-cidrs":
            raise K8sLabError(f"flag needs an argument: --{name}")
        if name == "controllers":
            controllers = [c.strip() for c in value.split(",") if c.strip()]
        elif name == "kubeconfig":
            kubeconfig = value
        elif name in parsers:
            try:
                values[name.replace("-", "_")] = parsers[name](value)
            except K8sLabError as error:
                raise K8sLabError(
                    f'invalid argument "{value}" for "--{name}" flag: {error}') from None
    return ControllerOptions(**values), controllers, leader_elect, kubeconfig


def main(process: Process) -> Generator:
    """`kube-controller-manager --kubeconfig=... --leader-elect=true --controllers=...`."""
    group, bundle = process.group, process.bundle
    options, controllers, leader_elect, kubeconfig = parse_flags(
        [*bundle.get("command", [])[1:], *bundle.get("args", [])])
    if not kubeconfig:
        raise K8sLabError(f"{BINARY}: required flag --kubeconfig is not set")
    if kubeconfig not in group.host.disk:
        raise K8sLabError(f"{BINARY}: stat {kubeconfig}: no such file or directory")
    server, credentials = kubeconfig_client(group, kubeconfig)
    manager = ControllerManager(group, server, options, controllers,
                                leader_elect=leader_elect, credentials=credentials,
                                account_credentials=_account_signer(group, bundle))
    lost = group.env.event()
    manager.on_lost.append(lambda: lost.succeed() if not lost.triggered else None)
    group.host.memory[BINARY] = manager
    manager.start()
    yield lost
    group.sim.record(group.host.name, BINARY, "exit", "", reason="leaderelection lost", code=1)
    if group.host.memory.get(BINARY) is manager:
        del group.host.memory[BINARY]
    return 1


def _account_signer(group: ProcessGroup, bundle: dict) -> Callable[[str], Credentials] | None:
    """--use-service-account-credentials: per-controller credentials signed with the CA of
    --cluster-signing-cert-file/--cluster-signing-key-file (see controllers/accounts.py for how
    the lab simplifies the token upstream requests); None without the flag or the files."""
    args = flags(bundle)
    bare = "--use-service-account-credentials" in [*bundle.get("command", []),
                                                     *bundle.get("args", [])]
    if not bare and args.get("use-service-account-credentials") != "true":
        return None
    cert, key = args.get("cluster-signing-cert-file"), args.get("cluster-signing-key-file")
    disk = group.host.disk
    if not cert or not key or cert not in disk or key not in disk:
        return None
    ca = CertificateAuthority(Certificate.from_pem(disk[cert]), key_from_pem(disk[key]))
    return certificate_signer(ca, lambda: group.sim.now)
