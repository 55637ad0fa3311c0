"""Worker-node components: the kubelet, containerd (the CRI runtime), containerd-shim-runc-v2 (one
per pod, the parent of its containers' processes) and runc (the OCI runtime)."""
