"""Calling one admission webhook over the simulated network, as kube-apiserver does.

The API server finds the webhook's Service in its watch cache, dials its ClusterIP from the
control-plane node (kube-proxy's rules on that node pick a pod), POSTs the AdmissionReview to
`https://<svc>.<ns>.svc:<port><path>?timeout=<n>s` and waits at most timeoutSeconds
(apiserver pkg/util/webhook/client.go, kube-aggregator's ClusterIP service resolver). A call
that fails is ErrCallingWebhook: with failurePolicy Fail the request ends in a 500
`Internal error occurred: failed calling webhook "<name>": failed to call webhook: Post
"<url>": context deadline exceeded`; with Ignore it goes on and the trace says so (mutating/
dispatcher.go). A refusal, or a patch that does not apply, ends it whatever the policy.
Simplified: no TLS (caBundle is not checked); a url clientConfig must name an IP address.
"""

from __future__ import annotations

import ipaddress
import json
import uuid
from collections.abc import Callable, Generator
from urllib.parse import urlsplit

from k8slab.api.defaults import apply_defaults
from k8slab.api.json_patch import JSONPatchError, apply_patch, decode_patch
from k8slab.api.kinds import SERVICE, registry_key
from k8slab.apiserver.admission import AdmissionRequest
from k8slab.apiserver.admission.webhook_match import Webhook
from k8slab.apiserver.admission.webhook_review import (
    InvalidResponse,
    Verdict,
    admission_review,
    decode_review,
    denial,
    review_version,
    verify,
)
from k8slab.errors import APIError, BadRequestError, InternalError, K8sLabError
from k8slab.sim.errors import TimedOutError, UnreachableError
from k8slab.sim.host import ProcessGroup

# client-go's NewGenericServerResponse for a non-Status answer, by HTTP status code.
_HTTP_MESSAGES = {
    400: "the server rejected our request for an unknown reason",
    403: "the server does not allow access to the requested resource",
    404: "the server could not find the requested resource",
    405: "the server does not allow this method on the requested resource",
    503: "the server is currently unable to handle the request",
}


class CallingError(K8sLabError):
    """ErrCallingWebhook: the API server could not get a usable answer from the webhook."""

    def __init__(self, webhook: str, reason: str) -> None:
        super().__init__(f'failed calling webhook "{webhook}": {reason}')


Dialer = Callable[..., Generator]


class WebhookClient:
    """The API server's side of its webhooks: what it reads (its watch cache), how it dials
    out (the node's route, once kube-apiserver's main sets it) and where it records calls."""

    def __init__(self, group: ProcessGroup, objects: Callable[[], dict[str, dict]],
                 dial: Callable[[], Dialer | None], record: Callable[..., None]) -> None:
        self.group = group
        self.objects = objects
        self._dial = dial
        self._record = record
        self._rng = group.sim.rng(f"webhooks/{group.host.name}")

    def _target(self, hook: Webhook) -> tuple[str, str, int, str]:
        """(the request as errors quote it, the IP dialled, the port, the path and query)."""
        config = hook.spec.get("clientConfig") or {}
        query = f"?timeout={hook.timeout}s"
        service = config.get("service")
        if service is None:
            parts = urlsplit(config.get("url") or "")
            host, port = parts.hostname or "", parts.port or 443
            path = f"{parts.path or '/'}{query}"
            url = f'Post "{parts.scheme}://{parts.netloc}{path}"'
            try:
                ipaddress.ip_address(host)
            except ValueError:
                raise CallingError(hook.name, f"failed to call webhook: {url}: dial tcp: lookup "
                                              f"{host}: no such host") from None
            return url, host, port, path
        name, namespace = service.get("name", ""), service.get("namespace", "")
        port = int(service.get("port") or 443)
        path = f'{service.get("path") or "/"}{query}'
        url = f'Post "https://{name}.{namespace}.svc:{port}{path}"'
        svc = self.objects().get(registry_key(SERVICE, namespace, name))
        problem = ""
        if svc is None:
            problem = f'service "{name}" not found'
        elif svc["spec"].get("clusterIP") in (None, "", "None"):
            problem = 'cannot route to service with ClusterIP "None"'
        elif not any(p.get("port") == port for p in svc["spec"].get("ports") or []):
            problem = f'no service port {port} found for service "{name}"'
        if problem:
            raise CallingError(hook.name, f"failed to call webhook: {url}: {problem}")
        return url, svc["spec"]["clusterIP"], port, path

    def _post(self, hook: Webhook, review: dict) -> Generator:
        url, ip, port, path = self._target(hook)
        dial = self._dial()
        request = {"protocol": "http", "method": "POST", "path": path,
                   "headers": {"Content-Type": "application/json"}, "body": json.dumps(review)}
        try:
            if dial is None:
                raise UnreachableError(f"dial tcp {ip}:{port}: connect: network is unreachable")
            response = yield from dial(ip, port, request, float(hook.timeout))
        except TimedOutError:
            raise CallingError(hook.name, f"failed to call webhook: {url}: context deadline "
                                          "exceeded") from None
        except UnreachableError as error:
            raise CallingError(hook.name, f"failed to call webhook: {url}: {error}") from None
        status = response.get("status", 0) if isinstance(response, dict) else 0
        if status != 200:
            body = str(response.get("body", "") if isinstance(response, dict) else "").strip()
            message = _HTTP_MESSAGES.get(status, f"the server responded with the status code "
                                                 f"{status} but did not return more information")
            if status >= 500 and status != 503:
                message = (f"an error on the server ({json.dumps(body)}) has prevented the "
                           "request from succeeding")
            raise CallingError(hook.name, f"failed to call webhook: {message}")
        try:
            return decode_review(response.get("body"))
        except InvalidResponse as error:
            raise CallingError(hook.name, f"failed to call webhook: {error}") from None

    def _ask(self, hook: Webhook, request: AdmissionRequest, mutating: bool) -> Generator:
        if request.dry_run and hook.spec.get("sideEffects") not in ("None", "NoneOnDryRun"):
            raise BadRequestError(f'admission webhook "{hook.name}" does not support dry run')
        uid = str(uuid.UUID(int=self._rng.getrandbits(128), version=4))
        version = review_version(hook.spec)
        review = yield from self._post(hook, admission_review(uid, request, version))
        try:
            return verify(review, uid, version, mutating)
        except InvalidResponse as error:
            text = str(error)
            reason = text if text.startswith("received") else f"failed to call webhook: {text}"
            raise CallingError(hook.name, reason) from None

    def call(self, hook: Webhook, request: AdmissionRequest, *, mutating: bool,
             round_: int = 0) -> Generator:
        """Call `hook` about `request`, apply its patch (mutating), and return whether the
        object changed. Raises the refusal or the failure as the API server answers it."""
        start = self.group.sim.now
        details = {"webhook": hook.name, "configuration": hook.configuration,
                   "phase": "mutating" if mutating else "validating", "round": round_,
                   "failure_policy": "Ignore" if hook.fails_open else "Fail"}
        try:
            verdict = yield from self._ask(hook, request, mutating)
            operations = self._operations(hook, verdict) if mutating else []
        except CallingError as error:
            self._record("webhook", request.ref, **details,
                         latency=round(self.group.sim.now - start, 6), allowed=None,
                         patched=False, error=error.message, failed_open=hook.fails_open)
            if hook.fails_open:
                return False
            raise InternalError(f"Internal error occurred: {error.message}") from None
        latency = round(self.group.sim.now - start, 6)
        try:
            changed = self._apply(hook, request, operations) if verdict.allowed else False
        except APIError as error:
            self._record("webhook", request.ref, **details, latency=latency, allowed=True,
                         patched=False, error=error.message)
            raise
        self._record("webhook", request.ref, **details, latency=latency,
                     allowed=verdict.allowed, patched=changed,
                     **({"warnings": verdict.warnings} if verdict.warnings else {}))
        if not verdict.allowed:
            raise denial(hook.name, verdict.status)
        return changed

    @staticmethod
    def _operations(hook: Webhook, verdict: Verdict) -> list[dict]:
        # A patch of another type, or one that is no JSON patch, is a failed call.
        if not verdict.patch or not verdict.allowed:
            return []
        if verdict.patch_type != "JSONPatch":
            raise CallingError(hook.name, f'unsupported patch type "{verdict.patch_type}"')
        try:
            return decode_patch(verdict.patch)
        except JSONPatchError as error:
            raise CallingError(hook.name, "received undecodable patch in webhook response: "
                                          f"{error}") from None

    @staticmethod
    def _apply(hook: Webhook, request: AdmissionRequest, operations: list[dict]) -> bool:
        # The patch is applied to the object as JSON, and the result defaulted again.
        if not operations:
            return False
        if request.obj is None:
            raise InternalError(f'Internal error occurred: admission webhook "{hook.name}" '
                                "attempted to modify the object, which is not supported for "
                                "this operation")
        try:
            patched = apply_defaults(apply_patch(request.obj, operations))
        except K8sLabError as error:  # JSONPatchError, or a patched object that cannot decode
            raise InternalError(f"Internal error occurred: {error.message}") from None
        if patched == request.obj:
            return False
        request.obj = patched
        return True
