"""Impersonation: `kubectl --as jane --as-group dev` sends Impersonate-User and
Impersonate-Group headers; the caller needs the `impersonate` verb on each, then the request
runs as that user.

apiserver pkg/endpoints/filters/impersonation.go: a user is checked as `impersonate users
<name>` (a ServiceAccount name as `impersonate serviceaccounts <name>` in its namespace), each
group as `impersonate groups <group>`; the new user gets the groups asked for, a ServiceAccount
its two ServiceAccount groups when none are, and always system:authenticated.
"""

from __future__ import annotations

from k8slab.apiserver.authorization import Decision, forbidden_message
from k8slab.apiserver.request_info import ALL_AUTHENTICATED, Attributes, UserInfo
from k8slab.errors import ForbiddenError

SERVICE_ACCOUNT_PREFIX = "system:serviceaccount:"


def impersonation_checks(caller: UserInfo, user: str, groups: tuple[str, ...]
                         ) -> list[Attributes]:
    """The `impersonate` requests the caller must be allowed, in upstream's order."""
    checks = []
    if user.startswith(SERVICE_ACCOUNT_PREFIX) and user.count(":") == 3:
        namespace, _, name = user[len(SERVICE_ACCOUNT_PREFIX):].partition(":")
        checks.append(Attributes(caller, "impersonate", "serviceaccounts", name=name,
                                 namespace=namespace, api_version="v1"))
    elif user:
        checks.append(Attributes(caller, "impersonate", "users", name=user, api_version="v1"))
    checks += [Attributes(caller, "impersonate", "groups", name=group, api_version="v1")
               for group in groups]
    return checks


def impersonated_user(user: str, groups: tuple[str, ...]) -> UserInfo:
    """The identity the request continues as."""
    chosen = list(groups)
    if not chosen and user.startswith(SERVICE_ACCOUNT_PREFIX) and user.count(":") == 3:
        namespace = user[len(SERVICE_ACCOUNT_PREFIX):].partition(":")[0]
        chosen = ["system:serviceaccounts", f"system:serviceaccounts:{namespace}"]
    if user != "system:anonymous" and ALL_AUTHENTICATED not in chosen:
        chosen.append(ALL_AUTHENTICATED)
    return UserInfo(user, tuple(chosen))


def impersonate(authorize, caller: UserInfo, user: str, groups: tuple[str, ...]
                ) -> tuple[UserInfo, list[Decision]]:
    """Check each impersonation with `authorize` (attributes -> Decision) and return the new
    user, or raise ForbiddenError with upstream's message for the first one refused."""
    if groups and not user:
        raise ForbiddenError("requested impersonation of groups without impersonating a user")
    decisions = []
    for attributes in impersonation_checks(caller, user, groups):
        decision = authorize(attributes)
        if not decision.allowed:
            raise ForbiddenError(forbidden_message(attributes, decision.reason))
        decisions.append(decision)
    return impersonated_user(user, groups), decisions
