"""kube-proxy: the node component that turns Services and EndpointSlices into kernel rules.

It watches the API, writes iptables, ipvs or nftables rules into the node's (modelled) kernel,
and steps aside: packets are rewritten by those rules (`datapath.dnat`), never by kube-proxy.
"""
