"""Worker-node components: the kubelet, containerd (the CRI runtime) and runc (the OCI runtime)."""
