"""Defaults of rbac.authorization.k8s.io/v1 bindings: a subject's apiGroup.

pkg/apis/rbac/v1/defaults.go SetDefaults_Subject: a User or Group subject with no apiGroup
gets rbac.authorization.k8s.io; a ServiceAccount's stays "" (the core group).
"""

from __future__ import annotations

RBAC_GROUP = "rbac.authorization.k8s.io"


def default_subjects(binding: dict) -> None:
    """Fill in the apiGroup of each User and Group subject, in place."""
    for subject in binding.get("subjects") or []:
        if isinstance(subject, dict) and subject.get("kind") in ("User", "Group"):
            if not subject.get("apiGroup"):
                subject["apiGroup"] = RBAC_GROUP
