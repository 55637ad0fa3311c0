"""k8slab: a Kubernetes cluster you can run, break and watch in a notebook.

Every component is a small deterministic simulation; `Cluster` builds one the way kubeadm does.
"""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from k8slab.lab.cluster import Cluster

__all__ = ["Cluster"]
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    """Import `Cluster` on first use, so that `import k8slab` stays light."""
    if name == "Cluster":
        from k8slab.lab.cluster import Cluster

        return Cluster
    raise AttributeError(f"module 'k8slab' has no attribute {name!r}")
