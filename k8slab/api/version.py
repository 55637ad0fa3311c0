"""The one modelled release, Kubernetes v1.35.0 (DESIGN.md "Version"), and what its binaries
call themselves: the version every component reports and the User-Agent every client sends.
"""

from __future__ import annotations

# .0 because the model follows the v1.35.0 changelog, not a later patch release.
VERSION = "v1.35.0"
# The released v1.35.0's commit (its kube-apiserver's /version gitCommit).
GIT_COMMIT = "66452049f3d692768c39c797b21b793dce80314e"


def user_agent(program: str) -> str:
    """client-go's DefaultKubernetesUserAgent for `program`:
    `kubelet/v1.35.0 (linux/amd64) kubernetes/6645204` (rest/config.go, 7-digit commit)."""
    return f"{program}/{VERSION} (linux/amd64) kubernetes/{GIT_COMMIT[:7]}"
