"""`kubectl auth can-i VERB RESOURCE[/NAME] [-n NS]` and `kubectl auth can-i --list`: the
questions a SelfSubjectAccessReview and a SelfSubjectRulesReview answer.

kubectl pkg/cmd/auth/cani.go: prints `yes` or `no` (a real kubectl then exits 1; the lab
returns the text); `--list` prints the rules, each broken down per group and resource, merged
when only their verbs differ and sorted as kubectl sorts them (by the rule's Go string),
under `Resources  Non-Resource URLs  Resource Names  Verbs`.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass

from k8slab.api.kinds import resource_info
from k8slab.errors import BadRequestError, K8sLabError
from k8slab.lab.kubectl.flags import NAMESPACE, Flag
from k8slab.lab.kubectl.tabwriter import format_table

USAGE = ("usage: auth can-i VERB RESOURCE[/SUBRESOURCE] [NAME] [-n NAMESPACE] | "
         "auth can-i VERB /PATH | auth can-i --list [-n NAMESPACE]")
LIST = Flag("list", "bool")
ALL_NAMESPACES = Flag("all-namespaces", "bool", "A")
FLAGS = (NAMESPACE, LIST, ALL_NAMESPACES)
REVIEWS = "authorization.k8s.io/v1"


@dataclass(frozen=True)
class CanI:
    """One checked `auth can-i` question."""

    listing: bool
    namespace: str
    verb: str = ""
    resource: str = ""
    subresource: str = ""
    group: str = ""
    name: str = ""
    path: str = ""


def parse(flags: dict, args: list[str], namespace: str) -> CanI:
    """Check the words after `auth can-i`; bad input raises before anything is sent."""
    if flags.get("all-namespaces"):
        namespace = ""
    if flags.get("list"):
        if args:
            raise BadRequestError(f"error: --list does not take arguments\n{USAGE}")
        return CanI(True, namespace)
    if len(args) not in (2, 3):
        raise BadRequestError(f"error: you must specify two or three arguments: verb, "
                              f"resource, and optional resourceName\n{USAGE}")
    verb, target = args[0], args[1]
    if target.startswith("/"):
        return CanI(False, "", verb, path=target)
    resource, _, subresource = target.partition("/")
    name = args[2] if len(args) == 3 else ""
    try:
        kind = resource_info(resource)
    except K8sLabError:  # kubectl warns and asks about the name as given
        return CanI(False, namespace, verb, resource, subresource, "", name)
    scoped = namespace if kind.namespaced else ""
    return CanI(False, scoped, verb, kind.resource, subresource, kind.group, name)


def split_impersonation(words: list[str]) -> tuple[list[str], str, list[str]]:
    """kubectl's global --as and --as-group flags taken out of a command line: (the other
    words, the user, the groups); --as-group without --as is kubectl's error."""
    rest, user, groups = [], "", []
    remaining = list(words)
    while remaining:
        word = remaining.pop(0)
        name, has_value, value = word.partition("=")
        if name in ("--as", "--as-group"):
            if not has_value:
                if not remaining:
                    raise BadRequestError(f"error: flag needs an argument: {name}")
                value = remaining.pop(0)
            if name == "--as":
                user = value
            else:
                groups.append(value)
        else:
            rest.append(word)
    if groups and not user:
        raise BadRequestError("error: requesting uid, groups or user-extra for  without "
                              "impersonating a user")
    return rest, user, groups


def steps(api, request: CanI) -> Generator:
    """Send the review; what kubectl prints."""
    if request.listing:
        body = {"apiVersion": REVIEWS, "kind": "SelfSubjectRulesReview",
                "spec": {"namespace": request.namespace}}
        answer = yield from api.review("selfsubjectrulesreviews", body)
        return rules_table(answer.get("status") or {})
    if request.path:
        spec = {"nonResourceAttributes": {"path": request.path, "verb": request.verb}}
    else:
        spec = {"resourceAttributes": {
            "namespace": request.namespace, "verb": request.verb, "group": request.group,
            "resource": request.resource, "subresource": request.subresource,
            "name": request.name}}
    answer = yield from api.review("selfsubjectaccessreviews", {
        "apiVersion": REVIEWS, "kind": "SelfSubjectAccessReview", "spec": spec})
    return "yes" if (answer.get("status") or {}).get("allowed") else "no"


def _go(values: list[str]) -> str:
    return "[" + " ".join(values) + "]"


def _breakdown(status: dict) -> list[dict]:
    """BreakdownRule then CompactRules: one rule per group, resource and name; rules that
    differ only in verbs merged (verbs in the order met)."""
    merged: dict[tuple, dict] = {}
    for rule in status.get("resourceRules") or []:
        for group in rule.get("apiGroups") or [""]:
            for resource in rule.get("resources") or []:
                for name in rule.get("resourceNames") or [""]:
                    key = (group, resource, name)
                    entry = merged.setdefault(key, {"verbs": [], "apiGroups": [group],
                                                    "resources": [resource],
                                                    "resourceNames": [name] if name else [],
                                                    "nonResourceURLs": []})
                    entry["verbs"] += [v for v in rule.get("verbs") or []
                                       if v not in entry["verbs"]]
    rules = list(merged.values())
    rules += [{"verbs": list(r.get("verbs") or []), "apiGroups": [], "resources": [],
               "resourceNames": [], "nonResourceURLs": list(r.get("nonResourceURLs") or [])}
              for r in status.get("nonResourceRules") or []]
    return sorted(rules, key=lambda r: (
        f"&PolicyRule{{Verbs:{_go(r['verbs'])},APIGroups:{_go(r['apiGroups'])},"
        f"Resources:{_go(r['resources'])},ResourceNames:{_go(r['resourceNames'])},"
        f"NonResourceURLs:{_go(r['nonResourceURLs'])},}}"))


def rules_table(status: dict) -> str:
    """kubectl's --list table."""
    rows = [["Resources", "Non-Resource URLs", "Resource Names", "Verbs"]]
    for rule in _breakdown(status):
        resource = ""
        if rule["resources"]:
            base, _, sub = rule["resources"][0].partition("/")
            group = rule["apiGroups"][0] if rule["apiGroups"] else ""
            resource = base + (f".{group}" if group else "") + (f"/{sub}" if sub else "")
        rows.append([resource, _go(rule["nonResourceURLs"]), _go(rule["resourceNames"]),
                     _go(rule["verbs"])])
    return format_table(rows)
