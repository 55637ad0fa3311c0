"""Service validation, table-driven: upstream's paths and messages, and the defaults."""

import pytest

from k8slab.api.defaults import apply_defaults
from k8slab.api.validation import validate, validate_update
from k8slab.errors import InvalidError


def svc(name="web", **spec) -> dict:
    spec.setdefault("ports", [{"port": 80}])
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name}, "spec": spec}


CASES = [
    ("selector-less bad port", svc(ports=[{"port": 0}]),
     "spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive"),
    ("no ports", svc(ports=[]), "spec.ports: Required value"),
    ("unnamed ports", svc(ports=[{"port": 80}, {"name": "b", "port": 81}]),
     "spec.ports[0].name: Required value"),
    ("duplicate port names", svc(ports=[{"name": "http", "port": 80},
                                        {"name": "http", "port": 81}]),
     'spec.ports[1].name: Duplicate value: "http"'),
    ("protocol", svc(ports=[{"port": 80, "protocol": "ICMP"}]),
     'spec.ports[0].protocol: Unsupported value: "ICMP": supported values: "SCTP", "TCP", '
     '"UDP"'),
    ("target port name", svc(ports=[{"port": 80, "targetPort": "HTTP"}]),
     'spec.ports[0].targetPort: Invalid value: "HTTP": must contain only alpha-numeric '
     "characters (a-z, 0-9), and hyphens (-)"),
    ("node port on ClusterIP", svc(ports=[{"port": 80, "nodePort": 30080}]),
     "spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"),
    ("type", svc(type="Magic"), 'spec.type: Unsupported value: "Magic": supported values: '
     '"ClusterIP", "ExternalName", "LoadBalancer", "NodePort"'),
    ("bad cluster IP", svc(clusterIP="10.96.0.300"),
     'spec.clusterIPs[0]: Invalid value: "10.96.0.300": must be a valid IP address, '
     "(e.g. 10.9.8.7 or 2001:db8::ffff)"),
    ("headless NodePort", svc(type="NodePort", clusterIP="None"),
     "spec.clusterIPs[0]: Invalid value: \"None\": may not be set to 'None' for NodePort "
     "services"),
    ("external name required", svc(type="ExternalName", ports=[]),
     "spec.externalName: Required value"),
    ("affinity timeout", svc(sessionAffinity="ClientIP",
                             sessionAffinityConfig={"clientIP": {"timeoutSeconds": 90000}}),
     "spec.sessionAffinityConfig.clientIP.timeoutSeconds: Invalid value: 90000: must be "
     "greater than 0 and less than 86400"),
    ("affinity config without ClientIP",
     svc(sessionAffinityConfig={"clientIP": {"timeoutSeconds": 60}}),
     "spec.sessionAffinityConfig: Forbidden: must not be set when session affinity is None"),
    ("kubelet port on a LoadBalancer", svc(type="LoadBalancer", ports=[{"port": 10250}]),
     "spec.ports[0]: Invalid value: 10250: may not expose port 10250 externally since it is "
     "used by kubelet"),
    ("external policy on ClusterIP", svc(externalTrafficPolicy="Local"),
     'spec.externalTrafficPolicy: Invalid value: "Local": may only be set when `type` is '
     "'NodePort' or 'LoadBalancer'"),
    ("name is a DNS-1035 label", svc(name="1web"),
     'metadata.name: Invalid value: "1web": a DNS-1035 label must consist of lower case '
     "alphanumeric characters or '-', start with an alphabetic character, and end with an "
     "alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is "
     "'[a-z]([-a-z0-9]*[a-z0-9])?')"),
]


@pytest.mark.parametrize(("manifest", "message"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_a_bad_service_is_refused_in_upstreams_words(manifest, message):
    name = manifest["metadata"]["name"]
    with pytest.raises(InvalidError) as refused:
        validate(apply_defaults(manifest))
    assert refused.value.message.startswith(f'Service "{name}" is invalid: ')
    assert message in refused.value.message


@pytest.mark.parametrize("manifest", [
    svc(selector={"app": "web"}, ports=[{"name": "http", "port": 80, "targetPort": "http"},
                                        {"name": "dns", "port": 53, "protocol": "UDP"}]),
    svc(type="NodePort", ports=[{"port": 80, "nodePort": 30080}],
        externalTrafficPolicy="Local"),
    svc(type="LoadBalancer", internalTrafficPolicy="Local"),
    svc(clusterIP="None", selector={"app": "web"}),
    svc(type="ExternalName", externalName="db.example.com", ports=[]),
    svc(ports=[{"port": 9, "protocol": "SCTP"}], sessionAffinity="ClientIP"),
], ids=["named ports", "NodePort Local", "LoadBalancer", "headless", "ExternalName", "SCTP"])
def test_good_services_pass(manifest):
    validate(apply_defaults(manifest))


def test_service_defaults():
    spec = apply_defaults(svc(type="LoadBalancer", sessionAffinity="ClientIP",
                              ports=[{"port": 80}]))["spec"]
    assert spec["ports"] == [{"port": 80, "protocol": "TCP", "targetPort": 80}]
    assert spec["sessionAffinityConfig"] == {"clientIP": {"timeoutSeconds": 10800}}
    assert (spec["internalTrafficPolicy"], spec["externalTrafficPolicy"]) == ("Cluster",
                                                                              "Cluster")
    assert spec["allocateLoadBalancerNodePorts"] is True
    assert (spec["ipFamilyPolicy"], spec["ipFamilies"]) == ("SingleStack", ["IPv4"])
    plain = apply_defaults(svc())
    assert plain["spec"]["type"] == "ClusterIP" and plain["spec"]["sessionAffinity"] == "None"
    assert "externalTrafficPolicy" not in plain["spec"]
    assert plain["status"] == {"loadBalancer": {}}
    headless = apply_defaults(svc(clusterIP="None"))["spec"]
    assert (headless["clusterIPs"], headless["ipFamilyPolicy"]) == (["None"],
                                                                    "RequireDualStack")
    only_list = apply_defaults(svc(clusterIPs=["10.96.0.10"]))["spec"]
    assert only_list["clusterIP"] == "10.96.0.10"
    external = apply_defaults(svc(type="ExternalName", externalName="a.b", ports=[]))["spec"]
    assert "ipFamilies" not in external and "internalTrafficPolicy" not in external


def test_cluster_ip_may_not_change():
    old = apply_defaults(svc(clusterIP="10.96.0.20"))
    new = apply_defaults(svc(clusterIP="10.96.0.21"))
    with pytest.raises(InvalidError, match=r'spec.clusterIPs\[0\]: Invalid value: "10.96.0.21": '
                                           "may not change once set"):
        validate_update(old, new)
    validate_update(old, apply_defaults(svc(type="ExternalName", externalName="x.y", ports=[])))
