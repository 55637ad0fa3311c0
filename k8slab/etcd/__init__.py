"""etcd: the MVCC key-value store where the cluster's state lives, kept consistent by Raft."""
