"""kube-controller-manager's controllers: level-triggered reconcile loops over the API.

Each module is one upstream controller. A controller reads desired and observed state from
shared informers, acts only through the API client, and keeps no private truth: whatever it
lost in a crash, the next sync reads again from the cluster.
"""
