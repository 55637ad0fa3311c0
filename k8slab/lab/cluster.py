"""`Cluster`: the facade the notebooks use. It builds a cluster the way kubeadm does, then lets a
reader apply manifests, advance time, run kubectl, and break things: kill nodes, cut the network.

Every call that talks to the cluster goes through the API server, as kubectl does (it runs on the
control-plane host with the admin kubeconfig), so it works only while the API server answers.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Generator, Sequence
from typing import Any

from k8slab.api.kinds import kind_info, registry_key
from k8slab.api.manifests import load_manifests
from k8slab.apiserver.audit_policy import policy_document
from k8slab.client.rest import Client
from k8slab.cmd.registry import registry_boot
from k8slab.errors import (
    ForbiddenError,
    K8sLabError,
    UnavailableError,
)
from k8slab.etcd.status import MemberStatus
from k8slab.lab import (
    arguments,
    components,
    crictl,
    etcdctl,
    etcdutl,
    kubeadm,
    node_files,
    pki,
    progress,
    scheduling,
    static_pods,
    webhooks,
)
from k8slab.lab.apply import send_each, source_name
from k8slab.lab.custom_resources import CustomResourceVerbs
from k8slab.lab.identity_verbs import IdentityVerbs
from k8slab.lab.kubeadm_rbac import kubeadm_objects
from k8slab.lab.kubectl_verbs import KubectlVerbs
from k8slab.lab.network_verbs import NetworkVerbs
from k8slab.lab.real_kubectl import RealKubectlVerbs
from k8slab.lab.serving.sim_runner import locking
from k8slab.lab.serving_verbs import ServingVerbs
from k8slab.node.image_store import REGISTRY
from k8slab.node.kubelet import NodeConfig
from k8slab.node.programs.catalogue import CATALOGUE
from k8slab.robustness.raft_safety import RaftSafety
from k8slab.sim.host import ProcessGroup
from k8slab.sim.kernel import Simulation
from k8slab.sim.network import SWITCH, Network
from k8slab.sim.trace import Record, Trace

CONTROL_PLANE = "control-plane"
LOAD_BALANCER = "lb"
CONTROL_PLANE_SIZES = (1, 3, 5, 7)
MAX_WORKERS = 5000
PROXY_MODES = ("iptables", "ipvs", "nftables")
BOOT_LIMIT_SECONDS = 120.0
COMMAND_LIMIT = 60.0  # a kubectl call never waits longer than its requests' timeouts
# One run() advances at most a simulated day: at 3 workers the lab runs some 700 to 2,700
# simulated seconds per wall-clock second, so a day is one or two minutes, with a progress line
# and Ctrl-C to stop it. Longer is a loop of run() calls.
MAX_RUN_SECONDS = 86_400.0


@locking  # every public method holds the simulation's lock: safe beside a served endpoint
class Cluster(KubectlVerbs, NetworkVerbs, CustomResourceVerbs, IdentityVerbs, ServingVerbs,
              RealKubectlVerbs):
    """A running simulated cluster: `control_planes` control-plane hosts and `workers` workers.

    With one control plane its host is called `control-plane`; with several (3, 5 or 7, for an
    etcd quorum) they are `control-plane-1`... and a load balancer host `lb` fronts their API
    servers, as in kubeadm's highly available set-up with stacked etcd.

    `audit_policy` turns the API servers' audit log on (kubeadm turns none on): an
    audit.k8s.io/v1 Policy as a dict or YAML text, or a preset name ("metadata", "request",
    "request-response", "writes"); `audit_log()` reads it.
    """

    def __init__(
        self,
        workers: int = 3,
        seed: int = 1,
        *,
        control_planes: int = 1,
        worker_cpu: str = "4",
        worker_memory: str = "16Gi",
        check_invariants: bool = False,
        proxy_mode: str = "iptables",
        skip_phases: Sequence[str] = (),
        audit_policy: Any = None,
    ) -> None:
        if not arguments.is_whole(workers) or not 0 <= workers <= MAX_WORKERS:
            raise K8sLabError(
                f"workers must be a whole number from 0 to {MAX_WORKERS}, got {workers!r}"
            )
        if not arguments.is_whole(control_planes) or control_planes not in CONTROL_PLANE_SIZES:
            raise K8sLabError(
                f"control_planes must be one of {', '.join(map(str, CONTROL_PLANE_SIZES))} "
                f"(an odd etcd membership), got {control_planes!r}"
            )
        if not arguments.is_whole(seed):
            raise K8sLabError(f"seed must be an integer, got {seed!r}")
        arguments.cpu_quantity(worker_cpu, "worker_cpu")
        arguments.memory_quantity(worker_memory, "worker_memory")
        arguments.flag(check_invariants, "check_invariants")
        if proxy_mode not in PROXY_MODES:
            raise K8sLabError(f"proxy_mode must be one of {', '.join(PROXY_MODES)} (kube-proxy's "
                              f"Linux modes), got {proxy_mode!r}")
        skipped = kubeadm.skipped_addons(skip_phases)
        self.audit_policy = None if audit_policy is None else policy_document(audit_policy)
        self._tokens_made = 0  # bootstrap tokens, for kubeadm_token_create()
        cluster_pki = self._pki = pki.ClusterPKI(seed)
        self.sim = Simulation(seed)
        self.network = Network(self.sim)
        self.seed = seed
        self.check_invariants = check_invariants
        self.raft_safety = RaftSafety(
            lambda: components.raft_nodes(self.network, self.control_planes))
        if control_planes == 1:
            self.control_planes = [CONTROL_PLANE]
        else:
            self.control_planes = [f"{CONTROL_PLANE}-{j}" for j in range(1, control_planes + 1)]
        self.endpoint = self.control_planes[0] if control_planes == 1 else LOAD_BALANCER
        for j, name in enumerate(self.control_planes):
            host = self.network.add_host(name)
            ip = f"10.0.0.{10 + j}"
            kubeadm.init_control_plane(
                host, ip, endpoint=self.endpoint, etcd_members=self.control_planes,
                pki=cluster_pki, audit_policy=self.audit_policy,
            )
            host.boot = kubeadm.node_boot(
                NodeConfig(
                    name,
                    ip,
                    _pod_cidr(j),
                    cpu="2",
                    memory="8Gi",
                    taints=[kubeadm.CONTROL_PLANE_TAINT],
                )
            )
        if control_planes > 1:
            self.network.add_host(LOAD_BALANCER).boot = kubeadm.load_balancer_boot(
                self.control_planes
            )
        for i in range(1, workers + 1):
            name = f"worker-{i}"
            host = self.network.add_host(name)
            kubeadm.join_worker(host, self.endpoint, cluster_pki)
            host.boot = kubeadm.node_boot(
                NodeConfig(
                    name,
                    _node_ip(i),
                    _pod_cidr(control_planes - 1 + i),
                    cpu=worker_cpu,
                    memory=worker_memory,
                )
            )
        # The image registry is a host outside the cluster that every node pulls from.
        self.network.add_host(REGISTRY).boot = registry_boot(CATALOGUE)
        for host in self.network.hosts():
            host.start()
        self._wait_for_nodes()
        self._kubeadm_init_phases()
        self._install_addons(proxy_mode, skipped)

    def _wait_for_nodes(self) -> None:
        # Up means: every kubelet registered and holds its Lease, and a scheduler leads and
        # sees every node, so the first pod applied is scheduled at once.
        deadline = self.sim.now + BOOT_LIMIT_SECONDS
        nodes = [name for name in self.hosts
                 if components.kubelet_status(self.network, name) is not None]
        while not (all(components.kubelet_status(self.network, name).settled for name in nodes)
                   and self._scheduler_ready(len(nodes))):
            if self.sim.now >= deadline:
                raise K8sLabError(f"the cluster did not come up in {BOOT_LIMIT_SECONDS:g} s")
            self.sim.run(0.1)

    def _kubeadm_init_phases(self) -> None:
        # As the super-admin, kubeadm init's mark-control-plane phase labels the control-plane
        # nodes (NodeRestriction forbids a kubelet to give itself node-role.kubernetes.io/
        # labels), and it binds kubeadm:cluster-admins (admin.conf's group) to cluster-admin;
        # then it waits until admin.conf's user is authorized.
        def super_admin(steps: Callable[[Client], Generator]) -> Any:
            return self._on_control_plane(
                lambda group: _steps(steps, pki.admin_client(group, pki.SUPER_ADMIN_CONF)))

        for name in self.control_planes:
            super_admin(lambda client, n=name: kubeadm.mark_control_plane(client, n))
        send_each(load_manifests(kubeadm_objects()), super_admin, "kubeadm", create_only=False)
        deadline = self.sim.now + BOOT_LIMIT_SECONDS
        while True:
            try:
                self.list("namespaces")
                return
            except ForbiddenError:
                if self.sim.now >= deadline:
                    raise
                self.sim.run(0.1)

    def _install_addons(self, proxy_mode: str, skipped: set[str]) -> None:
        # kubeadm's addon phase, then wait until kube-proxy wrote every node's rules and a
        # CoreDNS pod is ready behind kube-dns, so the first Service a reader makes resolves.
        manifests = kubeadm.addons(self.endpoint, proxy_mode, skipped)
        if not manifests:
            return
        self.apply(manifests)
        deadline = self.sim.now + BOOT_LIMIT_SECONDS
        while not ((kubeadm.COREDNS in skipped or self._dns_ready()) and (
                kubeadm.KUBE_PROXY in skipped or all(
                    components.proxy_syncs(self.network, name) > 0 for name in self.hosts
                    if components.kubelet_status(self.network, name) is not None))):
            if self.sim.now >= deadline:
                raise K8sLabError(f"kube-proxy and CoreDNS did not come up in "
                                  f"{BOOT_LIMIT_SECONDS:g} s")
            self.sim.run(0.5)

    def _dns_ready(self) -> bool:
        listed = components.cached_list(self.network, self.control_planes[0], "endpointslices")
        return listed is not None and any(
            s["metadata"].get("labels", {}).get("kubernetes.io/service-name") == "kube-dns"
            and any(e.get("conditions", {}).get("ready") for e in s.get("endpoints") or [])
            for s in listed[0])

    def _scheduler_ready(self, nodes: int) -> bool:
        schedulers = [components.scheduler_view(self.network, n) for n in self.control_planes]
        return any(s is not None and s.leading and s.nodes_seen >= nodes for s in schedulers)

    # -- time and the record ------------------------------------------------------------

    @property
    def now(self) -> float:
        """Simulated seconds since the cluster was created."""
        return self.sim.now

    @property
    def trace(self) -> Trace:
        """Every event so far: time, host, component, kind, object, details."""
        return self.sim.trace

    def run(self, seconds: float) -> None:
        """Advance simulated time by `seconds`, from 0 to 86400 (one simulated day) per call.

        In a notebook a run of an hour or more shows a progress line. Interrupting the kernel
        stops the run between two events (KeyboardInterrupt says when): the cluster is left
        consistent, answers, and runs on from there.
        """
        seconds = arguments.number(seconds, "run()'s seconds", high=MAX_RUN_SECONDS,
                                   unit=" (one simulated day at most; call run() again for more)")
        observe = self.raft_safety.observe if self.check_invariants else None
        show = progress.progress_line(seconds)
        if show is None:
            self.sim.run(seconds, after_event=observe)
            return
        start = self.sim.now
        for end in progress.steps(start, seconds):
            self.sim.run_until(end, after_event=observe)
            show(end - start, self.sim.now)

    def trace_of(self, ref: str) -> list[Record]:
        """The records about one object, e.g. `trace_of("pod/default/web-1")`."""
        kind, _, rest = arguments.text(ref, "trace_of()'s object",
                                       'a string "<kind>/<namespace>/<name>"').partition("/")
        if not rest:
            raise K8sLabError(f'name an object as "<kind>/<namespace>/<name>", got {ref!r}')
        info = kind_info(kind.capitalize())
        namespace, _, name = rest.rpartition("/")
        return self.trace.about(ref, registry_key(info, namespace or None, name))

    # -- talking to the API server --------------------------------------------------------

    def request(self, steps: Callable[[Client], Generator]) -> Any:
        """Run API client `steps` as kubectl would, on a control-plane host, until they return.

        `steps` receives a `Client` logged in as kubernetes-admin to the control-plane endpoint
        (kubeadm's admin.conf); their value is returned and an API error is raised as it came.
        """
        if not callable(steps):
            raise K8sLabError(f"request() takes a function of a Client that yields its steps "
                              f"(a generator function), got {arguments.shown(steps)}")
        if not self.network.host(self.endpoint).up:
            raise UnavailableError(
                f"The connection to the server {self.endpoint}:6443 was "
                "refused - did you specify the right host or port?"
            )
        return self._on_control_plane(
            lambda group: _steps(steps, self._admin_client(group)))

    def _on_control_plane(self, steps: Callable[[ProcessGroup], Generator],
                          limit: float = COMMAND_LIMIT) -> Any:
        # kubectl and etcdctl run on a control-plane host (kubeadm's admin.conf points at the
        # control-plane endpoint); with that host down, the admin logs in to another one.
        host = next((self.network.host(n) for n in self.control_planes
                     if self.network.host(n).up), None)
        if host is None:
            raise UnavailableError("every control-plane host is down: nowhere to run kubectl")
        group = host.group("kubectl")
        observe = self.raft_safety.observe if self.check_invariants else None
        try:
            return self.sim.run_process(group.spawn(steps(group)), limit, observe)
        finally:
            group.stop()

    def get(self, resource: str, name: str, namespace: str | None = "default") -> dict:
        """One object, read through the API server."""
        resource, name, namespace = arguments.object_arguments(resource, name, namespace)
        return self.request(lambda c: c.get(resource, name, namespace))

    def list(self, resource: str, namespace: str | None = None) -> list[dict]:
        """Objects of one resource ("pods", "nodes"...), all namespaces unless one is given."""
        arguments.text(resource, "resource", 'a resource name such as "pods"')
        arguments.optional_text(namespace, "namespace")
        return self.request(lambda c: c.list(resource, namespace))[0]

    def apply(self, manifest: Any) -> list[str]:
        """Create or update the objects in `manifest` (YAML text, a dict, a list, or a path).

        As kubectl does: every document is read and validated first, and a document that fails
        there refuses the whole input (nothing changes). Then each is sent in order; the lines
        kubectl prints come back (`pod/a created`, `pod/b unchanged`, `pod/c configured`). If the
        server refuses some, the rest are still applied and `ApplyError` lists the refused ones
        (`Error from server (AlreadyExists): ...`); its `results` has every document's line.
        """
        docs, custom = self._manifests(manifest)
        for doc in docs:
            if not doc["metadata"].get("name"):
                # kubectl apply needs a name to find the object next time (kubectl's words).
                raise K8sLabError("error: cannot use generate name with apply; use create()")
        return send_each(docs, self.request, source_name(manifest), create_only=False,
                         custom=custom)

    def create(self, manifest: Any) -> list[str]:
        """Create the objects in `manifest` (`kubectl create`); `generateName` is allowed.

        Returns what kubectl prints, e.g. `pod/web-x7k2p created`. Like `apply`, a document
        that does not read refuses everything, while a name already taken fails only its own
        document: the others are created and `ApplyError` lists the refused ones.
        """
        docs, custom = self._manifests(manifest)
        return send_each(docs, self.request, source_name(manifest), create_only=True,
                         custom=custom)

    # -- faults -----------------------------------------------------------------------------

    def kill_node(self, name: str) -> None:
        """Crash a host: its containers and kubelet stop; its disk survives."""
        host = self.network.host(arguments.host(name, self.hosts, "kill_node()'s name"))
        if not host.up:
            raise K8sLabError(f"{name} is already down; restart_node({name!r}) brings it back")
        self.network.crash(name)

    def restart_node(self, name: str) -> None:
        """Power a crashed host back on: containerd and the kubelet start again."""
        host = self.network.host(arguments.host(name, self.hosts, "restart_node()'s name"))
        if host.up:
            raise K8sLabError(f"{name} is running; kill_node({name!r}) first")
        self.network.restart(name)

    def partition(self, *groups: Sequence[str]) -> None:
        """Cut the network between groups of hosts: `partition(["worker-1"], ["control-plane"])`.

        The image registry may be named too (`"registry"`): cut off, a node cannot pull."""
        if len(groups) < 2:
            raise K8sLabError("partition() needs at least two groups of host names")
        self.network.partition(*arguments.host_groups(groups, [*self.hosts, REGISTRY]))

    def heal(self) -> None:
        """Remove every network partition."""
        self.network.heal()

    def set_faults(self, *, duplicate: float = 0.0, jitter: float = 0.0) -> None:
        """Duplicate (probability) and delay by up to `jitter` s, so reorder, peer messages."""
        self.network.set_faults(
            duplicate=arguments.number(duplicate, "duplicate", high=1.0, unit=" (a probability)"),
            jitter=arguments.number(jitter, "jitter", high=MAX_RUN_SECONDS, unit=" seconds"))

    def set_link(self, host: str, *, latency: float | None = None,
                 loss: float | None = None) -> None:
        """Change `host`'s network link: one-way latency in seconds, or the fraction of
        messages lost (0..1)."""
        arguments.host(host, self.hosts)
        if latency is not None:
            latency = arguments.number(latency, "latency", high=MAX_RUN_SECONDS, unit=" seconds")
        if loss is not None:
            loss = arguments.number(loss, "loss", high=1.0, unit=" (a probability)")
        self.network.set_link(host, SWITCH, latency=latency, loss=loss)

    # -- scheduling ---------------------------------------------------------------------------

    def explain(self, target: Any) -> scheduling.Explanation:
        """Why a pod landed where it did ("ns/name"), or where a manifest would (a what-if)."""
        return scheduling.explain(self, target)

    def scheduling_history(self, target: str) -> list[scheduling.Explanation]:
        """Every recorded scheduling decision for one pod, oldest first."""
        arguments.text(target, "scheduling_history()'s pod", 'a string "<namespace>/<name>"')
        return scheduling.history(self, target)

    def taint(self, node: str, spec: str, *, overwrite: bool = False) -> str:
        """`kubectl taint nodes <node> key=value:Effect` (or `key:Effect-` to remove)."""
        arguments.text(node, "node", "a node name")
        arguments.text(spec, "taint()'s spec", 'a string "key=value:Effect"')
        return scheduling.taint(self, node, spec, overwrite=arguments.flag(overwrite, "overwrite"))

    def label(self, node: str, spec: str, *, overwrite: bool = False) -> str:
        """`kubectl label nodes <node> key=value` (or `key-` to remove)."""
        arguments.text(node, "node", "a node name")
        arguments.text(spec, "label()'s spec", 'a string "key=value"')
        return scheduling.label(self, node, spec, overwrite=arguments.flag(overwrite, "overwrite"))

    # -- etcd -----------------------------------------------------------------------------------

    def etcd_status(self) -> dict[str, MemberStatus | None]:
        """`etcdctl endpoint status` of the member on each control-plane host, read from the
        member itself (None while its host is down)."""
        return {name: components.etcd_status(self.network, name) for name in self.control_planes}

    def etcd_leader(self) -> str | None:
        """The member leading the highest term among those that believe they lead."""
        leaders = [s for s in self.etcd_status().values() if s is not None and s.is_leader]
        return max(leaders, key=lambda status: status.term).member if leaders else None

    def etcdctl(self, command: str, stdin: str = "") -> etcdctl.Output:
        """What `etcdctl --endpoints=<every member> <command>` prints (etcdctl 3.5), run on a
        control plane; `stdin` is its standard input (txn's requests). print() shows it."""
        arguments.text(command, "etcdctl()'s command", 'a string such as "get / --prefix"')
        arguments.text(stdin, "etcdctl()'s stdin")
        return self._on_control_plane(
            lambda group: etcdctl.run(group, self.control_planes, command, stdin))

    def etcdutl(self, command: str) -> str:
        """What `etcdutl <command>` prints (etcdutl 3.6: snapshot status|restore), on the host
        etcdctl runs on; it reads and writes that host's disk."""
        arguments.text(command, "etcdutl()'s command", 'a string such as "snapshot status FILE"')
        return self._on_control_plane(lambda group: _now(etcdutl.run(group.host, command)))

    def edit_static_pod(self, host: str, filename: str, edit: Callable[[dict], None]) -> dict:
        """Edit /etc/kubernetes/manifests/<filename> on `host` (static_pods.py)."""
        return static_pods.edit_static_pod(self.network, host, filename, edit)

    def write_static_pod(self, host: str, filename: str, manifest: Any) -> dict:
        """Drop a Pod manifest into /etc/kubernetes/manifests/<filename> on `host`: its kubelet
        starts the pod at its next file check (every 20 s) and mirrors it in the API."""
        return static_pods.write_static_pod(self.network, host, filename, manifest)

    def remove_static_pod(self, host: str, filename: str) -> None:
        """Delete /etc/kubernetes/manifests/<filename> on `host`: its kubelet stops the pod."""
        static_pods.remove_static_pod(self.network, host, filename)

    def invariants(self) -> list[str]:
        """Raft safety violations (Figure 3 of the Raft paper) seen so far; [] when all hold.

        Every event is checked when the cluster was made with `check_invariants=True`;
        otherwise only the members' current state is.
        """
        self.raft_safety.observe()
        return self.raft_safety.violations()

    @property
    def hosts(self) -> list[str]:
        """Names of every host of the cluster, control plane first (the registry it pulls
        images from is not one of them)."""
        return [h.name for h in self.network.hosts() if h.name != REGISTRY]

    def crictl(self, node: str, command: str = "ps -a") -> str:
        """crictl on `node`, as an admin would run it there: `ps [-a]`, `pods`, `images`,
        `inspect ID`, `logs ID`, `stats`. `stats` samples twice, one simulated second apart
        (so it advances the cluster by a second), to tell how much CPU each container used."""
        name = arguments.host(node, self.hosts, "node")
        if not isinstance(command, str):
            raise K8sLabError(f"command must be a crictl command line, got {command!r}")
        before: tuple = ()
        if command.split()[:1] == ["stats"] and self.host_is_up(name):
            before = components.container_stats(self.network, name)
            self.run(1)
        view = components.crictl_view(self.network, name, before)
        if view is None:
            raise K8sLabError(f"{name} is down: there is no containerd to ask")
        return crictl.crictl(command, view)

    def node_file(self, node: str, path: str) -> str:
        """The text of a file on a node's disk: a static pod manifest, the kubelet's
        /var/lib/kubelet/config.yaml, a container's log under /var/log/pods..."""
        disk = self.network.host(arguments.host(node, self.hosts, "node")).disk
        return node_files.read_file(disk, arguments.text(path, "path"))

    def node_files(self, node: str, directory: str = "/") -> list[str]:
        """The files on a node's disk under `directory` (its disk survives a crash)."""
        disk = self.network.host(arguments.host(node, self.hosts, "node")).disk
        return node_files.list_files(disk, arguments.text(directory, "directory"))

    def run_webhook_server(self, name: str, handler: Callable[[dict], object], *,
                           namespace: str = "default", latency: float = 0.002,
                           replicas: int = 1) -> str:
        """Run `handler` (an AdmissionReview request -> response function) as an admission
        webhook server behind Service `name`; see `k8slab.lab.webhooks`."""
        return webhooks.run_webhook_server(self, name, handler, namespace=namespace,
                                           latency=latency, replicas=replicas)

    def host_is_up(self, name: str) -> bool:
        """True if host `name` is running."""
        return self.network.host(arguments.host(name, self.hosts, "name")).up

    def containers(self, name: str) -> list[dict]:
        """The containers runc is running on host `name` (`runc list`), empty when it is down."""
        return [
            {"ociVersion": c.oci_version, "id": c.id, "status": c.status, "pid": c.pid,
             "bundle": c.bundle, "image": c.image, "pod": c.pod}
            for c in components.containers(self.network, arguments.host(name, self.hosts, "name"))
            if c.status == "running"
        ]


def _now(value: object) -> Generator:
    """A process that returns `value` at once (for a command that takes no simulated time)."""
    yield from ()
    return value


def _steps(steps: Callable[[Client], Generator], client: Client) -> Generator:
    started = steps(client)
    if not inspect.isgenerator(started):
        raise K8sLabError("request()'s function must yield its steps (a generator function, "
                          f"`yield from client.get(...)`); it returned {arguments.shown(started)}")
    return started


def _pod_cidr(index: int) -> str:
    """The /24 of pod addresses for the index-th node (kubeadm + flannel's 10.244.0.0/16)."""
    return f"10.{244 + index // 256}.{index % 256}.0/24"


def _node_ip(i: int) -> str:
    """The i-th worker's address (i from 1): 200 per /24 from .20 on, so no octet passes 219
    and none meets the control planes' 10.0.0.10-16."""
    return f"10.0.{i // 200}.{i % 200 + 20}"
