"""What each static pod runs: the binaries' entrypoints (etcd, kube-apiserver, kube-scheduler).

runc looks a container's image up in its host's programs (`images.PROGRAMS`); each entrypoint
parses the flags the real binary takes and starts the component in the container's process group.
"""
