"""SelfSubjectAccessReview and SelfSubjectRulesReview: "may I?" and "what may I?", which
`kubectl auth can-i` and `kubectl auth can-i --list` send.

pkg/registry/authorization/selfsubjectaccessreview and selfsubjectrulesreview: the review is
answered by the server's authorizers for the requesting user and never stored. A rules review
lists what RBAC grants in a namespace; system:masters gets `*`; a node's rules are incomplete
("node authorizer does not support user rule resolution").
"""

from __future__ import annotations

from k8slab.apiserver.authorization.modes import NodeRBAC
from k8slab.apiserver.request_info import SYSTEM_MASTERS, Attributes, UserInfo
from k8slab.errors import BadRequestError

ACCESS, RULES = "selfsubjectaccessreviews", "selfsubjectrulesreviews"
GROUP = "authorization.k8s.io"


def review_attributes(user: UserInfo, spec: dict) -> Attributes:
    """The request a SelfSubjectAccessReview's spec describes."""
    resource = spec.get("resourceAttributes")
    url = spec.get("nonResourceAttributes")
    if bool(resource) == bool(url):
        raise BadRequestError("exactly one of nonResourceAttributes or resourceAttributes must "
                              "be specified")
    if url:
        return Attributes(user, url.get("verb", ""), path=url.get("path", ""),
                          resource_request=False)
    return Attributes(user, resource.get("verb", ""), resource.get("resource", ""),
                      resource.get("subresource", ""), resource.get("name", ""),
                      resource.get("namespace", ""), resource.get("group", ""),
                      resource.get("version", ""))


def access_review(authorizer: NodeRBAC, user: UserInfo, body: dict) -> dict:
    """The review with its status: allowed, and the deciding authorizer's reason."""
    decision = authorizer.authorize(review_attributes(user, body.get("spec") or {}))
    status = {"allowed": decision.allowed}
    if decision.verdict == "deny":
        status["denied"] = True
    if decision.reason:
        status["reason"] = decision.reason
    return {"apiVersion": f"{GROUP}/v1", "kind": "SelfSubjectAccessReview",
            "spec": body.get("spec") or {}, "status": status}


def rules_review(authorizer: NodeRBAC, user: UserInfo, body: dict) -> dict:
    """The review with the rules this user holds in spec.namespace."""
    namespace = (body.get("spec") or {}).get("namespace", "")
    resource_rules, url_rules, incomplete, error = [], [], False, ""
    if SYSTEM_MASTERS in user.groups:
        resource_rules.append({"verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]})
        url_rules.append({"verbs": ["*"], "nonResourceURLs": ["*"]})
    if "system:nodes" in user.groups and user.name.startswith("system:node:"):
        incomplete, error = True, "node authorizer does not support user rule resolution"
    for grant in authorizer.rbac_index.grants(user, namespace):
        rule = grant.rule
        if rule.get("nonResourceURLs"):
            url_rules.append({"verbs": list(rule["verbs"]),
                              "nonResourceURLs": list(rule["nonResourceURLs"])})
        else:
            resource_rules.append({key: list(rule[key]) for key in
                                   ("verbs", "apiGroups", "resources", "resourceNames")
                                   if rule.get(key)})
    status = {"resourceRules": resource_rules, "nonResourceRules": url_rules,
              "incomplete": incomplete}
    if error:
        status["evaluationError"] = error
    return {"apiVersion": f"{GROUP}/v1", "kind": "SelfSubjectRulesReview",
            "spec": body.get("spec") or {}, "status": status}
