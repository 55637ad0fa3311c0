"""Affinity, topology spread and preemption policy: the pod fields the scheduler reads.

Cases named as upstream names them come from TestValidatePod's errorCases
(pkg/apis/core/validation/validation_test.go), which check that the message holds the path.
"""

import pytest

from k8slab.api.validation.core_affinity import pod_scheduling_field_errors

REQUIRED = "requiredDuringSchedulingIgnoredDuringExecution"
PREFERRED = "preferredDuringSchedulingIgnoredDuringExecution"
NODE_TERMS = f"spec.affinity.nodeAffinity.{REQUIRED}.nodeSelectorTerms"
QUALIFIED_NAME_MESSAGE = (
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end "
    "with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used "
    "for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
)


def node_affinity(*expressions, fields=()):
    """A required node affinity of one term with these matchExpressions and matchFields."""
    term = {"matchExpressions": list(expressions)}
    if fields:
        term["matchFields"] = list(fields)
    return {"nodeAffinity": {REQUIRED: {"nodeSelectorTerms": [term]}}}


def selector(operator, values=None):
    """A label selector with one expression on key2."""
    expression = {"key": "key2", "operator": operator}
    if values is not None:
        expression["values"] = values
    return {"matchExpressions": [expression]}


def preferred(kind, term):
    """Pod (anti-)affinity with one preferred term of weight 10."""
    return {kind: {PREFERRED: [{"weight": 10, "podAffinityTerm": term}]}}


def scheduling_errors(**spec):
    return [str(error) for error in pod_scheduling_field_errors(spec)]


@pytest.mark.parametrize(
    ("affinity", "message"),
    [
        pytest.param(
            node_affinity({"key": "invalid key ___@#", "operator": "Exists"}),
            f'{NODE_TERMS}[0].matchExpressions[0].key: Invalid value: "invalid key ___@#": '
            + QUALIFIED_NAME_MESSAGE,
            id="invalid node selector requirement in node affinity, key is invalid",
        ),
        pytest.param(
            node_affinity(
                fields=[{"key": "metadata.name", "operator": "In", "values": ["host1", "host2"]}]
            ),
            f"{NODE_TERMS}[0].matchFields[0].values: Required value: must be only one value "
            "when `operator` is 'In' or 'NotIn' for node field selector",
            id="invalid node field selector requirement in node affinity, "
            "more values for field selector",
        ),
        pytest.param(
            node_affinity(fields=[{"key": "metadata.name", "operator": "Exists"}]),
            f'{NODE_TERMS}[0].matchFields[0].operator: Invalid value: "Exists": '
            "not a valid selector operator",
            id="invalid node field selector requirement in node affinity, invalid operator",
        ),
        pytest.param(
            node_affinity(
                fields=[{"key": "metadata.namespace", "operator": "In", "values": ["ns1"]}]
            ),
            f'{NODE_TERMS}[0].matchFields[0].key: Invalid value: "metadata.namespace": '
            "not a valid field selector key",
            id="invalid node field selector requirement in node affinity, invalid key",
        ),
        pytest.param(
            {
                "nodeAffinity": {
                    PREFERRED: [
                        {
                            "weight": 199,
                            "preference": {
                                "matchExpressions": [
                                    {"key": "foo", "operator": "In", "values": ["bar"]}
                                ]
                            },
                        }
                    ]
                }
            },
            f"spec.affinity.nodeAffinity.{PREFERRED}[0].weight: Invalid value: 199: "
            "must be in the range 1-100",
            id="invalid preferredSchedulingTerm in node affinity, weight should be in range 1-100",
        ),
        pytest.param(
            {"nodeAffinity": {REQUIRED: {"nodeSelectorTerms": []}}},
            f"{NODE_TERMS}: Required value: must have at least one node selector term",
            id="invalid requiredDuringSchedulingIgnoredDuringExecution node selector, "
            "nodeSelectorTerms must have at least one term",
        ),
        pytest.param(
            {
                "podAffinity": {
                    PREFERRED: [
                        {
                            "weight": 109,
                            "podAffinityTerm": {
                                "labelSelector": selector("NotIn", ["value1", "value2"]),
                                "topologyKey": "region",
                            },
                        }
                    ]
                }
            },
            f"spec.affinity.podAffinity.{PREFERRED}[0].weight: Invalid value: 109: "
            "must be in the range 1-100",
            id="invalid weight in preferredDuringSchedulingIgnoredDuringExecution in pod affinity "
            "annotations, weight should be in range 1-100",
        ),
        pytest.param(
            preferred(
                "podAntiAffinity",
                {
                    "labelSelector": selector("Exists", ["value1", "value2"]),
                    "topologyKey": "region",
                },
            ),
            f"spec.affinity.podAntiAffinity.{PREFERRED}[0].podAffinityTerm.labelSelector."
            "matchExpressions[0].values: Forbidden: may not be specified when `operator` is "
            "'Exists' or 'DoesNotExist'",
            id="invalid labelSelector in preferredDuringSchedulingIgnoredDuringExecution in "
            "podaffinity annotations, values should be empty if the operator is Exists",
        ),
        pytest.param(
            preferred(
                "podAntiAffinity", {"namespaceSelector": selector("In"), "topologyKey": "region"}
            ),
            f"spec.affinity.podAntiAffinity.{PREFERRED}[0].podAffinityTerm.namespaceSelector."
            "matchExpressions[0].values: Required value: must be specified when `operator` is "
            "'In' or 'NotIn'",
            id="invalid namespaceSelector in preferredDuringSchedulingIgnoredDuringExecution in "
            "podaffinity, In operator must include Values",
        ),
        pytest.param(
            preferred(
                "podAntiAffinity",
                {
                    "namespaceSelector": selector("Exists", ["value1", "value2"]),
                    "topologyKey": "region",
                },
            ),
            f"spec.affinity.podAntiAffinity.{PREFERRED}[0].podAffinityTerm.namespaceSelector."
            "matchExpressions[0].values: Forbidden: may not be specified when `operator` is "
            "'Exists' or 'DoesNotExist'",
            id="invalid namespaceSelector in preferredDuringSchedulingIgnoredDuringExecution in "
            "podaffinity, Exists operator can not have values",
        ),
        pytest.param(
            {"podAffinity": {REQUIRED: [{"labelSelector": selector("In", ["value1", "value2"])}]}},
            f"spec.affinity.podAffinity.{REQUIRED}[0].topologyKey: Required value: "
            "can not be empty",
            id="invalid hard pod affinity, empty topologyKey is not allowed for hard pod affinity",
        ),
        pytest.param(
            {
                "podAntiAffinity": {
                    REQUIRED: [{"labelSelector": selector("In", ["value1", "value2"])}]
                }
            },
            f"spec.affinity.podAntiAffinity.{REQUIRED}[0].topologyKey: Required value: "
            "can not be empty",
            id="invalid hard pod anti-affinity, "
            "empty topologyKey is not allowed for hard pod anti-affinity",
        ),
        pytest.param(
            preferred("podAffinity", {"labelSelector": selector("NotIn", ["value1", "value2"])}),
            f"spec.affinity.podAffinity.{PREFERRED}[0].podAffinityTerm.topologyKey: "
            "Required value: can not be empty",
            id="invalid soft pod affinity, empty topologyKey is not allowed for soft pod affinity",
        ),
        pytest.param(
            preferred(
                "podAntiAffinity", {"labelSelector": selector("NotIn", ["value1", "value2"])}
            ),
            f"spec.affinity.podAntiAffinity.{PREFERRED}[0].podAffinityTerm.topologyKey: "
            "Required value: can not be empty",
            id="invalid soft pod anti-affinity, "
            "empty topologyKey is not allowed for soft pod anti-affinity",
        ),
        pytest.param(
            node_affinity({"key": "foo", "operator": "In", "values": ["-1"]}),
            f'{NODE_TERMS}[0].matchExpressions[0].values[0]: Invalid value: "-1": a valid label '
            "must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and "
            "must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  "
            "or '12345', regex used for validation is "
            "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
            id="invalid required node affinity, "
            "value of NodeSelectorRequirement should be a valid label value",
        ),
        # k8slab's own cases: each operator rule of a node selector requirement.
        pytest.param(
            node_affinity({"key": "a", "operator": "Like", "values": ["1"]}),
            f'{NODE_TERMS}[0].matchExpressions[0].operator: Invalid value: "Like": not a valid '
            "selector operator",
            id="unknown node selector operator",
        ),
        pytest.param(
            node_affinity({"key": "a", "operator": "In"}),
            f"{NODE_TERMS}[0].matchExpressions[0].values: Required value: must be specified when "
            "`operator` is 'In' or 'NotIn'",
            id="In without values",
        ),
        pytest.param(
            node_affinity({"key": "a", "operator": "Exists", "values": ["1"]}),
            f"{NODE_TERMS}[0].matchExpressions[0].values: Forbidden: may not be specified when "
            "`operator` is 'Exists' or 'DoesNotExist'",
            id="Exists with values",
        ),
        pytest.param(
            node_affinity({"key": "a", "operator": "Gt", "values": ["1", "2"]}),
            f"{NODE_TERMS}[0].matchExpressions[0].values: Required value: must be specified "
            "single value when `operator` is 'Lt' or 'Gt'",
            id="Gt with two values",
        ),
        pytest.param(
            {"nodeAffinity": {PREFERRED: [{"weight": 0, "preference": {}}]}},
            f"spec.affinity.nodeAffinity.{PREFERRED}[0].weight: Invalid value: 0: must be in the "
            "range 1-100",
            id="weight 0 is below the range",
        ),
        pytest.param(
            {
                "podAffinity": {
                    REQUIRED: [{"labelSelector": selector("Gt", ["1"]), "topologyKey": "zone"}]
                }
            },
            f"spec.affinity.podAffinity.{REQUIRED}[0].labelSelector.matchExpressions[0].operator: "
            'Invalid value: "Gt": not a valid selector operator',
            id="Gt is a node selector operator only",
        ),
    ],
)
def test_affinity_errors(affinity, message):
    assert message in scheduling_errors(affinity=affinity)


@pytest.mark.parametrize(
    ("constraint", "message"),
    [
        pytest.param(
            {"maxSkew": 0, "topologyKey": "zone", "whenUnsatisfiable": "DoNotSchedule"},
            "spec.topologySpreadConstraints[0].maxSkew: Invalid value: 0: must be greater than "
            "zero",
            id="maxSkew must be positive",
        ),
        pytest.param(
            {"maxSkew": 1, "topologyKey": "", "whenUnsatisfiable": "DoNotSchedule"},
            "spec.topologySpreadConstraints[0].topologyKey: Required value: can not be empty",
            id="empty topologyKey",
        ),
        pytest.param(
            {"maxSkew": 1, "topologyKey": "zone", "whenUnsatisfiable": "Sometimes"},
            'spec.topologySpreadConstraints[0].whenUnsatisfiable: Unsupported value: "Sometimes": '
            'supported values: "DoNotSchedule", "ScheduleAnyway"',
            id="unsupported whenUnsatisfiable",
        ),
        pytest.param(
            {
                "maxSkew": 1,
                "topologyKey": "zone",
                "whenUnsatisfiable": "ScheduleAnyway",
                "minDomains": 2,
            },
            "spec.topologySpreadConstraints[0].minDomains: Invalid value: 2: can only use "
            "minDomains if whenUnsatisfiable=DoNotSchedule, not ScheduleAnyway",
            id="minDomains only with DoNotSchedule",
        ),
    ],
)
def test_topology_spread_errors(constraint, message):
    assert message in scheduling_errors(topologySpreadConstraints=[constraint])


def test_repeated_constraints_are_duplicates():
    constraint = {"maxSkew": 1, "topologyKey": "zone", "whenUnsatisfiable": "DoNotSchedule"}
    assert scheduling_errors(topologySpreadConstraints=[constraint, constraint]) == [
        "spec.topologySpreadConstraints[0].{topologyKey, whenUnsatisfiable}: Duplicate value: "
        '"{zone, DoNotSchedule}"'
    ]


def test_preemption_policy():
    assert scheduling_errors(preemptionPolicy="Never") == []
    assert scheduling_errors(preemptionPolicy="Sometimes") == [
        'spec.preemptionPolicy: Unsupported value: "Sometimes": '
        'supported values: "Never", "PreemptLowerPriority"'
    ]
