"""kube-controller-manager's command line: real flags into ControllerOptions, pflag's errors."""

from __future__ import annotations

import pytest

from k8slab.cmd.cli import go_duration
from k8slab.cmd.kube_controller_manager import parse_flags
from k8slab.controllers.context import ControllerOptions
from k8slab.errors import K8sLabError
from k8slab.lab.kubeadm import controller_manager_command


def test_kubeadms_command_line_parses_to_the_defaults() -> None:
    options, controllers, leader_elect, kubeconfig = parse_flags(controller_manager_command()[1:])
    assert options == ControllerOptions()
    assert controllers == ["*", "bootstrapsigner", "tokencleaner"]
    assert leader_elect is True
    assert kubeconfig == "/etc/kubernetes/controller-manager.conf"


def test_durations_rates_and_counts_are_read_as_pflag_reads_them() -> None:
    options, *_ = parse_flags([
        "--node-monitor-grace-period=1m30s", "--node-monitor-period=500ms",
        "--node-startup-grace-period=2m", "--node-eviction-rate=0.5",
        "--secondary-node-eviction-rate=0", "--large-cluster-size-threshold=10",
        "--unhealthy-zone-threshold=0.7", "--concurrent_rc_syncs=3",
        "--concurrent-deployment-syncs=9", "--leader-elect=false",
    ])
    assert (options.node_monitor_grace_period, options.node_monitor_period,
            options.node_startup_grace_period) == (90.0, 0.5, 120.0)
    assert (options.node_eviction_rate, options.secondary_node_eviction_rate,
            options.large_cluster_size_threshold, options.unhealthy_zone_threshold) == (
        0.5, 0.0, 10, 0.7)
    assert (options.concurrent_rc_syncs, options.concurrent_deployment_syncs) == (3, 9)
    assert parse_flags(["--leader-elect=false"])[2] is False


@pytest.mark.parametrize("argument, message", [
    ("--foo=1", "unknown flag: --foo"),
    ("--node-monitor-grace-period=50", 'invalid argument "50" for '
     '"--node-monitor-grace-period" flag: time: missing unit in duration "50"'),
    ("--node-monitor-period=5d", 'invalid argument "5d" for "--node-monitor-period" flag: '
     'time: unknown unit "d" in duration "5d"'),
    ("--concurrent-job-syncs=many", 'invalid argument "many" for "--concurrent-job-syncs" '
     'flag: strconv.ParseInt: parsing "many": invalid syntax'),
    ("--node-eviction-rate=fast", 'invalid argument "fast" for "--node-eviction-rate" flag: '
     'strconv.ParseFloat: parsing "fast": invalid syntax'),
    ("--leader-elect=maybe", 'strconv.ParseBool: parsing "maybe": invalid syntax'),
    ("--controllers=*,nosuch", '"nosuch" is not in the list of known controllers'),
], ids=["unknown flag", "missing unit", "unknown unit", "bad int", "bad float", "bad bool",
        "unknown controller"])
def test_bad_flags_are_refused_in_upstreams_words(argument, message) -> None:
    from k8slab.controllers.manager import enabled_controllers

    with pytest.raises(K8sLabError) as raised:
        _, controllers, _, _ = parse_flags([argument])
        enabled_controllers(controllers)
    assert message in str(raised.value)


@pytest.mark.parametrize("text, seconds", [
    ("50s", 50.0), ("1m30s", 90.0), ("1.5h", 5400.0), ("300ms", 0.3), ("0", 0.0),
    ("-2s", -2.0), (".5s", 0.5), ("1h2m3s4ms", 3723.004),
])
def test_go_durations(text, seconds) -> None:
    assert go_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["", "s", "5", "1d", "1.s.", "."])
def test_bad_go_durations(text) -> None:
    with pytest.raises(K8sLabError, match="^time: "):
        go_duration(text)


MODELLED = (
    "clusterrole-aggregation-controller", "daemonset-controller", "deployment-controller",
    "endpointslice-controller",
    "garbage-collector-controller",
    "job-controller", "namespace-controller", "node-lifecycle-controller", "replicaset-controller",
    "replicationcontroller-controller", "resourcequota-controller",
    "root-ca-certificate-publisher-controller", "serviceaccount-controller",
    "statefulset-controller", "taint-eviction-controller")


def test_one_controller_manager_leads_and_a_standby_takes_over_when_its_host_dies() -> None:
    """Cluster(control_planes=3): one replica holds kube-system/kube-controller-manager; killing
    its host hands the Lease over once it expires (15 s unrenewed), visibly in the trace."""
    from k8slab.lab import components
    from k8slab.lab.cluster import Cluster

    c = Cluster(workers=1, seed=2, control_planes=3)
    c.run(20)
    views = {h: components.controller_manager_view(c.network, h) for h in c.control_planes}
    leaders = [h for h, v in views.items() if v is not None and v.leading]
    assert len(leaders) == 1
    [leader] = leaders
    assert views[leader].running == MODELLED
    assert all(v.running == () for h, v in views.items() if h != leader)
    killed = c.now
    c.kill_node(leader)
    c.run(40)
    started = [r for r in c.trace if r.kind == "started leading"
               and r.obj == "lease/kube-system/kube-controller-manager" and r.time > killed]
    assert len(started) == 1 and started[0].host != leader
    assert 15 <= started[0].time - killed <= 15 + 2 * 2.2 + 1
    new = components.controller_manager_view(c.network, started[0].host)
    assert new.leading and new.running == MODELLED


def test_losing_the_lease_ends_the_process_and_the_kubelet_restarts_it() -> None:
    """Cut the leader off its API server: it cannot renew within 10 s, stops leading, exits 1
    ("leaderelection lost"), and the kubelet starts the container again."""
    from k8slab.lab.cluster import Cluster

    c = Cluster(workers=1, seed=2, control_planes=3)
    c.run(20)
    [leader] = [r.host for r in c.trace if r.kind == "started leading"
                and r.obj == "lease/kube-system/kube-controller-manager"]
    others = [h for h in c.hosts if h != leader]
    c.partition([leader], others)
    c.run(30)
    exits = [r for r in c.trace if r.component == "kube-controller-manager" and r.kind == "exit"]
    assert [(r.host, r.details["code"]) for r in exits][:1] == [(leader, 1)]
    stopped = [r.time for r in c.trace if r.kind == "stopped leading" and r.host == leader
               and r.obj == "lease/kube-system/kube-controller-manager"]
    assert stopped and exits[0].time == stopped[0]
    restarted = [r for r in c.trace if r.component == "runc" and r.kind == "start"
                 and r.host == leader and "kube-controller-manager" in r.obj
                 and r.time > exits[0].time]
    assert restarted
