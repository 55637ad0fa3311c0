"""The control-plane images kubeadm deploys, and the entrypoint each image runs.

runc finds a container's program by its image repository (the image name without its tag).
"""

from __future__ import annotations

from k8slab.cmd import etcd, kube_apiserver, kube_scheduler

ETCD_IMAGE = "registry.k8s.io/etcd:3.5.16-0"
APISERVER_IMAGE = "registry.k8s.io/kube-apiserver:v1.32.0"
SCHEDULER_IMAGE = "registry.k8s.io/kube-scheduler:v1.32.0"

PROGRAMS = {
    "registry.k8s.io/etcd": etcd.main,
    "registry.k8s.io/kube-apiserver": kube_apiserver.main,
    "registry.k8s.io/kube-scheduler": kube_scheduler.main,
}
