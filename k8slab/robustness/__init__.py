"""Tools that try to break etcd and check it held: EtcdLab (a bare etcd cluster to experiment on),
a nemesis of crashes, partitions and message faults, and a linearizability checker of histories.
"""
