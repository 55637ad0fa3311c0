"""A highly available control plane: three stacked etcd members behind a load balancer."""

import pytest

from k8slab import Cluster
from k8slab.errors import K8sLabError
from k8slab.lab.etcdctl import EtcdctlError
from k8slab.lab.plots.raft_status import status_table

POD = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web"},
       "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]}}


@pytest.fixture
def ha() -> Cluster:
    # etcd and the control plane's failover: the addons would only add a second of boot each
    return Cluster(workers=2, seed=1, control_planes=3, check_invariants=True,
                   skip_phases=["addon"])


def test_three_members_one_leader_and_one_scheduler_leading(ha):
    rows = status_table(ha)
    assert [r["role"] for r in rows].count("leader") == 1
    assert len({r["term"] for r in rows}) == 1
    ha.run(5)
    leading = [name for name in ha.control_planes
               if ha.network.host(name).memory["kube-scheduler"].leading]
    assert len(leading) == 1


def test_the_cluster_keeps_working_when_the_etcd_leader_host_dies(ha):
    leader = ha.etcd_leader()
    ha.kill_node(leader)
    ha.run(20)
    assert ha.etcd_leader() not in (None, leader)
    ha.apply(POD)
    ha.run(30)
    assert ha.get("pods", "web")["status"]["phase"] == "Running"
    assert ha.invariants() == []


def test_a_write_from_the_api_server_lands_in_every_members_store(ha):
    ha.apply(POD)
    ha.run(10)
    members = [ha.network.host(name).memory["etcd"] for name in ha.control_planes]
    keys = [m.store.get("/registry/pods/default/web") for m in members]
    assert all(kv is not None for kv in keys)
    assert len({kv.mod_revision for kv in keys}) == 1


def test_etcdctl_talks_to_the_members(ha):
    assert ha.etcdctl("put /demo/x 1") == "OK"
    assert ha.etcdctl("get /demo/x") == "/demo/x\n1"
    assert ha.etcdctl("get /demo --prefix --keys-only") == "/demo/x\n"  # etcdctl 3.5's blank
    status = ha.etcdctl("endpoint status").split("\n")
    assert [row.split(", ")[0] for row in status] == [f"{n}:2379" for n in ha.control_planes]
    assert [row.split(", ")[4] for row in status].count("true") == 1
    with pytest.raises(K8sLabError, match='unknown command "frobnicate"'):
        ha.etcdctl("frobnicate")


def test_etcdctl_txn_reads_its_requests_from_stdin(ha):
    ha.etcdctl("put /demo/x 1")
    done = ha.etcdctl("txn", 'value("/demo/x") = "1"\n\nput /demo/x 2\n\nget /demo/x\n\n')
    assert done == "SUCCESS\n\nOK"
    assert ha.etcdctl("get /demo/x --print-value-only") == "2"


def test_etcdctl_endpoint_status_with_a_member_down_reports_it_and_fails(ha):
    down = ha.control_planes[2]
    ha.kill_node(down)
    with pytest.raises(EtcdctlError) as failed:
        ha.etcdctl("endpoint status")
    lines = failed.value.message.split("\n")
    assert lines[0] == (f"Failed to get the status of endpoint {down}:2379 "
                        "(context deadline exceeded)")
    assert [line.split(", ")[0] for line in lines[1:]] == [
        f"{n}:2379" for n in ha.control_planes[:2]]
    assert failed.value.exit_code == 1


def test_with_two_members_down_writes_time_out_but_serializable_reads_answer(ha):
    ha.etcdctl("put /demo/x 1")
    survivor = ha.control_planes[0]
    for name in ha.control_planes[1:]:
        ha.kill_node(name)
    with pytest.raises(K8sLabError, match="etcdserver: request timed out"):
        ha.etcdctl("put /demo/x 2")
    assert ha.etcdctl("get /demo/x --consistency=s") == "/demo/x\n1"
    assert ha.etcd_status()[survivor] is not None
    assert ha.invariants() == []


def test_bad_control_plane_counts_are_refused():
    with pytest.raises(K8sLabError, match="control_planes must be one of 1, 3, 5, 7"):
        Cluster(control_planes=2)


def test_faults_from_the_facade_keep_etcd_safe(ha):
    ha.set_faults(duplicate=0.3, jitter=0.02)
    ha.set_link("control-plane-2", latency=0.05, loss=0.2)
    for i in range(5):
        ha.etcdctl(f"put /demo/k {i}")
    ha.partition(["control-plane-1"], ["control-plane-2", "control-plane-3"])
    ha.run(5)
    ha.heal()
    ha.set_faults()
    ha.set_link("control-plane-2", latency=0.00025, loss=0.0)
    ha.run(5)
    assert ha.etcdctl("get /demo/k") == "/demo/k\n4"
    assert ha.invariants() == []
    with pytest.raises(K8sLabError, match="loss must be a finite number from 0 to 1"):
        ha.set_link("worker-1", loss=2)
    with pytest.raises(K8sLabError, match="duplicate must be a finite number from 0 to 1"):
        ha.set_faults(duplicate=-1)
