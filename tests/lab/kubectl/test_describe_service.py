# ruff: noqa: E501  (golden texts: kubectl prints these lines whole)
"""`kubectl describe service`: kubectl v1.35's layout, endpoints read from EndpointSlices."""

from k8slab.lab.kubectl.describe import describe
from tests.lab.kubectl.kubectl_objects import Reader, meta

WEB = {
    "apiVersion": "v1", "kind": "Service", "metadata": meta("web", created=30),
    "spec": {"type": "NodePort", "selector": {"app": "web"}, "clusterIP": "10.96.12.34",
             "clusterIPs": ["10.96.12.34"], "ipFamilyPolicy": "SingleStack",
             "ipFamilies": ["IPv4"], "sessionAffinity": "None",
             "externalTrafficPolicy": "Cluster", "internalTrafficPolicy": "Cluster",
             "ports": [{"name": "http", "port": 80, "protocol": "TCP", "targetPort": "http",
                        "nodePort": 30080}]},
    "status": {"loadBalancer": {}},
}


def endpoint(ip, ready=True):
    return {"addresses": [ip], "conditions": {"ready": ready}}


SLICE = {
    "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
    "metadata": meta("web-abcde", created=31, labels={"kubernetes.io/service-name": "web"}),
    "addressType": "IPv4", "ports": [{"name": "http", "port": 8080, "protocol": "TCP"}],
    "endpoints": [endpoint("10.244.1.5"), endpoint("10.244.2.6", ready=False),
                  endpoint("10.244.1.7"), endpoint("10.244.2.8"), endpoint("10.244.1.9")],
}
OTHER = {**SLICE, "metadata": meta("db-xyz", labels={"kubernetes.io/service-name": "db"}),
         "endpoints": [endpoint("10.244.3.3")]}


def test_describe_service():
    assert describe(Reader(WEB, SLICE, OTHER), "describe svc web") == "\n".join([
        "Name:                     web",
        "Namespace:                default",
        "Labels:                   <none>",
        "Annotations:              <none>",
        "Selector:                 app=web",
        "Type:                     NodePort",
        "IP Family Policy:         SingleStack",
        "IP Families:              IPv4",
        "IP:                       10.96.12.34",
        "IPs:                      10.96.12.34",
        "Port:                     http  80/TCP",
        "TargetPort:               http/TCP",
        "NodePort:                 http  30080/TCP",
        "Endpoints:                10.244.1.5:8080,10.244.1.7:8080,10.244.2.8:8080 + 2 more...",
        "Session Affinity:         None",
        "External Traffic Policy:  Cluster",
        "Internal Traffic Policy:  Cluster",
        "Events:                   <none>",
    ])


def test_a_service_without_slices_has_no_endpoints():
    text = describe(Reader(WEB), "describe service web")
    assert "Endpoints:                <none>" in text.splitlines()
