"""The client-go role: how components reach the API server (rest), watch it (informers), and
take turns leading (leader election). The scheduler and the kubelet use it; the API server does not.
"""
