"""nginx, agnhost, stress, pause and goproxy in a bare container: responses, logs, memory, CPU."""

from __future__ import annotations

import pytest

from k8slab.node.process import Cgroup
from k8slab.node.programs import agnhost, nginx, stress
from k8slab.node.programs.http import request
from k8slab.node.programs.pause import goproxy, pause

MI = 1024 * 1024


def test_nginx_serves_index_and_404_and_logs_each_request(box) -> None:
    box.fs.write("/usr/share/nginx/html/index.html", nginx.INDEX_HTML)
    box.start(nginx.main, "nginx", "-g", "daemon off;")
    box.sim.run(5)
    ok = box.call(80, request("/", **{"User-Agent": "kube-probe/1.35"}))
    missing = box.call(80, request("/nope"))
    assert (ok["status"], ok["body"]) == (200, nginx.INDEX_HTML)
    assert missing["status"] == 404
    assert "<center><h1>404 Not Found</h1></center>" in missing["body"]
    assert box.stdout() == [
        f'127.0.0.1 - - [01/Jan/2026:00:00:05 +0000] "GET / HTTP/1.1" 200 '
        f'{len(nginx.INDEX_HTML)} "-" "kube-probe/1.35" "-"',
        '127.0.0.1 - - [01/Jan/2026:00:00:05 +0000] "GET /nope HTTP/1.1" 404 '
        f'{len(missing["body"])} "-" "-" "-"']
    assert box.cgroup.memory_current == nginx.RESIDENT_BYTES
    assert nginx.main.sigterm_seconds == 0.0


def test_nginx_rejects_an_unknown_option(box) -> None:
    assert box.run(nginx.main, "nginx", "-x") == 1
    assert box.stderr() == ['nginx: invalid option: "x"']


def test_agnhost_liveness_is_healthy_for_ten_seconds_then_500(box) -> None:
    box.start(agnhost.main, "/agnhost", "liveness")
    box.sim.run(10)
    assert box.call(8080, request("/healthz")) == {"status": 200, "body": "ok", "headers": {}}
    box.sim.run(2)
    assert box.call(8080, request("/healthz"))["body"] == "error: 12"
    assert box.call(8080, request("/healthz"))["status"] == 500


def test_agnhost_netexec_answers_hostname_and_echo_on_its_port(box) -> None:
    box.start(agnhost.main, "/agnhost", "netexec", "--http-port=8081")
    box.sim.run(1)
    assert box.call(8081, request("/hostname"))["body"] == "web-0"
    assert box.call(8081, request("/echo?msg=hello"))["body"] == "hello"
    assert box.call(8080, request("/")) is None


def test_agnhost_netexec_tells_the_client_its_address_over_http_and_udp(box) -> None:
    box.start(agnhost.main, "/agnhost", "netexec")
    box.sim.run(1)
    asked = dict(request("/clientip"), remote_addr="10.244.2.7")
    assert box.call(8080, asked)["body"] == "10.244.2.7"
    assert box.call(8080, dict(asked, remote_port=40123))["body"] == "10.244.2.7:40123"
    udp = {"protocol": "udp", "remote_addr": "10.244.2.7"}
    assert box.call(8081, dict(udp, payload="hostname")) == {"payload": "web-0"}
    assert box.call(8081, dict(udp, payload="echo hi there")) == {"payload": "hi there"}
    assert box.call(8081, dict(udp, payload="clientip")) == {"payload": "10.244.2.7"}
    assert box.call(8081, dict(udp, payload="bogus")) == {"payload": None}


def test_agnhost_grpc_health_toggles_through_http(box) -> None:
    box.start(agnhost.main, "/agnhost", "grpc-health-checking")
    box.sim.run(1)
    grpc = {"protocol": "grpc", "service": ""}
    assert box.call(5000, grpc) == {"status": "SERVING"}
    box.call(8080, request("/make-not-serving"))
    assert box.call(5000, grpc) == {"status": "NOT_SERVING"}


@pytest.mark.parametrize("argv, stderr", [
    (["/agnhost", "frob"], ['Error: unknown command "frob" for "agnhost"',
                            "Run 'agnhost --help' for usage."]),
    (["/agnhost", "netexec", "--nope=1"], ["Error: unknown flag: --nope"]),
    (["/agnhost", "netexec", "--http-port=x"],
     ['Error: invalid argument "x" for "--http-port" flag: strconv.ParseInt: parsing "x": '
      'invalid syntax']),
], ids=["unknown-subcommand", "unknown-flag", "bad-port"])
def test_agnhost_errors_are_cobras(box, argv, stderr) -> None:
    assert box.run(agnhost.main, *argv) == 1
    assert box.stderr() == stderr


def test_memory_demo_runs_under_its_200Mi_limit(box) -> None:
    box.cgroup = Cgroup(memory_max=200 * MI)
    box.start(stress.polinux_stress, "stress", "--vm", "1", "--vm-bytes", "150M", "--vm-hang", "1")
    box.sim.run(60)
    assert box.exit is None
    assert box.cgroup.memory_current == 150 * MI
    assert box.stdout() == ["stress: info: [1] dispatching hogs: 0 cpu, 0 io, 1 vm, 0 hdd"]


def test_memory_demo_2_is_oom_killed_past_its_100Mi_limit(box) -> None:
    box.cgroup = Cgroup(memory_max=100 * MI)
    box.run(stress.polinux_stress, "stress", "--vm", "1", "--vm-bytes", "250M", "--vm-hang", "1")
    assert (box.killed, box.exit, box.exited_at) == ("OOMKilled", 137, 0)
    assert box.cgroup.oom_kills == 1


def test_stress_timeout_ends_the_run(box) -> None:
    assert box.run(stress.polinux_stress, "stress", "--cpu", "1", "--timeout", "5") == 0
    assert box.exited_at == 5
    assert box.stdout()[-1] == "stress: info: [1] successful run completed in 5s"


def test_cpu_demo_is_throttled_to_its_one_cpu_limit(box) -> None:
    box.cgroup = Cgroup(cpu_quota_us=100_000)
    box.start(stress.vish_stress, "/stress", "-logtostderr", "-cpus", "2")
    box.sim.run(10)
    assert box.cgroup.usage_usec == pytest.approx(10e6)  # 1 CPU-second per second, not 2
    assert box.cgroup.nr_throttled > 0


def test_vish_stress_allocates_step_by_step(box) -> None:
    box.start(stress.vish_stress, "/stress", "-mem-total", "150Mi", "-mem-alloc-size", "10Mi",
              "-mem-alloc-sleep", "1s")
    box.sim.run(4.5)
    assert box.cgroup.memory_current == 50 * MI


def test_vish_stress_rejects_an_unknown_flag(box) -> None:
    assert box.run(stress.vish_stress, "/stress", "-nope", "1") == 2
    assert box.stderr() == ["flag provided but not defined: -nope"]


def test_pause_sleeps_and_goproxy_accepts_tcp_on_8080(box) -> None:
    assert box.run(pause, "/pause", seconds=100) is None
    assert box.call(8080, {"protocol": "tcp"}) is None
    box.start(goproxy, "/goproxy")
    box.sim.run(1)
    assert box.call(8080, {"protocol": "tcp"}) is not None
    assert (pause.sigterm_seconds, goproxy.sigterm_seconds) == (0.0, 0.0)
    assert stress.polinux_stress.sigterm_seconds is None
