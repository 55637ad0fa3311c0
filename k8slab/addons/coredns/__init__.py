"""CoreDNS as kubeadm installs it: the cluster's DNS server, answering from Services,
EndpointSlices and Pods."""
