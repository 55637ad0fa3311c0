# ruff: noqa: E501, W291  (golden texts: kubectl prints these lines whole)
"""`kubectl describe node` prints kubectl v1.35's layout, with Go's quantity formatting and
percentages truncated as int64(float64(...)) truncates them."""

import pytest

from k8slab.api.amounts import amount, canonical, pod_totals
from k8slab.errors import BadRequestError
from k8slab.lab.kubectl.describe import describe
from k8slab.lab.kubectl.describe_quantities import node_totals, percent
from tests.lab.kubectl.kubectl_objects import Reader, event, meta, stamp

NODE = {
    "apiVersion": "v1", "kind": "Node",
    "metadata": {"name": "worker-1", "uid": "uid-worker-1", "creationTimestamp": stamp(10),
                 "labels": {"kubernetes.io/hostname": "worker-1",
                            "node-role.kubernetes.io/worker": ""}},
    "spec": {"podCIDR": "10.244.1.0/24", "podCIDRs": ["10.244.1.0/24"], "unschedulable": True,
             "taints": [{"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule"},
                        {"key": "node.kubernetes.io/unreachable", "effect": "NoExecute"},
                        {"key": "dedicated", "value": "gpu", "effect": "NoSchedule"}]},
    "status": {
        "capacity": {"cpu": "4", "memory": "16Gi", "pods": "110", "hugepages-2Mi": "0",
                     "example.com/gpu": "2"},
        "allocatable": {"cpu": "3800m", "memory": "1.5Gi", "pods": "110",
                        "hugepages-2Mi": "0", "example.com/gpu": "2"},
        "conditions": [{"type": "Ready", "status": "Unknown", "reason": "NodeStatusUnknown",
                        "message": "Kubelet stopped posting node status.",
                        "lastHeartbeatTime": stamp(20), "lastTransitionTime": stamp(70)}],
        "addresses": [{"type": "InternalIP", "address": "10.0.0.21"},
                      {"type": "Hostname", "address": "worker-1"}],
        "nodeInfo": {"kubeletVersion": "v1.35.0", "containerRuntimeVersion": "containerd://2.2.0",
                     "osImage": "Ubuntu 24.04.1 LTS", "kernelVersion": "6.8.0-49-generic",
                     "operatingSystem": "linux", "architecture": "amd64"},
    },
}
LEASE = {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
         "metadata": meta("worker-1", "kube-node-lease"),
         "spec": {"holderIdentity": "worker-1", "leaseDurationSeconds": 40,
                  "acquireTime": "2026-01-01T00:00:11.250994Z",
                  "renewTime": "2026-01-01T00:00:20.5Z"}}


def pod(name, namespace="default", node="worker-1", phase="Running", created=100, **resources):
    containers = [{"name": "c", "image": "nginx", "resources": resources}]
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta(name, namespace, created),
            "spec": {"nodeName": node, "containers": containers}, "status": {"phase": phase}}


WEB = pod("web", requests={"cpu": "250m", "memory": "64Mi"}, limits={"cpu": "1", "memory": "128Mi"})
INIT = pod("init-heavy", requests={"cpu": "100m", "example.com/gpu": "1"})
INIT["spec"]["initContainers"] = [{"name": "warm", "image": "busybox",
                                   "resources": {"requests": {"cpu": "0.5"}}}]
DNS = pod("coredns", "kube-system", created=30)
DONE = pod("job-1", phase="Succeeded")
ELSEWHERE = pod("web-2", node="worker-2", requests={"cpu": "2"})
BY_UID = event("worker-1.1", "NodeNotReady", {"kind": "Node", "name": "worker-1",
                                               "uid": "uid-worker-1", "apiVersion": "v1"},
               first=70, component="node-controller",
               message="Node worker-1 status is now: NodeNotReady")
BY_NAME = event("worker-1.0", "NodeHasSufficientMemory",
                {"kind": "Node", "name": "worker-1", "uid": "worker-1", "apiVersion": "v1"},
                first=11, last=12, count=2, component="kubelet", host="worker-1",
                message="Node worker-1 status is now: NodeHasSufficientMemory")
OTHER = event("worker-2.0", "NodeNotReady", {"kind": "Node", "name": "worker-2",
                                              "uid": "uid-worker-2", "apiVersion": "v1"},
              first=70, component="node-controller", message="not ours")
READER = Reader(NODE, LEASE, WEB, INIT, DNS, DONE, ELSEWHERE, BY_UID, BY_NAME, OTHER)

NODE_TEXT = """\
Name:               worker-1
Roles:              worker
Labels:             kubernetes.io/hostname=worker-1
                    node-role.kubernetes.io/worker=
Annotations:        <none>
CreationTimestamp:  Thu, 01 Jan 2026 00:00:10 +0000
Taints:             node.kubernetes.io/unreachable:NoExecute
                    dedicated=gpu:NoSchedule
                    node.kubernetes.io/unschedulable:NoSchedule
Unschedulable:      true
Lease:
  HolderIdentity:  worker-1
  AcquireTime:     Thu, 01 Jan 2026 00:00:11 +0000
  RenewTime:       Thu, 01 Jan 2026 00:00:20 +0000
Conditions:
  Type    Status    LastHeartbeatTime                 LastTransitionTime                Reason              Message
  ----    ------    -----------------                 ------------------                ------              -------
  Ready   Unknown   Thu, 01 Jan 2026 00:00:20 +0000   Thu, 01 Jan 2026 00:01:10 +0000   NodeStatusUnknown   Kubelet stopped posting node status.
Addresses:
  InternalIP:  10.0.0.21
  Hostname:    worker-1
Capacity:
  cpu:              4
  example.com/gpu:  2
  hugepages-2Mi:    0
  memory:           16Gi
  pods:             110
Allocatable:
  cpu:              3800m
  example.com/gpu:  2
  hugepages-2Mi:    0
  memory:           1536Mi
  pods:             110
System Info:
  Machine ID:                 
  System UUID:                
  Boot ID:                    
  Kernel Version:             6.8.0-49-generic
  OS Image:                   Ubuntu 24.04.1 LTS
  Operating System:           linux
  Architecture:               amd64
  Container Runtime Version:  containerd://2.2.0
  Kubelet Version:            v1.35.0
PodCIDR:                      10.244.1.0/24
PodCIDRs:                     10.244.1.0/24
Non-terminated Pods:          (3 in total)
  Namespace                   Name          CPU Requests  CPU Limits  Memory Requests  Memory Limits  Age
  ---------                   ----          ------------  ----------  ---------------  -------------  ---
  default                     init-heavy    500m (13%)    0 (0%)      0 (0%)           0 (0%)         3m50s
  default                     web           250m (6%)     1 (26%)     64Mi (4%)        128Mi (8%)     3m50s
  kube-system                 coredns       0 (0%)        0 (0%)      0 (0%)           0 (0%)         5m
Allocated resources:
  (Total limits may be over 100 percent, i.e., overcommitted.)
  Resource           Requests    Limits
  --------           --------    ------
  cpu                750m (19%)  1 (26%)
  memory             64Mi (4%)   128Mi (8%)
  ephemeral-storage  0 (0%)      0 (0%)
  hugepages-2Mi      0 (0%)      0 (0%)
  example.com/gpu    1           0
Events:
  Type    Reason                   Age                    From             Message
  ----    ------                   ----                   ----             -------
  Normal  NodeHasSufficientMemory  5m18s (x2 over 5m19s)  kubelet          Node worker-1 status is now: NodeHasSufficientMemory
  Normal  NodeNotReady             4m20s                  node-controller  Node worker-1 status is now: NodeNotReady"""


def test_describe_node_prints_kubectls_layout() -> None:
    assert describe(READER, "describe node worker-1") == NODE_TEXT


def test_describe_node_reads_only_through_the_reader_and_every_spelling_works() -> None:
    reader = Reader(*READER.objects)
    for command in ("describe no worker-1", "describe nodes/worker-1", "describe node worker"):
        assert describe(reader, command) == NODE_TEXT
    assert ("get", "leases", "kube-node-lease", "worker-1") in reader.calls
    assert ("list", "pods", None) in reader.calls and ("list", "events", None) in reader.calls


def test_a_node_without_a_lease_says_kubectls_error_in_the_lease_section() -> None:
    text = describe(Reader(NODE), "describe node worker-1")
    assert 'Lease:              Failed to get lease: leases.coordination.k8s.io "worker-1" not found' in text
    assert "Non-terminated Pods:          (0 in total)" in text
    # Without a flush, "Events:" aligns with the Allocated resources rows above it.
    assert text.endswith("  example.com/gpu    0         0\nEvents:              <none>")


@pytest.mark.parametrize(("text", "shown"), [
    ("0.5", "500m"), ("1.5Gi", "1536Mi"), ("1000m", "1"), ("1024Mi", "1Gi"), ("2000Mi", "2000Mi"),
    ("1e3", "1e3"), ("1500000", "1500k"), ("1E", "1E"), ("0", "0"), ("512", "512"),
    ("100Mi", "100Mi"), ("0.1Ki", "102400m"), ("12345678n", "12345678n"),
])
def test_quantities_print_in_gos_canonical_form(text, shown) -> None:
    assert canonical(amount(text, "q")) == shown


def test_sums_keep_the_format_of_their_first_nonzero_term_and_percent_truncates() -> None:
    a = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "a"}, "spec": {"containers": [
        {"name": "x", "resources": {"requests": {"memory": "0"}}},
        {"name": "y", "resources": {"requests": {"memory": "1Gi", "cpu": "1"}}},
        {"name": "z", "resources": {"requests": {"memory": "1000000", "cpu": "500m"}}}]}}
    totals = pod_totals(a, "requests")
    assert (str(totals["memory"]), str(totals["cpu"])) == ("1074741824", "1500m")
    assert str(node_totals([a, a], "requests")["cpu"]) == "3"
    # 2/3 of allocatable is 66.66...%: int64 truncates to 66, never rounds to 67.
    assert percent(amount("2", "q"), amount("3", "q"), "cpu") == 66
    assert percent(amount("1", "q"), amount("0", "q"), "cpu") == 0


def test_a_bad_quantity_on_a_node_is_a_clear_error() -> None:
    broken = {**NODE, "status": {**NODE["status"], "capacity": {"cpu": "four"}}}
    with pytest.raises(BadRequestError, match=r"status.capacity.cpu 'four' is not a quantity"):
        describe(Reader(broken, LEASE), "describe node worker-1")
