"""The admission.k8s.io/v1 AdmissionReview the API server sends a webhook, and how it reads
the answer (apiserver pkg/admission/plugin/webhook/request/admissionreview.go
CreateV1AdmissionReview and VerifyAdmissionResponse, errors/statuserror.go ToStatusErr).

A refusal carries the webhook's own status code and reason; a code under 400 becomes 400,
and the message is `admission webhook "<name>" denied the request: <message>`.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field

from k8slab.apiserver.admission import CREATE, DELETE, AdmissionRequest
from k8slab.errors import APIError, K8sLabError

REVIEW_KIND = "AdmissionReview"
OPTIONS_KIND = {CREATE: "CreateOptions", DELETE: "DeleteOptions"}
_GO_FIND_KIND = ('struct { APIVersion string "json:\\"apiVersion,omitempty\\""; '
                 'Kind string "json:\\"kind,omitempty\\"" }')
_BASE64 = set(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")


class InvalidResponse(K8sLabError):
    """The webhook answered something the API server cannot use; the text says what."""


class WebhookDenied(APIError):
    """A webhook refused the request: its status code and reason, upstream's message."""

    def __init__(self, message: str, code: int, reason: str) -> None:
        super().__init__(message)
        self.code = code
        self.reason = reason


@dataclass
class Verdict:
    """What a webhook decided: allowed, its result Status, the patch bytes and warnings."""

    allowed: bool
    status: dict = field(default_factory=dict)
    patch: bytes = b""
    patch_type: str = ""
    warnings: list[str] = field(default_factory=list)


def review_version(hook: dict) -> str:
    """The AdmissionReview version sent: the first of the webhook's versions the server speaks."""
    versions = [v for v in hook.get("admissionReviewVersions") or [] if v in ("v1", "v1beta1")]
    return versions[0] if versions else "v1"


def admission_review(uid: str, request: AdmissionRequest, version: str) -> dict:
    """The AdmissionReview for `request`: who, what, the object and the stored one."""
    attrs, kind = request.attributes, request.kind
    user = attrs.user
    gvk = {"group": kind.group, "version": attrs.api_version, "kind": kind.kind}
    gvr = {"group": kind.group, "version": attrs.api_version, "resource": attrs.resource}
    name = attrs.name or ((request.obj or {}).get("metadata") or {}).get("name", "")
    body = {
        "uid": uid, "kind": gvk, "resource": gvr, "requestKind": gvk, "requestResource": gvr,
        "name": name, "namespace": attrs.namespace, "operation": request.operation,
        "userInfo": {"username": user.name, "uid": user.uid, "groups": list(user.groups),
                     "extra": {key: list(values) for key, values in user.extra}},
        "object": request.obj, "oldObject": request.old, "dryRun": request.dry_run,
        "options": {"kind": OPTIONS_KIND.get(request.operation, "UpdateOptions"),
                    "apiVersion": "meta.k8s.io/v1"},
    }
    if attrs.subresource:
        body["subResource"] = body["requestSubResource"] = attrs.subresource
    return {"apiVersion": f"admission.k8s.io/{version}", "kind": REVIEW_KIND, "request": body}


def _go_type(value: object) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    return {str: "string", list: "array", dict: "object"}.get(type(value), "null")


def decode_review(body: object) -> dict:
    """The response body as the client's decoder reads it; InvalidResponse in its words."""
    try:
        value = json.loads(body) if isinstance(body, str | bytes) else body
    except ValueError as error:
        text = body if isinstance(body, str) else body.decode("utf-8", "replace")
        bad = text[error.pos] if error.pos < len(text) else ""
        problem = f"invalid character '{bad}' looking for beginning of value" if bad \
            else "unexpected end of JSON input"
        raise InvalidResponse(f"couldn't get version/kind; json parse error: {problem}") \
            from None
    if not isinstance(value, dict):
        raise InvalidResponse(f"couldn't get version/kind; json parse error: json: cannot "
                              f"unmarshal {_go_type(value)} into Go value of type "
                              f"{_GO_FIND_KIND}")
    return value


def _patch_bytes(text: object) -> bytes:
    # encoding/json decodes a []byte from base64 text (illegal data names the byte).
    if not isinstance(text, str):
        raise InvalidResponse(f"json: cannot unmarshal {_go_type(text)} into Go struct field "
                              "AdmissionResponse.response.patch of type []byte")
    data = text.encode()
    for index, char in enumerate(data):
        if char not in _BASE64 and char != ord("="):
            raise InvalidResponse(f"illegal base64 data at input byte {index}")
    try:
        return base64.b64decode(data, validate=True)
    except binascii.Error:
        raise InvalidResponse(f"illegal base64 data at input byte {len(data)}") from None


def verify(review: dict, uid: str, version: str, mutating: bool) -> Verdict:
    """VerifyAdmissionResponse: InvalidResponse (`webhook response was absent`...) or the
    verdict. A patch that is not base64 fails in decoding, before any check."""
    response = review.get("response")
    patch = _patch_bytes(response["patch"]) if isinstance(response, dict) and \
        response.get("patch") is not None else b""
    if not isinstance(response, dict):
        raise InvalidResponse("received invalid webhook response: webhook response was absent")
    if version == "v1":
        if response.get("uid", "") != uid:
            raise InvalidResponse(f'received invalid webhook response: expected '
                                  f'response.uid="{uid}", got "{response.get("uid", "")}"')
        got = (f'{review.get("apiVersion", "")}, Kind={review.get("kind", "")}')
        if got != f"admission.k8s.io/v1, Kind={REVIEW_KIND}":
            raise InvalidResponse(f"received invalid webhook response: expected webhook "
                                  f"response of admission.k8s.io/v1, Kind={REVIEW_KIND}, got "
                                  f"{got}")
    patch_type = response.get("patchType")
    if version == "v1beta1" and patch:
        patch_type = "JSONPatch"
    problem = ""
    if mutating and patch and patch_type is None:
        problem = "webhook returned response.patch but not response.patchType"
    elif mutating and not patch and patch_type is not None:
        problem = "webhook returned response.patchType but not response.patch"
    elif mutating and patch_type == "":
        problem = 'webhook returned invalid response.patchType of ""'
    elif not mutating and patch:
        problem = "validating webhook may not return response.patch"
    elif not mutating and patch_type is not None:
        problem = "validating webhook may not return response.patchType"
    if problem:
        raise InvalidResponse(f"received invalid webhook response: {problem}")
    return Verdict(response.get("allowed") is True, response.get("status") or {}, patch,
                   patch_type or "", [str(w) for w in response.get("warnings") or []])


def denial(webhook: str, status: dict) -> WebhookDenied:
    """ToStatusErr: the refusal, with the webhook's code (400 at least) and reason."""
    code = status.get("code") if isinstance(status.get("code"), int) else 0
    message, reason = status.get("message") or "", status.get("reason") or ""
    denied = f'admission webhook "{webhook}" denied the request'
    if message:
        text = f"{denied}: {message}"
    elif reason:
        text = f"{denied}: {reason}"
    else:
        text = f"{denied} without explanation"
    return WebhookDenied(text, code if code >= 400 else 400, reason)
