"""kube-scheduler: the framework and its plugins, the scheduling queue, and the loop that binds
pods to nodes, laid out as upstream's pkg/scheduler is."""
