"""The kube-apiserver process: the request pipeline (defaults, admission, validation), storage in
etcd through `Storage`, and watches served from the `WatchCache`. It listens on port 6443.
"""

from __future__ import annotations

import uuid
from collections.abc import Generator

from k8slab.api.kinds import (
    CUSTOM_RESOURCE_DEFINITION,
    LIMIT_RANGE,
    NAMESPACE,
    RESOURCE_QUOTA,
    SERVICE_ACCOUNT,
    Kind,
    kind_info,
    registry_prefix,
)
from k8slab.apiserver.admission import AdmissionChain
from k8slab.apiserver.admission.listers import Lister
from k8slab.apiserver.admission.listing import KindIndex
from k8slab.apiserver.admission.plugins import default_plugins
from k8slab.apiserver.admission.priority import system_priority_classes
from k8slab.apiserver.admission.webhook_call import WebhookClient
from k8slab.apiserver.audit import AuditEntry, AuditLog
from k8slab.apiserver.audit_policy import Policy
from k8slab.apiserver.authentication import Authenticator, LoopbackToken
from k8slab.apiserver.authorization import forbidden_message, reviews
from k8slab.apiserver.authorization.impersonation import impersonate
from k8slab.apiserver.authorization.modes import NodeRBAC, bootstrap_policy
from k8slab.apiserver.cacher import Cacher, Selection
from k8slab.apiserver.crd_establishing import CRDStatusControllers
from k8slab.apiserver.crd_finalizer import mark_for_cleanup
from k8slab.apiserver.crd_registry import CustomResourceRegistry
from k8slab.apiserver.deletion import parse_options
from k8slab.apiserver.dry_run import DryRunStorage, check_dry_run
from k8slab.apiserver.front_door import WRITE_VERBS, FrontDoor, request_ref
from k8slab.apiserver.kubernetes_service import KubernetesServiceReconciler
from k8slab.apiserver.label_selectors import parse_label_selector
from k8slab.apiserver.list_options import ListOptions, list_options
from k8slab.apiserver.node_proxy import NodeProxy
from k8slab.apiserver.object_copy import json_copy
from k8slab.apiserver.patch import MAX_ATTEMPTS
from k8slab.apiserver.request_info import Attributes, UserInfo, request_attributes
from k8slab.apiserver.scale import check_scalable, scale_of, scaled
from k8slab.apiserver.selectors import parse_field_selector
from k8slab.apiserver.serviceaccount_token import ServiceAccountTokenAuthenticator, signing_key
from k8slab.apiserver.storage import Storage
from k8slab.apiserver.strategy import (
    served_form,
)
from k8slab.apiserver.token_request import TokenRequests
from k8slab.apiserver.watch import WatchCache, Watcher
from k8slab.apiserver.write_paths import WritePaths
from k8slab.errors import (
    AlreadyExistsError,
    APIError,
    BadRequestError,
    ConflictError,
    ForbiddenError,
    GoneError,
    InternalError,
    K8sLabError,
)
from k8slab.sim.host import ProcessGroup, describe
from k8slab.sim.network import Stream

SECURE_PORT = 6443
# The namespaces kube-apiserver creates at start-up (its system namespaces bootstrap controller).
SYSTEM_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")
COMPACTION_INTERVAL = 300.0  # --etcd-compaction-interval default 5m
REGISTRY_PREFIX = "/registry/"  # --etcd-prefix default: every object lives under it
RETRY_SECONDS = 1.0
# apiserver/pkg/server/filters/wrap.go WithPanicRecovery: the body of a request that panicked.
PANIC_MESSAGE = "This request caused apiserver to panic. Look in the logs for details."


class APIServer(FrontDoor):
    """One kube-apiserver, storing in the etcd member on `etcd_endpoint`."""

    def __init__(self, group: ProcessGroup, etcd_endpoint: str,
                 advertise_address: str | None = None,
                 authenticator: Authenticator | None = None,
                 audit_policy: Policy | None = None, audit_path: str = "", *,
                 watch_cache: bool = True) -> None:
        self.group = group
        self.advertise_address = advertise_address
        self.host = group.host.name
        self.sim = group.sim
        self.storage = Storage.connect(group, etcd_endpoint)
        self.node_proxy = NodeProxy(group, self.storage)
        self.cache = WatchCache()
        self.cacher = Cacher(self.cache, self.storage, group)
        self.cacher.enabled = watch_cache  # --watch-cache (true by default)
        self.admission_index = KindIndex((LIMIT_RANGE, RESOURCE_QUOTA))
        self.authorizer = NodeRBAC()  # --authorization-mode=Node,RBAC, as kubeadm sets it
        # How this server dials out to webhooks: its node's route, which kube-apiserver's
        # main sets (a static pod on the host network); None: no network to call them on.
        self.dial = None
        webhooks = WebhookClient(group, lambda: self.cache.objects, lambda: self.dial,
                                 self._record)
        self.admission = AdmissionChain(default_plugins(
            self.storage, lister=Lister(self.storage, self.cache, lambda: self.cache_ready),
            index=self._cached_namespaced, now=lambda: self.sim.now, webhooks=webhooks),
            self._record)
        self.authenticator = authenticator or Authenticator(lambda: self.sim.now)
        # Its own requests (system namespaces, the `kubernetes` Service) carry a token it
        # makes at start, as upstream's loopback client does.
        loopback = self.sim.rng(f"apiserver/{self.host}/loopback")
        self.loopback = LoopbackToken(f"{loopback.getrandbits(128):032x}",
                                      str(uuid.UUID(int=loopback.getrandbits(128), version=4)))
        self.authenticator.tokens.insert(0, self.loopback)
        # --audit-policy-file and --audit-log-path: none by default (kubeadm turns none on).
        self.audit = None if audit_policy is None else AuditLog(
            audit_policy, group.host.disk, audit_path, lambda: self.sim.now,
            self.sim.rng(f"apiserver/{self.host}/audit"))
        self._rng = self.sim.rng(f"apiserver/{self.host}")
        # The write handlers over etcd, and the same over a dry run's storage (dryRun=All).
        self.paths = WritePaths.over(self.storage, self.admission, self._rng,
                                     lambda: self.sim.now, self._record)
        self.dry_paths = WritePaths.over(DryRunStorage(self.storage), self.admission, self._rng,
                                         lambda: self.sim.now, self._record_dry_run)
        # serviceaccounts/<name>/token, and the authenticator for the tokens it issues.
        key = signing_key(self.sim.seed)
        self.tokens = TokenRequests(self.storage, key, lambda: self.sim.now,
                                    self.sim.rng(f"apiserver/{self.host}/tokens"))
        self.service_account_tokens = ServiceAccountTokenAuthenticator(
            key, lambda: self.cache.objects, lambda: self.sim.now)
        self.authenticator.add_token_authenticator(self.service_account_tokens)
        # Custom resources: the CRDs this server's cache holds, and their REST handler.
        self.crds = CustomResourceRegistry()

    @property
    def cache_ready(self) -> bool:
        """True once the watch cache holds a full list and follows etcd."""
        return self.cacher.ready

    def cached_list(self, resource: str) -> tuple[list[dict], str] | None:
        """A read-only view: what a list of `resource` at resourceVersion "0" answers (upstream
        serves it from the watch cache), as copies; None until the cache is filled."""
        if not self.cache_ready:
            return None
        kind = self.crds.resolve(resource)
        prefix = registry_prefix(kind)
        items = [served_form(kind, json_copy(obj))
                 for key, obj in sorted(self.cache.objects.items()) if key.startswith(prefix)]
        return items, str(self.cache.revision)

    def _cached_namespaced(self, kind: Kind, namespace: str) -> list[dict] | None:
        """Copies of the LimitRanges or ResourceQuotas of `namespace`, fed with the watch cache
        (what admission plugins list, as upstream's read their informers); None until filled."""
        return self.admission_index.list(kind, namespace) if self.cache_ready else None

    def _record(self, kind: str, obj: str = "", **details) -> None:
        self.sim.record(self.host, "apiserver", kind, obj, **details)

    def _record_dry_run(self, kind: str, obj: str = "", **details) -> None:
        self._record(kind, obj, dry_run=True, **details)

    def start(self) -> None:
        """Listen on 6443, create the system namespaces and priority classes, fill the watch
        cache, compact etcd, and (given its --advertise-address) maintain the `kubernetes`
        Service's endpoints."""
        self.group.listen(SECURE_PORT, self)
        self.group.spawn(self._bootstrap([
            {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}
            for name in SYSTEM_NAMESPACES]))
        self.group.spawn(self._bootstrap(system_priority_classes()))
        self.group.spawn(self._bootstrap_policy())
        self.group.spawn(self._feed_cache())
        self.group.spawn(self._compactor())
        self.group.spawn(CRDStatusControllers(self.crds, self.serve_loopback, self.group.env,
                                              lambda: self.sim.now).run())
        self.group.spawn(self.cacher.bookmarks())
        if self.advertise_address:  # the `kubernetes` Service and its EndpointSlice
            self.group.spawn(KubernetesServiceReconciler(
                self.serve_loopback, self.storage, self.advertise_address,
                self.group.env.timeout).run())

    # -- background loops -----------------------------------------------------------------

    def _bootstrap(self, objects: list[dict]) -> Generator:
        # Post-start hooks (system namespaces, scheduling's system priority classes): create
        # each object as the server's own loopback user, retrying until etcd answers.
        pending = list(objects)
        while pending:
            obj = pending[0]
            try:
                yield from self.serve(
                    {
                        "verb": "create",
                        "resource": kind_info(obj["kind"], obj["apiVersion"]).resource,
                        "body": obj,
                        "token": self.loopback.token,
                    }
                )
                pending.pop(0)
            except AlreadyExistsError:
                pending.pop(0)
            except APIError:
                yield self.group.env.timeout(RETRY_SECONDS)

    def _bootstrap_policy(self) -> Generator:
        while True:
            try:
                yield from bootstrap_policy(self.serve_loopback)
                return
            except APIError:
                yield self.group.env.timeout(RETRY_SECONDS)

    def _feed_cache(self) -> Generator:
        while True:
            try:
                objects, revision, undecodable = yield from self.storage.list_all(REGISTRY_PREFIX)
            except APIError:
                yield self.group.env.timeout(RETRY_SECONDS)
                continue
            self.cache.reset(objects, revision, undecodable)
            self.admission_index.reset(objects)
            self.authorizer.reset(self.cache.objects)
            self.crds.reset(objects)
            self.cacher.ready = True
            closed = self.group.env.event()
            self.storage.watch_all(
                REGISTRY_PREFIX,
                revision + 1,
                self._on_etcd_change,
                lambda reason, done=closed: done.succeed(reason),
            )
            yield closed
            self.cacher.ready = False
            yield self.group.env.timeout(RETRY_SECONDS)

    def _on_etcd_change(self, key: str, obj: dict | None, revision: int,
                        error: str | None) -> None:
        self.cache.apply(key, obj, revision, self.sim.now, error)
        self.admission_index.apply(key, obj)
        self.authorizer.apply(key, obj)
        self.crds.apply(key, obj)

    def _compactor(self) -> Generator:
        last = 0
        while True:
            yield self.group.env.timeout(COMPACTION_INTERVAL)
            if last:
                try:
                    yield from self.storage.compact(last)
                    self.cache.compact(last)
                    self.sim.record(self.host, "apiserver", "compact", "etcd", revision=last)
                except K8sLabError:
                    pass
            last = self.cache.revision

    # -- requests -------------------------------------------------------------------------

    def serve(self, request: dict) -> Generator:
        """Handle one API request (create, get, list, update, update_status, patch, scale,
        update_scale, bind, delete, evict, and pods' log and exec, which the pod's kubelet
        answers).

        The request's credential is authenticated first (401 if it does not verify). Writes
        are recorded in the trace when they arrive, and again if they fail. A write with
        `dry_run` (dryRun=All) passes every step and stores nothing (dry_run.py).
        """
        verb = request["verb"]
        user = self._authenticate(request)
        dry = {"dry_run": True} if request.get("dry_run") else {}
        if verb in WRITE_VERBS and verb != "create":  # create records once it has a name
            self.sim.record(self.host, "apiserver", verb,
                            request_ref(request, self.crds.resolve), user=user.name, **dry)
        entry = None
        try:
            entry = self._audit_begin(request, user)
            result = yield from self._recovering(request, user, entry)
        except APIError as error:
            self._audit_failed(entry, error, panicked=isinstance(error, _Panicked))
            if verb in WRITE_VERBS:
                self.sim.record(
                    self.host,
                    "apiserver",
                    f"{verb} failed",
                    request_ref(request, self.crds.resolve),
                    user=user.name,
                    code=error.code,
                    reason=error.reason,
                    message=error.message,
                    **dry,
                )
            raise
        return self._audited(entry, verb, result)

    def _recovering(self, request: dict, user: UserInfo, entry: AuditEntry | None) -> Generator:
        # genericfilters.WithPanicRecovery: a handler that panics answers 500 and the server
        # runs on; client-go words the non-Status body as below (kubectl's "InternalError").
        try:
            return (yield from self._handle(request, user, entry))
        except K8sLabError:
            raise
        except Exception as error:
            self.sim.record(self.host, "apiserver", "panic", str(request.get("resource")),
                            verb=str(request.get("verb")), error=describe(error))
            raise _Panicked(f'an error on the server ("{PANIC_MESSAGE}") has prevented '
                            "the request from succeeding") from None

    def _handle(self, request: dict, user: UserInfo, entry: AuditEntry | None) -> Generator:
        verb = request["verb"]
        if verb == "healthz":
            # /healthz includes the etcd check: can this server reach its etcd?
            yield from self.storage.check_health()
            return "ok"
        if request["resource"] in (reviews.ACCESS, reviews.RULES):
            return self._review(request, user, entry)
        kind = self.crds.resolve(request["resource"])
        attributes = self._authorize(request, user, kind, entry)
        check_dry_run(request.get("dry_run"), verb)
        namespace = request.get("namespace") if kind.namespaced else None
        crd = self.crds.crd_for(kind)
        paths = self.dry_paths if attributes.dry_run else self.paths
        if verb == "patch":
            return (yield from paths.patches.patch(kind, namespace, request, attributes, crd))
        if crd is not None:
            return (yield from paths.custom.handle(kind, crd, namespace, request, attributes))
        if verb == "create":
            return (yield from paths.writes.create(kind, namespace, request["body"], attributes))
        if verb == "get":
            return served_form(kind, (yield from self.storage.get(kind, namespace,
                                                                   request["name"])))
        if verb == "list":
            return (yield from self._list(kind, namespace, request))
        if verb in ("update", "update_status"):
            return (yield from paths.writes.update(kind, request["body"], verb, attributes))
        if verb in ("scale", "update_scale"):  # <workload>/<name>/scale
            return (yield from self._scale(kind, namespace, request, attributes, paths))
        if verb == "bind":
            return (yield from paths.writes.bind(kind, namespace, request["name"],
                                                 request["node"]))
        if verb == "delete":
            options = parse_options(request.get("options"))
            yield from paths.writes.admit_delete(kind, namespace, request["name"], attributes)
            if kind is CUSTOM_RESOURCE_DEFINITION and not attributes.dry_run:
                yield from mark_for_cleanup(self.storage, request["name"], self.sim.now)
            if kind is NAMESPACE:
                return (yield from paths.namespaces.delete(request["name"], options))
            return (yield from paths.deleter.delete(kind, namespace, request["name"], options))
        if verb == "token":  # serviceaccounts/<name>/token: a TokenRequest
            if kind is not SERVICE_ACCOUNT:
                raise BadRequestError(f"token is a subresource of serviceaccounts, not "
                                      f"{kind.resource}")
            return (yield from self.tokens.create(namespace, request["name"],
                                                  request.get("body")))
        if verb == "finalize":  # namespaces/<name>/finalize
            return (yield from paths.namespaces.finalize(kind, request["body"]))
        if verb == "evict":
            if kind.kind != "Pod":
                raise BadRequestError(f"eviction is a subresource of pods, not {kind.resource}")
            return (yield from paths.deleter.evict(namespace, request["name"],
                                                   request.get("body")))
        if verb in ("log", "exec"):  # pods/log and pods/exec, served by the pod's kubelet
            if kind.kind != "Pod":
                raise BadRequestError(f"{verb} is a subresource of pods, not {kind.resource}")
            if verb == "log":
                return (yield from self.node_proxy.logs(namespace, request["name"],
                                                        request.get("options") or {}))
            return (yield from self.node_proxy.exec(namespace, request["name"],
                                                    request.get("container"), request.get("argv")))
        raise BadRequestError(f"unknown verb {verb!r}")

    def _scale(self, kind: Kind, namespace: str | None, request: dict,
               attributes: Attributes, paths: WritePaths) -> Generator:
        """GET or PUT a built-in workload's scale subresource (an autoscaling/v1 Scale)."""
        check_scalable(kind)
        for attempt in range(MAX_ATTEMPTS):
            obj = served_form(kind, (yield from self.storage.get(kind, namespace,
                                                                request["name"])))
            if request["verb"] == "scale":
                return scale_of(kind, obj)
            body = request.get("body")
            try:
                updated = yield from paths.writes.update(kind, scaled(kind, obj, body),
                                                         "update", attributes)
            except ConflictError:
                # GuaranteedUpdate reads again and retries a Scale that names no
                # resourceVersion; one that does is a precondition that failed.
                if _scale_version(body) or attempt == MAX_ATTEMPTS - 1:
                    raise
                continue
            return scale_of(kind, updated)

    def _audit_begin(self, request: dict, user: UserInfo,
                     kind: Kind | None = None) -> AuditEntry | None:
        """Start the request's audit entry: None without an audit log, or for a request that
        names nothing the log can name (an unknown resource answers its own 404)."""
        if self.audit is None:
            return None
        try:
            if request.get("resource") in (reviews.ACCESS, reviews.RULES):
                attributes = Attributes(user, "create", request["resource"],
                                        api_group=reviews.GROUP, api_version="v1")
            else:
                if kind is None and request["verb"] != "healthz":
                    kind = self.crds.resolve(request["resource"])
                attributes = request_attributes(request, user, kind)
        except K8sLabError:
            return None
        return self.audit.begin(request, attributes)

    def _impersonated(self, request: dict, user: UserInfo,
                      entry: AuditEntry | None) -> UserInfo:
        """The authenticated `user`, or the one it impersonates (after checking it may), which
        the audit entry then names as its impersonatedUser."""
        if request.get("impersonate_user") or request.get("impersonate_groups"):
            user, _ = impersonate(self.authorizer.authorize, user,
                                  request.get("impersonate_user") or "",
                                  tuple(request.get("impersonate_groups") or ()))
            if entry is not None:
                self.audit.impersonated(entry, user)
        return user

    def _review(self, request: dict, user: UserInfo, entry: AuditEntry | None) -> dict:
        """Answer a SelfSubjectAccessReview or SelfSubjectRulesReview (create only)."""
        user = self._impersonated(request, user, entry)
        attributes = Attributes(user, "create", request["resource"],
                                api_group=reviews.GROUP, api_version="v1")
        decision = self.authorizer.authorize(attributes)
        if entry is not None:
            self.audit.authorized(entry, decision.allowed, decision.reason)
        if not decision.allowed:
            raise ForbiddenError(forbidden_message(attributes, decision.reason))
        if request["verb"] != "create":
            raise BadRequestError(f"{request['resource']} can only be created")
        answer = (reviews.access_review if request["resource"] == reviews.ACCESS
                  else reviews.rules_review)
        return answer(self.authorizer, user, request.get("body") or {})

    def _authorize(self, request: dict, user: UserInfo, kind: Kind | None = None,
                   entry: AuditEntry | None = None) -> Attributes:
        """Authorize the authenticated `user`'s request (or whom it impersonates): the
        attributes admission sees, or a 403 in upstream's words. Writes and denials are in the
        trace (reads are too many)."""
        user = self._impersonated(request, user, entry)
        attributes = request_attributes(request, user, kind)
        decision = self.authorizer.authorize(attributes)
        if entry is not None:
            self.audit.authorized(entry, decision.allowed, decision.reason)
        if request["verb"] in WRITE_VERBS or not decision.allowed:
            self._record("authz", request_ref(request, self.crds.resolve), user=user.name,
                         groups=list(user.groups), verb=attributes.verb,
                         decision=decision.verdict, reason=decision.reason,
                         authorizer=decision.authorizer)
        if not decision.allowed:
            raise ForbiddenError(forbidden_message(attributes, decision.reason))
        return attributes

    def _list(self, kind: Kind, namespace: str | None, request: dict) -> Generator:
        selection = Selection(kind, namespace,
                              parse_field_selector(request.get("field_selector"), kind),
                              parse_label_selector(request.get("label_selector")))
        return (yield from self.cacher.list(selection, request))

    # -- watch ----------------------------------------------------------------------------

    def accept(self, request: dict, stream: Stream) -> None:
        """Open a watch: replay from the requested resourceVersion, then follow the cache."""
        entry = None
        try:
            kind = self.crds.resolve(request["resource"])
            selector = parse_field_selector(request.get("field_selector"), kind)
            labels = parse_label_selector(request.get("label_selector"))
            options = list_options(request, watch=True)
            user = self._authenticate(request)
            entry = self._audit_begin(request, user, kind)
            self._authorize(request, user, kind, entry)
        except APIError as error:
            self._audit_failed(entry, error)
            _refuse(stream, error.to_status())
            return
        if not self.cache_ready:
            stream.close("watch cache not ready")
            return
        namespace = request.get("namespace") if kind.namespaced else None
        crd = self.crds.crd_for(kind)
        present = ((lambda obj: self.paths.custom.served(kind, crd, obj)) if crd is not None
                   else (lambda obj: served_form(kind, obj)))
        watcher = Watcher(kind.storage_prefix, namespace, selector, stream, labels, present,
                          type_meta={"kind": kind.kind, "apiVersion": kind.api_version})
        steps = self._start_watch(kind, request, watcher, options, user, entry)
        if self.cacher.waits(options):
            self.group.spawn(steps)
        else:
            for _ in steps:  # nothing to wait for: started at once
                raise AssertionError("a watch that need not wait waited")

    def _start_watch(self, kind: Kind, request: dict, watcher: Watcher,
                     options: ListOptions, user: UserInfo,
                     entry: AuditEntry | None) -> Generator:
        try:
            too_old = yield from self.cacher.watch(watcher, options)
        except APIError as error:
            self._audit_failed(entry, error)
            _refuse(watcher.stream, error.to_status())
            return
        if too_old:
            status = GoneError(too_old).to_status()
            if entry is not None:
                self.audit.complete(entry, 410, status)
            _refuse(watcher.stream, status)
            return
        if entry is not None:
            self.audit.started(entry)
        self.sim.record(
            self.host,
            "apiserver",
            "watch",
            kind.resource,
            user=user.name,
            field_selector=request.get("field_selector"),
            **({"label_selector": request["label_selector"]}
               if request.get("label_selector") else {}),
        )


def _refuse(stream: Stream, status: dict) -> None:
    """End a watch with an ERROR event carrying the Status (how a watch reports a 4xx/5xx)."""
    stream.send({"type": "ERROR", "object": status})
    stream.close(status["message"])


class _Panicked(InternalError):
    """The 500 of a handler that panicked (recorded at the audit log's Panic stage)."""


def _scale_version(scale: object) -> str:
    """The resourceVersion a Scale body names (a precondition), or ""."""
    metadata = scale.get("metadata") if isinstance(scale, dict) else None
    return str(metadata.get("resourceVersion") or "") if isinstance(metadata, dict) else ""
