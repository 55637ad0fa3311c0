"""A real HTTPS endpoint for a simulated cluster: the real kubectl and client libraries talk to it.

`Cluster.serve()` starts it on 127.0.0.1: each HTTP request is turned into one request of the
simulated API client and answered from the simulation, through the API server's whole pipeline.
"""
