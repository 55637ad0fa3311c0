"""The Container Network Interface on a node: the plugin chain containerd runs for every pod
sandbox (bridge with host-local IPAM, then portmap), configured from /etc/cni/net.d/."""
