"""The pod checks the API server needs for the fields the plugins read (messages as upstream's
pkg/apis/core/validation/validation.go)."""

import pytest

from k8slab.api.manifests import load_manifests
from k8slab.api.scheduling_validation import pod_scheduling_field_errors
from k8slab.errors import InvalidError

REQUIRED = "requiredDuringSchedulingIgnoredDuringExecution"
PREFERRED = "preferredDuringSchedulingIgnoredDuringExecution"
NODE_TERMS = f"spec.affinity.nodeAffinity.{REQUIRED}.nodeSelectorTerms"


def pod_with(**spec):
    return {"metadata": {"name": "web"}, "spec": {"containers": [], **spec}}


def node_affinity(*expressions, fields=()):
    term = {"matchExpressions": list(expressions)}
    if fields:
        term["matchFields"] = list(fields)
    return {"nodeAffinity": {REQUIRED: {"nodeSelectorTerms": [term]}}}


@pytest.mark.parametrize(
    ("affinity", "message"),
    [
        (
            node_affinity({"key": "a", "operator": "Like", "values": ["1"]}),
            f'{NODE_TERMS}[0].matchExpressions[0].operator: Invalid value: "Like": not a valid '
            "selector operator",
        ),
        (
            node_affinity({"key": "a", "operator": "In"}),
            f"{NODE_TERMS}[0].matchExpressions[0].values: Required value: must be specified when "
            "`operator` is 'In' or 'NotIn'",
        ),
        (
            node_affinity({"key": "a", "operator": "Exists", "values": ["1"]}),
            f"{NODE_TERMS}[0].matchExpressions[0].values: Forbidden: may not be specified when "
            "`operator` is 'Exists' or 'DoesNotExist'",
        ),
        (
            node_affinity({"key": "a", "operator": "Gt", "values": ["1", "2"]}),
            f"{NODE_TERMS}[0].matchExpressions[0].values: Required value: must be specified "
            "single value when `operator` is 'Lt' or 'Gt'",
        ),
        (
            node_affinity(fields=[{"key": "metadata.uid", "operator": "In", "values": ["x"]}]),
            f'{NODE_TERMS}[0].matchFields[0].key: Invalid value: "metadata.uid": not a valid '
            "field selector key",
        ),
        (
            {"nodeAffinity": {REQUIRED: {"nodeSelectorTerms": []}}},
            f"{NODE_TERMS}: Required value: must have at least one node selector term",
        ),
        (
            {"nodeAffinity": {PREFERRED: [{"weight": 0, "preference": {}}]}},
            f"spec.affinity.nodeAffinity.{PREFERRED}[0].weight: Invalid value: 0: must be in the "
            "range 1-100",
        ),
        (
            {"podAntiAffinity": {REQUIRED: [{"labelSelector": {}}]}},
            f"spec.affinity.podAntiAffinity.{REQUIRED}[0].topologyKey: Required value: can not be "
            "empty",
        ),
        (
            {
                "podAffinity": {
                    REQUIRED: [
                        {
                            "labelSelector": {
                                "matchExpressions": [
                                    {"key": "a", "operator": "Gt", "values": ["1"]}
                                ]
                            },
                            "topologyKey": "zone",
                        }
                    ]
                }
            },
            f"spec.affinity.podAffinity.{REQUIRED}[0].labelSelector.matchExpressions[0].operator: "
            'Invalid value: "Gt": not a valid selector operator',
        ),
    ],
)
def test_affinity_errors(affinity, message):
    errors = [str(e) for e in pod_scheduling_field_errors(pod_with(affinity=affinity))]
    assert message in errors


@pytest.mark.parametrize(
    ("constraint", "message"),
    [
        (
            {"maxSkew": 0, "topologyKey": "zone", "whenUnsatisfiable": "DoNotSchedule"},
            "spec.topologySpreadConstraints[0].maxSkew: Invalid value: 0: must be greater than "
            "zero",
        ),
        (
            {"maxSkew": 1, "topologyKey": "", "whenUnsatisfiable": "DoNotSchedule"},
            "spec.topologySpreadConstraints[0].topologyKey: Required value: can not be empty",
        ),
        (
            {"maxSkew": 1, "topologyKey": "zone", "whenUnsatisfiable": "Sometimes"},
            'spec.topologySpreadConstraints[0].whenUnsatisfiable: Unsupported value: "Sometimes": '
            'supported values: "DoNotSchedule", "ScheduleAnyway"',
        ),
        (
            {
                "maxSkew": 1,
                "topologyKey": "zone",
                "whenUnsatisfiable": "ScheduleAnyway",
                "minDomains": 2,
            },
            "spec.topologySpreadConstraints[0].minDomains: Invalid value: 2: can only use "
            "minDomains if whenUnsatisfiable=DoNotSchedule, not ScheduleAnyway",
        ),
    ],
)
def test_topology_spread_errors(constraint, message):
    errors = [
        str(e)
        for e in pod_scheduling_field_errors(pod_with(topologySpreadConstraints=[constraint]))
    ]
    assert message in errors


def test_repeated_constraints_are_duplicates():
    constraint = {"maxSkew": 1, "topologyKey": "zone", "whenUnsatisfiable": "DoNotSchedule"}
    errors = [
        str(e)
        for e in pod_scheduling_field_errors(
            pod_with(topologySpreadConstraints=[constraint, constraint])
        )
    ]
    assert errors == [
        "spec.topologySpreadConstraints[0].{topologyKey, whenUnsatisfiable}: Duplicate value: "
        '"{zone, DoNotSchedule}"'
    ]


def manifest(**spec):
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web"},
            "spec": {"containers": [{"name": "web", "image": "nginx"}], **spec}}


def test_the_api_server_validation_runs_these_checks_a_valid_pod_passes():
    [pod] = load_manifests(manifest(affinity=node_affinity({"key": "a", "operator": "Exists"})))
    assert pod["spec"]["affinity"]["nodeAffinity"]
    with pytest.raises(
        InvalidError,
        match=r'^Pod "web" is invalid: spec.preemptionPolicy: Unsupported value: "Sometimes"',
    ):
        load_manifests(manifest(preemptionPolicy="Sometimes"))
    bad_operator = r'operator: Invalid value: "Near": not a valid selector operator'
    with pytest.raises(InvalidError, match=bad_operator):
        load_manifests(manifest(affinity=node_affinity({"key": "a", "operator": "Near"})))
