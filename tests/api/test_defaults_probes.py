"""Probe defaults: SetDefaults_Probe, SetDefaults_HTTPGetAction and GRPCAction's service."""

from k8slab.api.defaults import apply_defaults


def pod_with(container_changes: dict, init: bool = False) -> dict:
    container = {"name": "web", "image": "nginx:1.27", **container_changes}
    spec = {"containers": [{"name": "main", "image": "busybox:1.36"}]}
    if init:
        spec["initContainers"] = [container]
    else:
        spec["containers"].append(container)
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web"}, "spec": spec}


def defaulted(probe: dict, kind: str = "livenessProbe", init: bool = False) -> dict:
    spec = apply_defaults(pod_with({kind: probe}, init))["spec"]
    return (spec["initContainers"][0] if init else spec["containers"][1])[kind]


def test_an_exec_probe_gets_upstreams_numbers_and_no_initial_delay():
    assert defaulted({"exec": {"command": ["cat", "/tmp/healthy"]}}) == {
        "exec": {"command": ["cat", "/tmp/healthy"]},
        "timeoutSeconds": 1,
        "periodSeconds": 10,
        "successThreshold": 1,
        "failureThreshold": 3,
    }


def test_given_numbers_are_kept_and_zero_means_unset():
    probe = {"tcpSocket": {"port": 8080}, "initialDelaySeconds": 15, "periodSeconds": 20,
             "timeoutSeconds": 0, "failureThreshold": 30}
    result = defaulted(probe, "readinessProbe")
    assert (result["initialDelaySeconds"], result["periodSeconds"], result["timeoutSeconds"],
            result["failureThreshold"], result["successThreshold"]) == (15, 20, 1, 30, 1)


def test_http_get_defaults_path_and_scheme():
    assert defaulted({"httpGet": {"port": 8080}}, "startupProbe")["httpGet"] == {
        "port": 8080, "path": "/", "scheme": "HTTP"}
    kept = defaulted({"httpGet": {"port": "http", "path": "/healthz", "scheme": "HTTPS"}})
    assert kept["httpGet"] == {"port": "http", "path": "/healthz", "scheme": "HTTPS"}


def test_grpc_service_defaults_to_the_empty_string():
    assert defaulted({"grpc": {"port": 2379}})["grpc"] == {"port": 2379, "service": ""}
    assert defaulted({"grpc": {"port": 2379, "service": "etcd"}})["grpc"]["service"] == "etcd"


def test_sidecar_probes_and_templates_are_defaulted_too():
    sidecar = defaulted({"exec": {"command": ["true"]}}, "readinessProbe", init=True)
    assert sidecar["periodSeconds"] == 10
    template = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
                "spec": {"selector": {"matchLabels": {"app": "web"}}, "template": {
                    "metadata": {"labels": {"app": "web"}},
                    "spec": {"containers": [{"name": "web", "image": "nginx",
                                             "livenessProbe": {"httpGet": {"port": 80}}}]}}}}
    probe = apply_defaults(template)["spec"]["template"]["spec"]["containers"][0]["livenessProbe"]
    assert probe == {"httpGet": {"port": 80, "path": "/", "scheme": "HTTP"}, "timeoutSeconds": 1,
                     "periodSeconds": 10, "successThreshold": 1, "failureThreshold": 3}
