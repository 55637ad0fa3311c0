"""The kubelet's container environment: values, the downward API's fieldRefs, and `$(VAR)`
expansion in later values and in command and args, with upstream's escaping rules."""

import pytest

from k8slab.node.container_env import command_line, environment, expand

POD = {"metadata": {"name": "web-1", "namespace": "shop", "uid": "u-1"},
       "spec": {"nodeName": "worker-2", "serviceAccountName": "default"}}


@pytest.mark.parametrize("text, expected", [
    ("--hostname-override=$(NODE_NAME)", "--hostname-override=worker-2"),
    ("$(NODE_NAME)-$(NODE_NAME)", "worker-2-worker-2"),
    ("$(MISSING)", "$(MISSING)"),          # undefined: left as written
    ("$$(NODE_NAME)", "$(NODE_NAME)"),     # $$ escapes the reference
    ("cost: $5", "cost: $5"),
    ("$(unclosed", "$(unclosed"),
    ("trailing $", "trailing $"),
])
def test_expansion_follows_upstreams_rules(text, expected):
    assert expand(text, {"NODE_NAME": "worker-2"}) == expected


def test_field_refs_and_values_expand_in_order():
    spec = {"env": [
        {"name": "NODE_NAME", "valueFrom": {"fieldRef": {"fieldPath": "spec.nodeName"}}},
        {"name": "POD_IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}},
        {"name": "NS", "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}}},
        {"name": "URL", "value": "http://$(POD_IP):8080/$(LATER)"},
        {"name": "LATER", "value": "x"},
    ], "command": ["run", "--node=$(NODE_NAME)"], "args": ["$(URL)", "$(NS)"]}
    variables = environment(POD, spec, "10.0.0.22", "10.244.2.7")
    assert variables == {"HOSTNAME": "web-1", "NODE_NAME": "worker-2", "POD_IP": "10.244.2.7",
                         "NS": "shop", "URL": "http://10.244.2.7:8080/$(LATER)", "LATER": "x"}
    assert command_line(spec, variables) == (
        ["run", "--node=worker-2"], ["http://10.244.2.7:8080/$(LATER)", "shop"])


def test_a_container_with_no_env_gets_its_hostname():
    assert environment(POD, {}, "10.0.0.22", "10.244.2.7") == {"HOSTNAME": "web-1"}
    assert command_line({}, {}) == ([], [])
