"""kube-apiserver: the only component that talks to etcd; everyone else talks to it."""
