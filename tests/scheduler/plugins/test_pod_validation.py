"""The pod checks the API server needs for the fields the plugins read (messages as upstream's
pkg/apis/core/validation/validation.go)."""

import pytest

from k8slab.errors import InvalidError
from k8slab.scheduler.plugins.pod_validation import (
    pod_scheduling_field_errors,
    validate_pod_scheduling_fields,
)

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


def test_a_valid_pod_passes_and_an_invalid_one_is_a_422():
    validate_pod_scheduling_fields(
        pod_with(affinity=node_affinity({"key": "a", "operator": "Exists"}))
    )
    with pytest.raises(
        InvalidError,
        match=r'^Pod "web" is invalid: spec.preemptionPolicy: Unsupported value: "Sometimes"',
    ):
        validate_pod_scheduling_fields(pod_with(preemptionPolicy="Sometimes"))
