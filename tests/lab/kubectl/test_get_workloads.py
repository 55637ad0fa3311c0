# ruff: noqa: E501, W291  (golden texts: kubectl prints these lines whole)
"""`kubectl get` for the workload kinds and events, and `get -w`, in v1.35's columns and cells."""

import pytest

from k8slab.api.kinds import KINDS
from k8slab.errors import BadRequestError, NotFoundError
from k8slab.lab.kubectl.get import WatchChange, kubectl, watch
from k8slab.lab.kubectl.resources import BY_ALIAS
from k8slab.lab.kubectl.selectors import format_label_selector, selector_string
from k8slab.lab.kubectl.workload_printers import job_cells
from tests.lab.kubectl.kubectl_objects import (
    Reader,
    deployment,
    event,
    meta,
    ref,
    replica_set,
    stamp,
    template,
)

WEB = deployment("web", replicas=3, ready=2, updated=3, available=2, created=30)
API = deployment("api", replicas=1, ready=1, updated=1, available=1, created=300)
NEW_RS = replica_set("web-5d4f8", owner=WEB, replicas=3, current=3, ready=2, created=200,
                     labels={"app": "web", "pod-template-hash": "5d4f8"})
CREATED = event("web-5d4f8.1", "SuccessfulCreate", ref(NEW_RS), first=200, last=260, count=3,
                component="replicaset-controller", message="Created pod: web-5d4f8-abcde")
SCALED = event("web.1", "ScalingReplicaSet", ref(WEB), first=200,
               component="deployment-controller",
               message="Scaled up replica set web-5d4f8 from 0 to 3")
READER = Reader(WEB, API, NEW_RS, CREATED, SCALED)


def test_every_modelled_kind_can_be_listed():
    assert {info.resource for info in KINDS} <= {rtype.plural for rtype in BY_ALIAS.values()}


TABLES = {
    "get deployments": (
        "NAME   READY   UP-TO-DATE   AVAILABLE   AGE\n"
        "api    1/1     1            1           30s\n"
        "web    2/3     3            2           5m"),
    "get deploy -o wide": (
        "NAME   READY   UP-TO-DATE   AVAILABLE   AGE   CONTAINERS   IMAGES       SELECTOR\n"
        "api    1/1     1            1           30s   nginx        nginx:1.27   app=api\n"
        "web    2/3     3            2           5m    nginx        nginx:1.27   app=web"),
    "get rs": (
        "NAME        DESIRED   CURRENT   READY   AGE\n"
        "web-5d4f8   3         3         2       2m10s"),
    "get replicasets.apps -o wide": (
        "NAME        DESIRED   CURRENT   READY   AGE     CONTAINERS   IMAGES       SELECTOR\n"
        "web-5d4f8   3         3         2       2m10s   nginx        nginx:1.27   "
        "app=web,pod-template-hash=5d4f8"),
    # v1.35 prints events in the API's list order (by name): kubectl get does not sort them
    # (kubernetes/kubernetes#29838); `--sort-by` or `kubectl events` do.
    "get events": (
        "LAST SEEN   TYPE     REASON              OBJECT                 MESSAGE\n"
        "70s         Normal   SuccessfulCreate    replicaset/web-5d4f8   Created pod: web-5d4f8-abcde\n"
        "2m10s       Normal   ScalingReplicaSet   deployment/web         "
        "Scaled up replica set web-5d4f8 from 0 to 3"),
    "get ev -o wide": (
        "LAST SEEN   TYPE     REASON              OBJECT                 SUBOBJECT   SOURCE                  "
        "MESSAGE                                       FIRST SEEN   COUNT   NAME\n"
        "70s         Normal   SuccessfulCreate    replicaset/web-5d4f8               replicaset-controller   "
        "Created pod: web-5d4f8-abcde                  2m10s        3       web-5d4f8.1\n"
        "2m10s       Normal   ScalingReplicaSet   deployment/web                     deployment-controller   "
        "Scaled up replica set web-5d4f8 from 0 to 3   2m10s        1       web.1"),
    "get events -A": (
        "NAMESPACE   LAST SEEN   TYPE     REASON              OBJECT                 MESSAGE\n"
        "default     70s         Normal   SuccessfulCreate    replicaset/web-5d4f8   "
        "Created pod: web-5d4f8-abcde\n"
        "default     2m10s       Normal   ScalingReplicaSet   deployment/web         "
        "Scaled up replica set web-5d4f8 from 0 to 3"),
    "get deployments -o name": "deployment.apps/api\ndeployment.apps/web",
    "get rs -n kube-system": "No resources found in kube-system namespace.",
    "get jobs": "No resources found in default namespace.",
}


@pytest.mark.parametrize("command", TABLES)
def test_tables_are_kubectls_text(command):
    assert kubectl(READER, command) == TABLES[command]


def workload(kind, name, spec, status, api_version="apps/v1"):
    return {"apiVersion": api_version, "kind": kind, "metadata": meta(name, created=0),
            "spec": spec, "status": status}


DS = workload("DaemonSet", "kube-proxy", {
    "selector": {"matchLabels": {"k8s-app": "kube-proxy"}},
    "template": {**template({"k8s-app": "kube-proxy"}, ("kube-proxy", "kube-proxy:v1.35.0")),
                 "spec": {"containers": [{"name": "kube-proxy", "image": "kube-proxy:v1.35.0"}],
                          "nodeSelector": {"kubernetes.io/os": "linux"}}}},
    {"desiredNumberScheduled": 3, "currentNumberScheduled": 3, "numberReady": 2,
     "updatedNumberScheduled": 3, "numberAvailable": 2})
STS = workload("StatefulSet", "db", {"replicas": 3, "template": template(
    {"app": "db"}, ("pg", "postgres:17"), ("exporter", "exporter:1"))}, {"readyReplicas": 1})
RC = workload("ReplicationController", "old", {"replicas": 2, "selector": {"app": "old"},
              "template": template({"app": "old"}, ("nginx", "nginx:1.27"))},
              {"replicas": 2, "readyReplicas": 2}, api_version="v1")


@pytest.mark.parametrize("obj, command, text", [
    (DS, "get ds",
     "NAME         DESIRED   CURRENT   READY   UP-TO-DATE   AVAILABLE   NODE SELECTOR            AGE\n"
     "kube-proxy   3         3         2       3            2           kubernetes.io/os=linux   5m30s"),
    (DS, "get daemonsets -o wide",
     "NAME         DESIRED   CURRENT   READY   UP-TO-DATE   AVAILABLE   NODE SELECTOR            AGE     "
     "CONTAINERS   IMAGES               SELECTOR\n"
     "kube-proxy   3         3         2       3            2           kubernetes.io/os=linux   5m30s   "
     "kube-proxy   kube-proxy:v1.35.0   k8s-app=kube-proxy"),
    (STS, "get sts -o wide",
     "NAME   READY   AGE     CONTAINERS    IMAGES\n"
     "db     1/3     5m30s   pg,exporter   postgres:17,exporter:1"),
    (RC, "get rc -o wide",
     "NAME   DESIRED   CURRENT   READY   AGE     CONTAINERS   IMAGES       SELECTOR\n"
     "old    2         2         2       5m30s   nginx        nginx:1.27   app=old"),
], ids=["daemonset", "daemonset-wide", "statefulset-wide", "replicationcontroller-wide"])
def test_workload_rows(obj, command, text):
    assert kubectl(Reader(obj), command) == text


def job(spec, status, deleting=False):
    obj = workload("Job", "pi", {"template": template({}, ("pi", "perl")), **spec}, status,
                   api_version="batch/v1")
    if deleting:
        obj["metadata"]["deletionTimestamp"] = stamp(320)
    return obj


@pytest.mark.parametrize("obj, status, completions, duration", [
    (job({"completions": 3}, {}), "Running", "0/3", ""),
    (job({"completions": 3}, {"succeeded": 1, "startTime": stamp(30)}), "Running", "1/3", "5m"),
    (job({}, {"succeeded": 1, "startTime": stamp(30), "completionTime": stamp(75),
              "conditions": [{"type": "Complete", "status": "True"}]}), "Complete", "1/1", "45s"),
    (job({"parallelism": 2}, {"conditions": [{"type": "Failed", "status": "True"}]}),
     "Failed", "0/1 of 2", ""),
    (job({}, {"conditions": [{"type": "Suspended", "status": "True"}]}), "Suspended", "0/1", ""),
    (job({}, {}, deleting=True), "Terminating", "0/1", ""),
    (job({}, {"conditions": [{"type": "FailureTarget", "status": "True"}]}),
     "FailureTarget", "0/1", ""),
], ids=["pending", "running", "complete", "failed-parallel", "suspended", "terminating",
        "failure-target"])
def test_job_status_completions_and_duration(obj, status, completions, duration):
    assert job_cells(obj, 330.0)[1:4] == [status, completions, duration]


@pytest.mark.parametrize("selector, text", [
    (None, ""),
    ({}, ""),
    ({"matchLabels": {"tier": "front", "app": "web"}}, "app=web,tier=front"),
    ({"matchExpressions": [{"key": "env", "operator": "In", "values": ["prod", "dev"]},
                           {"key": "beta", "operator": "Exists"},
                           {"key": "gone", "operator": "DoesNotExist"},
                           {"key": "zone", "operator": "NotIn", "values": ["b"]}],
      "matchLabels": {"app": "web"}},
     "app=web,beta,env in (dev,prod),!gone,zone notin (b)"),
])
def test_label_selectors_print_as_apimachinery_prints_them(selector, text):
    assert selector_string(selector) == text
    assert format_label_selector(selector) == (text or "<none>")


def test_an_unreadable_selector_prints_as_upstream_marks_it():
    bad = {"matchExpressions": [{"key": "a", "operator": "Near"}]}
    assert format_label_selector(bad) == "<error>"
    broken = deployment("web")
    broken["spec"]["selector"] = bad
    assert kubectl(Reader(broken), "get deploy -o wide").endswith("<invalid>")


def test_an_event_of_the_new_api_reads_its_series_and_event_time():
    series = event("web.2", "BackOff", ref(WEB), first=0, type_="Warning",
                   message="Back-off restarting failed container")
    for field in ("firstTimestamp", "lastTimestamp", "count"):
        del series[field]
    series |= {"eventTime": "2026-01-01T00:01:00.000000Z", "reportingComponent": "kubelet",
               "reportingInstance": "worker-2",
               "series": {"count": 4, "lastObservedTime": "2026-01-01T00:05:00.000000Z"}}
    series["source"] = {}
    assert kubectl(Reader(series), "get events -o wide").splitlines()[1].split() == [
        "30s", "Warning", "BackOff", "deployment/web", "kubelet,", "worker-2", "Back-off",
        "restarting", "failed", "container", "4m30s", "4", "web.2"]


POD = {"apiVersion": "v1", "kind": "Pod", "metadata": meta("web-1", created=10),
       "spec": {"nodeName": "worker-1", "containers": [{"name": "c", "image": "nginx"}]},
       "status": {"phase": "Running", "containerStatuses": [
           {"name": "c", "ready": True, "restartCount": 0, "state": {"running": {}}}]}}
GONE = {**POD, "metadata": {**POD["metadata"], "deletionTimestamp": stamp(340),
                            "deletionGracePeriodSeconds": 30}}
LATER = {**POD, "metadata": meta("web-2-with-a-long-name", created=335)}


def test_a_watch_prints_the_table_then_a_line_per_change_with_widths_that_only_grow():
    reader = Reader(POD, now=330.0, changes=[
        WatchChange(335.0, "ADDED", LATER),
        WatchChange(340.0, "MODIFIED", GONE),
        WatchChange(372.0, "DELETED", GONE),
    ])
    assert watch(reader, "get pods -w", 60) == (
        "NAME    READY   STATUS    RESTARTS   AGE\n"
        "web-1   1/1     Running   0          5m20s\n"
        "web-2-with-a-long-name   1/1     Running   0          0s\n"
        "web-1                    1/1     Terminating   0          5m30s\n"
        "web-1                    1/1     Terminating   0          6m2s")


def test_a_watch_of_one_name_shows_only_it_and_an_empty_start_has_no_header():
    reader = Reader(changes=[WatchChange(335.0, "ADDED", LATER), WatchChange(336, "ADDED", POD)])
    assert watch(reader, "get pods --watch -o name", 5) == "pod/web-2-with-a-long-name\npod/web-1"
    named = Reader(POD, changes=[WatchChange(335.0, "ADDED", LATER),
                                 WatchChange(340.0, "MODIFIED", GONE)])
    assert watch(named, "get pod web-1 -w", 10).splitlines()[-1].split()[2] == "Terminating"


def test_a_watch_that_ends_in_an_error_says_so_in_kubectls_words():
    status = {"kind": "Status", "reason": "Expired",
              "message": "too old resource version: 5 (40)"}
    reader = Reader(POD, changes=[WatchChange(331.0, "ERROR", status),
                                  WatchChange(332.0, "ADDED", LATER)])
    assert watch(reader, "get pods -w", 5).splitlines()[-1] == (
        "Error from server (Expired): too old resource version: 5 (40)")


@pytest.mark.parametrize("command, seconds, error, message", [
    ("get pods", 5, BadRequestError, "a watch needs -w"),
    ("get pods -w -o yaml", 5, BadRequestError, "prints tables and names"),
    ("get pods -w", 0, BadRequestError, "positive number of simulated seconds"),
    ("get pods -w", float("nan"), BadRequestError, "positive number"),
    ("get pods -w", True, BadRequestError, "positive number"),
    ("get pod nope -w", 5, NotFoundError, 'pods "nope" not found'),
    (None, 5, BadRequestError, "a command is a string"),
])
def test_bad_watches_are_refused_and_run_nothing(command, seconds, error, message):
    reader = Reader(POD)
    with pytest.raises(error, match=message):
        watch(reader, command, seconds)
    assert reader.now == 330.0 or message == 'pods "nope" not found'
