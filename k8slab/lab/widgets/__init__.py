"""Control panels for a live cluster, one module per panel (cluster, etcd, scheduler, node,
controllers, network, authorization), each built on the shared `panel.Panel`: buttons that call
the `Cluster` methods a reader could call in a cell.
"""
