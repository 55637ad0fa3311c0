"""describe pod's probe lines, as kubectl's DescribeProbe writes them."""

import pytest

from k8slab.api.defaults import apply_defaults
from k8slab.lab.kubectl.describe_pod import describe_pod, describe_probe

TAIL = "timeout=1s period=10s #success=1 #failure=3"


def defaulted(probe: dict) -> dict:
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
           "spec": {"containers": [{"name": "c", "image": "busybox", "livenessProbe": probe}]}}
    return apply_defaults(pod)["spec"]["containers"][0]["livenessProbe"]


@pytest.mark.parametrize(("probe", "line"), [
    ({"exec": {"command": ["cat", "/tmp/healthy"]}, "initialDelaySeconds": 5, "periodSeconds": 5},
     "exec [cat /tmp/healthy] delay=5s timeout=1s period=5s #success=1 #failure=3"),
    ({"httpGet": {"path": "/healthz", "port": 8080}, "initialDelaySeconds": 3},
     f"http-get http://:8080/healthz delay=3s {TAIL}"),
    ({"httpGet": {"port": "liveness-port", "host": "10.0.0.1", "scheme": "HTTPS"}},
     f"http-get https://10.0.0.1:liveness-port/ delay=0s {TAIL}"),
    ({"tcpSocket": {"port": 8080}, "initialDelaySeconds": 15},
     f"tcp-socket :8080 delay=15s {TAIL}"),
    ({"grpc": {"port": 2379}, "initialDelaySeconds": 10},
     f"grpc <pod>:2379  delay=10s {TAIL}"),
], ids=["exec", "http-get", "https-named-port", "tcp-socket", "grpc"])
def test_probe_lines(probe, line):
    assert describe_probe(defaulted(probe)) == line


def test_the_containers_section_shows_last_state_and_probes():
    pod = apply_defaults({
        "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "liveness-exec"},
        "spec": {"containers": [{"name": "liveness", "image": "registry.k8s.io/busybox",
                                 "livenessProbe": {"exec": {"command": ["cat", "/tmp/healthy"]},
                                                   "initialDelaySeconds": 5,
                                                   "periodSeconds": 5}}]}})
    pod["status"] = {"phase": "Running", "containerStatuses": [{
        "name": "liveness", "ready": True, "restartCount": 1, "containerID": "containerd://b",
        "state": {"running": {"startedAt": "2026-01-01T00:01:20Z"}},
        "lastState": {"terminated": {"reason": "Error", "exitCode": 137,
                                     "startedAt": "2026-01-01T00:00:05Z",
                                     "finishedAt": "2026-01-01T00:01:15Z"}}}]}
    text = describe_pod(pod, [], 100.0)
    assert "    Last State:     Terminated\n      Reason:       Error\n" in text
    assert "      Exit Code:    137\n" in text
    assert "    Restart Count:  1\n" in text
    assert ("    Liveness:       exec [cat /tmp/healthy] delay=5s timeout=1s period=5s "
            "#success=1 #failure=3\n") in text
