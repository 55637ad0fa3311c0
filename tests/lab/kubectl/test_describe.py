# ruff: noqa: E501, W291  (golden texts: kubectl prints these lines whole)
"""`kubectl describe` prints kubectl v1.35's layout: Go tabwriter blocks, the Events section."""

import pytest

from k8slab.errors import BadRequestError, NotFoundError
from k8slab.lab.kubectl.describe import describe
from k8slab.lab.kubectl.gotabwriter import align
from tests.lab.kubectl.kubectl_objects import (
    Reader,
    deployment,
    event,
    meta,
    ref,
    replica_set,
    stamp,
)

WEB = deployment("web", replicas=3, ready=2, updated=3, available=2, created=30,
                 strategy={"type": "RollingUpdate",
                           "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"}})
OLD_RS = replica_set("web-6b7c9", owner=WEB, replicas=0, current=0, ready=0, created=30,
                     labels={"app": "web", "pod-template-hash": "6b7c9"})
OLD_RS["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:1.26"
NEW_RS = replica_set("web-5d4f8", owner=WEB, replicas=3, current=3, ready=2, created=200,
                     labels={"app": "web", "pod-template-hash": "5d4f8"})
SCALED = event("web.1", "ScalingReplicaSet", ref(WEB), first=200,
               component="deployment-controller",
               message="Scaled up replica set web-5d4f8 from 0 to 3")
CREATED = event("web-5d4f8.1", "SuccessfulCreate", ref(NEW_RS), first=200, last=260, count=3,
                component="replicaset-controller", message="Created pod: web-5d4f8-abcde")
# Same name and namespace, another object (a deleted and re-created Deployment): not ours.
STALE = event("web.0", "ScalingReplicaSet", {**ref(WEB), "uid": "uid-earlier"}, first=5,
              component="deployment-controller", message="from an earlier web")


def pod_of(rs, name, phase):
    metadata = meta(name, created=210, labels={"app": "web"})
    metadata["ownerReferences"] = [{"kind": "ReplicaSet", "name": rs["metadata"]["name"],
                                    "uid": rs["metadata"]["uid"], "controller": True}]
    return {"apiVersion": "v1", "kind": "Pod", "metadata": metadata,
            "spec": {"containers": [{"name": "nginx", "image": "nginx:1.27"}]},
            "status": {"phase": phase}}


PODS = [pod_of(NEW_RS, "web-5d4f8-a", "Running"), pod_of(NEW_RS, "web-5d4f8-b", "Running"),
        pod_of(NEW_RS, "web-5d4f8-c", "Pending"), pod_of(OLD_RS, "web-6b7c9-z", "Running")]
READER = Reader(WEB, OLD_RS, NEW_RS, SCALED, CREATED, STALE, *PODS)

DEPLOYMENT_TEXT = """\
Name:                   web
Namespace:              default
CreationTimestamp:      Thu, 01 Jan 2026 00:00:30 +0000
Labels:                 <none>
Annotations:            <none>
Selector:               app=web
Replicas:               3 desired | 3 updated | 3 total | 2 available | 0 unavailable
StrategyType:           RollingUpdate
MinReadySeconds:        0
RollingUpdateStrategy:  25% max unavailable, 25% max surge
Pod Template:
  Labels:  app=web
  Containers:
   nginx:
    Image:         nginx:1.27
    Port:          <none>
    Host Port:     <none>
    Environment:   <none>
    Mounts:        <none>
  Volumes:         <none>
  Node-Selectors:  <none>
  Tolerations:     <none>
OldReplicaSets:    web-6b7c9 (0/0 replicas created)
NewReplicaSet:     web-5d4f8 (3/3 replicas created)
Events:
  Type    Reason             Age    From                   Message
  ----    ------             ----   ----                   -------
  Normal  ScalingReplicaSet  2m10s  deployment-controller  Scaled up replica set web-5d4f8 from 0 to 3"""

REPLICA_SET_TEXT = """\
Name:           web-5d4f8
Namespace:      default
Selector:       app=web,pod-template-hash=5d4f8
Labels:         app=web
                pod-template-hash=5d4f8
Annotations:    <none>
Controlled By:  Deployment/web
Replicas:       3 current / 3 desired
Pods Status:    2 Running / 1 Waiting / 0 Succeeded / 0 Failed
Pod Template:
  Labels:  app=web
           pod-template-hash=5d4f8
  Containers:
   nginx:
    Image:         nginx:1.27
    Port:          <none>
    Host Port:     <none>
    Environment:   <none>
    Mounts:        <none>
  Volumes:         <none>
  Node-Selectors:  <none>
  Tolerations:     <none>
Events:
  Type    Reason            Age                  From                   Message
  ----    ------            ----                 ----                   -------
  Normal  SuccessfulCreate  70s (x3 over 2m10s)  replicaset-controller  Created pod: web-5d4f8-abcde"""


@pytest.mark.parametrize("command, text", [
    ("describe deployment web", DEPLOYMENT_TEXT),
    ("kubectl describe deploy/web -n default", DEPLOYMENT_TEXT),
    ("describe rs web-5d4f8", REPLICA_SET_TEXT),
    ("describe replicasets.apps --namespace=default web-5d4f8", REPLICA_SET_TEXT),
])
def test_workload_layouts(command, text):
    assert describe(READER, command) == text


def test_describe_reads_only_through_get_and_list():
    reader = Reader(WEB, OLD_RS, NEW_RS, SCALED)
    describe(reader, "describe deployment web")
    assert reader.calls == [("get", "deployments", "default", "web"),
                            ("list", "replicasets", "default"), ("list", "events", "default")]


GRACE = {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute",
         "tolerationSeconds": 300}
POD = {"apiVersion": "v1", "kind": "Pod",
       "metadata": meta("web-1", created=10, labels={"app": "web"},
                        deletionTimestamp=stamp(300), deletionGracePeriodSeconds=30),
       "spec": {"nodeName": "worker-1", "tolerations": [GRACE],
                "containers": [{"name": "nginx", "image": "nginx:1.27",
                                "ports": [{"containerPort": 80, "protocol": "TCP"}],
                                "resources": {"requests": {"memory": "64Mi", "cpu": "100m"}}}]},
       "status": {"phase": "Running", "hostIP": "10.0.0.11", "podIP": "10.244.1.5",
                  "podIPs": [{"ip": "10.244.1.5"}], "startTime": stamp(12),
                  "conditions": [{"type": "Ready", "status": "True"}],
                  "containerStatuses": [{
                      "name": "nginx", "ready": True, "restartCount": 1,
                      "imageID": "docker.io/library/nginx@sha256:1",
                      "containerID": "containerd://abc",
                      "state": {"running": {"startedAt": stamp(14)}},
                      "lastState": {"terminated": {"exitCode": 137, "reason": "Error",
                                                   "startedAt": stamp(12),
                                                   "finishedAt": stamp(13)}}}]}}
KILLING = event("web-1.2", "Killing", ref(POD, kind="", fieldPath="spec.containers{nginx}"),
                first=300, component="kubelet", host="worker-1",
                message="Stopping container nginx")
SCHEDULED = event("web-1.1", "Scheduled", ref(POD), first=11, component="default-scheduler",
                  message="Successfully assigned default/web-1 to worker-1")

POD_TEXT = """\
Name:                      web-1
Namespace:                 default
Node:                      worker-1/10.0.0.11
Start Time:                Thu, 01 Jan 2026 00:00:12 +0000
Labels:                    app=web
Annotations:               <none>
Status:                    Terminating (lasts 30s)
Termination Grace Period:  30s
IP:                        10.244.1.5
IPs:
  IP:  10.244.1.5
Containers:
  nginx:
    Container ID:   containerd://abc
    Image:          nginx:1.27
    Image ID:       docker.io/library/nginx@sha256:1
    Port:           80/TCP
    Host Port:      0/TCP
    State:          Running
      Started:      Thu, 01 Jan 2026 00:00:14 +0000
    Last State:     Terminated
      Reason:       Error
      Exit Code:    137
      Started:      Thu, 01 Jan 2026 00:00:12 +0000
      Finished:     Thu, 01 Jan 2026 00:00:13 +0000
    Ready:          True
    Restart Count:  1
    Requests:
      cpu:        100m
      memory:     64Mi
    Environment:  <none>
    Mounts:       <none>
Conditions:
  Type           Status
  Ready          True 
Volumes:         <none>
QoS Class:       Burstable
Node-Selectors:  <none>
Tolerations:     node.kubernetes.io/not-ready:NoExecute op=Exists for 300s
Events:
  Type    Reason     Age    From               Message
  ----    ------     ----   ----               -------
  Normal  Scheduled  5m19s  default-scheduler  Successfully assigned default/web-1 to worker-1
  Normal  Killing    30s    kubelet            spec.containers{nginx}: Stopping container nginx"""


def test_pod_layout_with_terminating_status_and_events_oldest_first():
    assert describe(Reader(POD, KILLING, SCHEDULED), "describe po web-1") == POD_TEXT


def test_no_events_and_several_objects():
    quiet = {**POD, "metadata": {**POD["metadata"], "name": "web-2", "uid": "uid-web-2"}}
    text = describe(Reader(POD, quiet), "describe pods")
    first, second = text.split("\n\n\n")
    assert first.endswith("Events:          <none>")
    assert second.startswith("Name:                      web-2")


def test_a_name_that_matches_nothing_describes_every_name_it_begins():
    text = describe(READER, "describe rs web")
    assert [line for line in text.splitlines() if line.startswith("Name:")] == [
        "Name:           web-5d4f8", "Name:           web-6b7c9"]
    assert "\n\nName:           web-6b7c9" in text


@pytest.mark.parametrize("command, error, message", [
    ("describe rs nope", NotFoundError, 'replicasets.apps "nope" not found'),
    ("describe rs web-5d4f8 nope", NotFoundError, 'replicasets.apps "nope" not found'),
    ("describe", BadRequestError, "You must specify the type of resource to describe"),
    ("describe widgets x", BadRequestError, 'doesn\'t have a resource type "widgets"'),
    ("describe jobs pi", BadRequestError, "cannot describe jobs.batch yet"),
    ("describe pod web -o yaml", BadRequestError, "unknown flag: -o"),
    ("describe pod -n", BadRequestError, "flag needs an argument"),
    ("describe pod/a rs/b", BadRequestError, "one type at a time"),
    ("describe pod/", BadRequestError, "single resource and name"),
    ("get pods", BadRequestError, "not a describe command"),
    ("describe 'pod", BadRequestError, "cannot read the command"),
    (42, BadRequestError, "a command is a string"),
])
def test_bad_input_is_refused_with_what_is_accepted(command, error, message):
    with pytest.raises(error, match=message):
        describe(READER, command)


def test_empty_namespace_says_so():
    assert describe(READER, "describe pods -n kube-system") == (
        "No resources found in kube-system namespace.")


@pytest.mark.parametrize("parts, text", [
    (["a\tb\n", "ccc\td\n"], "a  b\nccc  d\n"),
    (["a\tb\nccc\td\n"], "a    b\nccc  d\n"),
    (["x\ty\tz\nlonger\tq\nno tabs\nk\tv\n"], "x       y  z\nlonger  q\nno tabs\nk  v\n"),
], ids=["flush-separates", "one-block", "a-line-without-tabs-ends-the-block"])
def test_go_tabwriter_blocks(parts, text):
    assert align(parts) == text
