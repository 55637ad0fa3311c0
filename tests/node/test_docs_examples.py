"""The example pods of kubernetes.io's task pages, their manifests unchanged, run on a one-worker
cluster: what the docs say happens happens, at the simulated times the trace records.

Sources: tasks/configure-pod-container/configure-liveness-readiness-startup-probes (liveness-exec,
liveness-http, goproxy, the startup probe), assign-memory-resource (memory-demo, memory-demo-2),
assign-cpu-resource (cpu-demo), concepts/workloads/pods/init-containers (myapp-pod),
concepts/workloads/pods/sidecar-containers (myapp).
"""

# ruff: noqa: E501 -- the docs' manifests stay as published, long shell lines included.
from __future__ import annotations

import pytest

from k8slab import Cluster

LIVENESS_EXEC = """
apiVersion: v1
kind: Pod
metadata:
  labels:
    test: liveness
  name: liveness-exec
spec:
  containers:
  - name: liveness
    image: registry.k8s.io/busybox:1.27.2
    args:
    - /bin/sh
    - -c
    - touch /tmp/healthy; sleep 30; rm -f /tmp/healthy; sleep 600
    livenessProbe:
      exec:
        command:
        - cat
        - /tmp/healthy
      initialDelaySeconds: 5
      periodSeconds: 5
"""

LIVENESS_HTTP = """
apiVersion: v1
kind: Pod
metadata:
  labels:
    test: liveness
  name: liveness-http
spec:
  containers:
  - name: liveness
    image: registry.k8s.io/e2e-test-images/agnhost:2.40
    args:
    - liveness
    livenessProbe:
      httpGet:
        path: /healthz
        port: 8080
        httpHeaders:
        - name: Custom-Header
          value: Awesome
      initialDelaySeconds: 3
      periodSeconds: 3
"""

GOPROXY = """
apiVersion: v1
kind: Pod
metadata:
  name: goproxy
  labels:
    app: goproxy
spec:
  containers:
  - name: goproxy
    image: registry.k8s.io/goproxy:0.1
    ports:
    - containerPort: 8080
    readinessProbe:
      tcpSocket:
        port: 8080
      initialDelaySeconds: 15
      periodSeconds: 10
    livenessProbe:
      tcpSocket:
        port: 8080
      initialDelaySeconds: 15
      periodSeconds: 10
"""

MEMORY_DEMO = """
apiVersion: v1
kind: Pod
metadata:
  name: memory-demo
  namespace: mem-example
spec:
  containers:
  - name: memory-demo-ctr
    image: polinux/stress
    resources:
      requests:
        memory: "100Mi"
      limits:
        memory: "200Mi"
    command: ["stress"]
    args: ["--vm", "1", "--vm-bytes", "150M", "--vm-hang", "1"]
"""

MEMORY_DEMO_2 = """
apiVersion: v1
kind: Pod
metadata:
  name: memory-demo-2
  namespace: mem-example
spec:
  containers:
  - name: memory-demo-2-ctr
    image: polinux/stress
    resources:
      requests:
        memory: "50Mi"
      limits:
        memory: "100Mi"
    command: ["stress"]
    args: ["--vm", "1", "--vm-bytes", "250M", "--vm-hang", "1"]
"""

CPU_DEMO = """
apiVersion: v1
kind: Pod
metadata:
  name: cpu-demo
  namespace: cpu-example
spec:
  containers:
  - name: cpu-demo-ctr
    image: vish/stress
    resources:
      limits:
        cpu: "1"
      requests:
        cpu: "0.5"
    args:
    - -cpus
    - "2"
"""

MYAPP_POD = """
apiVersion: v1
kind: Pod
metadata:
  name: myapp-pod
  labels:
    app.kubernetes.io/name: MyApp
spec:
  containers:
  - name: myapp-container
    image: busybox:1.28
    command: ['sh', '-c', 'echo The app is running! && sleep 3600']
  initContainers:
  - name: init-myservice
    image: busybox:1.28
    command: ['sh', '-c', "until nslookup myservice.$(cat /var/run/secrets/kubernetes.io/serviceaccount/namespace).svc.cluster.local; do echo waiting for myservice; sleep 2; done"]
  - name: init-mydb
    image: busybox:1.28
    command: ['sh', '-c', "until nslookup mydb.$(cat /var/run/secrets/kubernetes.io/serviceaccount/namespace).svc.cluster.local; do echo waiting for mydb; sleep 2; done"]
"""

SIDECAR = """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: myapp
  labels:
    app: myapp
spec:
  replicas: 1
  selector:
    matchLabels:
      app: myapp
  template:
    metadata:
      labels:
        app: myapp
    spec:
      containers:
        - name: myapp
          image: alpine:latest
          command: ['sh', '-c', 'while true; do echo "logging" >> /opt/logs.txt; sleep 1; done']
          volumeMounts:
            - name: data
              mountPath: /opt
      initContainers:
        - name: logshipper
          image: alpine:latest
          restartPolicy: Always
          command: ['sh', '-c', 'tail -F /opt/logs.txt']
          volumeMounts:
            - name: data
              mountPath: /opt
      volumes:
        - name: data
          emptyDir: {}
"""


def cluster(*manifests: str, namespace: str = "") -> Cluster:
    c = Cluster(workers=1)
    if namespace:
        c.apply({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}})
    for manifest in manifests:
        c.apply(manifest)
    return c


def times(c: Cluster, pod: str, kind: str, namespace: str = "default", **details) -> list[float]:
    """When the trace records `kind` about the pod, in seconds after its first container
    started."""
    ref = f"pod/{namespace}/{pod}"
    [first, *_] = c.trace.where(component="kubelet", kind="ContainerStarted", obj=ref)
    return [round(r.time - first.time, 6) for r in c.trace.where(kind=kind, obj=ref)
            if all(r.details.get(k) == v for k, v in details.items())]


def pod_row(c: Cluster, namespace: str = "default") -> list[str]:
    [row] = c.kubectl(f"get pods -n {namespace}").splitlines()[1:]
    return row.split()


def test_liveness_exec_fails_after_30_s_and_the_container_is_restarted():
    c = cluster(LIVENESS_EXEC)
    c.run(120)
    # Probes every 5 s from 5 s: the file is gone at 30 s (the probe at that instant runs after
    # the rm), so failures at 30, 35, 40 s; the third (failureThreshold 3) kills.
    assert times(c, "liveness-exec", "Unhealthy")[:3] == [30, 35, 40]
    [message] = {r.details["message"]
                 for r in c.trace.where(kind="Unhealthy", obj="pod/default/liveness-exec")}
    assert message == "Liveness probe failed: cat: can't open '/tmp/healthy': No such file or directory"
    assert times(c, "liveness-exec", "Killing")[0] == 40
    [killing, *_] = c.trace.where(kind="Killing", obj="pod/default/liveness-exec")
    assert killing.details["message"] == (
        "Container liveness failed liveness probe, will be restarted")
    # sh as PID 1 ignores SIGTERM: the kill waits the 30 s grace period, then SIGKILL.
    kills = [(t, r.details["signal"]) for t, r in zip(
        times(c, "liveness-exec", "kill"),
        c.trace.where(component="runc", kind="kill", obj="pod/default/liveness-exec"),
        strict=True)]
    assert kills[:2] == [(40, 15), (70, 9)]
    assert times(c, "liveness-exec", "ContainerStarted") == [0, pytest.approx(70.1)]
    status = c.get("pods", "liveness-exec")["status"]["containerStatuses"][0]
    assert status["restartCount"] == 1
    assert status["lastState"]["terminated"]["exitCode"] == 137
    assert pod_row(c)[:4] == ["liveness-exec", "1/1", "Running", "1"]


def test_liveness_http_gets_500s_after_10_s_and_the_container_is_restarted():
    c = cluster(LIVENESS_HTTP)
    c.run(40)
    # agnhost liveness answers 200 for 10 s, then 500: probes at 3, 6, 9 pass, 12, 15, 18 fail.
    assert times(c, "liveness-http", "Unhealthy")[:3] == [12, 15, 18]
    messages = {r.details["message"]
                for r in c.trace.where(kind="Unhealthy", obj="pod/default/liveness-http")}
    assert messages == {"Liveness probe failed: HTTP probe failed with statuscode: 500"}
    assert times(c, "liveness-http", "Killing")[0] == 18
    # agnhost handles SIGTERM at once; the restart is create + start (0.1 s) later.
    assert times(c, "liveness-http", "ContainerStarted")[:2] == [0, pytest.approx(18.1)]
    assert c.get("pods", "liveness-http")["status"]["containerStatuses"][0]["restartCount"] >= 1


def test_goproxy_is_ready_once_its_tcp_socket_answers_and_never_restarts():
    c = cluster(GOPROXY)
    c.run(15)
    assert pod_row(c)[:3] == ["goproxy", "0/1", "Running"]
    c.run(60)
    # The probe worker ticks every 10 s and skips ticks within initialDelaySeconds (15 s).
    assert times(c, "goproxy", "ProbeResult", probe="readinessProbe") == [20]
    assert times(c, "goproxy", "Unhealthy") == []
    assert pod_row(c)[:4] == ["goproxy", "1/1", "Running", "0"]
    conditions = {x["type"]: x["status"] for x in c.get("pods", "goproxy")["status"]["conditions"]}
    assert conditions["Ready"] == "True"


def test_readiness_exec_takes_the_pod_out_of_ready_without_a_restart():
    manifest = LIVENESS_EXEC.replace("livenessProbe", "readinessProbe")
    c = cluster(manifest)
    c.run(20)
    assert pod_row(c)[:2] == ["liveness-exec", "1/1"]
    c.run(40)
    assert pod_row(c)[:4] == ["liveness-exec", "0/1", "Running", "0"]
    assert times(c, "liveness-exec", "Killing") == []
    unhealthy = c.trace.where(kind="Unhealthy", obj="pod/default/liveness-exec")
    assert unhealthy[0].details["message"].startswith("Readiness probe failed: ")


def test_memory_demo_runs_within_its_200_mi_limit():
    c = cluster(MEMORY_DEMO, namespace="mem-example")
    c.run(30)
    assert pod_row(c, "mem-example")[:4] == ["memory-demo", "1/1", "Running", "0"]
    assert c.trace.where(kind="oom-kill") == []
    containerd = c.network.host("worker-1").memory["containerd"]
    [ctr] = [x for x in containerd.list_containers() if x.name == "memory-demo-ctr"]
    # stress --vm-bytes 150M holds 150 MB (decimal, as stress reads M).
    assert containerd.container_stats(ctr.id).memory_working_set == 150 * 2**20


def test_memory_demo_2_is_oom_killed_with_137_and_restarted():
    c = cluster(MEMORY_DEMO_2, namespace="mem-example")
    c.run(30)
    [oom, *_] = c.trace.where(kind="oom-kill", obj="pod/mem-example/memory-demo-2")
    assert oom.details["memory_max"] == 100 * 2**20
    status = c.get("pods", "memory-demo-2", namespace="mem-example")["status"]
    ctr = status["containerStatuses"][0]
    assert ctr["lastState"]["terminated"]["reason"] == "OOMKilled"
    assert ctr["lastState"]["terminated"]["exitCode"] == 137
    assert ctr["restartCount"] == 2
    # Restarted as soon as the PLEG's next relist sees the exit, then 10 s after the second.
    started = times(c, "memory-demo-2", "ContainerStarted", namespace="mem-example")
    assert started[0] == 0 and 0.1 < started[1] <= 1.2
    assert started[2] - started[1] == pytest.approx(10.101, abs=1e-3)
    assert pod_row(c, "mem-example")[2] in ("OOMKilled", "CrashLoopBackOff")


def test_cpu_demo_is_throttled_to_one_cpu():
    c = cluster(CPU_DEMO, namespace="cpu-example")
    c.run(5)
    containerd = c.network.host("worker-1").memory["containerd"]
    [ctr] = [x for x in containerd.list_containers() if x.name == "cpu-demo-ctr"]
    before = containerd.container_stats(ctr.id)
    c.run(10)
    after = containerd.container_stats(ctr.id)
    # Two threads want 2 CPUs; cpu.max "100000 100000" lets one CPU-second per second through.
    assert after.cpu_usage_usec - before.cpu_usage_usec == pytest.approx(10_000_000, rel=0.02)
    assert after.nr_throttled - before.nr_throttled >= 90  # a 100 ms period each time
    assert pod_row(c, "cpu-example")[:3] == ["cpu-demo", "1/1", "Running"]


def test_init_containers_wait_forever_for_services_that_do_not_exist():
    c = cluster(MYAPP_POD)
    c.run(60)
    assert pod_row(c)[:3] == ["myapp-pod", "0/1", "Init:0/2"]
    started = c.trace.where(kind="ContainerStarted", obj="pod/default/myapp-pod")
    assert [r.details["container"] for r in started] == ["init-myservice"]
    status = c.get("pods", "myapp-pod")["status"]
    assert status["phase"] == "Pending"
    assert status["initContainerStatuses"][0]["state"]["running"]
    assert status["initContainerStatuses"][1]["state"]["waiting"]
    assert status["containerStatuses"][0]["state"]["waiting"]


def test_an_init_container_not_yet_started_waits_in_pod_initializing():
    c = cluster(MYAPP_POD)
    c.run(10)
    status = c.get("pods", "myapp-pod")["status"]
    waiting = [status["initContainerStatuses"][1]["state"]["waiting"]["reason"],
               status["containerStatuses"][0]["state"]["waiting"]["reason"]]
    assert waiting == ["PodInitializing", "PodInitializing"]


def test_the_sidecar_ships_the_apps_log_lines():
    c = cluster(SIDECAR)
    c.run(10)
    [name, ready, phase, *_] = pod_row(c)
    assert name.startswith("myapp-") and (ready, phase) == ("2/2", "Running")
    started = c.trace.where(kind="ContainerStarted")
    assert [r.details["container"] for r in started if r.obj.startswith("pod/default/myapp")] == [
        "logshipper", "myapp"]
    disk = c.network.host("worker-1").disk
    [path] = [p for p in disk if "/logshipper/" in str(p)]
    lines = [line.split(" ", 3) for line in disk[path]]
    # tail -F starts before the app wrote its file: it says so on stderr, then follows the file.
    assert lines[0][1:] == ["stderr", "F", "tail: can't open '/opt/logs.txt': No such file or directory"]
    shipped = [text for _, stream, _, text in lines if stream == "stdout"]
    assert shipped[:5] == ["logging"] * 5
    assert 8 <= len(shipped) <= 10


def test_the_same_seed_gives_the_same_history():
    def history() -> list[tuple]:
        c = cluster(LIVENESS_EXEC, MEMORY_DEMO_2.replace("namespace: mem-example", "namespace: default"))
        c.run(90)
        return [(r.time, r.host, r.component, r.kind, r.obj, sorted(r.details.items()))
                for r in c.trace if r.obj.startswith("pod/")]

    first = history()
    assert first == history()
    assert len(first) > 50
