"""Who is who and who did what: the certificates kubeadm wrote on the hosts, read as
`openssl x509` would show them, and the audit.k8s.io/v1 Events the API servers wrote to
/var/log/kubernetes/audit/audit.log, filtered, so "who deleted my pod?" is one call:
`c.audit_log(verb="delete", resource="pods", name="web")`.
"""

from __future__ import annotations

import json

from k8slab.api.certificates import Certificate
from k8slab.api.kubeconfig import read_kubeconfig
from k8slab.apiserver.audit_policy import RESPONSE_COMPLETE, STAGES
from k8slab.cmd.kube_apiserver import AUDIT_LOG
from k8slab.errors import K8sLabError
from k8slab.lab import arguments, kubeadm
from k8slab.sim.network import Network


class IdentityVerbs:
    """`certificate()`, `kubeadm_token_create()` and `audit_log()` for a Cluster with
    `network`, `seed`, `hosts`, `control_planes`, `audit_policy` and `apply()`."""

    network: Network
    seed: int
    _tokens_made: int
    now: float
    hosts: list[str]
    control_planes: list[str]
    audit_policy: dict | None

    def certificate(self, node: str, path: str) -> Certificate:
        """The certificate in a file on `node`: a .crt, or a kubeconfig's client certificate
        (`c.certificate("worker-1", "/etc/kubernetes/kubelet.conf").subject`)."""
        disk = self.network.host(arguments.host(node, self.hosts, "node")).disk
        content = disk.get(arguments.text(path, "path"))
        if content is None:
            raise K8sLabError(f"open {path}: no such file or directory")
        if isinstance(content, dict):
            found = read_kubeconfig(content)[1].certificate
            if found is None:
                raise K8sLabError(f"{path} holds no client certificate (a token, or nothing)")
            return found
        return Certificate.from_pem(content)

    def kubeadm_token_create(self, ttl: float = kubeadm.BOOTSTRAP_TOKEN_TTL) -> str:
        """`kubeadm token create --ttl <ttl>s`: a bootstrap token, stored as a Secret in
        kube-system and valid `ttl` seconds (0: forever); returns the token `<id>.<secret>`
        a joining node presents. (Simplified: the lab's `kubeadm init` makes none itself.)"""
        ttl = arguments.number(ttl, "ttl", high=10 * 365 * 86_400.0, unit=" seconds")
        self._tokens_made += 1
        token = kubeadm.bootstrap_token(self.seed, self._tokens_made)
        self.apply(kubeadm.bootstrap_token_secret(token, self.now, ttl))
        return token

    def audit_log(self, *, user: str | None = None, verb: str | None = None,
                  resource: str | None = None, namespace: str | None = None,
                  name: str | None = None, stage: str | None = RESPONSE_COMPLETE) -> list[dict]:
        """The audit Events of every API server, oldest first, that match every filter given:
        `user` (username), `verb` (get, list, watch, create, update, patch, delete),
        `resource` (pods, or pods/log with its subresource), `namespace`, `name` and `stage`
        (ResponseComplete by default; None for all stages). Needs `Cluster(audit_policy=...)`.
        """
        if self.audit_policy is None:
            raise K8sLabError("the audit log is off (kubeadm turns none on): make the cluster "
                              "with Cluster(audit_policy=...), e.g. audit_policy=\"metadata\"")
        wanted = {"user": user, "verb": verb, "resource": resource, "namespace": namespace,
                  "name": name}
        for field, value in wanted.items():
            arguments.optional_text(value, field)
        if stage is not None and stage not in STAGES:
            raise K8sLabError(f"stage must be one of {', '.join(STAGES)} or None, got {stage!r}")
        events = []
        for order, host in enumerate(self.control_planes):
            for line in self.network.host(host).disk.get(AUDIT_LOG, []):
                event = json.loads(line)
                if _matches(event, wanted, stage):
                    events.append((event["stageTimestamp"], order, event))
        return [event for _, _, event in sorted(events, key=lambda e: e[:2])]


def _matches(event: dict, wanted: dict, stage: str | None) -> bool:
    ref = event.get("objectRef") or {}
    resource = ref.get("resource", "")
    if ref.get("subresource"):
        resource = f"{resource}/{ref['subresource']}"
    found = {"user": event.get("user", {}).get("username"), "verb": event.get("verb"),
             "resource": resource, "namespace": ref.get("namespace"), "name": ref.get("name")}
    return (stage is None or event["stage"] == stage) and all(
        value is None or found[field] == value for field, value in wanted.items())
