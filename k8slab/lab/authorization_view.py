"""What the lab shows of an authorization answer: the Decision the API server returned, and the
403 text a denied request would get, worded as the API server words it (`forbidden_message`).
Widgets read authorization through this view, not the API server's modules."""

from __future__ import annotations

from collections.abc import Sequence

from k8slab.apiserver.authorization import Decision, forbidden_message
from k8slab.apiserver.request_info import ALL_AUTHENTICATED, Attributes, UserInfo

__all__ = ["Decision", "denial_text"]


def denial_text(user: str, groups: Sequence[str], verb: str, resource: str, namespace: str,
                api_group: str, reason: str = "") -> str:
    """`pods is forbidden: User "jane" cannot list resource "pods" ...` for a request by `user`
    (in `groups`) of `verb` on `resource` ("pods", "pods/log") in `namespace` ("" = cluster)."""
    base, _, sub = resource.partition("/")
    attributes = Attributes(UserInfo(user, (*groups, ALL_AUTHENTICATED)), verb, base,
                            subresource=sub, namespace=namespace, api_group=api_group,
                            resource_request=True)
    return forbidden_message(attributes, reason)
