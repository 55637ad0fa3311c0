"""The ServiceAccount admission plugin (kk plugin/pkg/admission/serviceaccount/admission.go):
every pod runs as a ServiceAccount that exists, and gets an API token unless it opts out.

On CREATE of a pod it sets spec.serviceAccountName to `default` when empty, refuses a pod
whose ServiceAccount does not exist (403 `error looking up service account ns/name:
serviceaccount "name" not found`), copies the account's imagePullSecrets when the pod has
none, and, unless the pod or the account sets automountServiceAccountToken false, adds the
projected volume `kube-api-access-<5 random chars>` (a bound token, the cluster CA, the
namespace) mounted read-only at /var/run/secrets/kubernetes.io/serviceaccount in every
container. Mirror pods are left alone but may not use ServiceAccounts, Secrets or tokens.
The `default` account is looked up up to 10 times, 100-200 ms apart, since its controller
may not have made it yet in a new namespace.
"""

from __future__ import annotations

import random
from collections.abc import Generator

from k8slab.api.kinds import SERVICE_ACCOUNT
from k8slab.apiserver.admission import CREATE, AdmissionPlugin, AdmissionRequest
from k8slab.apiserver.storage import Storage
from k8slab.errors import ForbiddenError, NotFoundError

DEFAULT_SERVICE_ACCOUNT = "default"
TOKEN_MOUNT_PATH = "/var/run/secrets/kubernetes.io/serviceaccount"
VOLUME_PREFIX = "kube-api-access-"
ROOT_CA_CONFIGMAP = "kube-root-ca.crt"
MIRROR_ANNOTATION = "kubernetes.io/config.mirror"
DEFAULT_ATTEMPTS = 10  # getServiceAccount: more tries for the auto-created default account
# utilrand.String's alphabet (names.SimpleNameGenerator), as generateName uses.
NAME_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"
WARN_ONLY_EXPIRATION_SECONDS = 3607  # serviceaccount.WarnOnlyBoundTokenExpirationSeconds


def token_volume_source() -> dict:
    """TokenVolumeSource: the projected volume every automounting pod gets (mode 0644)."""
    return {
        "defaultMode": 420,
        "sources": [
            {"serviceAccountToken": {"expirationSeconds": WARN_ONLY_EXPIRATION_SECONDS,
                                     "path": "token"}},
            {"configMap": {"items": [{"key": "ca.crt", "path": "ca.crt"}],
                           "name": ROOT_CA_CONFIGMAP}},
            {"downwardAPI": {"items": [{"fieldRef": {"apiVersion": "v1",
                                                     "fieldPath": "metadata.namespace"},
                                        "path": "namespace"}]}},
        ],
    }


def _forbidden(request: AdmissionRequest, reason: str) -> ForbiddenError:
    # admission.NewForbidden: the name, else the generateName (not expanded yet), else Unknown.
    meta = (request.obj or {}).get("metadata") or {}
    name = request.attributes.name or meta.get("name") or meta.get("generateName") or "Unknown"
    return ForbiddenError(f'pods "{name}" is forbidden: {reason}')


def _is_pod_create(request: AdmissionRequest) -> bool:
    return (request.operation == CREATE and request.kind.kind == "Pod"
            and not request.attributes.subresource and request.obj is not None)


class ServiceAccount(AdmissionPlugin):
    """Defaults, checks and mounts a pod's ServiceAccount (Admit and Validate)."""

    name = "ServiceAccount"
    mutating = True
    validating = True

    def __init__(self, storage: Storage) -> None:
        self.storage = storage
        group = storage.etcd.group
        self._timeout = group.env.timeout
        self._rng: random.Random = group.sim.rng(f"admission/ServiceAccount/{group.host.name}")

    def mutate(self, request: AdmissionRequest) -> Generator:
        """Default the account, check it exists, mount its token, copy its pull secrets."""
        if not _is_pod_create(request) or _is_mirror(request.obj):
            return
        pod = request.obj
        spec = pod["spec"]
        spec["serviceAccountName"] = spec.get("serviceAccountName") or DEFAULT_SERVICE_ACCOUNT
        account = yield from self._lookup(request, spec["serviceAccountName"])
        if _should_automount(account, pod):
            self._mount_token(pod)
        if not spec.get("imagePullSecrets") and account.get("imagePullSecrets"):
            spec["imagePullSecrets"] = [{"name": ref["name"]}
                                        for ref in account["imagePullSecrets"]]
        request.patches.append(self.name)

    def validate(self, request: AdmissionRequest) -> Generator:
        """Mirror pods use no account, Secret or token; other pods name one that exists."""
        if not _is_pod_create(request):
            return
        pod = request.obj
        spec = pod["spec"]
        if _is_mirror(pod):
            _check_mirror(request, spec)
            return
        if not spec.get("serviceAccountName"):
            raise _forbidden(request, f"no service account specified for pod "
                                      f"{request.namespace}/{pod['metadata'].get('name', '')}")
        yield from self._lookup(request, spec["serviceAccountName"])

    def _lookup(self, request: AdmissionRequest, name: str) -> Generator:
        attempts = DEFAULT_ATTEMPTS if name == DEFAULT_SERVICE_ACCOUNT else 1
        interval = (self._rng.randrange(100) + 100) / 1000
        for attempt in range(attempts):
            if attempt:
                yield self._timeout(interval)
            try:
                return (yield from self.storage.get(SERVICE_ACCOUNT, request.namespace, name))
            except NotFoundError:
                continue
        raise _forbidden(request, f"error looking up service account {request.namespace}/"
                                  f'{name}: serviceaccount "{name}" not found')

    def _mount_token(self, pod: dict) -> None:
        spec = pod["spec"]
        containers = spec.get("initContainers", []) + spec.get("containers", [])
        lacking = [c for c in containers if not any(
            m.get("mountPath") == TOKEN_MOUNT_PATH for m in c.get("volumeMounts", []))]
        if not lacking:  # every container already mounts something at the token's path
            return
        existing = [v["name"] for v in spec.get("volumes", [])
                    if v.get("name", "").startswith(VOLUME_PREFIX)]
        volume_name = existing[0] if existing else VOLUME_PREFIX + "".join(
            self._rng.choice(NAME_ALPHABET) for _ in range(5))
        for container in lacking:
            container.setdefault("volumeMounts", []).append(
                {"mountPath": TOKEN_MOUNT_PATH, "name": volume_name, "readOnly": True})
        if not existing:
            spec.setdefault("volumes", []).append(
                {"name": volume_name, "projected": token_volume_source()})


def _is_mirror(pod: dict) -> bool:
    return MIRROR_ANNOTATION in ((pod.get("metadata") or {}).get("annotations") or {})


def _should_automount(account: dict, pod: dict) -> bool:
    # The pod's preference wins, then the account's; true by default.
    for choice in (pod["spec"].get("automountServiceAccountToken"),
                   account.get("automountServiceAccountToken")):
        if choice is not None:
            return bool(choice)
    return True


def _check_mirror(request: AdmissionRequest, spec: dict) -> None:
    if spec.get("serviceAccountName"):
        raise _forbidden(request, "a mirror pod may not reference service accounts")
    for volume in spec.get("volumes", []):
        if "secret" in volume:
            raise _forbidden(request, "a mirror pod may not reference secrets")
        for source in (volume.get("projected") or {}).get("sources", []):
            if "serviceAccountToken" in source:
                raise _forbidden(request, "a mirror pod may not use ServiceAccountToken "
                                          "volume projections")
