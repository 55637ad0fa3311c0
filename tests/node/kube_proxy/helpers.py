"""The fixture cluster: web (NodePort, 3 endpoints) and api (1 endpoint), plain API dicts."""



CIDR = "10.244.0.0/16"
NODE_IP = "172.18.0.3"


def service(name: str, ip: str, ports: list[dict], **spec: object) -> dict:
    return {"apiVersion": "v1", "kind": "Service",
            "metadata": {"namespace": "default", "name": name},
            "spec": {"clusterIP": ip, "ports": ports, **spec}}


def endpoint_slice(name: str, port: int, addresses: list[tuple[str, str]],
                   ready: bool = True) -> dict:
    return {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
            "metadata": {"namespace": "default", "name": f"{name}-x1",
                         "labels": {"kubernetes.io/service-name": name}},
            "addressType": "IPv4",
            "ports": [{"name": "http", "port": port, "protocol": "TCP"}],
            "endpoints": [{"addresses": [ip], "conditions": {"ready": ready},
                           "nodeName": node} for ip, node in addresses]}


def fixture_objects() -> tuple[list[dict], list[dict]]:
    services = [
        service("web", "10.96.0.20", [{"name": "http", "port": 80, "nodePort": 30080}],
                type="NodePort"),
        service("api", "10.96.0.30", [{"name": "http", "port": 8080}]),
    ]
    slices = [
        endpoint_slice("web", 8080, [("10.244.1.2", "worker-1"), ("10.244.2.3", "worker-2"),
                                     ("10.244.1.4", "worker-1")]),
        endpoint_slice("api", 8080, [("10.244.2.9", "worker-2")]),
    ]
    return services, slices


def ports_of(services: list[dict], slices: list[dict], node: str = "worker-1") -> list:
    from k8slab.node.kube_proxy.service_ports import endpoints_for, service_ports
    return [(p, endpoints_for(p, slices, node)) for s in services for p in service_ports(s)]
