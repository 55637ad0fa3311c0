"""The kubelet's probes end to end: a startup probe holding off liveness through a slow start,
exec probes that time out, TCP and HTTP probes that are refused, with upstream's messages and
the simulated times the trace records."""

from __future__ import annotations

from k8slab import Cluster

# The docs' startup-probe fragment (configure-liveness-readiness-startup-probes, "Protect
# slow starting containers"), around an nginx that takes 120 s to start listening.
SLOW_START = """
apiVersion: v1
kind: Pod
metadata:
  name: slow
spec:
  containers:
  - name: app
    image: nginx:1.27
    command: ["sh", "-c", "sleep 120; exec nginx -g 'daemon off;'"]
    ports:
    - name: liveness-port
      containerPort: 80
    livenessProbe:
      httpGet:
        path: /
        port: liveness-port
      failureThreshold: 1
      periodSeconds: 10
    startupProbe:
      httpGet:
        path: /
        port: liveness-port
      failureThreshold: 30
      periodSeconds: 10
"""


def since_start(c: Cluster, name: str, kind: str, **details) -> list[float]:
    ref = f"pod/default/{name}"
    [first, *_] = c.trace.where(component="kubelet", kind="ContainerStarted", obj=ref)
    return [round(r.time - first.time, 6) for r in c.trace.where(kind=kind, obj=ref)
            if all(r.details.get(k) == v for k, v in details.items())]


def messages(c: Cluster, name: str) -> list[str]:
    return [r.details["message"] for r in c.trace.where(kind="Unhealthy",
                                                        obj=f"pod/default/{name}")]


def test_a_startup_probe_protects_a_slow_start_from_liveness():
    c = Cluster(workers=1)
    c.apply(SLOW_START)
    c.run(200)
    # Without initialDelaySeconds the first probe runs at once; startup probes fail every 10 s
    # until nginx listens at 120 s (the probe at that instant succeeds): 12 < failureThreshold 30.
    assert since_start(c, "slow", "Unhealthy") == [10 * i for i in range(12)]
    assert set(messages(c, "slow")) == {  # CoreDNS's replica on worker-1 holds 10.244.1.2
        'Startup probe failed: Get "http://10.244.1.3:80/": dial tcp 10.244.1.3:80: connect: '
        "connection refused"}
    assert since_start(c, "slow", "ProbeResult", probe="startupProbe") == [120]
    assert since_start(c, "slow", "Killing") == []
    status = c.get("pods", "slow")["status"]["containerStatuses"][0]
    assert (status["restartCount"], status["started"], status["ready"]) == (0, True, True)


def test_without_the_startup_probe_liveness_kills_the_slow_start():
    c = Cluster(workers=1)
    manifest = SLOW_START.split("    startupProbe:")[0]
    c.apply(manifest)
    c.run(40)
    # failureThreshold 1: the first liveness probe, at once, fails and kills; sh as PID 1
    # ignores SIGTERM, so the SIGKILL comes after the 30 s grace, and the restart 0.1 s later.
    assert since_start(c, "slow", "Killing") == [0, 30.1]  # each start killed at once
    assert since_start(c, "slow", "kill")[:2] == [0, 30]
    assert since_start(c, "slow", "ContainerStarted") == [0, 30.1]
    assert messages(c, "slow")[0].startswith("Liveness probe failed: Get ")
    assert c.get("pods", "slow")["status"]["containerStatuses"][0]["restartCount"] == 1


def test_an_exec_probe_past_its_timeout_fails_with_timed_out():
    c = Cluster(workers=1)
    c.apply({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "slowprobe"},
             "spec": {"containers": [{
                 "name": "app", "image": "busybox:1.37", "command": ["sleep", "3600"],
                 "readinessProbe": {"exec": {"command": ["sleep", "5"]}, "timeoutSeconds": 1,
                                    "periodSeconds": 10}}]}})
    c.run(30)
    assert set(messages(c, "slowprobe")) == {'Readiness probe failed: command "sleep 5" timed out'}
    # A time.Ticker paces the worker: ticks stay 10 s apart whatever each probe took (1 s here).
    assert since_start(c, "slowprobe", "Unhealthy") == [1, 11, 21]
    assert c.get("pods", "slowprobe")["status"]["containerStatuses"][0]["ready"] is False


def test_a_probe_longer_than_its_period_runs_again_at_once_on_the_waiting_tick():
    # The ticker's channel holds one tick: the probe that ends at 15 s finds the 10 s tick
    # waiting; the one ending at 30 s finds the 20 s tick (30 s's was dropped), and so on.
    c = Cluster(workers=1, skip_phases=["addon"])  # kubeadm --skip-phases=addon: a probe test
    c.apply({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "slowprobe"},
             "spec": {"containers": [{
                 "name": "app", "image": "busybox:1.37", "command": ["sleep", "3600"],
                 "readinessProbe": {"exec": {"command": ["sleep", "20"]}, "timeoutSeconds": 15,
                                    "periodSeconds": 10}}]}})
    c.run(50)
    assert since_start(c, "slowprobe", "Unhealthy") == [15, 30, 45]


def test_a_tcp_probe_on_a_port_nothing_listens_on_is_refused():
    c = Cluster(workers=1)
    c.apply({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "tcp"},
             "spec": {"containers": [{
                 "name": "app", "image": "nginx:1.27",
                 "readinessProbe": {"tcpSocket": {"port": 8080}, "periodSeconds": 5}}]}})
    c.run(20)
    assert set(messages(c, "tcp")) == {  # CoreDNS's replica on worker-1 holds 10.244.1.2
        "Readiness probe failed: dial tcp 10.244.1.3:8080: connect: connection refused"}
    assert since_start(c, "tcp", "Unhealthy")[:3] == [0, 5, 10]
    assert c.kubectl("get pods").splitlines()[1].split()[:3] == ["tcp", "0/1", "Running"]


def test_a_readiness_http_probe_on_nginx_makes_the_pod_ready_at_once():
    c = Cluster(workers=1)
    c.apply({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web"},
             "spec": {"containers": [{
                 "name": "app", "image": "nginx:1.27",
                 "readinessProbe": {"httpGet": {"path": "/", "port": 80}}}]}})
    c.run(5)
    assert since_start(c, "web", "ProbeResult", probe="readinessProbe") == [0]
    assert messages(c, "web") == []
    assert c.kubectl("get pods").splitlines()[1].split()[:3] == ["web", "1/1", "Running"]
