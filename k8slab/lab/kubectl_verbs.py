"""The `Cluster` facade's kubectl verbs: `kubectl(command)` for every verb, and the few that a
notebook calls with Python values (`delete`, `scale`, `cordon`, `uncordon`).

kubectl runs on a control-plane host with kubeadm's admin.conf; a verb that waits (delete,
rollout status, drain) lets simulated time pass until it is done, within a bound.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable, Generator, Sequence
from typing import Any

from k8slab.apiserver.authorization import ALLOW, DENY, NO_OPINION, Decision
from k8slab.client.rest import Client
from k8slab.errors import K8sLabError, UnauthorizedError, UnavailableError
from k8slab.lab import arguments
from k8slab.lab.apply import unauthorized_line
from k8slab.lab.kubectl import auth, dispatch, drain
from k8slab.lab.kubectl import delete as kubectl_delete
from k8slab.lab.kubectl import exec as kubectl_exec
from k8slab.lab.kubectl import logs as kubectl_logs
from k8slab.lab.kubectl import scale as kubectl_scale
from k8slab.lab.kubectl.api import Api, ClientApi
from k8slab.lab.kubectl.flags import split_command
from k8slab.lab.kubectl.get import WatchChange
from k8slab.lab.kubectl.output import REQUEST_MARGIN, wait_seconds
from k8slab.lab.pki import admin_client
from k8slab.sim.host import ProcessGroup
from k8slab.sim.network import Network


class KubectlVerbs:
    """kubectl's verbs for a cluster that has a network, an API endpoint host, and runs steps
    on a control-plane host (`Cluster` is one)."""

    # Cluster provides these, and get(), list() and _on_control_plane(steps, limit).
    network: Network
    endpoint: str
    now: float

    def delete(self, resource: str, name: str, namespace: str | None = "default", *,
               grace_period: int | None = None, cascade: str = "background",
               force: bool = False, wait: bool = True) -> str:
        """`kubectl delete <resource> <name>`: what kubectl prints, e.g.
        `pod "web" deleted from default namespace`.

        As kubectl: `grace_period` overrides the pod's terminationGracePeriodSeconds, `cascade`
        (background, foreground or orphan) is the propagationPolicy, `force=True` with
        `grace_period=0` removes the object at once; with `wait` (the default) the call returns
        once the object is gone, simulated time passing meanwhile.
        """
        resource, name, namespace = arguments.object_arguments(resource, name, namespace)
        if not isinstance(cascade, str) or cascade not in kubectl_delete.POLICIES:
            raise K8sLabError(f"cascade must be one of {', '.join(kubectl_delete.POLICIES)}, "
                              f"got {arguments.shown(cascade)}")
        flags = {"cascade": cascade, "force": arguments.flag(force, "force"),
                 "wait": arguments.flag(wait, "wait")}
        if grace_period is not None:
            if not arguments.is_whole(grace_period):
                raise K8sLabError("grace_period must be a whole number of seconds or None, got "
                                  f"{arguments.shown(grace_period)}")
            flags["grace-period"] = grace_period
        request = kubectl_delete.parse(flags, [resource, name], namespace or "default")
        limit = wait_seconds(None) if wait else 0.0
        return self._kubectl_steps(lambda api: kubectl_delete.steps(api, request), limit)

    def scale(self, target: str, replicas: int, namespace: str = "default") -> str:
        """`kubectl scale <target> --replicas=N`, e.g. `scale("deployment/web", 5)`: what
        kubectl prints (`deployment.apps/web scaled`)."""
        arguments.text(target, "scale()'s target", 'a string such as "deployment/web"')
        if not arguments.is_whole(replicas):
            raise K8sLabError(f"replicas must be a whole number, got {arguments.shown(replicas)}")
        arguments.text(namespace, "namespace")
        request = kubectl_scale.parse({"replicas": replicas}, target.split(), namespace)
        return self._kubectl_steps(lambda api: kubectl_scale.steps(api, request), 0.0)

    def logs(self, pod: str, container: str | None = None, namespace: str = "default", *,
             previous: bool = False, tail: int | None = None, timestamps: bool = False) -> str:
        """`kubectl logs POD [-c CONTAINER] [--previous] [--tail N] [--timestamps]`: the lines
        the container wrote, read by its node's kubelet from the CRI log files."""
        flags: dict = {"previous": arguments.flag(previous, "previous"),
                       "timestamps": arguments.flag(timestamps, "timestamps")}
        if container is not None:
            flags["container"] = arguments.text(container, "container", "a container name")
        if tail is not None:
            if not arguments.is_whole(tail):
                raise K8sLabError(f"tail must be a whole number of lines or None, got "
                                  f"{arguments.shown(tail)}")
            flags["tail"] = tail
        arguments.text(namespace, "namespace")
        request = kubectl_logs.parse(flags, [arguments.text(pod, "pod", "a pod name")],
                                     namespace)
        return self._kubectl_steps(lambda api: kubectl_logs.steps(api, request), 0.0)

    def exec_(self, pod: str, command: list[str], container: str | None = None,
              namespace: str = "default") -> str:
        """`kubectl exec POD [-c CONTAINER] -- COMMAND...`: the command's output; a non-zero
        exit raises KubectlError `command terminated with exit code N` (output attached)."""
        if not isinstance(command, list | tuple) or not all(isinstance(w, str) for w in command):
            raise K8sLabError("command must be a list of strings such as ['cat', '/tmp/healthy'],"
                              f" got {arguments.shown(command)}")
        flags = {} if container is None else {
            "container": arguments.text(container, "container", "a container name")}
        arguments.text(namespace, "namespace")
        request = kubectl_exec.parse(flags, [arguments.text(pod, "pod", "a pod name"),
                                             *command], namespace)
        return self._kubectl_steps(lambda api: kubectl_exec.steps(api, request), 0.0)

    def kubectl(self, command: str, *, as_user: str | None = None,
                as_groups: Sequence[str] = ()) -> str:
        """What `kubectl <command>` prints: get, describe, logs, exec, delete, scale, rollout,
        set image, cordon, uncordon, drain, label, annotate, patch (dispatch.USAGE lists
        their forms).

        Verbs that wait (delete, rollout status, drain) let simulated time pass until done, as
        kubectl waits; they stop after a bounded time (--timeout, or ten simulated minutes).
        """
        arguments.text(command, "kubectl()'s command", 'a string such as "get pods"')
        words, user, groups = auth.split_impersonation(split_command(command))
        user = user or arguments.optional_text(as_user, "as_user") or ""
        groups = [*groups, *(arguments.text(g, "as_groups", "group names") for g in as_groups)]
        if groups and not user:
            raise K8sLabError("as_groups needs as_user: kubectl impersonates groups only "
                              "together with a user (--as)")
        self._impersonation = (user, tuple(groups))
        try:
            return dispatch.run(_Terminal(self), shlex.join(words))
        except UnauthorizedError as error:  # kubectl's words for a 401 (reference i.1)
            raise UnauthorizedError(unauthorized_line(error), error.cause) from None
        finally:
            self._impersonation = ("", ())

    def authorize(self, user: str, verb: str, resource: str, namespace: str | None = None, *,
                  groups: Sequence[str] = (), name: str = "") -> Decision:
        """May `user` (in `groups`) do `verb` on `resource` ("pods", "pods/log",
        "deployments")? The API server's answer to a SelfSubjectAccessReview sent as that
        user (the admin impersonating it): allowed or not, and the binding and role that
        allowed it (`RBAC: allowed by ClusterRoleBinding ...`) or the Node authorizer's reason."""
        arguments.text(user, "user", 'a user name such as "jane"')
        arguments.text(verb, "verb", 'a verb such as "list"')
        arguments.text(resource, "resource", 'a resource such as "pods"')
        arguments.optional_text(namespace, "namespace")
        arguments.text(name, "name")
        group_names = tuple(arguments.text(g, "groups", "group names") for g in groups)
        base, _, sub = resource.partition("/")
        request = auth.parse({}, [verb, base + (f"/{sub}" if sub else ""), *([name] if name
                                                                            else [])],
                             namespace or "default")
        spec = {"resourceAttributes": {
            "namespace": request.namespace, "verb": request.verb, "group": request.group,
            "resource": request.resource, "subresource": request.subresource,
            "name": request.name}}

        def ask(group: ProcessGroup) -> Generator:
            client = admin_client(group, impersonate_user=user,
                                  impersonate_groups=group_names)
            answer = yield from ClientApi(client).review("selfsubjectaccessreviews", {
                "apiVersion": auth.REVIEWS, "kind": "SelfSubjectAccessReview", "spec": spec})
            return answer["status"]

        status = self._on_control_plane(ask)
        verdict = ALLOW if status.get("allowed") else DENY if status.get("denied") else (
            NO_OPINION)
        return Decision(verdict, status.get("reason", ""), "")

    def _admin_client(self, group: ProcessGroup) -> Client:
        # kubeadm's admin.conf, impersonating whom kubectl(--as) names for this command.
        user, groups = getattr(self, "_impersonation", ("", ()))
        return admin_client(group, impersonate_user=user, impersonate_groups=groups)

    def _kubectl_steps(self, steps: Callable[[Api], Generator], waits: float) -> Any:
        # kubectl's requests, on a control-plane host as the admin, for as long as it may wait.
        if not self.network.host(self.endpoint).up:
            raise UnavailableError(
                f"The connection to the server {self.endpoint}:6443 was "
                "refused - did you specify the right host or port?"
            )
        return self._on_control_plane(
            lambda group: steps(ClientApi(self._admin_client(group))),
            waits + REQUEST_MARGIN)

    def cordon(self, node: str) -> str:
        """`kubectl cordon`: mark a node unschedulable (`node/worker-1 cordoned`)."""
        return self._unschedulable(node, True)

    def uncordon(self, node: str) -> str:
        """`kubectl uncordon`: make a node schedulable again (`node/worker-1 uncordoned`)."""
        return self._unschedulable(node, False)

    def _unschedulable(self, node: object, wanted: bool) -> str:
        verb = "cordon" if wanted else "uncordon"
        request = drain.parse(verb, {}, [arguments.text(node, "node", "a node name")])
        return self._kubectl_steps(lambda api: drain.steps(api, request), 0.0)


class _Terminal:
    """Where kubectl runs for `dispatch.run`: reads through `_Reader`, writes as the admin."""

    def __init__(self, cluster: KubectlVerbs) -> None:
        self._cluster = cluster

    @property
    def reader(self) -> _Reader:
        return _Reader(self._cluster)

    def call(self, steps: Callable[[Api], Generator], limit: float) -> Any:
        return self._cluster._kubectl_steps(steps, max(0.0, limit - REQUEST_MARGIN))


class _Reader:
    """What `kubectl` needs from a cluster: list, get and watch through the API, and the time."""

    def __init__(self, cluster: KubectlVerbs) -> None:
        self._cluster = cluster
        self.now = cluster.now

    def list(self, resource: str, namespace: str | None) -> list[dict]:
        return self._cluster.list(resource, namespace)

    def get(self, resource: str, namespace: str | None, name: str) -> dict:
        return self._cluster.get(resource, name, namespace)

    def list_and_watch(self, resource: str, namespace: str | None,
                       seconds: float) -> tuple[list[dict], list[WatchChange]]:
        """LIST, then WATCH from the list's resourceVersion while `seconds` of simulated time
        pass, as `kubectl get -w` does; each change is stamped with the time it arrived."""

        def steps(group: ProcessGroup) -> Generator:
            client = self._cluster._admin_client(group)
            listed, version = yield from client.list(resource, namespace)
            changes: list[WatchChange] = []

            def arrived(event: dict) -> None:
                changes.append(WatchChange(group.sim.now, event["type"], event["object"]))

            # A stream the server closes (restart, 410 Expired) simply stops delivering, and
            # kubectl's watch ends there, as UntilWithoutRetry does.
            stream = client.watch(resource, version, arrived, lambda _reason: None,
                                  namespace=namespace)
            yield group.env.timeout(seconds)
            stream.close("request timeout")
            return listed, changes

        if not self._cluster.network.host(self._cluster.endpoint).up:
            raise UnavailableError(
                f"The connection to the server {self._cluster.endpoint}:6443 was "
                "refused - did you specify the right host or port?"
            )
        return self._cluster._on_control_plane(steps, seconds + REQUEST_MARGIN)
