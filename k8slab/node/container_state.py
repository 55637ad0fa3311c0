"""A container as `runc list` reports it: a read-only row with its id, state, pid and bundle, and
the image and pod containerd's CRI plugin notes on it. runc hands these out; anyone may read them.
"""

from __future__ import annotations

from dataclasses import dataclass

OCI_VERSION = "1.2.0"


def bundle_path(container_id: str) -> str:
    """Where containerd's CRI plugin keeps a container's OCI bundle."""
    return f"/run/containerd/io.containerd.runtime.v2.task/k8s.io/{container_id}"


@dataclass(frozen=True, slots=True)
class ContainerState:
    """One row of `runc list -f json` (runc's list.go containerState), as a read-only record.

    `image` and `pod` stand for the annotations containerd's CRI plugin puts on the container
    (io.kubernetes.cri.image-name, and the sandbox's pod: "pod/<namespace>/<name>").
    """

    oci_version: str
    id: str
    pid: int
    status: str
    bundle: str
    created: float
    image: str | None
    pod: str | None
