"""The kubelet's file source: the static pod manifests in its manifest directory, and what
changed there since it last looked (pkg/kubelet/config/file.go).

A static pod's UID is a hash of its manifest, so an edited manifest is a new pod: the kubelet
kills the old one and starts the new one, and replaces its mirror pod. The kubelet re-reads the
directory every 20 s (--file-check-frequency); a real one also hears of changes at once through
inotify, which the model leaves out, so a change here takes effect at the next check.
"""

from __future__ import annotations

import hashlib
import json

FILE_CHECK_FREQUENCY = 20.0  # seconds (kubelet config v1beta1 defaults.go FileCheckFrequency)


def manifest_hash(manifest: dict) -> str:
    """The hash a static pod is known by (its config.mirror annotation)."""
    return hashlib.sha256(json.dumps(manifest, sort_keys=True).encode()).hexdigest()[:32]


def host_mounts(pod: dict, container: dict) -> list[dict]:
    """The CRI mounts of a container: each volumeMount whose volume is a hostPath, as
    {"container_path", "host_path"} (kuberuntime makeMounts); other volumes are not modelled."""
    paths = {v["name"]: v["hostPath"]["path"] for v in pod["spec"].get("volumes", [])
             if "hostPath" in v}
    return [{"container_path": m["mountPath"], "host_path": paths[m["name"]]}
            for m in container.get("volumeMounts", []) if m["name"] in paths]


def changes(known: dict[str, str], files: dict[str, dict]) -> tuple[list[str], list[str]]:
    """(files new or edited since `known` (filename -> hash), files gone), by filename."""
    changed = [name for name in sorted(files) if known.get(name) != manifest_hash(files[name])]
    gone = [name for name in sorted(known) if name not in files]
    return changed, gone
