"""The lab: the `Cluster` facade the notebooks use (built as kubeadm builds a cluster), kubectl
and etcdctl, plots and widget panels.
"""
