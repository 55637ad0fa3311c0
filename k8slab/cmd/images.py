"""The images kubeadm deploys (the control plane and its two addons, kube-proxy and CoreDNS),
and the entrypoint each image runs.

runc finds a container's program by its image repository (the image name without its tag).
"""

from __future__ import annotations

from k8slab.cmd import (
    coredns,
    etcd,
    kube_apiserver,
    kube_controller_manager,
    kube_proxy,
    kube_scheduler,
)

# kubeadm v1.35.0 deploys etcd 3.6.6-0 (kk PR #135271, CHANGELOG-1.35; kk
# cmd/kubeadm/app/constants/constants.go DefaultEtcdVersion) and tags the control-plane images
# with its own version, v1.35.0 (the kubelet's VERSION).
ETCD_IMAGE = "registry.k8s.io/etcd:3.6.6-0"
APISERVER_IMAGE = "registry.k8s.io/kube-apiserver:v1.35.0"
SCHEDULER_IMAGE = "registry.k8s.io/kube-scheduler:v1.35.0"
CONTROLLER_MANAGER_IMAGE = "registry.k8s.io/kube-controller-manager:v1.35.0"
PROXY_IMAGE = "registry.k8s.io/kube-proxy:v1.35.0"

PROGRAMS = {
    "registry.k8s.io/etcd": etcd.main,
    "registry.k8s.io/kube-apiserver": kube_apiserver.main,
    "registry.k8s.io/kube-scheduler": kube_scheduler.main,
    "registry.k8s.io/kube-controller-manager": kube_controller_manager.main,
    "registry.k8s.io/kube-proxy": kube_proxy.main,
    "registry.k8s.io/coredns/coredns": coredns.main,
}
