"""What runs inside the control-plane containers: the entrypoint of each image.

runc looks a container's image up in its host's `programs`; these connect the kubeadm images to
the k8slab components, parsing the same flags the real binaries take.
"""

from __future__ import annotations

from collections.abc import Generator

import yaml

from k8slab.apiserver.server import APIServer
from k8slab.errors import K8sLabError
from k8slab.etcd.member import EtcdMember
from k8slab.scheduler.profile import load_config
from k8slab.scheduler.scheduler import Scheduler
from k8slab.sim.host import ProcessGroup

ETCD_IMAGE = "registry.k8s.io/etcd:3.5.16-0"
APISERVER_IMAGE = "registry.k8s.io/kube-apiserver:v1.32.0"
SCHEDULER_IMAGE = "registry.k8s.io/kube-scheduler:v1.32.0"


def flags(bundle: dict) -> dict[str, str]:
    """`--name=value` arguments of a container's command line, as a dict."""
    parsed = {}
    for arg in [*bundle.get("command", []), *bundle.get("args", [])]:
        if arg.startswith("--") and "=" in arg:
            name, value = arg[2:].split("=", 1)
            parsed[name] = value
    return parsed


def required(args: dict[str, str], flag: str, binary: str) -> str:
    """The value of a required `--flag`; its absence stops the program, as the binary exits."""
    if flag not in args:
        raise K8sLabError(f"{binary}: required flag --{flag} is not set")
    return args[flag]


def endpoint_host(url: str, own_host: str) -> str:
    """`https://127.0.0.1:2379` -> the host name it points at (loopback = this host)."""
    host = url.split("://", 1)[-1].split(":", 1)[0]
    return own_host if host in ("127.0.0.1", "localhost") else host


def kubeconfig_server(group: ProcessGroup, path: str) -> str:
    """The API server host named in the kubeconfig file at `path` on this host's disk."""
    return endpoint_host(group.host.disk[path]["server"], group.host.name)


def _forever(group: ProcessGroup) -> Generator:
    yield group.env.event()


def etcd_main(group: ProcessGroup, bundle: dict) -> Generator:
    """`etcd --name=... --initial-cluster=...`: one member, clients on 2379, peers on 2380."""
    args = flags(bundle)
    name = args.get("name", group.host.name)
    peers = [m.split("=", 1)[0] for m in args.get("initial-cluster", f"{name}=").split(",")]
    member = EtcdMember(group, name, peers)
    group.host.memory["etcd"] = member
    member.start()
    yield from _forever(group)


def apiserver_main(group: ProcessGroup, bundle: dict) -> Generator:
    """`kube-apiserver --etcd-servers=...`: the API on port 6443."""
    etcd = endpoint_host(required(flags(bundle), "etcd-servers", "kube-apiserver"),
                         group.host.name)
    server = APIServer(group, etcd)
    group.host.memory["kube-apiserver"] = server
    server.start()
    yield from _forever(group)


def scheduler_main(group: ProcessGroup, bundle: dict) -> Generator:
    """`kube-scheduler --kubeconfig=... [--config=...]`: watches pods and nodes via the API server.

    `--config` names a KubeSchedulerConfiguration on the host's disk (YAML text or a dict); its
    clientConnection.kubeconfig is used when `--kubeconfig` is not given, as upstream does.
    """
    args = flags(bundle)
    config = None
    kubeconfig = args.get("kubeconfig")
    if "config" in args:
        path = args["config"]
        if path not in group.host.disk:
            raise K8sLabError(f"kube-scheduler: open {path}: no such file or directory")
        document = group.host.disk[path]
        config = load_config(document)
        if isinstance(document, str):
            document = yaml.safe_load(document)
        kubeconfig = kubeconfig or (document.get("clientConnection") or {}).get("kubeconfig")
    if not kubeconfig:
        required(args, "kubeconfig", "kube-scheduler")
    server = kubeconfig_server(group, kubeconfig)
    if config is None:
        scheduler = Scheduler(group, server)
    else:
        scheduler = Scheduler.from_config(group, server, config)
    group.host.memory["kube-scheduler"] = scheduler
    scheduler.start()
    yield from _forever(group)


PROGRAMS = {
    "registry.k8s.io/etcd": etcd_main,
    "registry.k8s.io/kube-apiserver": apiserver_main,
    "registry.k8s.io/kube-scheduler": scheduler_main,
}
