"""libcni as containerd's CRI plugin uses it: run a network configuration list's plugins in
order for ADD (each gets the previous one's result), in reverse for DEL, and cache the ADD
result on disk (/var/lib/cni/results) for the DEL and CHECK that come later.

Each plugin run is a trace record (component "cni"); a failure names the plugin and the
command as libcni does: `plugin type="bridge" failed (add): <the plugin's message>`.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable

from k8slab.node.cni import conflist
from k8slab.node.cni.bridge import bridge
from k8slab.node.cni.contract import CniError, Invocation, format_args
from k8slab.node.cni.host_net import HostNet
from k8slab.node.cni.portmap import portmap

RESULTS_DIR = "/var/lib/cni/results"
Plugin = Callable[[Invocation, dict, HostNet, dict], "dict | None"]
PLUGINS: dict[str, Plugin] = {"bridge": bridge, "portmap": portmap}
VERBS = {"ADD": "add", "DEL": "delete", "CHECK": "check"}


class CniChain:
    """The CNI side of one node's container runtime: the conflist on disk, the plugins, and
    the result cache. `record(command, pod ref, **details)` notes each plugin run."""

    def __init__(self, host: HostNet, disk: dict,
                 record: Callable[..., None] = lambda *a, **k: None) -> None:
        self.host = host
        self.disk = disk
        self._record = record

    def _cache_path(self, network: str, call: Invocation) -> str:
        return f"{RESULTS_DIR}/{network}-{call.container_id}-{call.ifname}"

    def add(self, call: Invocation, runtime_config: dict | None = None) -> dict:
        """AddNetworkList: the final result (cniVersion, interfaces, ips, routes, dns)."""
        conf = conflist.load(self.disk)
        result = None
        for plugin_conf in conf["plugins"]:
            result = self._run(call, conf, plugin_conf, result, runtime_config)
        self.disk[self._cache_path(conf["name"], call)] = json.dumps(
            {"kind": "cniCacheV1", "containerId": call.container_id, "ifName": call.ifname,
             "networkName": conf["name"], "cniArgs": [[k, v] for k, v in call.args.items()],
             "result": result, "runtimeConfig": runtime_config or {}})
        return result

    def delete(self, call: Invocation) -> None:
        """DelNetworkList: every plugin in reverse order, with the cached result; an
        interface that is already gone is not an error."""
        conf = conflist.load(self.disk)
        cached = self.cached(conf["name"], call)
        for plugin_conf in reversed(conf["plugins"]):
            self._run(call, conf, plugin_conf, cached.get("result"),
                      cached.get("runtimeConfig"))
        self.disk.pop(self._cache_path(conf["name"], call), None)

    def check(self, call: Invocation) -> None:
        """CheckNetworkList: each plugin checks what it set up against the cached result."""
        conf = conflist.load(self.disk)
        cached = self.cached(conf["name"], call)
        if not cached:
            raise CniError(f"failed to get network {conf['name']!r} cached result: no such "
                           "file or directory")
        for plugin_conf in conf["plugins"]:
            self._run(call, conf, plugin_conf, cached["result"], cached.get("runtimeConfig"))

    def cached(self, network: str, call: Invocation) -> dict:
        """The cached ADD result for this container and interface ({} if none)."""
        text = self.disk.get(self._cache_path(network, call))
        return json.loads(text) if text else {}

    def _run(self, call: Invocation, conf: dict, plugin_conf: dict, previous: dict | None,
             runtime_config: dict | None) -> dict | None:
        kind = plugin_conf.get("type", "")
        plugin = PLUGINS.get(kind)
        verb = VERBS[call.command]
        if plugin is None:
            raise CniError(f'plugin type="{kind}" failed ({verb}): failed to find plugin '
                           f'"{kind}" in path [/opt/cni/bin]')
        # libcni injects the list's name and version, prevResult and the capability args.
        stdin = dict(copy.deepcopy(plugin_conf), name=conf["name"],
                     cniVersion=conf.get("cniVersion"))
        if previous is not None:
            stdin["prevResult"] = copy.deepcopy(previous)
        wanted = [c for c, on in plugin_conf.get("capabilities", {}).items() if on]
        if runtime_config and wanted:
            stdin["runtimeConfig"] = {c: runtime_config[c] for c in wanted if c in runtime_config}
        pod = (f"pod/{call.args['K8S_POD_NAMESPACE']}/{call.args['K8S_POD_NAME']}"
               if call.args.get("K8S_POD_NAME") else "")
        try:
            result = plugin(call, stdin, self.host, self.disk)
        except CniError as error:
            self._record(call.command, pod, plugin=kind, container=call.container_id[:13],
                         error=error.msg)
            raise CniError(f'plugin type="{kind}" failed ({verb}): {error.msg}',
                           error.code) from None
        self._record(call.command, pod, plugin=kind, container=call.container_id[:13],
                     netns=call.netns, ifname=call.ifname, args=format_args(call.args),
                     ips=[ip["address"] for ip in (result or {}).get("ips", [])])
        return result if call.command == "ADD" else previous
