"""`kubectl get` rows of the RBAC kinds (kk pkg/printers/internalversion/printers.go:
printRole/printClusterRole: NAME, CREATED AT; printRoleBinding/printClusterRoleBinding: NAME,
ROLE as `Kind/name`, AGE, and with -o wide USERS, GROUPS, SERVICEACCOUNTS)."""

from __future__ import annotations

from k8slab.lab.kubectl.printers import _age, name_of


def role_cells(role: dict, now: float) -> list[str]:
    """NAME CREATED AT (the creation time as RFC 3339)."""
    return [name_of(role), role.get("metadata", {}).get("creationTimestamp", "")]


def binding_cells(binding: dict, now: float) -> list[str]:
    """NAME ROLE AGE USERS GROUPS SERVICEACCOUNTS (the last three -o wide)."""
    ref = binding.get("roleRef") or {}
    subjects = binding.get("subjects") or []
    namespace = binding.get("metadata", {}).get("namespace", "")
    users = [s["name"] for s in subjects if s.get("kind") == "User"]
    groups = [s["name"] for s in subjects if s.get("kind") == "Group"]
    accounts = [f"{s.get('namespace') or namespace}/{s['name']}" for s in subjects
                if s.get("kind") == "ServiceAccount"]
    return [name_of(binding), f"{ref.get('kind', '')}/{ref.get('name', '')}",
            _age(binding, now), ", ".join(users), ", ".join(groups), ", ".join(accounts)]
