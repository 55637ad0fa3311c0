"""`kube-scheduler`: watches pods and nodes through the API server its kubeconfig names, and binds.

`--config` names a KubeSchedulerConfiguration file; `--kubeconfig` (or the configuration's
clientConnection.kubeconfig) the API server to talk to, as upstream's flags do.
"""

from __future__ import annotations

from collections.abc import Generator

import yaml

from k8slab.cmd.cli import flags, kubeconfig_client, required, serve_forever
from k8slab.errors import K8sLabError
from k8slab.node.process import Process
from k8slab.scheduler.profile import load_config
from k8slab.scheduler.scheduler import Scheduler


def main(process: Process) -> Generator:
    """`kube-scheduler --kubeconfig=... [--config=...]`: watches pods and nodes via the API server.

    `--config` names a KubeSchedulerConfiguration on the host's disk (YAML text or a dict); its
    clientConnection.kubeconfig is used when `--kubeconfig` is not given, as upstream does.
    """
    group, bundle = process.group, process.bundle
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
    server, credentials = kubeconfig_client(group, kubeconfig)
    if config is None:
        scheduler = Scheduler(group, server, credentials=credentials)
    else:
        scheduler = Scheduler.from_config(group, server, config, credentials)
    group.host.memory["kube-scheduler"] = scheduler
    scheduler.start()
    yield from serve_forever(group)
