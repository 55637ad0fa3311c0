"""Authorization: may this user do this verb on this resource?

Each authorizer answers allow, deny or no opinion; kube-apiserver asks them in the order of
--authorization-mode (kubeadm: Node,RBAC) and the first allow or deny decides; if none has an
opinion the request is forbidden (apiserver pkg/authorization/union).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from k8slab.apiserver.request_info import Attributes

ALLOW, DENY, NO_OPINION = "allow", "deny", "no opinion"


@dataclass(frozen=True)
class Decision:
    """An authorizer's answer, why (the rule or binding that decided), and which authorizer."""

    verdict: str
    reason: str = ""
    authorizer: str = ""

    @property
    def allowed(self) -> bool:
        """True when the request may go on."""
        return self.verdict == ALLOW


class Authorizer(Protocol):
    """One authorizer (Node, RBAC, ...)."""

    name: str

    def authorize(self, attributes: Attributes) -> Decision:
        """Allow, deny, or no opinion on one request."""
        ...


class AlwaysAllow:
    """--authorization-mode=AlwaysAllow: every request is allowed."""

    name = "AlwaysAllow"

    def authorize(self, attributes: Attributes) -> Decision:
        """Allow."""
        return Decision(ALLOW, "", self.name)


class Union:
    """Authorizers asked in order; the first allow or deny decides, else forbidden."""

    def __init__(self, authorizers: list[Authorizer]) -> None:
        self.authorizers = authorizers

    def authorize(self, attributes: Attributes) -> Decision:
        """The first decided verdict, or no opinion (forbidden) with every reason joined."""
        reasons = []
        for authorizer in self.authorizers:
            decision = authorizer.authorize(attributes)
            if decision.verdict != NO_OPINION:
                return decision
            if decision.reason:
                reasons.append(decision.reason)
        return Decision(NO_OPINION, ", ".join(reasons), "")


def forbidden_message(attributes: Attributes, reason: str = "") -> str:
    """Upstream's 403 text for a denied request (apiserver responsewriters.forbiddenMessage,
    reference i.1): `pods is forbidden: User "jane" cannot list resource "pods" in API group ""
    in the namespace "default"`, with the authorizer's reason appended after a colon."""
    user = attributes.user.name
    if not attributes.resource_request:
        message = f'forbidden: User "{user}" cannot {attributes.verb} path "{attributes.path}"'
    else:
        resource = attributes.resource
        if attributes.subresource:
            resource = f"{resource}/{attributes.subresource}"
        subject = attributes.qualified_resource
        if attributes.name:
            subject = f'{subject} "{attributes.name}"'
        where = (f'in the namespace "{attributes.namespace}"' if attributes.namespace
                 else "at the cluster scope")
        message = (f'{subject} is forbidden: User "{user}" cannot {attributes.verb} resource '
                   f'"{resource}" in API group "{attributes.api_group}" {where}')
    return f"{message}: {reason}" if reason else message
